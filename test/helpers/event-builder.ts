/**
 * Builds scap events in memory for state-engine tests: typed parameter
 * encoders and a reusable ScapEvent decoded over the built bytes.
 */
import { ScapEvent } from '../../src/event/scap-event.js';
import { EVENT_HEADER_SIZE } from '../../src/event/types.js';

export const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
export const i64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};
export const u64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
/** NUL-terminated string. */
export const str = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);
/** NUL-separated list (args, env, cgroups). */
export const list = (items: string[]): Buffer => Buffer.concat(items.map(str));
/** AF_INET sockaddr: family, ip (a.b.c.d), port. */
export function sockaddr4(ip: string, port: number): Buffer {
  return Buffer.concat([u8(2), Buffer.from(ip.split('.').map(Number)), u16(port)]);
}
/** AF_INET socket tuple. */
export function tuple4(sip: string, sport: number, dip: string, dport: number): Buffer {
  return Buffer.concat([u8(2), Buffer.from(sip.split('.').map(Number)), u16(sport), Buffer.from(dip.split('.').map(Number)), u16(dport)]);
}

/** Encodes one event in the scap layout (v2 header, u16 lengths). */
export function encodeEvent(type: number, tid: number, ts: bigint, params: Buffer[]): Buffer {
  const lens = Buffer.alloc(params.length * 2);
  params.forEach((p, i) => lens.writeUInt16LE(p.length, i * 2));
  const body = Buffer.concat([lens, ...params]);
  const hdr = Buffer.alloc(EVENT_HEADER_SIZE);
  hdr.writeBigUInt64LE(ts, 0);
  hdr.writeBigInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(EVENT_HEADER_SIZE + body.length, 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  return Buffer.concat([hdr, body]);
}

/** Decodes encoded bytes into a fresh ScapEvent (throws on malformed input). */
export function decode(bytes: Buffer, num = 0): ScapEvent {
  const ev = new ScapEvent();
  const err = ev.decode(bytes, 0, bytes.length, 2, true);
  if (err !== null) throw new Error(err);
  ev.num = num;
  return ev;
}
