/**
 * Just enough of a .scap writer for the container tests: a section header
 * and event blocks (EV_V2, and EV_V2_LARGE for container events), which
 * sysdig 0.29.3 reads; plus running sysdig on the result.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const SECTION_HEADER = 0x0a0d0d0a;
export const EV_V2 = 0x216;
export const EV_V2_LARGE = 0x221;

function block(type: number, body: Buffer): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  const total = 8 + body.length + pad + 4;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** One event in the v2 layout (26-byte header; u16 parameter lengths, or u32 when `large`). */
export function scapEvent(type: number, tid: bigint, ts: bigint, params: Buffer[], large = false): Buffer {
  const lens = Buffer.alloc(params.length * (large ? 4 : 2));
  params.forEach((p, i) => (large ? lens.writeUInt32LE(p.length, i * 4) : lens.writeUInt16LE(p.length, i * 2)));
  const body = Buffer.concat([lens, ...params]);
  const h = Buffer.alloc(26);
  h.writeBigUInt64LE(ts, 0);
  h.writeBigInt64LE(tid, 8);
  h.writeUInt32LE(26 + body.length, 16);
  h.writeUInt16LE(type, 20);
  h.writeUInt32LE(params.length, 22);
  return Buffer.concat([h, body]);
}

/** A capture: section header, then each event in its own block (cpu 0). */
export function scapFile(events: Array<{ blockType: number; event: Buffer }>): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(2, 6);
  shb.writeBigInt64LE(-1n, 8);
  const cpu = Buffer.alloc(2);
  return Buffer.concat([block(SECTION_HEADER, shb), ...events.map((e) => block(e.blockType, Buffer.concat([cpu, e.event])))]);
}

/** A notification event (a harmless first "real" event). */
export function notification(tid: bigint, ts: bigint, text: string): Buffer {
  const id = Buffer.alloc(8);
  id.writeBigInt64LE(1n);
  return scapEvent(280, tid, ts, [id, Buffer.from(text + '\0', 'latin1')]);
}

/** Path of the sysdig binary, or null. */
export function sysdigPath(): string | null {
  for (const p of ['/usr/bin/sysdig', '/usr/local/bin/sysdig']) if (fs.existsSync(p)) return p;
  return null;
}

/** Runs sysdig; output as bytes-as-latin1 text. */
export function sysdig(args: string[]): string {
  return execFileSync(sysdigPath()!, args, { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The JSON payloads of all container events in a capture (bytes as latin1, NUL excluded). */
export function containerJsonsIn(file: Buffer): string[] {
  const out: string[] = [];
  const marker = Buffer.from('{"container":');
  let p = file.indexOf(marker);
  while (p >= 0) {
    const end = file.indexOf(0, p);
    out.push(file.toString('latin1', p, end));
    p = file.indexOf(marker, end);
  }
  return out;
}
