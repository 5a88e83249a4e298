/**
 * The Alerts views from the command line: `--raw` / `--json -v alerts` with
 * rules list exactly the alerts `--alerts` prints (falco_cat_write.scap,
 * rule files of Falco's regression suite), alerts_by_rule counts them, and
 * without rules `-v alerts` is refused in one line.
 */
import { describe, expect, it } from 'vitest';
import { finalJsonRows, printedAlerts, runCli } from '../helpers/cli.js';

const CAPTURE = 'test/fixtures/falco_cat_write.scap';
const R = 'test/fixtures/falco-regression/rules';
const MULTIPLE = ['--rules', `${R}/multiple_rules/rules/single_rule.yaml`, '--rules', `${R}/multiple_rules/rules/double_rule.yaml`];
const CATCHALL = ['--rule-matching', 'all', '--rules', `${R}/catchall_order/rules/catchall_order.yaml`];

/** --alerts lines as "TIME PRIORITY OUTPUT". */
const printed = (rules: string[]): string[] => printedAlerts(['-r', CAPTURE, ...rules]).map((a) => `${a.time} ${a.priority} ${a.output}`);

describe('Alerts views with --raw and --json', () => {
  for (const [name, rules, n] of [
    ['three rules', MULTIPLE, 15],
    ['two rules on one event (--rule-matching all)', CATCHALL, 8],
  ] as const) {
    it(`--json -v alerts has one row per alert --alerts prints (${name})`, () => {
      const want = printed([...rules]);
      expect(want).toHaveLength(n);
      const r = runCli(['--json', '-r', CAPTURE, '-v', 'alerts', ...rules]);
      expect(r.status, r.stderr).toBe(0);
      const rows = finalJsonRows(r.stdout);
      expect(rows.map((x) => `${x.TIME!.text} ${x.PRIORITY!.text} ${x.OUTPUT!.text}`)).toEqual([...want].reverse());
      expect(rows.every((x) => x.PROCESS!.text === 'cat' && x.PID!.raw === 20072 && x.CONTAINER!.text === 'host')).toBe(true);
    });

    it(`--raw -v alerts prints the same alerts, newest first (${name})`, () => {
      const want = printed([...rules]);
      const r = runCli(['--raw', '-r', CAPTURE, '-v', 'alerts', ...rules]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').filter((l) => /^\d\d:/.test(l));
      expect(lines).toHaveLength(n);
      // TIME PRIORITY RULE PROCESS PID CONTAINER [USER] OUTPUT
      const got = lines.map((l) => {
        const m = /^(\S+) (\S+) \S+ cat\s+20072 host\s+(.*) $/.exec(l)!;
        return `${m[1]} ${m[2]} ${m[3]}`;
      });
      expect(got).toEqual([...want].reverse());
    });
  }

  it('alerts_by_rule counts the alerts of each rule', () => {
    const want = printed(MULTIPLE);
    const r = runCli(['--json', '-r', CAPTURE, '-v', 'alerts_by_rule', ...MULTIPLE]);
    expect(r.status, r.stderr).toBe(0);
    const rows = finalJsonRows(r.stdout);
    const counts = Object.fromEntries(rows.map((x) => [x.RULE!.text, [x.PRIORITY!.text, x.COUNT!.raw, x['LAST SEEN']!.text]]));
    const of = (word: string): string[] => want.filter((l) => l.includes(`An ${word} was seen`));
    expect(counts).toEqual({
      open_from_cat: ['Warning', of('open').length, of('open').at(-1)!.split(' ')[0]],
      access_from_cat: ['Informational', of('access').length, of('access').at(-1)!.split(' ')[0]],
      exec_from_cat: ['Error', 1, of('exec')[0]!.split(' ')[0]],
    });
    // the rows come sorted by COUNT, biggest first
    expect(rows.map((x) => x.COUNT!.raw)).toEqual([8, 6, 1]);
  });

  it('a filter on an alert field keeps that rule\'s alerts', () => {
    const r = runCli(['--json', '-r', CAPTURE, '-v', 'alerts', ...MULTIPLE, 'alert.rule=exec_from_cat']);
    expect(r.status, r.stderr).toBe(0);
    const rows = finalJsonRows(r.stdout);
    expect(rows.map((x) => x.RULE!.text)).toEqual(['exec_from_cat']);
  });

  it('-v alerts without rules is refused in one line', () => {
    const r = runCli(['--raw', '-r', CAPTURE, '-v', 'alerts']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('tsysdig: the Alerts views show what rules fire: add --rules FILE|DIR or --default-rules; see tsysdig --help');
  });

  it('--rules with --events (no --alerts) is refused in one line', () => {
    const r = runCli(['--events', '-r', CAPTURE, ...MULTIPLE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsysdig: --rules without --alerts runs the rules in the monitor/);
  });
});
