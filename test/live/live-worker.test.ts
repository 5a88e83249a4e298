/**
 * The worker-thread drain: the same events as the direct drain, delivered
 * in batches from a worker. Runs against the built sources (dist/), since a
 * worker thread cannot load TypeScript.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveSkipReason } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.TSYSDIG_DIST ?? path.join(root, 'dist');
const built = path.join(dist, 'live/live-worker.js');

function staleReason(): string | null {
  if (!fs.existsSync(built)) return `${built} is not built (npm run build)`;
  // each source against its own output (tsc leaves outputs whose content did not change alone)
  const srcDir = path.join(root, 'src/live');
  for (const f of fs.readdirSync(srcDir)) {
    if (!f.endsWith('.ts')) continue;
    const out = path.join(dist, 'live', f.replace(/\.ts$/, '.js'));
    if (!fs.existsSync(out) || fs.statSync(path.join(srcDir, f)).mtimeMs > fs.statSync(out).mtimeMs) return `${out} is older than src/live/${f} (npm run build)`;
  }
  return null;
}

const reason = liveSkipReason() ?? staleReason();
if (reason) console.log(`[test/live] worker drain tests skipped: ${reason}`);
const describeLive = reason ? describe.skip : describe;

describeLive('live capture drained by a worker thread', () => {
  it('delivers a child process write and its exit through batches', async () => {
    const { WorkerLiveSource } = (await import(built)) as typeof import('../../src/live/live-worker.js');
    const live = await WorkerLiveSource.open({ snaplen: 16 });
    live.start();
    // the child sleeps first, so its pid is known before it does anything
    const child = spawn('/bin/sh', ['-c', 'sleep 0.3; echo worker-batch-test; exit 5'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = child.pid!;
    const writes: { res: number; data: string }[] = [];
    let exitRet = -1;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 10_000);
    await live.run(
      {
        onEvent(ev) {
          if (ev.tid !== pid) return;
          if (ev.info.name === 'write' && !ev.isEnter) writes.push({ res: ev.i64(0), data: ev.bytes(1).toString() });
          if (ev.info.name === 'procexit') {
            exitRet = ev.i64(1);
            return false;
          }
        },
      },
      { signal: ac.signal },
    );
    clearTimeout(timer);
    const final = await live.close();
    expect(writes).toContainEqual({ res: 18, data: 'worker-batch-tes' }); // snaplen 16
    expect(exitRet).toBe(5);
    expect(final.delivered).toBeGreaterThan(0);
    expect(final.written).toBeGreaterThanOrEqual(final.delivered);
    expect([final.malformed, final.dropsBug]).toEqual([0, 0]);
  });
});
