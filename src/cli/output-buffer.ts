import { escapeControls } from '../format/control-text.js';
import { encodeText } from '../output/encode.js';

/**
 * Where producers of records (event lines, JSON, the lifecycle stream) put
 * them: one complete record per call, without the trailing newline.
 */
export interface LineSink {
  write(line: string): void;
}

/**
 * Buffered latin1 output to stdout: lines are gathered into large chunks so
 * printing a million events costs a few thousand writes, and bytes from the
 * capture reach the terminal unchanged (characters up to U+00FF are single
 * bytes; anything above, such as an emoji in a lifecycle line, is UTF-8). Honors back-pressure and a closed pipe
 * (`tsysdig … | head` ends quietly).
 *
 * On a terminal, control characters print as '.' (escapeControls): a
 * process name or argument from a capture must not retitle the window or
 * clear the screen. A pipe or file gets the bytes sysdig prints.
 */
export class OutputBuffer implements LineSink {
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly limit = 1 << 16,
    private readonly escape = (stream as NodeJS.WriteStream).isTTY === true,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(line: string): void {
    this.line(line);
  }

  /** Text that is not a line (no newline added). */
  text(s: string): void {
    if (this.closed) return;
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.limit) this.drainSync();
  }

  line(s: string): void {
    if (this.closed) return;
    if (this.escape) s = escapeControls(s);
    this.parts.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= this.limit) this.drainSync();
  }

  private drainSync(): void {
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.closed) this.stream.write(encodeText(chunk));
  }

  /** Writes everything buffered and waits until the stream has taken it. */
  async flush(): Promise<void> {
    if (this.size > 0) this.drainSync();
    if (this.closed) return;
    // A reader that goes away while we wait for 'drain' (`| (sleep 1; head -1)`) never drains:
    // the EPIPE error (or close) ends the wait too, or Node would exit 13 on the pending promise.
    await new Promise<void>((resolve) => {
      if (this.stream.write('')) return resolve();
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }
}
