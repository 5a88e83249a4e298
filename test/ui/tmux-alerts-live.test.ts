/**
 * Live, as root: the monitor started with the shipped stable rules
 * (--default-rules) on the Alerts view; the test reads /etc/shadow with cat,
 * which the stable rule "Read sensitive file untrusted" reports, and the
 * alert shows in the Alerts view (and its count in the status bar) within
 * the refresh interval. Skipped, with the reason printed, where live
 * capture cannot run.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';
import { ensureBuilt, hasTmux, killServer, start, startServer, type Session } from './tmux.js';

const reason = !hasTmux() ? 'tmux is not installed' : liveSkipReason();
if (reason !== null) console.log(`[test/ui] live Alerts view test skipped: ${reason}`);
const run = reason === null ? describe : describe.skip;

run('Alerts view, live, with the shipped stable rules', () => {
  let s: Session | null = null;

  beforeAll(() => {
    ensureBuilt();
    startServer();
  }, 180_000);

  afterAll(() => {
    s?.kill();
    killServer();
  });

  it('shows the alert of a cat reading /etc/shadow within the refresh interval', async () => {
    s = start(['--default-rules', '-v', 'alerts', '-d', '1000'], 220, 40);
    const first = await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts') && l.some((x) => x.includes('Source: Live System')), 'the live Alerts view', 60_000);
    expect(first[0]).toMatch(/alerts: /);
    // the probe is attached once the screen shows; give /proc's bootstrap a moment, then trigger the rule
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    const r = spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' });
    expect(r.status).toBe(0);
    const lines = await s.waitFor((l) => l.some((x) => /Warning\s+Read sensitive file untrusted\s+cat\s+\d+/.test(x) && x.includes('file=/etc/shadow')), 'the alert row', 30_000);
    const waited = Date.now() - t0;
    console.log(`[test/ui] live alert shown ${waited} ms after the read (refresh interval 1000 ms)`);
    // one interval to be sampled, and the screen's redraw: well within two intervals plus the test's polling
    expect(waited).toBeLessThan(5000);
    const row = lines.find((x) => x.includes('file=/etc/shadow'))!;
    expect(row).toMatch(/^\d\d:\d\d:\d\d\.\d{9} Warning/);
    expect(lines[0]).toMatch(/alerts: .*\d+ warning/);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);
});
