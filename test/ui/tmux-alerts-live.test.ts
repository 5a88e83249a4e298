/**
 * Live, as root: the monitor started with the shipped stable rules
 * (--default-rules) on the Alerts view; the test reads /etc/shadow with cat,
 * which the stable rule "Read sensitive file untrusted" reports, and the
 * alert shows in the Alerts view (and its count in the status bar) within
 * the refresh interval. The second test opens the Alerts views only after
 * the alerts fired (the status bar counts them on the Processes view, then
 * A, then F2's Alerts by Rule and Enter on its rule): they list the alerts
 * fired before they opened, as many as the status bar counts. Skipped, with
 * the reason printed, where live capture cannot run.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';
import { ensureBuilt, hasTmux, killServer, start, startServer, tableRows, type Session } from './tmux.js';

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

  it('an Alerts view opened after the alerts fired lists them, as many as the status bar counts', async () => {
    s?.kill();
    s = start(['--default-rules', '-d', '1000'], 220, 40);
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes') && l.some((x) => x.includes('Source: Live System')), 'the live Processes view', 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const cat = spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' });
    const head = spawnSync('head', ['-c', '1', '/etc/shadow'], { stdio: 'ignore' });
    expect(cat.status).toBe(0);
    expect(head.status).toBe(0);
    // counted in the status bar while the Processes view shows: the alerts fired before any Alerts screen existed
    await s.waitFor((l) => /alerts: .*\d+ warning/.test(l[0] ?? '') && (l[0] ?? '').startsWith('Viewing: Processes'), 'the alert counts on the Processes view', 10_000);
    await new Promise((r) => setTimeout(r, 1200));
    s.keys('A');
    const rowOf = (pid: number, name: string) => new RegExp(`Warning\\s+Read sensitive file untrusted\\s+${name}\\s+${pid}\\s`);
    const alerts = await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts ') && l.some((x) => rowOf(cat.pid, 'cat').test(x)) && l.some((x) => rowOf(head.pid, 'head').test(x)), 'both earlier alerts in the Alerts view', 3000);
    // every alert the status bar counts is a row (nothing fired before the view opened is missing, nothing twice)
    const counted = alertTotal(alerts[0]!);
    expect(counted).toBeGreaterThanOrEqual(2);
    expect(tableRows(alerts).filter((x) => /^\d\d:\d\d:\d\d\.\d{9} /.test(x)).length).toBe(counted);
    // back on the Processes view, Alerts by Rule from F2 (its second entry) counts them; Enter lists that rule's alerts
    s.keys('BSpace');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes'), 'back to the Processes view', 5000);
    s.keys('F2');
    await s.waitForText('Select View');
    s.keys('Home', 'Down', 'Enter');
    const byRule = await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts by Rule') && l.some((x) => /^Read sensitive file untrusted\s+Warning\s+\d+ /.test(x)), 'the rule in Alerts by Rule', 5000);
    const ruleRow = byRule.find((x) => x.startsWith('Read sensitive file untrusted'))!;
    const count = Number(/Warning\s+(\d+) /.exec(ruleRow)![1]);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(ruleRow).toMatch(/cat, head|head, cat/);
    s.keys('Home', 'Enter');
    const list = await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts For: alert.rule="Read sensitive file untrusted"') && l.some((x) => rowOf(cat.pid, 'cat').test(x)), "the rule's alerts", 5000);
    expect(tableRows(list).filter((x) => x.includes('Read sensitive file untrusted')).length).toBe(count);
    s.keys('BSpace');
    const back = await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts by Rule') && l.some((x) => x.startsWith('Read sensitive file untrusted')), 'back to Alerts by Rule', 5000);
    // the table made again on Backspace counts each alert once
    expect(Number(/Warning\s+(\d+) /.exec(back.find((x) => x.startsWith('Read sensitive file untrusted'))!)![1])).toBe(count);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);
});

/** The total of the status bar's alert counts (`alerts: 2 critical, 5 warning`). */
function alertTotal(statusLine: string): number {
  const m = /alerts: ([^|]*?)(?:\s{2}|$)/.exec(statusLine);
  if (m === null) return 0;
  let n = 0;
  for (const part of m[1]!.matchAll(/(\d+) [a-z]+/g)) n += Number(part[1]);
  return n;
}
