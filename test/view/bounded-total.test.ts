/**
 * Live memory stays bounded (issue 15 item 14): the whole-run table of a
 * live run keeps at most maxTotalRows rows, and those that leave are the
 * rows no event touched for the longest time (processes that exited, after
 * being shown in their interval). Checked on the demo capture (a
 * shell loop forking short-lived processes), replayed with a 500 ms interval.
 * The 10-minute RSS soak is a manual run (docs/performance.md), not a test.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readCapture } from '../../src/capture/scap-reader.js';
import { fieldRegistry } from '../../src/fields/registry.js';
import { StateEngine } from '../../src/state/engine.js';
import { loadViews } from '../../src/view/view-loader.js';
import { ViewRunner } from '../../src/view/view-runner.js';
import type { Sample } from '../../src/view/table.js';
import { ROOT } from '../helpers/fixtures.js';

const DEMO = join(ROOT, 'demo', 'tsysdig-demo.scap.gz');

async function run(maxTotalRows?: number): Promise<{ final: Sample; intervals: Sample[]; dropped: number }> {
  const view = loadViews([]).get('procs')!;
  const engine = new StateEngine();
  const intervals: Sample[] = [];
  let final: Sample | null = null;
  const runner = new ViewRunner(view, fieldRegistry, engine, {
    intervalNs: 500e6,
    filter: '',
    tag: 'default',
    keepTotals: true,
    ...(maxTotalRows !== undefined ? { maxTotalRows } : {}),
    onSample: (s, info) => (info.final ? (final = s) : intervals.push(s)),
  });
  await readCapture(DEMO, engine.sink((ev) => {
    engine.process(ev);
    runner.onEvent(ev);
    return true;
  }));
  runner.finish();
  return { final: final!, intervals, dropped: runner.totalRowsDropped };
}

it('the whole-run table keeps at most maxTotalRows rows, dropping the least recently active', async () => {
  const all = await run();
  expect(all.dropped).toBe(0);
  expect(all.final.rows.length).toBeGreaterThan(40);
  // Room for every process alive in one interval (each gets a row per interval): only exited ones leave.
  const cap = Math.max(...all.intervals.map((s) => s.rows.length)) + 5;
  expect(cap).toBeLessThan(all.final.rows.length);
  const bounded = await run(cap);
  // At most `cap` folded rows, plus the processes alive at the end (the final thread-table pass adds them).
  expect(bounded.final.rows.length).toBeLessThanOrEqual(cap + bounded.intervals.at(-1)!.rows.length);
  expect(bounded.final.rows.length).toBeLessThan(all.final.rows.length);
  expect(bounded.dropped).toBeGreaterThan(0);
  const fullKeys = new Set(all.final.rows.map((r) => r.key));
  for (const r of bounded.final.rows) expect(fullKeys.has(r.key)).toBe(true);
});
