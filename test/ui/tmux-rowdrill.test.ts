/**
 * Under tmux, as a person would: Enter on a Lifecycle row opens the dig
 * screen on that process's events around the row's event, which is
 * highlighted; the lines are exactly what `tsysdig --events -r F proc.pid=N`
 * prints (page by page); Backspace returns to the list with the same row
 * selected; F2 on the row offers the process's views, filtered to it. Live
 * (as root): a process started after the screen opened is drilled into from
 * the Lifecycle view and its events come from the history.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printedAlerts, runCli } from '../helpers/cli.js';
import { liveSkipReason } from '../live/harness.js';
import { ensureBuilt, hasTmux, killServer, position, start, startServer, tableRows, type Session } from './tmux.js';

const W = 220;
const H = 50;
/** Cyan background (SGR 46): the selected row, and the row's event on the dig screen. */
const CYAN_BG = 46;

/**
 * The background colour (SGR 40..47, 49 = default) each screen line starts
 * with. tmux's capture with escapes only writes attribute changes, carried
 * over from line to line, so the state is followed through the whole screen.
 */
function lineBackgrounds(esc: string[]): number[] {
  let bg = 49;
  const out: number[] = [];
  for (const line of esc) {
    let first: number | null = null;
    const re = /\x1b\[([0-9;]*)m|([^\x1b]+)/g;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) {
      if (m[2] !== undefined) {
        first ??= bg;
        continue;
      }
      for (const code of (m[1] === '' ? '0' : m[1]!).split(';').map(Number)) {
        if (code === 0 || code === 49) bg = 49;
        else if (code >= 40 && code <= 47) bg = code;
      }
    }
    out.push(first ?? bg);
  }
  return out;
}

/** The screen lines (from `from`) drawn on a cyan background. */
function highlighted(s: Session, from = 3): { y: number; text: string }[] {
  const bgs = lineBackgrounds(s.screenEscapes());
  const plain = s.screen();
  const out: { y: number; text: string }[] = [];
  for (let y = from; y < plain.length - 1; y++) if (bgs[y] === CYAN_BG) out.push({ y, text: plain[y]!.trimEnd() });
  return out;
}

const tmuxReason = hasTmux() ? null : 'tmux is not installed';
if (tmuxReason !== null) console.log(`[test/ui] row drill-down tests skipped: ${tmuxReason}`);
const run = tmuxReason === null ? describe : describe.skip;

// One tmux server for the whole file (a session started while a server exits fails).
beforeAll(() => {
  if (tmuxReason !== null) return;
  ensureBuilt();
  startServer();
}, 180_000);
afterAll(() => {
  if (tmuxReason === null) killServer();
});

/** `tsysdig --events` lines as the dig screen draws them: cut at the screen's width, trailing blanks gone. */
function eventLines(fixture: string, filter: string): string[] {
  const r = runCli(['-r', fixture, '--events', filter]);
  expect(r.status).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.slice(0, W).trimEnd());
}

/** The dig screen's text lines (between the bar under the header and the footer). */
function digBody(lines: string[]): string[] {
  return lines.slice(3, lines.length - 1).map((l) => l.trimEnd());
}

/** Moves the list selection to the row whose text matches `re`. */
async function selectRow(s: Session, re: RegExp): Promise<string> {
  const rows = tableRows(await s.waitFor((l) => tableRows(l).some((r) => re.test(r)), `a row matching ${re}`));
  const i = rows.findIndex((r) => re.test(r));
  for (let k = 0; k < i; k++) s.keys('Down');
  await s.waitFor(() => selectedRow(s) === rows[i]!.trimEnd(), `row ${i} selected`);
  return rows[i]!.trimEnd();
}

/** The text of the highlighted table row. */
function selectedRow(s: Session): string | null {
  return highlighted(s)[0]?.text ?? null;
}

run('Enter on a Lifecycle row (replay)', () => {
  it.each([
    ['test/fixtures/falco_cat_write.scap', 20072, 'execve'],
    ['test/fixtures/falco_cat_write.scap', 20072, 'procexit'],
    ['test/fixtures/libs_curl_google.scap', 17497, 'procexit'],
    ['test/fixtures/libs_curl_google.scap', 17497, 'execve'],
  ])('%s: the %i %s row shows the process\'s event lines, its own highlighted, and Backspace comes back to it', async (fixture, pid, type) => {
    const expected = eventLines(fixture, `proc.pid=${pid}`);
    const anchorNum = eventLines(fixture, `proc.pid=${pid} and thread.ismain=true and ((evt.type=execve and evt.dir=<) or evt.type=procexit)`)
      .find((l) => l.includes(` ${type} `))!
      .split(' ')[0]!;
    const anchorIndex = expected.findIndex((l) => l.startsWith(`${anchorNum} `));
    expect(anchorIndex).toBeGreaterThanOrEqual(0);

    const s = start(['-r', fixture, '-v', 'lifecycle'], W, H);
    try {
      await s.waitForText('Viewing: Lifecycle For: whole machine');
      const row = await selectRow(s, new RegExp(`^\\S+ ${type}\\s+${pid}\\b`));
      s.keys('Enter');
      const first = await s.waitFor((l) => l[0]!.startsWith(`Viewing: sysdig output For: proc.pid=${pid}`) && position(l) !== null && digBody(l).some((x) => x !== ''), 'the dig screen');
      const bodyH = first.length - 4;
      // the row's event is on screen, highlighted, and it is the only highlighted line
      expect(highlighted(s).map((h) => h.text)).toEqual([expected[anchorIndex]]);
      // page by page from the top: exactly --events' lines
      let p = position(first)!;
      expect(p.total).toBe(expected.length);
      expect(digBody(first)).toEqual(padTo(expected.slice(p.pos, p.pos + bodyH), bodyH));
      s.keys('Home');
      for (let top = 0; ; ) {
        const scr = await s.waitFor((l) => position(l)?.pos === top, `the page at line ${top}`);
        expect(digBody(scr)).toEqual(padTo(expected.slice(top, top + bodyH), bodyH));
        if (top + bodyH >= expected.length) break;
        top = Math.min(top + bodyH, expected.length - bodyH);
        s.keys('NPage');
      }
      // Backspace: the list again, the same row selected
      s.keys('BSpace');
      await s.waitForText('Viewing: Lifecycle For: whole machine');
      await s.waitFor(() => selectedRow(s) === row, 'the same row selected');
    } finally {
      s.kill();
    }
  }, 120_000);

  it('F2 on a Lifecycle row offers the process\'s views; Files opens filtered to it, Children on its parent id', async () => {
    const s = start(['-r', 'test/fixtures/libs_curl_google.scap', '-v', 'lifecycle'], W, H);
    try {
      await s.waitForText('Viewing: Lifecycle For: whole machine');
      await selectRow(s, /^\S+ execve\s+17497\b/);
      s.keys('F2');
      const menu = await s.waitForText('PID 17497 / Views');
      const entries = menu.slice(3, 12).map((l) => l.slice(0, 20).trim());
      expect(entries.slice(0, 3)).toEqual(['» Children', '» Files', '» Connections']);
      s.keys('Down', 'Enter');
      // the same files, in the same order, as the Files view's own output filtered to the process
      const ref = runCli(['-r', 'test/fixtures/libs_curl_google.scap', '--raw', '-v', 'files', 'proc.pid=17497']);
      expect(ref.status).toBe(0);
      const blocks = ref.stdout.split('----------------------\n').filter((b) => b.trim() !== '');
      const refNames = blocks[blocks.length - 1]!.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/).pop()!);
      expect(refNames).toContain('/etc/hosts');
      const fl = await s.waitFor((l) => l[0]!.startsWith('Viewing: Files For: proc.pid=17497') && tableRows(l).length > 0, 'the Files view of pid 17497');
      expect(fl[1]).toContain('Filter: (proc.pid=17497) and (');
      const names = tableRows(fl).map((l) => l.trim().split(/\s+/).pop()!);
      expect(names).toEqual(refNames.slice(0, names.length));
      expect(names.length).toBe(Math.min(refNames.length, H - 4));
      s.keys('BSpace');
      await s.waitForText('Viewing: Lifecycle For: whole machine');
      s.keys('F2');
      await s.waitForText('PID 17497 / Views');
      s.keys('Enter');
      await s.waitForText('Viewing: Processes For: proc.ppid=17497');
    } finally {
      s.kill();
    }
  }, 120_000);
});

run('Enter on an alert (replay, rules from the Falco suite)', () => {
  const R = 'test/fixtures/falco-regression/rules';
  const CAPTURE = 'test/fixtures/falco_cat_write.scap';
  const RULES = ['--rules', `${R}/multiple_rules/rules/single_rule.yaml`, '--rules', `${R}/multiple_rules/rules/double_rule.yaml`];

  it.each([
    ['16:17:57.881730713', 'exec_from_cat'],
    ['16:17:57.881765998', 'access_from_cat'],
  ])('the %s %s alert opens its thread\'s events with the firing event highlighted; F2 offers its process; Backspace returns', async (time, rule) => {
    expect(printedAlerts(['-r', CAPTURE, ...RULES]).filter((a) => a.time === time)).toHaveLength(1);
    const expected = eventLines(CAPTURE, 'thread.tid=20072');
    const firing = expected.filter((l) => l.split(' ')[1] === time);
    expect(firing).toHaveLength(1);

    const s = start([...RULES, '-r', CAPTURE, '-v', 'alerts'], W, H);
    try {
      await s.waitForText('Viewing: Alerts For: whole machine');
      const row = await selectRow(s, new RegExp(`${time.replace(/\./g, '\\.')}.*${rule}`));
      s.keys('Enter');
      const dig = await s.waitFor((l) => l[0]!.startsWith('Viewing: sysdig output For: thread.tid=20072') && position(l) !== null && digBody(l).some((x) => x !== ''), 'the dig screen');
      expect(highlighted(s).map((h) => h.text)).toEqual(firing);
      const p = position(dig)!;
      expect(p.total).toBe(expected.length);
      expect(digBody(dig)).toEqual(padTo(expected.slice(p.pos, p.pos + dig.length - 4), dig.length - 4));
      s.keys('BSpace');
      await s.waitForText('Viewing: Alerts For: whole machine');
      await s.waitFor(() => selectedRow(s) === row, 'the same alert selected');
      s.keys('F2');
      await s.waitForText('PID 20072 / Views');
      s.keys('Escape');
    } finally {
      s.kill();
    }
  }, 120_000);
});

function padTo(lines: string[], n: number): string[] {
  const out = lines.slice(0, n);
  while (out.length < n) out.push('');
  return out;
}

const liveReason = tmuxReason ?? liveSkipReason();
if (liveReason !== null && tmuxReason === null) console.log(`[test/ui] live row drill-down test skipped: ${liveReason}`);
const runLive = liveReason === null ? describe : describe.skip;

runLive('Enter on a Lifecycle row (live, from the history)', () => {
  let child: ChildProcess | null = null;
  let s: Session | null = null;
  const tag = `tsysdig-rowdrill-${process.pid}`;

  afterAll(() => {
    s?.kill();
    child?.kill('SIGKILL');
  });

  it('a process started after the screen opened: its events from the history, its exec highlighted', async () => {
    s = start(['-v', 'lifecycle'], W, H);
    await s.waitForText('Source: Live System', 30_000);
    // started now: it execs /bin/sh with the tag in its arguments, reads a file, and waits
    child = spawn('/bin/sh', ['-c', `cat /etc/hostname >/dev/null; sleep 30 # ${tag}`], { stdio: 'ignore' });
    const pid = child.pid!;
    await s.waitForText(tag, 30_000);
    s.keys('C-f');
    await s.waitForText('Text to match:');
    s.type(tag);
    s.keys('Enter');
    const row = await s.waitFor(() => (selectedRow(s!) ?? '').includes(tag), 'the row selected').then(() => selectedRow(s!)!);
    s.keys('Enter');
    const dig = await s.waitFor(
      (l) => l[0]!.startsWith(`Viewing: sysdig output For: proc.pid=${pid}`) && digBody(l).some((x) => x.includes(`execve`) && x.includes(tag)),
      'the dig screen with the exec from the history',
      30_000,
    );
    const marked = highlighted(s).map((h) => h.text);
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(new RegExp(`^\\d+ \\S+ \\d+ sh \\(${pid}\\) < execve res=0 .*${tag}`));
    // only the child's events (before its exec: the forked node; after: sh loading its libraries), none of another process
    const body = digBody(dig).filter((l) => l !== '');
    expect(body.every((l) => l.includes(` (${pid}) `)), body.join('\n')).toBe(true);
    expect(body.some((l) => new RegExp(`^\\d+ \\S+ \\d+ sh \\(${pid}\\) < openat `).test(l)), body.join('\n')).toBe(true);
    // Backspace: the same list (kept running meanwhile), the same row selected
    s.keys('BSpace');
    await s.waitForText('Viewing: Lifecycle For: whole machine', 30_000);
    await s.waitFor(() => selectedRow(s!) === row, 'the same row selected', 30_000);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);
});
