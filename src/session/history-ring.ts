/**
 * HistoryRing: the last N seconds of events, kept as their bytes in one
 * preallocated ring buffer, so that something that happens now (an alert)
 * can be written out together with what led to it (`--history SECONDS`).
 *
 * Memory is bounded twice: by age (events older than the window leave) and
 * by the buffer's size (the oldest leave first when a new one needs room).
 * Copying an event is one Buffer.copy and a few header writes: no objects
 * per event. Reading back decodes each stored event into one reused
 * ScapEvent, as a source does.
 *
 * Record layout (4-byte aligned):
 *   u32 record length (0: a wrap marker, the next record is at offset 0)
 *   u32 ts high, u32 ts low, u32 event number low, u32 event number high,
 *   u32 dump flags, u16 cpu, u8 parameter length size (2 or 4), u8 has-nparams,
 *   then the event's bytes.
 */
import { ScapEvent } from '../event/scap-event.js';
import type { StateEngine } from '../state/engine.js';
import type { EventConsumer } from './consumer.js';

const REC_HEADER = 28;
const TWO_32 = 2 ** 32;

export interface HistoryRingOptions {
  /** How much event time to keep, in seconds. */
  seconds: number;
  /** Most bytes the ring holds (default 64 MiB). */
  maxBytes?: number;
}

export class HistoryRing implements EventConsumer {
  readonly windowNs: number;
  private readonly buf: Buffer;
  /** Offset of the oldest record; equal to `tail` when empty. */
  private head = 0;
  /** Where the next record goes. */
  private tail = 0;
  /** Bytes in use, wrap gaps included. */
  private used = 0;
  private count = 0;
  private newestTs = 0;
  private readonly scratch = new ScapEvent();

  constructor(opts: HistoryRingOptions) {
    this.windowNs = opts.seconds * 1e9;
    this.buf = Buffer.alloc(Math.max(64 * 1024, Math.floor(opts.maxBytes ?? 64 * 1024 * 1024)) & ~3);
  }

  /** Events held now. */
  get events(): number {
    return this.count;
  }

  /** Bytes held now (for the status bar). */
  get bytes(): number {
    return this.used;
  }

  get capacity(): number {
    return this.buf.length;
  }

  /** Event time covered, in ns (newest minus oldest). */
  get spanNs(): number {
    return this.count === 0 ? 0 : this.newestTs - this.tsAt(this.head);
  }

  /** Time of the oldest event held (0 when empty): an event older than this has left the history. */
  get oldestTs(): number {
    return this.count === 0 ? 0 : this.tsAt(this.head);
  }

  onEvent(ev: ScapEvent, _engine?: StateEngine): void {
    const len = ev.len;
    const need = (REC_HEADER + len + 3) & ~3;
    if (need > this.buf.length) return; // larger than the whole ring: cannot be kept
    const ts = ev.ts;
    this.newestTs = ts;
    // age first: what left the window frees room for free
    while (this.count > 0 && ts - this.tsAt(this.head) > this.windowNs) this.dropOldest();
    this.makeRoom(need);
    const b = this.buf;
    const at = this.tail;
    b.writeUInt32LE(need, at);
    b.writeUInt32LE(ev.tsHi, at + 4);
    b.writeUInt32LE(ev.tsLo, at + 8);
    b.writeUInt32LE(ev.num % TWO_32, at + 12);
    b.writeUInt32LE(Math.floor(ev.num / TWO_32), at + 16);
    b.writeUInt32LE(ev.evtFlags >>> 0, at + 20);
    b.writeUInt16LE(ev.cpu & 0xffff, at + 24);
    b[at + 26] = ev.lenSize;
    b[at + 27] = ev.hasNparams ? 1 : 0;
    ev.buf.copy(b, at + REC_HEADER, ev.base, ev.base + len);
    this.tail = at + need;
    this.used += need;
    this.count++;
  }

  finish(): void {}

  /**
   * Calls `fn` with each event held whose time is at least `sinceNs`, oldest
   * first. The event passed is reused: copy what you keep.
   */
  forEachSince(sinceNs: number, fn: (ev: ScapEvent) => void): void {
    const b = this.buf;
    const ev = this.scratch;
    let at = this.head;
    for (let left = this.count; left > 0; left--) {
      at = this.unwrap(at);
      const recLen = b.readUInt32LE(at);
      if (this.tsAt(at) >= sinceNs && ev.decode(b, at + REC_HEADER, recLen - REC_HEADER, b[at + 26] === 4 ? 4 : 2, b[at + 27] === 1) === null) {
        ev.evtFlags = b.readUInt32LE(at + 20);
        ev.cpu = b.readUInt16LE(at + 24);
        ev.num = b.readUInt32LE(at + 16) * TWO_32 + b.readUInt32LE(at + 12);
        fn(ev);
      }
      at += recLen;
    }
  }

  /** The offset of the record at `at`, past a wrap marker or the buffer's end. */
  private unwrap(at: number): number {
    return at === this.buf.length || this.buf.readUInt32LE(at) === 0 ? 0 : at;
  }

  private tsAt(at: number): number {
    at = this.unwrap(at);
    return this.buf.readUInt32LE(at + 4) * TWO_32 + this.buf.readUInt32LE(at + 8);
  }

  private dropOldest(): void {
    let at = this.head;
    const start = this.unwrap(at);
    // a wrap gap is freed together with the record after it
    if (start !== at) this.used -= this.buf.length - at;
    at = start;
    const recLen = this.buf.readUInt32LE(at);
    this.head = at + recLen;
    this.used -= recLen;
    this.count--;
    if (this.count === 0) this.head = this.tail = this.used = 0;
  }

  /** Frees the oldest records until `need` contiguous bytes are free at the tail (wrapping when the end is too close). */
  private makeRoom(need: number): void {
    const cap = this.buf.length;
    for (;;) {
      if (this.count === 0) {
        this.head = this.tail = this.used = 0;
        return;
      }
      if (this.tail > this.head) {
        // free: [tail, cap) and [0, head) (tail === head with records held means full)
        if (cap - this.tail >= need) return;
        if (this.head >= need) {
          // wrap: mark the gap at the end (records are 4-aligned, so a gap is 0 or holds a marker)
          if (this.tail < cap) this.buf.writeUInt32LE(0, this.tail);
          this.used += cap - this.tail;
          this.tail = 0;
          return;
        }
      } else if (this.head - this.tail >= need) {
        return;
      }
      this.dropOldest();
    }
  }
}
