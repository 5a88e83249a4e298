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
 *
 * Waiting for the reader is bounded: a reader that takes nothing (a
 * stopped `| less`, a pipe nobody reads) must not keep tsysdig from
 * exiting. finish() says on stderr how much output was not written, and
 * main() then ends the process (Node would otherwise wait for the write).
 */

/** How long flush() waits for a reader that takes nothing (ms); one that keeps reading is waited for. */
export const FLUSH_WAIT_MS = 10_000;

/** Bytes of output no reader took at exit (finish() timed out); main() exits at once when this is not 0. */
let unwrittenAtExit = 0;

export function unwrittenOutputBytes(): number {
  return unwrittenAtExit;
}

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

  /**
   * Writes everything buffered and waits until the stream has taken it, or
   * until the reader has taken nothing for `waitMs` (a slow reader that
   * keeps reading is waited for). Resolves true when it was all taken (or
   * the reader is gone), false when the reader stopped reading.
   */
  async flush(waitMs = FLUSH_WAIT_MS): Promise<boolean> {
    if (this.size > 0) this.drainSync();
    if (this.closed) return true;
    const stream = this.stream as NodeJS.WritableStream & { writableLength?: number };
    // A reader that goes away while we wait for 'drain' (`| (sleep 1; head -1)`) never drains:
    // the EPIPE error (or close) ends the wait too, or Node would exit 13 on the pending promise.
    return new Promise<boolean>((resolve) => {
      if (stream.write('')) return resolve(true);
      let pending = stream.writableLength ?? 0;
      let stalledSince = Date.now();
      const done = (taken: boolean): void => {
        clearInterval(watch);
        stream.off('drain', onDrain);
        stream.off('error', onDrain);
        stream.off('close', onDrain);
        resolve(taken);
      };
      const onDrain = (): void => done(true);
      const watch = setInterval(() => {
        const now = stream.writableLength ?? 0;
        if (now < pending) {
          pending = now;
          stalledSince = Date.now();
        } else if (Date.now() - stalledSince >= waitMs) done(false);
      }, Math.min(200, Math.max(10, waitMs / 4)));
      stream.on('drain', onDrain);
      stream.on('error', onDrain);
      stream.on('close', onDrain);
    });
  }

  /**
   * The last flush, at exit: waits for the reader while it reads, at most
   * `waitMs` without progress. When it stopped reading, says on stderr how
   * many bytes were not written, drops whatever comes later, and returns
   * false (main() then exits without waiting for the write).
   */
  async finish(waitMs = FLUSH_WAIT_MS): Promise<boolean> {
    if (await this.flush(waitMs)) return true;
    const pending = (this.stream as NodeJS.WritableStream & { writableLength?: number }).writableLength ?? 0;
    this.closed = true;
    unwrittenAtExit += pending;
    process.stderr.write(`tsysdig: stdout is not being read: ${pending} bytes of output were not written\n`);
    return false;
  }
}
