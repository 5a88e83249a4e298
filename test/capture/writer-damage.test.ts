/**
 * Captures cut short: a writer killed mid-capture (the file truncated at
 * any offset, plain or gzip) and a full disk. tsysdig's reader, and sysdig
 * 0.29.3 when installed, must read every complete block before the cut; a
 * full disk must give one one-line error and leave a file that reads cleanly
 * to its last complete block.
 */
import { execFileSync } from 'node:child_process';
import { ftruncateSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { constants as zc, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventBlockLayout } from '../../src/capture/block-types.js';
import { CaptureError } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import { CaptureWriteError, copyCapture, ScapWriter, type WriterIo } from '../../src/capture/writer/index.js';
import { EV } from '../../src/event/event-ids.js';
import { ScapEvent } from '../../src/event/scap-event.js';
import { encodeEvent, i64 } from '../helpers/event-builder.js';
import { type FixtureName, fixturePath, prng, RecordingSink } from './helpers.js';
import { captureBytes, referenceToolsMissing, run, tempDir } from './writer-helpers.js';

const missing = referenceToolsMissing();
if (missing !== null) console.warn(`writer-damage.test.ts: sysdig checks skipped: ${missing}`);

const tmp = tempDir('tsysdig-writer-cut-');
afterAll(() => tmp.remove());
let fileNo = 0;
const tmpFile = (ext = '.scap'): string => tmp.path(`f${fileNo++}${ext}`);

/** Events in the complete blocks at the start of `data` (stops at the first incomplete block). */
function completeEvents(data: Buffer): number {
  let off = 0;
  let n = 0;
  while (off + 8 <= data.length) {
    const len = data.readUInt32LE(off + 4);
    if (len < 12 || off + len > data.length) break;
    if (eventBlockLayout(data.readUInt32LE(off)) !== undefined) n++;
    off += len;
  }
  return n;
}

/** Reads a file with tsysdig: events delivered, and the CaptureError if the read ended with one. */
async function tsysdigRead(path: string): Promise<{ events: number; error: CaptureError | null }> {
  const sink = new RecordingSink();
  sink.keepEvents = false;
  try {
    await readCapture(path, sink);
    return { events: sink.eventCount, error: null };
  } catch (err) {
    if (err instanceof CaptureError) return { events: sink.eventCount, error: err };
    throw err;
  }
}

/** The event numbers sysdig prints for a file (every event: -D shows internal ones too). */
function sysdigEventNumbers(path: string): number[] {
  const r = run('sysdig', ['-D', '-r', path, '-p', '%evt.num']);
  return r.stdout.split('\n').filter((l) => l !== '').map(Number);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Cut offsets: every block boundary of the first blocks, +-1 around them, and random ones. */
function cutOffsets(data: Buffer, size: number, seed: number, random: number): number[] {
  const cuts = new Set<number>([0, 1, 8, 27, 28, 29, size - 1, size - 4]);
  let off = 0;
  for (let k = 0; k < 40 && off + 8 <= data.length; k++) {
    cuts.add(off).add(off + 1).add(off + 9);
    off += data.readUInt32LE(off + 4);
  }
  const rnd = prng(seed);
  for (let i = 0; i < random; i++) cuts.add(Math.floor(rnd() * size));
  return [...cuts].filter((c) => c >= 0 && c < size).sort((a, b) => a - b);
}

describe('a capture cut short (writer killed): every complete block before the cut is read', () => {
  test.each(['libs_single_ipv6_conn', 'falco_cat_write'] as FixtureName[])('%s, plain', async (name) => {
    const out = tmpFile();
    await copyCapture(fixturePath(name), out);
    const data = readFileSync(out);
    const cuts = cutOffsets(data, data.length, 11, 150);
    const sysdigCuts = new Set(cuts.filter((_, i) => i % Math.ceil(cuts.length / 12) === 0));
    for (const cut of cuts) {
      const prefix = data.subarray(0, cut);
      const path = tmpFile();
      writeFileSync(path, prefix);
      const want = completeEvents(prefix);
      const { events, error } = await tsysdigRead(path);
      expect(events, `cut at ${cut}`).toBe(want);
      // A cut between two blocks is a shorter capture; anywhere else the read ends with the damage located.
      if (error !== null) expect(error.offset, `cut at ${cut}`).toBeLessThanOrEqual(cut);
      if (missing === null && sysdigCuts.has(cut)) expect(sysdigEventNumbers(path), `sysdig, cut at ${cut}`).toEqual(range(want));
      rmSync(path);
    }
  });

  test.each(['libs_curl_google', 'falco_psp_privileged'] as FixtureName[])('%s, gzip (one member per 16 KiB chunk)', async (name) => {
    const out = tmpFile('.scap.gz');
    await copyCapture(fixturePath(name), out, { gzip: true, chunkSize: 16 * 1024 });
    const gz = readFileSync(out);
    const cuts = cutOffsets(Buffer.alloc(0), gz.length, 12, 120);
    const sysdigCuts = new Set(cuts.filter((_, i) => i % Math.ceil(cuts.length / 12) === 0));
    for (const cut of cuts) {
      const truncated = gz.subarray(0, cut);
      const path = tmpFile('.scap.gz');
      writeFileSync(path, truncated);
      // What zlib can inflate from the cut file; the complete blocks in it must all be read.
      const inflated = cut < 10 ? Buffer.alloc(0) : gunzipSync(truncated, { finishFlush: zc.Z_SYNC_FLUSH });
      const want = completeEvents(inflated);
      const { events } = await tsysdigRead(path);
      expect(events, `cut at ${cut}`).toBe(want);
      if (missing === null && sysdigCuts.has(cut)) expect(sysdigEventNumbers(path), `sysdig, cut at ${cut}`).toEqual(range(want));
      rmSync(path);
    }
  });
});

const ENOSPC_MESSAGE = (path: string): string => `cannot write capture ${path}: ENOSPC (disk full)`;

/** Writes through to the file until `budget` bytes are used up, then fails like a full disk. */
function fullDiskAfter(budget: number): WriterIo & { failures: number } {
  let left = budget;
  const io = {
    failures: 0,
    write(fd: number, buf: Buffer, offset: number, length: number): number {
      if (left === 0) {
        io.failures++;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      }
      const n = Math.min(left, length);
      left -= n;
      return writeSync(fd, buf, offset, n);
    },
    truncate(fd: number, length: number): void {
      ftruncateSync(fd, length);
    },
  };
  return io;
}

function closeEvent(i: number): ScapEvent {
  const bytes = encodeEvent(EV.CLOSE_E, 1000 + i, 1_700_000_000_000_000_000n + BigInt(i), [i64(i)]);
  const ev = new ScapEvent();
  ev.decode(bytes, 0, bytes.length, 2, true);
  return ev;
}

describe('a full disk', () => {
  test.each([false, true])('simulated (partial write, then ENOSPC), gzip %s: one error, the file reads cleanly to its last block', async (gzip) => {
    const path = tmpFile();
    const io = fullDiskAfter(gzip ? 9000 : 50_000);
    const w = await ScapWriter.open(path, { gzip, chunkSize: 4096, io });
    const thrown: unknown[] = [];
    let written = 0;
    for (let i = 0; i < 20_000; i++) {
      try {
        if (w.writeEvent(closeEvent(i))) written++;
      } catch (err) {
        thrown.push(err);
      }
    }
    await w.flush();
    await w.close();
    expect(thrown.length).toBe(1);
    expect(thrown[0]).toBeInstanceOf(CaptureWriteError);
    expect((thrown[0] as Error).message).toBe(ENOSPC_MESSAGE(path));
    expect(w.failed).toBe(thrown[0]);
    expect(io.failures).toBe(1);
    // Cut back to whole blocks (plain) or whole gzip members: a clean read, no damage.
    const { events, error } = await tsysdigRead(path);
    expect(error).toBeNull();
    expect(events).toBeGreaterThan(100);
    expect(events).toBeLessThan(written);
    expect(statSync(path).size).toBe(w.fileBytes);
    expect(completeEvents(captureBytes(path))).toBe(events);
    if (missing === null) expect(sysdigEventNumbers(path)).toEqual(range(events));
  });

  // A real full disk: a 128 KiB tmpfs, when we may mount one (root); otherwise only the simulation above runs.
  const mountPoint = tmp.path('tiny-fs');
  const mayMount = process.getuid?.() === 0;
  let mounted = false;
  beforeAll(() => {
    if (!mayMount) return;
    try {
      mkdirSync(mountPoint, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tsysdig-writer-test', mountPoint], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      console.warn(`writer-damage.test.ts: cannot mount a tmpfs (${(err as Error).message.split('\n')[0]}); the full disk is only simulated`);
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
  });
  if (!mayMount) console.warn('writer-damage.test.ts: not root, no tmpfs: the full disk is only simulated');

  test.skipIf(!mayMount)('a real 128 KiB tmpfs: copyCapture rejects with the one-line ENOSPC error, the copy reads cleanly', async (ctx) => {
    if (!mounted) ctx.skip();
    const path = `${mountPoint}/copy.scap`;
    // 155 KB of output, snapshot blocks up to 58 KB: the disk fills in the middle of the events.
    const err = await copyCapture(fixturePath('libs_curl_google'), path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureWriteError);
    expect((err as Error).message).toBe(ENOSPC_MESSAGE(path));
    const { events, error } = await tsysdigRead(path);
    expect(error).toBeNull();
    expect(events).toBeGreaterThan(100);
    expect(events).toBeLessThan(1536);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    if (missing === null) expect(sysdigEventNumbers(path)).toEqual(range(events));
    rmSync(path);
  });

  test.skipIf(!mayMount).for([false, true])('a real 128 KiB tmpfs, gzip %s: writeEvent throws ENOSPC once, the file reads cleanly', async (gzip, ctx) => {
    if (!mounted) ctx.skip();
    const path = `${mountPoint}/events${gzip ? '.scap.gz' : '.scap'}`;
    const w = await ScapWriter.open(path, { gzip, chunkSize: 8192 });
    const rnd = prng(5);
    const payload = Buffer.alloc(1000);
    const thrown: unknown[] = [];
    let written = 0;
    for (let i = 0; i < 1000; i++) {
      // Incompressible data, so gzip fills the disk too.
      for (let k = 0; k < payload.length; k++) payload[k] = Math.floor(rnd() * 256);
      const bytes = encodeEvent(EV.WRITE_X, 1, 1_700_000_000_000_000_000n + BigInt(i), [i64(payload.length), payload]);
      const ev = new ScapEvent();
      ev.decode(bytes, 0, bytes.length, 2, true);
      try {
        if (w.writeEvent(ev)) written++;
      } catch (err) {
        thrown.push(err);
      }
    }
    await w.close();
    expect(thrown.map((e) => (e as Error).message)).toEqual([ENOSPC_MESSAGE(path)]);
    const { events, error } = await tsysdigRead(path);
    expect(error).toBeNull();
    expect(events).toBeGreaterThan(50);
    expect(events).toBeLessThan(written);
    expect(statSync(path).size).toBe(w.fileBytes);
    if (missing === null) expect(sysdigEventNumbers(path)).toEqual(range(events));
    rmSync(path);
  });
});
