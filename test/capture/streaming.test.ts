/**
 * Streaming: big captures are read through a bounded window, whether plain
 * or gzip, and blocks that straddle refills come out intact.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { ByteSource } from '../../src/capture/byte-source.js';
import { readCapture, readCaptureFrom } from '../../src/capture/scap-reader.js';
import { Bytes, ScapBuilder } from './scap-builder.js';
import { RecordingSink, fixtureBytes, walkBlocks } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A capture like /work/shared/tools/scap-inflate.py makes: the metadata
 * blocks once, then the event blocks `copies` times.
 */
function inflateCapture(raw: Buffer, copies: number): { data: Buffer; events: number } {
  const spans = walkBlocks(raw);
  const head = spans.filter((s) => !s.isEvent).map((s) => raw.subarray(s.start, s.end));
  const events = spans.filter((s) => s.isEvent).map((s) => raw.subarray(s.start, s.end));
  const parts: Buffer[] = [...head];
  for (let i = 0; i < copies; i++) parts.push(...events);
  return { data: Buffer.concat(parts), events: events.length * copies };
}

/** A source that streams a section header then `repeat` copies of `body`, without ever holding the whole stream. */
function repeatingSource(header: Buffer, body: Buffer, repeat: number): ByteSource {
  let part = -1; // -1: header; 0..repeat-1: body copies
  let pos = 0;
  return {
    read(target: Buffer, offset: number, length: number): Promise<number> {
      while (part < repeat) {
        const cur = part < 0 ? header : body;
        if (pos < cur.length) {
          const n = Math.min(length, cur.length - pos);
          cur.copy(target, offset, pos, pos + n);
          pos += n;
          return Promise.resolve(n);
        }
        part++;
        pos = 0;
      }
      return Promise.resolve(0);
    },
    close: () => Promise.resolve(),
  };
}

describe('streaming', () => {
  test('256 MiB of events stream through a bounded window', async () => {
    // Events of varied sizes, so block edges fall everywhere relative to refills.
    const b = new ScapBuilder();
    for (let i = 0; i < 500; i++) {
      b.event(i % 2 ? 'EV_V2' : 'EVF_V2', { type: 7, tid: i, ts: BigInt(i), flags: 1, params: [new Bytes().i64(BigInt(i)).build(), Buffer.alloc(i * 3 % 700, 0x41)] });
    }
    const body = b.build();
    const header = new ScapBuilder().sectionHeader().build();
    const repeat = Math.ceil((256 * 1024 * 1024) / body.length);
    let events = 0;
    let bytesSeen = 0;
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const res = await readCaptureFrom(repeatingSource(header, body, repeat), {
      onEvent(ev) {
        events++;
        bytesSeen += ev.len;
        if ((events & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        return true;
      },
    });
    expect(res.events).toBe(500 * repeat);
    expect(events).toBe(500 * repeat);
    expect(res.bytes).toBe(header.length + body.length * repeat);
    expect(bytesSeen).toBeGreaterThan(200 * 1024 * 1024);
    // The window is 1 MiB; allow generous slack for the runtime, far below the stream size.
    expect(peak).toBeLessThan(48 * 1024 * 1024);
  }, 120_000);

  test.each(['plain', 'gzip'])('an inflated real capture (%s) bigger than the window reads whole', async (kind) => {
    const { data, events } = inflateCapture(fixtureBytes('libs_curl_google'), 60); // ~8 MB
    const path = join(tmp, `big-${kind}.scap`);
    writeFileSync(path, kind === 'gzip' ? gzipSync(data) : data);
    const sink = new RecordingSink();
    sink.keepEvents = false;
    const res = await readCapture(path, sink);
    expect(res).toEqual({ events, bytes: data.length });
    expect(sink.threads).toHaveLength(54);
    expect(sink.warnings).toEqual([]);
  }, 60_000);

  test('the same capture, plain vs gzip, delivers identical events', async () => {
    const { data } = inflateCapture(fixtureBytes('libs_single_ipv6_conn'), 5);
    const plainPath = join(tmp, 'same.scap');
    const gzPath = join(tmp, 'same.scap.gz');
    writeFileSync(plainPath, data);
    writeFileSync(gzPath, gzipSync(data));
    const a = new RecordingSink();
    const z = new RecordingSink();
    await readCapture(plainPath, a);
    await readCapture(gzPath, z);
    expect(z.events.length).toBe(a.events.length);
    expect(z.events).toEqual(a.events);
  }, 60_000);

  test('a plain capture arrives through a FIFO, as from a pipe: the same events as from the file', async () => {
    const { data } = inflateCapture(fixtureBytes('libs_single_ipv6_conn'), 3);
    const plainPath = join(tmp, 'piped.scap');
    const fifo = join(tmp, 'capture.fifo');
    writeFileSync(plainPath, data);
    execFileSync('mkfifo', [fifo]);
    // A writer that trickles the bytes in, so reads return short and straddle blocks.
    const writer = spawn('sh', ['-c', 'dd if="$1" of="$2" bs=4096 2>/dev/null', 'sh', plainPath, fifo], { stdio: 'ignore' });
    const writerDone = new Promise((r) => writer.on('close', r));
    const viaFifo = new RecordingSink();
    const res = await readCapture(fifo, viaFifo);
    await writerDone;
    const direct = new RecordingSink();
    await readCapture(plainPath, direct);
    expect(res.bytes).toBe(data.length);
    expect(viaFifo.events.length).toBeGreaterThan(0);
    expect(viaFifo.events).toEqual(direct.events);
  }, 60_000);

  // A gzip capture through a FIFO now reads as a stream: test/capture/stream-pipe.test.ts compares it with the file.
});
