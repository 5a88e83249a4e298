/**
 * Builds single scap events in memory for the field unit tests: a header,
 * u16 parameter lengths, then the parameters, decoded into a ScapEvent.
 */
import { ScapEvent } from '../../src/event/scap-event.js';
import { EVENT_HEADER_SIZE } from '../../src/event/types.js';

export type Param = Buffer | string | { i64: number | bigint } | { u64: number | bigint } | { u32: number } | { u16: number } | { u8: number };

function paramBytes(p: Param): Buffer {
  if (Buffer.isBuffer(p)) return p;
  if (typeof p === 'string') return Buffer.from(p + '\0', 'latin1');
  const b = Buffer.alloc(8);
  if ('i64' in p) {
    b.writeBigInt64LE(BigInt(p.i64));
    return b;
  }
  if ('u64' in p) {
    b.writeBigUInt64LE(BigInt(p.u64));
    return b;
  }
  if ('u32' in p) {
    const x = Buffer.alloc(4);
    x.writeUInt32LE(p.u32 >>> 0);
    return x;
  }
  if ('u16' in p) {
    const x = Buffer.alloc(2);
    x.writeUInt16LE(p.u16);
    return x;
  }
  return Buffer.of(p.u8);
}

export interface EventSpec {
  type: number;
  tid: number;
  /** Timestamp in ns. */
  ts?: bigint;
  cpu?: number;
  num?: number;
  params?: Param[];
}

/** A decoded event (its own buffer; safe to keep). */
export function makeEvent(spec: EventSpec): ScapEvent {
  const params = (spec.params ?? []).map(paramBytes);
  const len = EVENT_HEADER_SIZE + params.length * 2 + params.reduce((n, p) => n + p.length, 0);
  const buf = Buffer.alloc(len);
  buf.writeBigUInt64LE(spec.ts ?? 1_600_000_000_000_000_000n, 0);
  buf.writeBigInt64LE(BigInt(spec.tid), 8);
  buf.writeUInt32LE(len, 16);
  buf.writeUInt16LE(spec.type, 20);
  buf.writeUInt32LE(params.length, 22);
  let o = EVENT_HEADER_SIZE;
  for (const p of params) {
    buf.writeUInt16LE(p.length, o);
    o += 2;
  }
  for (const p of params) {
    p.copy(buf, o);
    o += p.length;
  }
  const ev = new ScapEvent();
  const err = ev.decode(buf, 0, len, 2, true);
  if (err !== null) throw new Error(err);
  ev.cpu = spec.cpu ?? 0;
  ev.num = spec.num ?? 1;
  return ev;
}
