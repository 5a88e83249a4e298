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
 */
export class OutputBuffer implements LineSink {
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly limit = 1 << 16,
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
    await new Promise<void>((resolve) => {
      if (this.stream.write('')) resolve();
      else this.stream.once('drain', () => resolve());
    });
  }
}
