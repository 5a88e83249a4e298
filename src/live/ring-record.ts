/**
 * One probe ring record → the shared ScapEvent.
 *
 * A record is either a scap event followed by its u16 CPU trailer, or a
 * compact generic record (COMPACT_RECORD_LEN bytes, see probe-abi.ts), which
 * the probe writes for the syscalls without a dedicated event so that the
 * traced thread pays for as few ring bytes as a bare timestamped record.
 * A compact record is expanded here into the very bytes the probe used to
 * write (PPME_GENERIC_E: ID, nativeID; PPME_GENERIC_X: ID) and decoded from
 * there, so every consumer (state engine, fields, capture writer) sees an
 * ordinary scap event.
 *
 * Expanded events are laid out one after another in an arena that wraps
 * around, so a consumer holding an event's bytes a little longer (as it may
 * with the ring's) finds them intact for the next ~1600 events.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { COMPACT_CPU_SHIFT, COMPACT_EXIT, COMPACT_NR_MASK, COMPACT_RECORD_LEN, COMPACT_SC_MASK, COMPACT_SC_SHIFT, RECORD_TRAILER } from './probe-abi.js';

const PPME_GENERIC_E = 0;
const PPME_GENERIC_X = 1;
/** header 26 + 2 u16 lengths + ID u16 + nativeID u16 */
const GENERIC_E_LEN = 34;
/** header 26 + 1 u16 length + ID u16 */
const GENERIC_X_LEN = 30;
/** Arena slot per expanded event (the longer one, rounded up to 8). */
const SLOT = 40;
const ARENA_BYTES = SLOT * 1638;

export class RingRecordDecoder {
  private readonly arena = Buffer.alloc(ARENA_BYTES);
  private readonly view = new DataView(this.arena.buffer, this.arena.byteOffset, this.arena.byteLength);
  private pos = 0;

  /** Decodes the record at buf[off, off + len) into ev (cpu included). Returns null, or what is malformed. */
  decode(ev: ScapEvent, buf: Buffer, off: number, len: number): string | null {
    if (len === COMPACT_RECORD_LEN) return this.expand(ev, buf, off);
    const bad = ev.decode(buf, off, len, 2, true);
    if (bad !== null) return bad;
    ev.cpu = ev.len + RECORD_TRAILER <= len ? buf.readUInt16LE(off + ev.len) : 0;
    return null;
  }

  private expand(ev: ScapEvent, buf: Buffer, off: number): string | null {
    const word = buf.readUInt32LE(off + 12);
    let at = this.pos;
    if (at + SLOT > ARENA_BYTES) at = 0;
    this.pos = at + SLOT;
    const v = this.view;
    v.setUint32(at, buf.readUInt32LE(off), true); // ts
    v.setUint32(at + 4, buf.readUInt32LE(off + 4), true);
    v.setUint32(at + 8, buf.readUInt32LE(off + 8), true); // tid (u64)
    v.setUint32(at + 12, 0, true);
    const sc = (word >>> COMPACT_SC_SHIFT) & COMPACT_SC_MASK;
    let len: number;
    if (word & COMPACT_EXIT) {
      len = GENERIC_X_LEN;
      v.setUint16(at + 20, PPME_GENERIC_X, true);
      v.setUint32(at + 22, 1, true);
      v.setUint16(at + 26, 2, true);
      v.setUint16(at + 28, sc, true);
    } else {
      len = GENERIC_E_LEN;
      v.setUint16(at + 20, PPME_GENERIC_E, true);
      v.setUint32(at + 22, 2, true);
      v.setUint16(at + 26, 2, true);
      v.setUint16(at + 28, 2, true);
      v.setUint16(at + 30, sc, true);
      v.setUint16(at + 32, word & COMPACT_NR_MASK, true);
    }
    v.setUint32(at + 16, len, true);
    const bad = ev.decode(this.arena, at, len, 2, true);
    ev.cpu = word >>> COMPACT_CPU_SHIFT;
    return bad;
  }
}
