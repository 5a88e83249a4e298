/**
 * OutputBuffer's wait for its reader is bounded: a reader that stopped
 * reading gives up after the wait with what was not written said on
 * stderr; a slow reader that keeps reading is waited for. End to end, a
 * live `--events` run whose stdout nobody reads exits (status 1, one line)
 * instead of hanging after -M.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { OutputBuffer } from '../../src/cli/output-buffer.js';
import { liveSkipReason } from '../live/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const line = 'x'.repeat(99);

/** A reader that takes `taken` chunks, then never again (its callback is never called). */
function stuckReader(taken: number): Writable {
  let n = 0;
  return new Writable({
    highWaterMark: 1024,
    write: (_chunk, _enc, cb) => {
      if (n++ < taken) setImmediate(cb);
    },
  });
}

describe('OutputBuffer: the wait for the reader is bounded', () => {
  it('flush() resolves false once the reader has taken nothing for the wait', async () => {
    const out = new OutputBuffer(stuckReader(1), 1 << 16, false);
    for (let i = 0; i < 2000; i++) out.line(line);
    const t0 = Date.now();
    expect(await out.flush(300)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('a slow reader that keeps reading is waited for, past the wait', async () => {
    let bytes = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write: (chunk: Buffer, _enc, cb) => {
        bytes += chunk.length;
        setTimeout(cb, 5); // each chunk of 1 KiB or more after 5 ms
      },
    });
    const out = new OutputBuffer(slow, 1024, false);
    for (let i = 0; i < 300; i++) out.line(line); // 30 KB in chunks of ~1 KB: ~150 ms of reading
    expect(await out.flush(60)).toBe(true);
    expect(bytes).toBe(300 * 100);
  });

  it('finish() says on stderr how many bytes were not written, and drops what comes later', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = new OutputBuffer(stuckReader(0), 1 << 16, false);
      for (let i = 0; i < 1000; i++) out.line(line);
      expect(await out.finish(200)).toBe(false);
      expect(stderr).toHaveBeenCalledTimes(1);
      expect(String(stderr.mock.calls[0]![0])).toMatch(/^tsysdig: stdout is not being read: \d+ bytes of output were not written\n$/);
      expect(out.isClosed).toBe(true);
    } finally {
      stderr.mockRestore();
    }
  });
});

const live = process.getuid?.() !== 0 ? 'live capture needs root' : liveSkipReason();
if (live !== null) console.log(`skipping the live stuck-reader test: ${live}`);

(live === null ? describe : describe.skip)('a live run whose stdout nobody reads', () => {
  it('exits after -M and the bounded wait, status 1, with one line on stderr', async () => {
    const child = spawn(process.execPath, [path.join(root, 'bin/tsysdig.js'), '--events', '-M', '2'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // stdout is never read: the pipe fills and stays full. On a quiet machine
    // 2 s of events can fit in the pipe's 64 KiB, so a workload makes sure
    // there is more: dd's one-byte reads and writes are ~2 events each.
    child.stdout!.pause();
    const load = spawn('timeout', ['4', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1'], { stdio: 'ignore' });
    load.on('error', () => {});
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const t0 = Date.now();
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const seconds = (Date.now() - t0) / 1000;
    expect(stderr).toMatch(/^tsysdig: stdout is not being read: \d+ bytes of output were not written$/m);
    expect(code).toBe(1);
    // -M 2, the 10 s wait and start-up: well under a minute (it never ended before).
    expect(seconds).toBeLessThan(60);
    child.stdout!.destroy();
    load.kill();
  }, 90_000);
});
