/**
 * The monitor with rules (issue #11 items 1, 2, 5), under tmux as a person
 * uses it, on falco_cat_write.scap with rule files of Falco's regression
 * suite (test/fixtures/falco-regression/rules, provenance in
 * test/fixtures/README.md): the Alerts view lists exactly the alerts
 * `tsysdig --alerts` prints, newest first, sortable, coloured by priority;
 * Alerts by Rule counts them and drills into one rule's alerts; the status
 * bar counts them by priority and flashes on a critical one; A jumps to the
 * Alerts view; without rules the view says what to do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { printedAlerts } from '../helpers/cli.js';
import { ensureBuilt, hasTmux, killServer, OpenSessions, position, startServer, tableRows, type Session } from './tmux.js';

const run = hasTmux() ? describe : describe.skip;

const CAPTURE = 'test/fixtures/falco_cat_write.scap';
const R = 'test/fixtures/falco-regression/rules';
/** Three rules, three priorities (Error, Warning, Informational): 15 alerts. */
const MULTIPLE = ['--rules', `${R}/multiple_rules/rules/single_rule.yaml`, '--rules', `${R}/multiple_rules/rules/double_rule.yaml`];
/** Two rules matching the same open event with --rule-matching all: one event, two alerts. */
const CATCHALL = ['--rule-matching', 'all', '--rules', `${R}/catchall_order/rules/catchall_order.yaml`];

type PrintedAlert = ReturnType<typeof printedAlerts>[number];

/** `tsysdig --alerts` on the capture with these rules. */
const alertsOf = (rules: string[]): PrintedAlert[] => printedAlerts(['-r', CAPTURE, ...rules]);

/** Alerts view rows as drawn: TIME, PRIORITY, RULE, PROCESS, PID, CONTAINER, USER (may be empty), OUTPUT. */
function alertRows(lines: string[]): { time: string; priority: string; rule: string; process: string; pid: number; output: string }[] {
  return tableRows(lines).map((l) => {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+) (.{15}) (.{9}) (.*)$/.exec(l);
    if (m === null) throw new Error(`not an alert row: ${l}`);
    return { time: m[1]!, priority: m[2]!, rule: m[3]!, process: m[4]!, pid: Number(m[5]), output: m[8]!.trimEnd() };
  });
}

const key = (a: { time: string; priority: string; output: string }): string => `${a.time} ${a.priority} ${a.output}`;

const sessions = new OpenSessions();
let tmp = '';

const open = (args: string[], w = 200, h = 45): Session => sessions.open(args, w, h);

run('tsysdig monitor with rules under tmux (falco_cat_write.scap)', () => {
  beforeAll(() => {
    ensureBuilt();
    startServer();
    tmp = mkdtempSync(join(tmpdir(), 'tsysdig-alertsui-'));
  }, 180_000);

  afterEach(() => sessions.closeAll());

  afterAll(() => {
    killServer();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the Alerts view lists exactly the alerts --alerts prints, newest first, with the status bar counts', async () => {
    const printed = alertsOf(MULTIPLE);
    expect(printed).toHaveLength(15);
    const s = open(['-r', CAPTURE, '-v', 'alerts', ...MULTIPLE]);
    const lines = await s.waitFor((l) => position(l)?.total === 15, 'the 15 alerts');
    expect(lines[0]).toMatch(/^Viewing: Alerts For: whole machine/);
    const rows = alertRows(lines);
    expect(rows.map(key).sort()).toEqual(printed.map(key).sort());
    // newest first: the reverse of the order --alerts prints them in (the event order)
    expect(rows.map(key)).toEqual(printed.map(key).reverse());
    const rules = new Set(rows.map((r) => r.rule));
    expect([...rules].sort()).toEqual(['access_from_cat', 'exec_from_cat', 'open_from_cat']);
    expect(rows.every((r) => r.process === 'cat' && r.pid === 20072)).toBe(true);
    // the status bar: counts by priority since the start, as --alerts printed them
    const count = (p: string): number => printed.filter((a) => a.priority === p).length;
    expect(lines[0]).toContain(`alerts: ${count('Error')} error, ${count('Warning')} warning, ${count('Informational')} info`);
    expect(lines[lines.length - 1]).toContain('A Alerts');
    // priority coloured by severity: Warning yellow (33), Error red (31), Informational green (32)
    const esc = s.screenEscapes();
    const coloured = (code: number, text: string): number => esc.filter((l) => new RegExp(`\\x1b\\[${code}m${text}\\x1b\\[39m`).test(l)).length;
    // every row but the selected one (drawn in the selection's colours)
    expect(coloured(33, 'Warning')).toBe(count('Warning') - 1);
    expect(coloured(31, 'Error')).toBe(count('Error'));
    expect(coloured(32, 'Informational')).toBe(count('Informational'));
  }, 60_000);

  it('sorts on a column (Shift+3: RULE, again: reversed) and keeps every alert', async () => {
    const s = open(['-r', CAPTURE, '-v', 'alerts', ...MULTIPLE]);
    await s.waitFor((l) => position(l)?.total === 15, 'the 15 alerts');
    s.keys('#');
    const asc = alertRows(await s.waitFor((l) => alertRows(l)[0]?.rule === 'access_from_cat', 'sorted by rule, ascending'));
    const names = asc.map((r) => r.rule);
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(15);
    s.keys('#');
    const desc = alertRows(await s.waitFor((l) => alertRows(l)[0]?.rule === 'open_from_cat', 'sorted by rule, descending'));
    expect(desc.map((r) => r.rule)).toEqual([...names].sort().reverse());
    // TIME ascending through the sort menu (F9): the order --alerts printed
    s.keys('F9');
    await s.waitForText('Select sort column');
    s.keys('Home', 'Enter');
    const byTime = alertRows(await s.waitFor((l) => !l.some((x) => x.includes('Select sort column')) && alertRows(l)[0]?.rule === 'exec_from_cat', 'sorted by time'));
    expect(byTime.map(key)).toEqual(alertsOf(MULTIPLE).map(key));
  }, 60_000);

  it('Alerts by Rule counts each rule and Enter lists that rule\'s alerts; Backspace comes back', async () => {
    const printed = alertsOf(MULTIPLE);
    const s = open(['-r', CAPTURE, '-v', 'alerts_by_rule', ...MULTIPLE]);
    const lines = await s.waitFor((l) => position(l)?.total === 3, 'three rules');
    const counts = Object.fromEntries(
      tableRows(lines).map((l) => {
        const m = /^(\S+)\s+(\S+)\s+(\d+) (\S+)\s+(\S+)/.exec(l)!;
        return [m[1]!, { priority: m[2]!, count: Number(m[3]), last: m[4]!, process: m[5]! }];
      }),
    );
    const byOutput = (word: string): PrintedAlert[] => printed.filter((a) => a.output.startsWith(`An ${word} was seen`));
    expect(counts.open_from_cat).toEqual({ priority: 'Warning', count: byOutput('open').length, last: byOutput('open').at(-1)!.time, process: 'cat' });
    expect(counts.access_from_cat).toEqual({ priority: 'Informational', count: byOutput('access').length, last: byOutput('access').at(-1)!.time, process: 'cat' });
    expect(counts.exec_from_cat).toEqual({ priority: 'Error', count: 1, last: byOutput('exec')[0]!.time, process: 'cat' });
    // sorted by COUNT, biggest first: open_from_cat selected; Enter drills into its alerts
    expect(tableRows(lines)[0]).toMatch(/^open_from_cat/);
    s.keys('Enter');
    const drilled = await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts For: alert.rule="open_from_cat"') && position(l)?.total === 8, "open_from_cat's alerts");
    const rows = alertRows(drilled);
    expect(rows.map(key).sort()).toEqual(byOutput('open').map(key).sort());
    s.keys('BSpace');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts by Rule') && position(l)?.total === 3, 'back to Alerts by Rule');
  }, 60_000);

  it('one row per alert when an event fires two rules (--rule-matching all)', async () => {
    const printed = alertsOf(CATCHALL);
    expect(printed).toHaveLength(8);
    // the open of /dev/null fires both rules: two alerts with the same time
    expect(printed[0]!.time).toBe(printed[1]!.time);
    const s = open(['-r', CAPTURE, '-v', 'alerts', ...CATCHALL], 300, 30);
    const lines = await s.waitFor((l) => position(l)?.total === 8, 'the 8 alerts');
    const rows = alertRows(lines);
    expect(rows.map(key).sort()).toEqual(printed.map(key).sort());
    expect(rows.filter((r) => r.time === printed[0]!.time).map((r) => r.rule).sort()).toEqual(['dev_null', 'open_dev_null']);
  }, 60_000);

  it('A jumps from the Processes view to the Alerts view; F2 lists both Alerts views', async () => {
    const s = open(['-r', CAPTURE, ...MULTIPLE]);
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes') && position(l) !== null, 'the processes');
    s.keys('F2');
    const menu = await s.waitForText('Select View');
    expect(menu.some((l) => l.startsWith('Alerts '))).toBe(true);
    expect(menu.some((l) => l.startsWith('Alerts by Rule'))).toBe(true);
    s.keys('Escape');
    await s.waitFor((l) => !l.some((x) => x.includes('Select View')), 'the menu closed');
    s.keys('A');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Alerts For') && position(l)?.total === 15, 'the Alerts view');
    s.keys('BSpace');
    await s.waitForText(/^Viewing: Processes/);
  }, 60_000);

  it('flashes the counts on a critical alert', async () => {
    const rules = join(tmp, 'critical.yaml');
    writeFileSync(rules, '- rule: cat_exec\n  desc: cat starts\n  condition: evt.type=execve and proc.name=cat\n  output: "cat started (command=%proc.cmdline)"\n  priority: CRITICAL\n');
    const s = open(['-r', CAPTURE, '-v', 'alerts', '--rules', rules], 160, 30);
    await s.waitForText('alerts: 1 critical');
    // red background (41) on the counts, then back to red text: the flash
    const flashed = await s.waitFor(() => s.screenEscapes()[0]!.includes('41m'), 'the flash');
    expect(flashed[0]).toContain('alerts: 1 critical');
    await s.waitFor(() => !s.screenEscapes()[0]!.includes('41m'), 'the flash turned off');
  }, 60_000);

  it('without rules the Alerts view says what to do', async () => {
    const s = open(['-r', CAPTURE, '-v', 'alerts'], 160, 30);
    const lines = await s.waitForText('No rules loaded');
    expect(lines.join('\n')).toContain('No rules loaded: start tsysdig with --rules FILE|DIR or --default-rules to see alerts');
    expect(lines[0]).not.toContain('alerts:');
  }, 60_000);
});
