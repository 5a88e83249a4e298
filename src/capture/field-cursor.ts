/**
 * FieldCursor: bounds-checked little-endian reads over one region of a buffer.
 *
 * The list blocks (processes, fds, interfaces, users) are sequences of
 * variable-length entries whose lengths come from the file. Every read goes
 * through this cursor, so a damaged length can never make us read past the
 * entry or block it belongs to: it becomes a CaptureError naming the field
 * and its offset in the uncompressed stream.
 *
 * Not used on the per-event path (events are parsed by ScapEvent).
 */
import { CaptureError } from './records.js';

const TWO_32 = 4294967296;

export class FieldCursor {
  /** Current read position (index into buf). */
  pos: number;

  /**
   * @param buf    buffer holding the region
   * @param start  first byte of the region
   * @param end    one past the last byte of the region
   * @param streamBase stream offset of buf[0], for error messages
   * @param what   what the region is ("process list entry"), for error messages
   */
  constructor(
    readonly buf: Buffer,
    start: number,
    public end: number,
    readonly streamBase: number,
    readonly what: string,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Stream offset of the current position. */
  get offset(): number {
    return this.streamBase + this.pos;
  }

  /** Throws unless `n` more bytes belong to the region. */
  need(n: number, field: string): void {
    if (n > this.end - this.pos) {
      throw new CaptureError(
        `${this.what}: field '${field}' needs ${n} bytes but only ${this.end - this.pos} remain (at offset ${this.offset})`,
        this.offset,
      );
    }
  }

  /** A damage report located at the current position. */
  error(message: string): CaptureError {
    return this.errorAt(this.pos, message);
  }

  /** A damage report located at buf[index] (e.g. the start of a length field already read). */
  errorAt(index: number, message: string): CaptureError {
    const offset = this.streamBase + index;
    return new CaptureError(`${this.what}: ${message} (at offset ${offset})`, offset);
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(field: string): number {
    this.need(4, field);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit value as a number (exact below 2^53). */
  u64(field: string): number {
    this.need(8, field);
    const v = this.buf.readUInt32LE(this.pos + 4) * TWO_32 + this.buf.readUInt32LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Signed 64-bit value as a number (exact for |v| < 2^53: ids, sizes, -1 sentinels). */
  i64(field: string): number {
    this.need(8, field);
    const v = this.buf.readInt32LE(this.pos + 4) * TWO_32 + this.buf.readUInt32LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned 64-bit value as lowercase hex without prefix (kernel addresses exceed 2^53). */
  u64Hex(field: string): string {
    this.need(8, field);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v.toString(16);
  }

  /** A copy of the next `n` bytes (the buffer is reused after the block, so no views). */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** `n` bytes of text; stops at the first NUL, as the C readers do. */
  text(n: number, field: string): string {
    this.need(n, field);
    const start = this.pos;
    // Search only the field: an unbounded indexOf could scan the rest of a huge block for every string.
    const nul = this.buf.subarray(start, start + n).indexOf(0);
    this.pos += n;
    return this.buf.toString('utf8', start, nul < 0 ? start + n : start + nul);
  }

  /** A string stored as u16 length + bytes (not NUL-terminated on file). */
  str16(field: string): string {
    const n = this.u16(field + ' length');
    return this.text(n, field);
  }

  /**
   * A NUL-separated list stored as u16 length + bytes ("a\0b\0"), split into
   * its entries. One trailing NUL ends the list; empty entries inside it are kept.
   */
  strList16(field: string): string[] {
    const n = this.u16(field + ' length');
    this.need(n, field);
    const start = this.pos;
    this.pos += n;
    if (n === 0) return [];
    const stop = this.buf[start + n - 1] === 0 ? start + n - 1 : start + n;
    return this.buf.toString('utf8', start, stop).split('\0');
  }
}
