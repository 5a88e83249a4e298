/**
 * A growable little-endian byte buffer for the metadata blocks (section
 * header, machine info, process/fd/interface/user lists). These are written
 * once per capture, so this favours clarity over avoiding allocation; the
 * per-event path (ScapWriter.writeEvent) does not use it.
 */

const TWO_32 = 4294967296;

export class ByteBuilder {
  private buf: Buffer;
  /** Bytes written so far. */
  length = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.alloc(initial);
  }

  /** Makes room for `n` more bytes and returns where they go (take it before reading `this.buf`: room may replace it). */
  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const grown = Buffer.alloc(size);
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.length = at + n;
    return at;
  }

  u8(v: number): this {
    const at = this.room(1);
    this.buf[at] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.buf.writeUInt16LE(v & 0xffff, at);
    return this;
  }
  /** Any 32-bit value: -1 and 0xffffffff are written alike. */
  u32(v: number): this {
    const at = this.room(4);
    this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }
  /**
   * A 64-bit value from a JS number (exact for |v| < 2^53): negative numbers
   * as two's complement, so -1 and u64 fields share this.
   */
  i64(v: number): this {
    const at = this.room(8);
    writeI64(this.buf, at, v);
    return this;
  }
  u64Big(v: bigint): this {
    const at = this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), at);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  /** `n` bytes of `b`, zero-filled where `b` is shorter (fixed-size address fields). */
  fixed(b: Uint8Array | null, n: number): this {
    const at = this.room(n);
    this.buf.fill(0, at, at + n);
    if (b !== null) this.buf.set(b.subarray(0, n), at);
    return this;
  }
  /** u16 length + bytes (no NUL), as scap stores strings. */
  str16(bytes: Buffer): this {
    this.u16(bytes.length);
    return this.bytes(bytes);
  }
  /** Overwrites a u32 written earlier (entry lengths known only at the entry's end). */
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, at);
  }
  /** The bytes written (a copy-free view: do not write to the builder afterwards). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Writes a JS number as a little-endian 64-bit two's complement integer. */
export function writeI64(buf: Buffer, at: number, v: number): void {
  const n = Number.isFinite(v) ? Math.trunc(v) : 0;
  const hi = Math.floor(n / TWO_32);
  const lo = n - hi * TWO_32;
  buf.writeUInt32LE(lo >>> 0, at);
  buf.writeInt32LE(hi | 0, at + 4);
}

/**
 * A string as scap stores it: UTF-8 (the inverse of the reader's decoding),
 * cut at the first NUL (C strings end there) and to at most `max` bytes.
 */
export function scapString(s: string, max: number): Buffer {
  const nul = s.indexOf('\0');
  const b = Buffer.from(nul >= 0 ? s.slice(0, nul) : s, 'utf8');
  return b.length > max ? b.subarray(0, max) : b;
}

/**
 * A NUL-separated list as scap stores args, env and cgroups: every entry
 * followed by a NUL ("a\0b\0"; an empty list is zero bytes), at most `max`
 * bytes, the last one kept a NUL when the list has to be cut.
 */
export function scapList(entries: readonly string[], max: number): Buffer {
  if (entries.length === 0) return Buffer.alloc(0);
  const b = Buffer.from(entries.join('\0') + '\0', 'utf8');
  if (b.length <= max) return b;
  const cut = Buffer.from(b.subarray(0, max));
  cut[max - 1] = 0;
  return cut;
}
