/**
 * The overview screen (F3, -v overview) on a real terminal under tmux, as a
 * person would use it: replays of real captures at 80x24 and 200x60, the
 * figures it shows checked against sysdig and `--raw --final -v containers`,
 * Backspace/Escape back to the table, a terminal without 256 colours and
 * NO_COLOR, and, as root, the live overview.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { liveSkipReason } from '../live/harness.js';
import { ensureBuilt, hasTmux, killServer, start, startServer, type Session } from './tmux.js';

const DEMO = 'demo/tsysdig-demo.scap.gz';
const CURL = 'test/fixtures/libs_curl_google.scap';

const noTmux = !hasTmux();
if (noTmux) console.log('[test/ui] overview tmux tests skipped: tmux is not installed');
const run = noTmux ? describe.skip : describe;

/** The summary line's figures: what sysdig counts in the capture, over its first-to-last event time. */
function expectedSummary(file: string): string {
  const out = execFileSync('sysdig', ['-r', join(ROOT, file), '-p', '%evt.rawtime'], { encoding: 'latin1', maxBuffer: 1 << 28 }).trim().split('\n');
  const first = BigInt(out[0]!);
  const last = BigInt(out[out.length - 1]!);
  const secs = Number(last - first) / 1e9;
  return `Events ${out.length} in ${secs.toFixed(2)}s: ${(out.length / secs).toFixed(1)}/s`;
}

const BRAILLE = /[\u2800-\u28ff]/;
/** An escape sequence shown as text (what a terminal prints when it cannot interpret what it was sent). */
const VISIBLE_ESCAPE = /\x1b|\^\[|\[[0-9;]+m/;

run('the overview under tmux', () => {
  const sessions: Session[] = [];
  const open = (args: string[], w: number, h: number, env: Record<string, string> = {}): Session => {
    const s = start(args, w, h, env);
    sessions.push(s);
    return s;
  };

  beforeAll(() => {
    ensureBuilt();
    startServer();
  }, 180_000);

  afterAll(() => {
    for (const s of sessions) s.kill();
    killServer();
  });

  it('F3 at 80x24 on the demo capture: the event rate matches sysdig; Backspace and Escape return', async () => {
    const summary = expectedSummary(DEMO);
    const s = open(['-r', DEMO], 80, 24);
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes') && l.some((x) => x.startsWith(' 26550 ')), 'the processes');
    s.keys('F3');
    const ov = await s.waitFor((l) => (l[2] ?? '').startsWith('Events ') && l.some((x) => BRAILLE.test(x)), 'the overview');
    expect(ov[0]).toMatch(/^Viewing: Overview/);
    expect(ov[2]!.startsWith(summary)).toBe(true);
    const body = ov.slice(3, -1).join('\n');
    for (const t of ['Events/s', 'CPU%', 'Network bytes/s', 'File bytes/s', 'Alerts per minute', 'Last alerts', 'Top containers']) expect(body).toContain(t);
    expect(body).toContain('no rules loaded');
    expect(body).not.toMatch(VISIBLE_ESCAPE);
    expect(ov[ov.length - 1]).toMatch(/^F1Help/);
    s.keys('BSpace');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes'), 'back to the processes');
    s.keys('F3');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Overview'), 'the overview again');
    s.keys('Escape');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes'), 'back to the processes with Escape');
    // Quit from the overview: the off-screen blessed screen leaves the terminal as the app restores it.
    s.keys('F3');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Overview'), 'the overview once more');
    s.keys('q');
    await s.waitForText('EXIT=0');
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
    expect(execFileSync('cat', [`/tmp/${s.name}.err`], { encoding: 'utf8' })).toBe('');
  }, 120_000);

  it('-v overview at 200x60: libs_curl_google figures, and the demo containers as --raw --final -v containers prints them', async () => {
    const curl = open(['-v', 'overview', '-r', CURL], 200, 60);
    const c = await curl.waitFor((l) => (l[2] ?? '').startsWith('Events ') && l.some((x) => BRAILLE.test(x)), 'the overview of libs_curl_google');
    expect(c[2]!.startsWith(expectedSummary(CURL))).toBe(true);
    expect(c.join('\n')).toContain('no containers');

    const raw = runCli(['-r', DEMO, '--raw', '--final', '-v', 'containers']);
    expect(raw.status).toBe(0);
    // CPU PROCS THREADS VIRT RES FILE NET ENGINE IMAGE ID NAME
    const rows = raw.stdout
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('---'))
      .map((l) => l.trim().split(/\s+/));
    expect(rows.length).toBe(3);
    const demo = open(['-v', 'overview', '-r', DEMO], 200, 60);
    const d = await demo.waitFor((l) => l.some((x) => x.includes('tsysdig-demo-net')), 'the containers table');
    // The table shows the columns that fit its panel, NAME first; each row's cells are the raw table's.
    const header = d.find((l) => /NAME +CPU +NET +FILE/.test(l))!;
    expect(header).toBeDefined();
    const hx = header.indexOf('NAME');
    const cut = (l: string): string[] => l.slice(hx).replace(/│.*$/, '').trim().split(/\s+/);
    const names = cut(header);
    const RAW_COLUMNS = ['CPU', 'PROCS', 'THREADS', 'VIRT', 'RES', 'FILE', 'NET', 'ENGINE', 'IMAGE', 'ID', 'NAME'];
    const shown = d.filter((l) => l.slice(hx).startsWith('tsysdig-demo-')).map(cut);
    // in the view's order (by CPU)
    expect(shown.map((r) => r[0])).toEqual(rows.map((r) => r[10]));
    for (let i = 0; i < rows.length; i++) expect(shown[i]).toEqual(names.map((n) => rows[i]![RAW_COLUMNS.indexOf(n)]));
  }, 120_000);

  it('TERM=xterm (8 colours) draws the charts without escape garbage', async () => {
    const s = open(['-v', 'overview', '-r', DEMO], 80, 24, { TERM: 'xterm' });
    const l = await s.waitFor((x) => (x[2] ?? '').startsWith('Events ') && x.some((y) => BRAILLE.test(y)), 'the overview on xterm');
    expect(l.join('\n')).not.toMatch(VISIBLE_ESCAPE);
    // tmux re-encodes what it was sent: an 8-colour terminal got no 256-colour sequences
    expect(s.screenEscapes().join('\n')).not.toMatch(/\x1b\[[0-9;]*[34]8;5;/);
  }, 60_000);

  it('NO_COLOR: the overview is text (sparklines and figures) with no colour in it', async () => {
    const s = open(['-v', 'overview', '-r', DEMO], 80, 24, { NO_COLOR: '1' });
    const l = await s.waitFor((x) => x.some((y) => /now \S+ avg \S+ max \S+/.test(y)), 'the text overview');
    const body = l.slice(2, -1).join('\n');
    expect(body).not.toMatch(BRAILLE);
    expect(body).toMatch(/[\u2581-\u2588]/);
    expect(body).not.toMatch(VISIBLE_ESCAPE);
    // no colour parameter (30-37, 39 aside, 40-47, 90-97, 38;5, 48;5) on the overview's rows
    const colours = s
      .screenEscapes()
      .slice(2, -1)
      .join('\n')
      .match(/\x1b\[[0-9;]*m/g)
      ?.filter((sgr) => sgr.slice(2, -1).split(';').some((p) => /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(p)));
    expect(colours ?? []).toEqual([]);
  }, 60_000);

  it('--raw/--json -v overview refuse in one line', () => {
    for (const flag of ['--raw', '--json']) {
      const r = runCli(['-r', CURL, flag, '-v', 'overview']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^tsysdig: -v overview is the UI's screen of charts \(F3\)/);
    }
  });
});

const liveReason = noTmux ? 'tmux is not installed' : liveSkipReason();
if (liveReason !== null) console.log(`[test/ui] live overview test skipped: ${liveReason}`);
const runLive = liveReason === null ? describe : describe.skip;

runLive('the overview under tmux, live', () => {
  let s: Session | null = null;
  beforeAll(() => {
    ensureBuilt();
    startServer();
  }, 180_000);
  afterAll(() => {
    s?.kill();
    killServer();
  });

  it('opens on the live machine and shows a non-zero event rate', async () => {
    s = start(['-v', 'overview', '-d', '1000'], 120, 40);
    const l = await s.waitFor((x) => {
      const m = /^Events (\d+) in ([\d.]+)s: ([\d.]+)\/s/.exec(x[2] ?? '');
      return m !== null && Number(m[1]) > 0 && Number(m[3]) > 0 && x.some((y) => BRAILLE.test(y));
    }, 'a live event rate', 45_000);
    expect(l[1]).toContain('Live System');
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);
});
