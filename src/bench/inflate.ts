/**
 * Makes a large capture from a small real one for replay benchmarks: keeps
 * the snapshot blocks once, then repeats the event blocks N times, shifting
 * each copy's timestamps past the previous copy's end (the same recipe as
 * shared/tools/scap-inflate.py, so figures are comparable).
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const EVENT_BLOCKS = new Set([0x204, 0x216, 0x221, 0x208, 0x217, 0x222]);
const EVF_BLOCKS = new Set([0x208, 0x217, 0x222]);

interface Block {
  type: number;
  bytes: Buffer;
}

function blocks(data: Buffer): Block[] {
  const out: Block[] = [];
  let off = 0;
  while (off + 8 <= data.length) {
    const type = data.readUInt32LE(off);
    const len = data.readUInt32LE(off + 4);
    if (len < 12 || off + len > data.length) break;
    out.push({ type, bytes: data.subarray(off, off + len) });
    off += len;
  }
  return out;
}

/** Writes `copies` repetitions of `src`'s events to `dst`; returns the number of events written. */
export async function inflateCapture(src: string, dst: string, copies: number): Promise<number> {
  let data = readFileSync(src);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const all = blocks(data);
  const head = all.filter((b) => !EVENT_BLOCKS.has(b.type));
  const events = all.filter((b) => EVENT_BLOCKS.has(b.type));
  const tsOff = (b: Block): number => 8 + 2 + (EVF_BLOCKS.has(b.type) ? 4 : 0);
  let min = -1n;
  let max = 0n;
  for (const e of events) {
    const ts = e.bytes.readBigUInt64LE(tsOff(e));
    if (ts === 0n) continue;
    if (min < 0n || ts < min) min = ts;
    if (ts > max) max = ts;
  }
  const span = events.length > 0 ? max - min + 1000n : 0n;
  const out = createWriteStream(dst, { mode: 0o600 });
  const write = (b: Buffer): Promise<void> =>
    new Promise((resolve) => {
      if (out.write(b)) resolve();
      else out.once('drain', () => resolve());
    });
  for (const h of head) await write(h.bytes);
  for (let k = 0; k < copies; k++) {
    const chunk = Buffer.concat(events.map((e) => e.bytes));
    if (k > 0) {
      let off = 0;
      for (const e of events) {
        const at = off + tsOff(e);
        const ts = chunk.readBigUInt64LE(at);
        if (ts !== 0n) chunk.writeBigUInt64LE(ts + BigInt(k) * span, at);
        off += e.bytes.length;
      }
    }
    await write(chunk);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return events.length * copies;
}
