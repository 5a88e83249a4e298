/**
 * BlockWindow: the one reused buffer the reader parses blocks from.
 *
 * Blocks are parsed in place while they lie wholly inside the window. When
 * the next block runs past the data at hand, the unconsumed tail is moved to
 * the front (at most one block's worth of bytes) and the source fills the
 * rest. The window only grows when a single block is bigger than it, and then
 * in doubling steps as the data actually arrives: a damaged length field that
 * claims 200 MiB in a small file costs the file's size, not 200 MiB.
 */
import type { ByteSource } from './byte-source.js';

/** Enough for thousands of events per refill; small next to any machine. */
export const DEFAULT_WINDOW_SIZE = 1024 * 1024;

export class BlockWindow {
  /** Bytes of the stream; valid from `start` to `end`. Replaced when the window grows. */
  buf: Buffer;
  /** A DataView on `buf` (replaced with it), for the reader's fixed-width reads. */
  view: DataView;
  /** Stream offset of buf[0]. */
  base = 0;
  /** First unconsumed byte. */
  start = 0;
  /** One past the last valid byte. */
  end = 0;
  private eof = false;

  constructor(
    private readonly source: ByteSource,
    initialSize = DEFAULT_WINDOW_SIZE,
  ) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes available from `start`. */
  get available(): number {
    return this.end - this.start;
  }

  /** Stream offset of `start`. */
  get offset(): number {
    return this.base + this.start;
  }

  /** Stream offset of the end of the data read so far. */
  get endOffset(): number {
    return this.base + this.end;
  }

  /**
   * Reads until at least `need` bytes are available from `start`. Resolves
   * false if the stream ends first (what did arrive stays available).
   * Rejections from the source (damaged container) pass through.
   */
  async fill(need: number): Promise<boolean> {
    while (this.end - this.start < need) {
      if (this.eof) return false;
      this.makeRoom(need);
      const n = await this.source.read(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) {
        this.eof = true;
        return false;
      }
      this.end += n;
    }
    return true;
  }

  /** Ensures free space after `end`: slide the unconsumed bytes to the front, or grow. */
  private makeRoom(need: number): void {
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end < this.buf.length) return;
    // Full and still short of `need`: double, but never past what the block needs.
    const size = Math.max(this.end + 1, Math.min(this.buf.length * 2, need));
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.end);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }
}
