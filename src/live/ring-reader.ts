/**
 * Zero-copy reader of a BPF_MAP_TYPE_RINGBUF map.
 *
 * Kernel layout (mmap offsets of the map fd):
 *   [0, page)            consumer page: u64 consumer_pos       (mapped RW)
 *   [page, 2*page)       producer page: u64 producer_pos       (mapped RO)
 *   [2*page, +2*size)    data, mapped twice back to back       (mapped RO)
 * Each record: u32 len (bit 31 BUSY: not committed yet, bit 30 DISCARD),
 * u32 page offset, then len bytes, the whole rounded up to 8 bytes.
 * Positions grow forever; the data offset is pos & (size - 1). Because the
 * data pages are mapped twice, a record that wraps is still contiguous.
 *
 * The mapped memory is wrapped once in a Buffer (koffi.view); draining walks
 * records from consumer_pos to producer_pos and hands (buffer, offset, len)
 * to a callback — no FFI call and no copy per record. consumer_pos is
 * stored back (releasing the space) every `releaseEvery` bytes and at the
 * end of each drain.
 */
import koffi from 'koffi';
import { getLibc, MAP_SHARED, POLLIN, PROT_READ, PROT_WRITE } from './libc.js';
import { LiveError } from './errors.js';

export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

/** Receives one record: its bytes are buf[off, off + len). Return false to stop draining. */
export type RecordHandler = (buf: Buffer, off: number, len: number) => boolean | void;

export class RingReader {
  readonly size: number;
  readonly pageSize: number;
  /** The producer page and the (double-mapped) data area, as one Buffer. */
  readonly mem: Buffer;
  /** Offset of the data area in `mem`. */
  readonly dataOff: number;
  /** Bytes consumed between two consumer_pos updates inside one drain. */
  releaseEvery: number;

  private consPtr: bigint | null;
  private prodPtr: bigint | null;
  private readonly prodLen: number;
  private readonly consView: BigUint64Array;
  private readonly prodView: BigUint64Array;
  private readonly hdr32: Int32Array;
  private cons: number;
  private readonly pollFd: Buffer;

  constructor(
    readonly mapFd: number,
    size: number,
  ) {
    const libc = getLibc();
    this.pageSize = libc.getpagesize();
    if (size <= 0 || (size & (size - 1)) !== 0 || size % this.pageSize !== 0) {
      throw new LiveError('ring', `ring size ${size} is not a power of two multiple of the page size`);
    }
    this.size = size;
    this.releaseEvery = Math.max(this.pageSize, size >>> 3);
    this.consPtr = libc.mmap(null, this.pageSize, PROT_READ | PROT_WRITE, MAP_SHARED, mapFd, 0);
    if (this.consPtr === null) throw new LiveError('ring', 'mmap of the ring consumer page failed', libc.errno());
    this.prodLen = this.pageSize + 2 * size;
    this.prodPtr = libc.mmap(null, this.prodLen, PROT_READ, MAP_SHARED, mapFd, this.pageSize);
    if (this.prodPtr === null) {
      const errno = libc.errno();
      libc.munmap(this.consPtr, this.pageSize);
      this.consPtr = null;
      throw new LiveError('ring', 'mmap of the ring data pages failed', errno);
    }
    const consAb = koffi.view(this.consPtr, this.pageSize);
    const prodAb = koffi.view(this.prodPtr, this.prodLen);
    this.consView = new BigUint64Array(consAb, 0, 1);
    this.prodView = new BigUint64Array(prodAb, 0, 1);
    this.hdr32 = new Int32Array(prodAb);
    this.mem = Buffer.from(prodAb);
    this.dataOff = this.pageSize;
    this.cons = Number(Atomics.load(this.consView, 0));
    this.pollFd = Buffer.alloc(8);
    this.pollFd.writeInt32LE(mapFd, 0);
    this.pollFd.writeInt16LE(POLLIN, 4);
  }

  /** Bytes written by the kernel and not yet consumed. */
  pending(): number {
    return Number(Atomics.load(this.prodView, 0)) - this.cons;
  }

  consumerPos(): number {
    return this.cons;
  }

  /**
   * Hands every committed record to `onRecord`, in order, until the ring is
   * empty, a record is still being written, `max` records were handled, or
   * the handler returns false. Returns the number of records handled
   * (discarded records are skipped and not counted).
   */
  drain(onRecord: RecordHandler, max = Infinity): number {
    const mem = this.mem;
    const hdr32 = this.hdr32;
    const mask = this.size - 1;
    const dataOff = this.dataOff;
    let cons = this.cons;
    let released = cons;
    let prod = Number(Atomics.load(this.prodView, 0));
    let n = 0;
    while (n < max) {
      if (cons >= prod) {
        // Release what we consumed, then look again before returning.
        if (cons !== released) {
          this.release(cons);
          released = cons;
        }
        prod = Number(Atomics.load(this.prodView, 0));
        if (cons >= prod) break;
      }
      // cons % size, exact for positions beyond 2^32 too
      const off = (cons % 4294967296) & mask;
      const word = Atomics.load(hdr32, (dataOff + off) >>> 2) >>> 0;
      if (word & BPF_RINGBUF_BUSY_BIT) break;
      const len = word & 0x3fffffff;
      cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7;
      if (word & BPF_RINGBUF_DISCARD_BIT) continue;
      n++;
      if (onRecord(mem, dataOff + off + BPF_RINGBUF_HDR_SZ, len) === false) break;
      if (cons - released >= this.releaseEvery) {
        this.release(cons);
        released = cons;
      }
    }
    if (cons !== released) this.release(cons);
    this.cons = cons;
    return n;
  }

  /**
   * Copies the committed records in [consumer_pos, producer_pos) — with
   * their 8-byte headers — into `dst` and releases them. Used to hand a
   * whole batch to another thread with one copy. Returns the bytes copied
   * (0 when empty); at most dst.length bytes, ending on a record boundary.
   */
  copyOut(dst: Buffer): number {
    const mask = this.size - 1;
    const prod = Number(Atomics.load(this.prodView, 0));
    let cons = this.cons;
    const start = cons;
    while (cons < prod) {
      const off = (cons % 4294967296) & mask;
      const word = Atomics.load(this.hdr32, (this.dataOff + off) >>> 2) >>> 0;
      if (word & BPF_RINGBUF_BUSY_BIT) break;
      const rec = ((word & 0x3fffffff) + BPF_RINGBUF_HDR_SZ + 7) & ~7;
      if (cons + rec - start > dst.length) break;
      cons += rec;
    }
    const bytes = cons - start;
    if (bytes === 0) return 0;
    const from = this.dataOff + ((start % 4294967296) & mask);
    this.mem.copy(dst, 0, from, from + bytes);
    this.release(cons);
    this.cons = cons;
    return bytes;
  }

  private release(pos: number): void {
    Atomics.store(this.consView, 0, BigInt(pos));
  }

  /** Blocks (poll(2)) until data is available or timeoutMs passes. True if data is ready. */
  wait(timeoutMs: number): boolean {
    if (this.pending() > 0) return true;
    getLibc().poll(this.pollFd, 1, timeoutMs);
    return this.pending() > 0;
  }

  /** Like wait(), on koffi's worker pool: does not block the event loop. */
  async waitAsync(timeoutMs: number): Promise<boolean> {
    if (this.pending() > 0) return true;
    await getLibc().pollAsync(this.pollFd, 1, timeoutMs);
    return this.pending() > 0;
  }

  close(): void {
    const libc = getLibc();
    if (this.prodPtr !== null) libc.munmap(this.prodPtr, this.prodLen);
    if (this.consPtr !== null) libc.munmap(this.consPtr, this.pageSize);
    this.prodPtr = this.consPtr = null;
  }
}

/**
 * Walks ring records previously copied out with RingReader.copyOut():
 * calls onRecord for each non-discarded record. Returns the count.
 */
export function walkCopiedRecords(buf: Buffer, bytes: number, onRecord: RecordHandler): number {
  let off = 0;
  let n = 0;
  while (off + BPF_RINGBUF_HDR_SZ <= bytes) {
    const word = buf.readUInt32LE(off);
    const len = word & 0x3fffffff;
    if (!(word & BPF_RINGBUF_DISCARD_BIT)) {
      n++;
      if (onRecord(buf, off + BPF_RINGBUF_HDR_SZ, len) === false) break;
    }
    off += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7;
  }
  return n;
}
