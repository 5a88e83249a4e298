/**
 * Damaged input: the reader must end with a CaptureError that locates the
 * damage (or succeed), after delivering every complete event before it;
 * never another exception, a hang, or unbounded memory.
 *
 * "Never hang" is enforced by each test's timeout, not by timing assertions.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zc, createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import { CaptureError } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import {
  type BlockSpan,
  type FixtureName,
  RecordingSink,
  completeEventsBefore,
  fixtureBytes,
  fixturePath,
  prng,
  readBytes,
  walkBlocks,
} from './helpers.js';
import { ScapBuilder } from './scap-builder.js';

const TIME_BOUND = 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-capture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
function tmpFile(data: Uint8Array): string {
  const p = join(tmp, `f${fileNo++}.scap`);
  writeFileSync(p, data);
  return p;
}

/** Reads a file from disk; any non-CaptureError fails the test. */
async function readFile(path: string): Promise<{ events: number; error: CaptureError | null; warnings: string[] }> {
  const sink = new RecordingSink();
  sink.keepEvents = false;
  try {
    await readCapture(path, sink);
    return { events: sink.eventCount, error: null, warnings: sink.warnings };
  } catch (err) {
    if (err instanceof CaptureError) return { events: sink.eventCount, error: err, warnings: sink.warnings };
    throw err;
  }
}

function blockAt(spans: readonly BlockSpan[], offset: number): BlockSpan {
  return spans.find((s) => s.start <= offset && offset < s.end)!;
}

/** Offsets worth cutting at: the whole header region, edges of early and sampled blocks, and random ones. */
function cutPoints(spans: readonly BlockSpan[], size: number, seed: number): number[] {
  const points = new Set<number>();
  for (let i = 0; i < 400; i++) points.add(i);
  spans.forEach((s, i) => {
    if (i < 40 || i % 40 === 0 || !s.isEvent) for (const d of [-1, 0, 1, 7, 8, 9, 12]) points.add(s.start + d);
  });
  const rnd = prng(seed);
  for (let i = 0; i < 200; i++) points.add(Math.floor(rnd() * size));
  return [...points].filter((p) => p >= 0 && p <= size).sort((a, b) => a - b);
}

const V1_AND_V2: FixtureName[] = ['falco_cat_write', 'libs_single_ipv6_conn'];

describe('truncated captures', () => {
  test.each(V1_AND_V2)('%s cut at many offsets (plain stream, small window)', async (name) => {
    const data = fixtureBytes(name);
    const spans = walkBlocks(data);
    const boundaries = new Set(spans.map((s) => s.end));
    for (const cut of cutPoints(spans, data.length, 1)) {
      const sink = new RecordingSink();
      sink.keepEvents = false;
      const { error, result } = await readBytes(data.subarray(0, cut), { sink, windowSize: 8192, chunk: 3000 });
      const expected = completeEventsBefore(spans, cut);
      expect(sink.eventCount, `cut at ${cut}`).toBe(expected);
      if (cut >= 28 && boundaries.has(cut)) {
        // A cut exactly between blocks is indistinguishable from a shorter capture.
        expect(error, `cut at ${cut}`).toBeNull();
        expect(result).toEqual({ events: expected, bytes: cut });
      } else {
        expect(error, `cut at ${cut}`).toBeInstanceOf(CaptureError);
        const cutBlock = cut === 0 ? 0 : blockAt(spans, cut - 1).start;
        expect(error!.offset, `cut at ${cut}: ${error!.message}`).toBe(cutBlock);
      }
    }
  }, TIME_BOUND);

  test('a truncated plain file on disk names the cut block and where the file ends', async () => {
    const data = fixtureBytes('libs_curl_google');
    const spans = walkBlocks(data);
    const victim = spans.filter((s) => s.isEvent)[700]!;
    const cut = victim.start + 20;
    const { events, error } = await readFile(tmpFile(data.subarray(0, cut)));
    expect(events).toBe(700);
    expect(error!.offset).toBe(victim.start);
    expect(error!.message).toBe(`block at offset ${victim.start} (type 0x204, ${victim.end - victim.start} bytes) is cut short: the stream ends at offset ${cut}`);
  }, TIME_BOUND);

  test.each(['falco_syscall', 'falco_psp_privileged'] as FixtureName[])('%s.gz cut at many offsets', async (name) => {
    const gz = readFileSync(fixturePath(name));
    const spans = walkBlocks(fixtureBytes(name));
    const cuts = new Set<number>();
    for (let i = 1; i < 40; i++) cuts.add(Math.floor((gz.length * i) / 40));
    for (const d of [1, 2, 4, 7, 8, 9, 20]) cuts.add(gz.length - d);
    for (const d of [1, 2, 10, 11, 12, 30]) cuts.add(d);
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const truncated = gz.subarray(0, cut);
      // What zlib can still inflate from the cut file: the events in it must all arrive.
      const prefix = gunzipSync(truncated, { finishFlush: zc.Z_SYNC_FLUSH });
      const { events, error } = await readFile(tmpFile(truncated));
      expect(error, `cut at ${cut}`).toBeInstanceOf(CaptureError);
      expect(events, `cut at ${cut}`).toBe(completeEventsBefore(spans, prefix.length));
      if (prefix.length > 0) {
        expect(error!.message).toMatch(/compressed stream is damaged after \d+ uncompressed bytes: the gzip data ends early/);
        expect(error!.offset).toBe(prefix.length);
      }
    }
  }, TIME_BOUND);
});

describe('bit flips', () => {
  test.each(V1_AND_V2)('%s: single bit flips anywhere', async (name) => {
    const clean = fixtureBytes(name);
    const spans = walkBlocks(clean);
    const rnd = prng(42);
    const positions = new Set<number>();
    for (let i = 0; i < 300; i++) positions.add(i);
    for (let i = 0; i < 500; i++) positions.add(Math.floor(rnd() * clean.length));
    let failures = 0;
    for (const pos of positions) {
      const data = Buffer.from(clean);
      data[pos]! ^= 1 << Math.floor(rnd() * 8);
      const sink = new RecordingSink();
      sink.keepEvents = false;
      const { error } = await readBytes(data, { sink, windowSize: 16384 });
      const hit = blockAt(spans, pos);
      // Everything before the damaged block is intact, so all of its events arrive.
      expect(sink.eventCount, `flip at ${pos}`).toBeGreaterThanOrEqual(completeEventsBefore(spans, hit.start));
      expect(sink.eventCount).toBeLessThanOrEqual(spans.length);
      if (error) {
        failures++;
        expect(error.offset, `flip at ${pos}: ${error.message}`).toBeGreaterThanOrEqual(hit.start);
        expect(error.offset).toBeLessThanOrEqual(data.length);
      }
    }
    // Framing and header damage must be caught (the 300 header bytes alone give many).
    expect(failures).toBeGreaterThan(50);
  }, TIME_BOUND);

  test('gzip files with flipped bits: every event zlib can still inflate arrives, then the error', async () => {
    const name: FixtureName = 'libs_test_ipv6_client';
    const gz = readFileSync(fixturePath(name));
    const spans = walkBlocks(fixtureBytes(name));
    const rnd = prng(7);
    for (let i = 0; i < 16; i++) {
      const data = Buffer.from(gz);
      const pos = i < 4 ? 3 + i : Math.floor(rnd() * gz.length);
      data[pos]! ^= 1 << Math.floor(rnd() * 8);
      const inflated = await inflateBytewise(data);
      const { events, error } = await readFile(tmpFile(data));
      if (error === null) continue;
      if (/compressed stream/.test(error.message)) {
        // zlib stopped first: every event it inflated arrives, and the error sits where its output ends.
        expect(events, `flip at ${pos}: ${error.message}`).toBe(completeEventsBefore(spans, inflated.length));
        if (inflated.length > 0) expect(error.offset).toBe(inflated.length);
      } else {
        // zlib inflated wrong bytes (only the CRC at the end would tell) and the reader saw it first.
        const firstWrong = firstDifference(inflated, fixtureBytes(name));
        expect(events, `flip at ${pos}: ${error.message}`).toBeGreaterThanOrEqual(completeEventsBefore(spans, firstWrong));
        expect(error.offset).toBeGreaterThanOrEqual(blockAt(spans, firstWrong).start);
      }
    }
  }, TIME_BOUND);
});

/**
 * What zlib inflates from `gz` before failing, fed one byte per write so
 * that no good output is lost with the failing write.
 */
function inflateBytewise(gz: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const z = createGunzip();
    const out: Buffer[] = [];
    z.on('data', (b: Buffer) => out.push(b));
    z.on('error', () => resolve(Buffer.concat(out)));
    z.on('end', () => resolve(Buffer.concat(out)));
    for (let i = 0; i < gz.length; i++) z.write(gz.subarray(i, i + 1));
    z.end();
  });
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

describe('gzip container quirks', () => {
  const raw = fixtureBytes('falco_cat_write');

  test('trailing garbage after the gzip stream: all events, then an error at the end of the data', async () => {
    const { events, error } = await readFile(tmpFile(Buffer.concat([gzipSync(raw), Buffer.from('hello world')])));
    expect(events).toBe(345);
    expect(error?.offset).toBe(raw.length);
    expect(error?.message).toMatch(/compressed stream is damaged after 104404 uncompressed bytes/);
  });

  test('zero padding after the gzip stream is accepted (as zlib does)', async () => {
    const { events, error } = await readFile(tmpFile(Buffer.concat([gzipSync(raw), Buffer.alloc(512)])));
    expect(error).toBeNull();
    expect(events).toBe(345);
  });

  test('several gzip members are one stream', async () => {
    const { events, error } = await readFile(tmpFile(Buffer.concat([gzipSync(raw.subarray(0, 50_000)), gzipSync(raw.subarray(50_000))])));
    expect(error).toBeNull();
    expect(events).toBe(345);
  });

  test('a damaged second member: the events of the first member all arrive', async () => {
    const first = gzipSync(raw.subarray(0, 60_000));
    const second = Buffer.from(gzipSync(raw.subarray(60_000)));
    second[40]! ^= 0xff;
    const { events, error } = await readFile(tmpFile(Buffer.concat([first, second])));
    expect(error).toBeInstanceOf(CaptureError);
    expect(events).toBeGreaterThanOrEqual(completeEventsBefore(walkBlocks(raw), 60_000));
  });
});

describe('not a capture', () => {
  test('a zero-length file', async () => {
    const { error } = await readFile(tmpFile(Buffer.alloc(0)));
    expect(error?.message).toMatch(/empty capture/);
    expect(error?.offset).toBe(0);
  });

  test('an empty gzip stream', async () => {
    const { error } = await readFile(tmpFile(gzipSync(Buffer.alloc(0))));
    expect(error?.message).toMatch(/empty capture/);
  });

  test('a few bytes', async () => {
    const { error } = await readBytes(Buffer.from([0x0a, 0x0d, 0x0d]));
    expect(error?.message).toMatch(/not a scap capture: only 3 bytes long/);
  });

  test('another format (a pcap header)', async () => {
    const pcap = Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex');
    const { error } = await readBytes(pcap);
    expect(error?.message).toMatch(/not a scap capture: the first block has type 0xa1b2c3d4/);
  });

  test('random bytes, plain and gzip', async () => {
    const rnd = prng(3);
    for (let i = 0; i < 30; i++) {
      const data = Buffer.alloc(1 + Math.floor(rnd() * 5000));
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(rnd() * 256);
      const plain = await readBytes(data);
      expect(plain.error).toBeInstanceOf(CaptureError);
      if (i < 5) {
        const { error } = await readFile(tmpFile(gzipSync(data)));
        expect(error).toBeInstanceOf(CaptureError);
      }
    }
  }, TIME_BOUND);

  test('random bytes after a valid section header', async () => {
    const rnd = prng(4);
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.alloc(Math.floor(rnd() * 3000));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(rnd() * 256);
      const data = Buffer.concat([new ScapBuilder().sectionHeader().build(), junk]);
      const { error } = await readBytes(data, { windowSize: 1024 });
      if (junk.length > 0) expect(error).toBeInstanceOf(CaptureError);
    }
  }, TIME_BOUND);

  test('a file that does not exist rejects with the file system error', async () => {
    await expect(readCapture(join(tmp, 'missing.scap'), { onEvent: () => true })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('impossible block lengths', () => {
  const clean = fixtureBytes('falco_cat_write');
  const spans = walkBlocks(clean);
  const target = spans.filter((s) => s.isEvent)[10]!;
  const processList = spans.find((s) => s.type === BlockType.PROCESS_LIST_V6)!;

  function withLength(span: BlockSpan, len: number): Buffer {
    const data = Buffer.from(clean);
    data.writeUInt32LE(len, span.start + 4);
    return data;
  }

  test.each([
    [0, /smaller than the 12-byte block framing/],
    [8, /smaller than the 12-byte block framing/],
    [13, /not a multiple of 4/],
    [0xfffffffe, /not a multiple of 4/],
    [0xfffffffc, /exceeds the 256 MiB limit/],
    [256 * 1024 * 1024 + 4, /exceeds the 256 MiB limit/],
    [200 * 1024 * 1024, /exceeds the 65544 bytes an event block/],
    [12, /trailing length \d+ differs/], // its "trailer" is the cpu id and the event's first bytes
    [48, /trailing length|does not fit/],
  ] as [number, RegExp][])('event block length %d', async (len, message) => {
    const { error, sink } = await readBytes(withLength(target, len));
    expect(error?.message).toMatch(message);
    expect(error?.offset).toBe(target.start);
    expect(sink.eventCount).toBe(10);
  });

  test('a 200 MiB length on a metadata block of a small file: truncation, without buffering 200 MiB', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const { error } = await readBytes(withLength(processList, 200 * 1024 * 1024), { windowSize: 4096 });
    expect(error?.message).toMatch(/is cut short: the stream ends at offset 104404/);
    expect(error?.offset).toBe(processList.start);
    // The window grew with the data that arrived (~100 KB), not with the claimed length.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  test('a trailer that disagrees with the header', async () => {
    const data = Buffer.from(clean);
    data.writeUInt32LE(4, target.end - 4);
    const { error, sink } = await readBytes(data);
    expect(error?.message).toBe(`block at offset ${target.start} (type 0x204): trailing length 4 differs from the leading length ${target.end - target.start}`);
    expect(sink.eventCount).toBe(10);
  });

  test('a truncated block header at the end', async () => {
    const data = Buffer.concat([clean, Buffer.from([0x04, 0x02, 0x00])]);
    const { error, sink } = await readBytes(data);
    expect(error?.message).toBe(`truncated block header at offset ${clean.length}: the stream ends after 3 of its 8 bytes`);
    expect(error?.offset).toBe(clean.length);
    expect(sink.eventCount).toBe(345);
  });
});
