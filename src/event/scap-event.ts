/**
 * ScapEvent: a reusable, zero-copy view of one event in scap layout.
 *
 * The capture reader and the live ring drain both hand their bytes to one
 * ScapEvent instance with decode(); the instance records where the header
 * and each parameter sit in the buffer and nothing else. Values are read on
 * demand through the typed accessors, so an event that no consumer looks at
 * costs a header parse and a length scan, and no allocation.
 */
import { EVENT_TABLE } from './event-table.js';
import { EVENT_HEADER_SIZE, EVENT_HEADER_SIZE_V1, type EventInfo } from './types.js';

/** Upper bound on parameters per event accepted from untrusted input. */
export const MAX_PARAMS = 64;

const TWO_32 = 4294967296;

const UNKNOWN_INFO: EventInfo = { name: 'unknown', category: 0, flags: 0, params: [] };
const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);

/** Looks up the static description of an event type; unknown ids get a generic one. */
export function eventInfo(type: number): EventInfo {
  return type < EVENT_TABLE.length ? EVENT_TABLE[type]! : UNKNOWN_INFO;
}

export class ScapEvent {
  /** Buffer holding the event; only valid until the source's next chunk. */
  buf: Buffer = EMPTY;
  /**
   * A DataView on the same bytes as `buf`. Sources hand over the same window
   * buffer event after event, so it is made once per buffer; its reads
   * compile to single loads, where composing bytes or Buffer's read methods
   * (with their argument checks) cost several times more on this path.
   */
  private view: DataView = EMPTY_VIEW;
  /**
   * The buffer decoded before `buf` and its view: the live source alternates
   * between the ring and the buffer compact records are expanded into, and
   * must not make a DataView per switch.
   */
  private prevBuf: Buffer = EMPTY;
  private prevView: DataView = EMPTY_VIEW;
  /** Offset of the event header in buf. */
  base = 0;
  /** CPU the event was captured on. */
  cpu = 0;
  /** EVF block flags (0 for plain event blocks). */
  evtFlags = 0;
  /** Timestamp in ns since the epoch, as two u32 halves (exact). */
  tsHi = 0;
  tsLo = 0;
  /** Thread id that generated the event. */
  tid = 0;
  /** Total event length in bytes, header included (as in the file). */
  len = 0;
  /** Event type id (index into EVENT_TABLE). */
  type = 0;
  nparams = 0;
  /** Running event number, 1-based, assigned by the source. */
  num = 0;
  /** Layout the event was decoded with (needed to re-decode a stored copy). */
  lenSize: 2 | 4 = 2;
  hasNparams = true;
  /** Static description of this event type. */
  info: EventInfo = UNKNOWN_INFO;
  /** Offsets (into buf) and lengths of each parameter's bytes. */
  readonly paramOff = new Int32Array(MAX_PARAMS);
  readonly paramLen = new Int32Array(MAX_PARAMS);

  /**
   * Parses the event whose header starts at buf[off], with at most `avail`
   * bytes belonging to it. `lenSize` is 2 (u16 parameter lengths) or 4
   * (large-payload blocks). `hasNparams` is false for v1 event blocks, whose
   * header lacks the nparams field; their parameter count is then inferred
   * from the table and the event length, as the format's readers do.
   * Returns null on success, or a short description of what is malformed.
   */
  decode(buf: Buffer, off: number, avail: number, lenSize: 2 | 4, hasNparams: boolean): string | null {
    const hdrSize = hasNparams ? EVENT_HEADER_SIZE : EVENT_HEADER_SIZE_V1;
    if (avail < hdrSize) return 'event shorter than its header';
    if (buf !== this.buf) {
      const pb = this.prevBuf;
      const pv = this.prevView;
      this.prevBuf = this.buf;
      this.prevView = this.view;
      this.buf = buf;
      this.view = buf === pb ? pv : new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    this.base = off;
    this.lenSize = lenSize;
    this.hasNparams = hasNparams;
    const v = this.view;
    this.tsLo = v.getUint32(off, true);
    this.tsHi = v.getUint32(off + 4, true);
    const tidLo = v.getUint32(off + 8, true);
    const tidHi = v.getInt32(off + 12, true);
    this.tid = tidHi === 0 ? tidLo : tidHi * TWO_32 + tidLo;
    const len = v.getUint32(off + 16, true);
    const type = v.getUint16(off + 20, true);
    this.len = len;
    this.type = type;
    const info = type < EVENT_TABLE.length ? EVENT_TABLE[type]! : UNKNOWN_INFO;
    this.info = info;
    if (len < hdrSize || len > avail) return `event length ${len} does not fit its block (${avail} bytes)`;
    const end = off + len;
    const lensStart = off + hdrSize;
    let nparams: number;
    let p: number;
    if (hasNparams) {
      nparams = v.getUint32(off + 22, true);
      if (nparams > MAX_PARAMS || hdrSize + nparams * lenSize > len) return `bad parameter count ${nparams}`;
      p = this.locateParams(lensStart, nparams, lenSize);
    } else {
      // v1: no count in the header. The table's count almost always fills the
      // event exactly, so try it first and infer only when it does not.
      nparams = Math.min(info.params.length, MAX_PARAMS);
      p = lensStart + nparams * lenSize <= end ? this.locateParams(lensStart, nparams, lenSize) : -1;
      if (p !== end) {
        nparams = this.inferV1Params(lensStart, end, lenSize);
        if (nparams < 0) return 'cannot infer the parameter count of a v1 event';
        p = this.locateParams(lensStart, nparams, lenSize);
      }
    }
    this.nparams = nparams;
    if (p > end) return 'parameters overrun the event';
    return null;
  }

  /**
   * Records the offset and length of each of `nparams` parameters whose
   * lengths start at buf[lensStart]; returns the offset just past the last one.
   */
  private locateParams(lensStart: number, nparams: number, lenSize: 2 | 4): number {
    const v = this.view;
    let p = lensStart + nparams * lenSize;
    let lp = lensStart;
    const po = this.paramOff;
    const pl = this.paramLen;
    if (lenSize === 2) {
      for (let i = 0; i < nparams; i++, lp += 2) {
        const l = v.getUint16(lp, true);
        po[i] = p;
        pl[i] = l;
        p += l;
      }
    } else {
      for (let i = 0; i < nparams; i++, lp += 4) {
        const l = v.getUint32(lp, true);
        po[i] = p;
        pl[i] = l;
        p += l;
      }
    }
    return p;
  }

  /** v1 events carry no nparams: take the largest count whose lengths exactly fill the event. */
  private inferV1Params(lensStart: number, end: number, lenSize: number): number {
    const want = Math.min(this.info.params.length, MAX_PARAMS);
    for (let n = want; n >= 0; n--) {
      let p = lensStart + n * lenSize;
      if (p > end) continue;
      for (let i = 0; i < n; i++) p += lenSize === 2 ? this.view.getUint16(lensStart + i * 2, true) : this.view.getUint32(lensStart + i * 4, true);
      if (p === end) return n;
    }
    return -1;
  }

  /** Drops every reference to the buffers decoded so far (before their memory is unmapped or handed away). */
  release(): void {
    this.buf = this.prevBuf = EMPTY;
    this.view = this.prevView = EMPTY_VIEW;
  }

  /** Timestamp as an approximate double (ns); exact to within a few hundred ns. Good for interval arithmetic. */
  get ts(): number {
    return this.tsHi * TWO_32 + this.tsLo;
  }

  /** Exact timestamp in ns. Allocates a BigInt: for formatting, not hot paths. */
  tsBig(): bigint {
    return (BigInt(this.tsHi) << 32n) | BigInt(this.tsLo);
  }

  /** True when the event is an enter event ('>'). */
  get isEnter(): boolean {
    return (this.type & 1) === 0;
  }

  // ---- typed parameter accessors (index = parameter position) ----

  u8(i: number): number {
    return this.paramLen[i]! >= 1 ? this.buf[this.paramOff[i]!]! : 0;
  }
  i8(i: number): number {
    return this.paramLen[i]! >= 1 ? this.view.getInt8(this.paramOff[i]!) : 0;
  }
  u16(i: number): number {
    return this.paramLen[i]! >= 2 ? this.view.getUint16(this.paramOff[i]!, true) : this.u8(i);
  }
  i16(i: number): number {
    return this.paramLen[i]! >= 2 ? this.view.getInt16(this.paramOff[i]!, true) : this.i8(i);
  }
  u32(i: number): number {
    return this.paramLen[i]! >= 4 ? this.view.getUint32(this.paramOff[i]!, true) : this.u16(i);
  }
  i32(i: number): number {
    return this.paramLen[i]! >= 4 ? this.view.getInt32(this.paramOff[i]!, true) : this.i16(i);
  }
  /** Signed 64-bit value as a number (exact for |v| < 2^53, which covers fds, pids, sizes, errnos). */
  i64(i: number): number {
    if (this.paramLen[i]! < 8) return this.i32(i);
    const o = this.paramOff[i]!;
    return this.view.getInt32(o + 4, true) * TWO_32 + this.view.getUint32(o, true);
  }
  /** Unsigned 64-bit value as a number (exact below 2^53). */
  u64(i: number): number {
    if (this.paramLen[i]! < 8) return this.u32(i);
    const o = this.paramOff[i]!;
    return this.view.getUint32(o + 4, true) * TWO_32 + this.view.getUint32(o, true);
  }
  /** Exact unsigned 64-bit value (allocates). */
  u64Big(i: number): bigint {
    if (this.paramLen[i]! < 8) return BigInt(this.u32(i));
    return this.buf.readBigUInt64LE(this.paramOff[i]!);
  }
  /** Exact signed 64-bit value (allocates). */
  i64Big(i: number): bigint {
    if (this.paramLen[i]! < 8) return BigInt(this.i32(i));
    return this.buf.readBigInt64LE(this.paramOff[i]!);
  }
  /**
   * A NUL-terminated string parameter (allocates a string; call only when the text is needed).
   * Decoded as latin1 so every byte survives unchanged to the output, as sysdig writes raw bytes;
   * display code converts to UTF-8 at the edge.
   */
  str(i: number): string {
    const o = this.paramOff[i]!;
    let l = this.paramLen[i]!;
    const nul = this.buf.indexOf(0, o);
    if (nul >= 0 && nul < o + l) l = nul - o;
    return this.buf.toString('latin1', o, o + l);
  }
  /** The raw bytes of a parameter, as a view into the event buffer (no copy). */
  bytes(i: number): Buffer {
    const o = this.paramOff[i]!;
    return this.buf.subarray(o, o + this.paramLen[i]!);
  }
  /** Raw bytes of the whole event (header included), as a view. */
  raw(): Buffer {
    return this.buf.subarray(this.base, this.base + this.len);
  }
}
