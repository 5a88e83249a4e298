/**
 * End-to-end: tsysdig replaying libs_curl_google.scap in a 160x45 tmux
 * window, driven with keys as a person would, checked on the screen.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN, ROOT } from '../helpers/fixtures.js';
import { CAPTURE, ensureBuilt, hasTmux, killServer, position, start, startServer, tableRows, type Session } from './tmux.js';

const run = hasTmux() ? describe : describe.skip;

const CURL = 'curl -6 http://www.google.com';

/** What a person waits for after starting: the whole-capture table. */
async function startProcs(extra: string[] = [], w = 160, h = 45): Promise<{ s: Session; lines: string[] }> {
  const s = start(['-r', CAPTURE, ...extra], w, h);
  sessions.push(s);
  const lines = await s.waitFor((l) => l.some((x) => x.includes(CURL)) && position(l) !== null, 'the processes of the capture');
  return { s, lines };
}

/** Selects the curl row with the search prompt (CTRL+F), as a user would. */
async function selectCurl(s: Session): Promise<void> {
  s.keys('C-f');
  await s.waitForText('Text to match:');
  s.type('curl -6');
  s.keys('Enter');
  await s.waitFor((l) => (l[l.length - 1] ?? '').includes('F2Views') && selectedLine(s).includes(CURL), 'curl selected');
}

/** The highlighted table row (black on cyan), from the coloured screen. */
function selectedLine(s: Session): string {
  const esc = s.screenEscapes();
  for (let y = 3; y < esc.length - 1; y++) {
    const prefix = /^(?:\x1b\[[0-9;]*m)*/.exec(esc[y]!)![0];
    if (prefix.includes('46m')) return esc[y]!.replace(/\x1b\[[0-9;]*m/g, '');
  }
  return '';
}

const sessions: Session[] = [];

run('tsysdig UI under tmux (160x45, libs_curl_google.scap)', () => {
  beforeAll(() => {
    ensureBuilt();
    startServer();
  }, 180_000);

  afterEach(() => {
    for (const s of sessions.splice(0)) {
      s.kill();
      rmSync(`/tmp/${s.name}.err`, { force: true });
    }
  });

  afterAll(() => killServer());

  it('starts in the Processes view with the capture processes, matching the golden screen', async () => {
    const { lines } = await startProcs();
    expect(lines[0]).toMatch(/^Viewing: Processes For: whole machine/);
    expect(lines[1]).toContain('libs_curl_google.scap (1536 evts, 8.00s) Filter: evt.type!=switch');
    expect(lines[2]).toMatch(/^ +PID +PPID +CPU USER +TH +VIRT +RES +FILE +NET Command/);
    expect(tableRows(lines)).toHaveLength(32);
    expect(lines.some((l) => l.includes(CURL))).toBe(true);
    expect(position(lines)).toEqual({ pos: 1, total: 32 });
    expect(lines[44]).toMatch(/^F1Help  F2Views F4FilterF5Echo  F6Dig   F7LegendF8ActionsF9Sort  F12SpectroCTRL\+FSearchp Pause q Quit  +1\/32\(3\.1%\)$/);

    const golden = join(GOLDEN, 'ui', 'procs-160x45.txt');
    const text = maskScreen(lines).join('\n') + '\n';
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      mkdirSync(join(GOLDEN, 'ui'), { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('F2 lists the views; choosing Containers switches view and Backspace comes back', async () => {
    const { s } = await startProcs();
    s.keys('F2');
    const expected = ['Connections', 'Containers', 'Directories', 'Files', 'Processes', 'System Calls', 'Threads'];
    const names = (l: string[]): string[] => l.slice(3, 44).map((x) => x.slice(0, 19).trim());
    const menu = await s.waitFor((l) => l[2]!.startsWith('Select View') && expected.every((v) => names(l).includes(v)), 'the views menu');
    // The highlighted view's description is shown next to the menu.
    expect(menu.some((l) => l.includes('This is the typical top/htop process list'))).toBe(true);
    // Containers is fifth in the menu (after Alerts, Alerts by Rule, CPUs and Connections).
    s.keys('Home', 'Down', 'Down', 'Down', 'Down');
    await s.waitFor((l) => l.some((x) => x.includes('List all the containers running on this machine')), 'Containers description');
    s.keys('Enter');
    // The capture has no containers: the view's header over an empty table.
    const c = await s.waitFor((l) => l[0]!.startsWith('Viewing: Containers For: whole machine') && l.some((x) => x.includes('No Data For This View')), 'Containers');
    expect(c[1]).toContain('Filter: container.name != host');
    expect(c[2]).toMatch(/CPU +PROCS +THREADS +VIRT +RES +FILE +NET ENGINE +IMAGE +ID +NAME/);
    s.keys('BSpace');
    const back = await s.waitFor((l) => l[0]!.startsWith('Viewing: Processes') && position(l) !== null, 'back to Processes');
    expect(tableRows(back)).toHaveLength(32);
  });

  it('Enter drills down into the selected process and narrows the rows; Backspace restores view and selection', async () => {
    const { s } = await startProcs();
    await selectCurl(s);
    const before = position(s.screen())!;
    expect(before.total).toBe(32);
    s.keys('Enter');
    const t = await s.waitFor((l) => l[0]!.startsWith('Viewing: Threads For: proc.pid=17497') && position(l) !== null, 'Threads of curl');
    expect(t[1]).toContain('Filter: ((evt.type!=switch) and proc.pid=17497) and (evt.type!=switch)');
    const rows = tableRows(t);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(32);
    for (const r of rows) expect(r).toMatch(/^ +17497 /);
    s.keys('BSpace');
    const back = await s.waitFor((l) => l[0]!.startsWith('Viewing: Processes For: whole machine') && position(l) !== null, 'Processes again');
    expect(tableRows(back)).toHaveLength(32);
    expect(position(back)).toEqual(before);
    expect(selectedLine(s)).toContain(CURL);
  });

  it('F4 with a bad sysdig filter shows the error in place and keeps running; a good one narrows the table', async () => {
    const { s } = await startProcs();
    s.keys('F4');
    await s.waitForText('Text to match:');
    s.keys('F2');
    await s.waitForText('Expression: evt.type!=switch');
    s.type(' and proc.nam=curl');
    s.keys('Enter');
    const err = await s.waitForText('Invalid filter');
    const msgLine = err.find((l) => l.includes('Invalid filter'))!;
    expect(msgLine).toMatch(/filter error at position 21: unrecognized field 'proc\.nam'/);
    // A caret under the offending field, and the prompt still open with the text.
    const prompt = err[44]!;
    const col = prompt.indexOf('proc.nam=curl');
    expect(err[43]![col]).toBe('^');
    expect(prompt).toContain('Expression: evt.type!=switch and proc.nam=curl');
    // Still running: fix the text in place.
    s.keys('BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace');
    s.type('e=curl');
    s.keys('Enter');
    const ok = await s.waitFor((l) => (l[1] ?? '').includes('Filter: evt.type!=switch and proc.name=curl') && position(l) !== null, 'filtered table');
    const rows = tableRows(ok);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(CURL);
    // Backspace undoes the filter.
    s.keys('BSpace');
    const back = await s.waitFor((l) => (l[1] ?? '').endsWith('Filter: evt.type!=switch') && position(l)?.total === 32, 'unfiltered again');
    expect(tableRows(back)).toHaveLength(32);
  });

  it('F4 free text narrows the rows as typed', async () => {
    const { s } = await startProcs();
    s.keys('F4');
    await s.waitForText('Text to match:');
    s.type('systemd');
    const l = await s.waitFor((x) => (x[44] ?? '').includes('Text to match: systemd') && position(x) !== null && position(x)!.total < 32, 'narrowed');
    expect(tableRows(l).length).toBe(position(l)!.total);
    for (const r of tableRows(l)) expect(r).toContain('systemd');
    s.keys('Escape');
    await s.waitFor((x) => position(x)?.total === 32, 'all rows back');
  });

  it('F6 shows the sysdig events of the selection; Backspace returns', async () => {
    const { s } = await startProcs();
    await selectCurl(s);
    s.keys('F6');
    const d = await s.waitFor((l) => l[0]!.startsWith('Viewing: sysdig output For: proc.pid=17497') && position(l) !== null, 'dig output');
    expect(d[3]).toMatch(/^211 17:35:48\.514632619 0 curl \(17497\) < execve res=0 exe=curl/);
    const events = d.slice(3, 44).filter((x) => x !== '');
    for (const e of events) expect(e).toMatch(/^\d+ \d\d:\d\d:\d\d\.\d{9} \d+ curl \(17497\) [<>] \w+/);
    expect(d[44]).toMatch(/^F1Help  F2View AsCTRL\+FSearchp Pause BakBack  c Clear CTRL\+GGoto  q Quit +0\/1196\(0\.0%\)$/);
    s.keys('BSpace');
    await s.waitForText(/^Viewing: Processes For: whole machine/);
  });

  it('F5 echoes the I/O data of the selection', async () => {
    const { s } = await startProcs();
    await selectCurl(s);
    s.keys('F5');
    const e = await s.waitFor((l) => l[0]!.startsWith('Viewing: I/O activity For: proc.pid=17497') && position(l) !== null, 'echo output');
    expect(e[3]).toBe('------ Read 832B from /usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4 (curl)');
    s.keys('End');
    await s.waitForText('GET / HTTP/1.1..Host: www.google.com..User-Agent: curl/7.47.0..Accept: */*....');
  });

  it('F9 changes the sort column (and the same column again flips the order)', async () => {
    const { s } = await startProcs();
    s.keys('F9');
    const m = await s.waitForText('Select sort column');
    expect(m[4]).toMatch(/^PPID/);
    expect(m[5]).toMatch(/^CPU +\(V\)/);
    s.keys('Home', 'Enter');
    const pidsOf = (l: string[]): number[] => tableRows(l).map((r) => Number(r.trim().split(/\s+/)[0]));
    const byPid = await s.waitFor((l) => !l.some((x) => x.includes('Select sort column')) && /^ +17497 /.test(l[3] ?? '') && tableRows(l).length === 32, 'sorted by PID, biggest first');
    const pids = pidsOf(byPid);
    expect(pids).toEqual([...pids].sort((a, b) => b - a));
    // The PID header is now the highlighted one (black on cyan).
    expect(s.screenEscapes()[2]).toMatch(/\x1b\[46m +PID/);
    s.keys('F9', 'Home', 'Enter');
    const asc = await s.waitFor((l) => /^ +1 +0 /.test(l[3] ?? '') && !l.some((x) => x.includes('Select sort column')), 'sorted by PID, smallest first');
    const pids2 = pidsOf(asc);
    expect(pids2).toEqual([...pids2].sort((a, b) => a - b));
  });

  it('F12 opens the latency spectrogram of the selection', async () => {
    const { s } = await startProcs();
    await selectCurl(s);
    s.keys('F12');
    const sp = await s.waitFor((l) => l[0]!.startsWith('Viewing: Spectrogram-All For: proc.pid=17497') && l.some((x) => x.startsWith('|1ns')), 'spectrogram');
    expect(sp[43]).toMatch(/^\|1ns +\|10ns +\|100ns/);
    // Some cells carry a 256-colour background.
    expect(s.screenEscapes().some((l) => /\x1b\[48;5;\d+m/.test(l))).toBe(true);
    s.keys('BSpace');
    await s.waitForText(/^Viewing: Processes/);
  });

  it('F7 shows the legend; F1 the help; any key closes them', async () => {
    const { s } = await startProcs();
    s.keys('F7');
    const lg = await s.waitFor((l) => l[0] === 'Processes', 'legend');
    expect(lg).toContain('Columns');
    expect(lg).toContain('PID: Process PID.');
    s.keys('Escape');
    await s.waitForText(/^Viewing: Processes/);
    s.keys('F1');
    await s.waitForText('Keyboard Shortcuts for the Views Window');
    s.keys('Escape');
    await s.waitForText(/^Viewing: Processes/);
  });

  it('p pauses (PAUSED in the header) and resumes', async () => {
    const { s } = await startProcs();
    s.keys('p');
    await s.waitFor((l) => l[0]!.includes('PAUSED'), 'PAUSED');
    s.keys('p');
    await s.waitFor((l) => !l[0]!.includes('PAUSED'), 'resumed');
  });

  it('re-lays out on terminal resize', async () => {
    const { s } = await startProcs();
    s.resize(100, 30);
    const l = await s.waitFor((x) => x.length === 30 && /^F1Help/.test(x[29] ?? '') && position(x) !== null, 'resized footer');
    expect(l[0]).toMatch(/^Viewing: Processes/);
    expect(tableRows(l)).toHaveLength(26);
    expect(l[29]!.length).toBeLessThanOrEqual(100);
  });

  it('q quits and gives the terminal back (no alternate screen, cursor visible, mouse off)', async () => {
    const { s } = await startProcs();
    const m = s.modes();
    expect(m.alternate).toBe(true);
    expect(m.cursor).toBe(false);
    s.keys('q');
    const after = await s.waitForText('EXIT=0');
    expect(after.some((l) => l.includes('Viewing:'))).toBe(false);
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
  });

  it('CTRL+C quits with the interrupted status (130) and restores the terminal', async () => {
    const { s } = await startProcs();
    s.keys('C-c');
    await s.waitForText('EXIT=130');
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
  });

  it('SIGTERM restores the terminal', async () => {
    const { s } = await startProcs();
    process.kill(s.pid(), 'SIGTERM');
    await s.waitForText('EXIT=143');
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
  });

  it('an uncaught error restores the terminal and prints one line', async () => {
    const s = start(['-r', CAPTURE], 160, 45, { TSYSDIG_UI_FAULT: 'throw' });
    sessions.push(s);
    await s.waitForText('EXIT=1');
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
    expect(readFileSync(`/tmp/${s.name}.err`, 'utf8')).toBe('tsysdig: injected fault (TSYSDIG_UI_FAULT=throw)\n');
  });

  it('SIGHUP (terminal gone) ends tsysdig without a crash', async () => {
    const { s } = await startProcs();
    const pid = s.pid();
    s.kill();
    const deadline = Date.now() + 5000;
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
    expect(readFileSync(`/tmp/${s.name}.err`, 'utf8')).not.toContain('Assertion failed');
  });

  it('mouse: a header click sorts, a double click drills down, a footer click acts as its key', async () => {
    const { s } = await startProcs();
    // SGR mouse reports (1-based x;y), as the terminal sends them: press then release.
    const click = (x: number, y: number): void => s.type(`\x1b[<0;${x + 1};${y + 1}M\x1b[<0;${x + 1};${y + 1}m`);
    click(4, 2); // the PID header
    await s.waitFor((l) => /^ +17497 /.test(l[3] ?? ''), 'sorted by PID');
    // A double click: two clicks a human 80 ms apart (blessed reads one report per input chunk).
    click(4, 3);
    await new Promise((r) => setTimeout(r, 80));
    click(4, 3);
    await s.waitForText(/^Viewing: Threads For: proc\.pid=17497/);
    click(1, 44); // F1Help
    await s.waitForText('Keyboard Shortcuts for the Views Window');
  });

  it('an action runs with the selected row substituted and shell-quoted, after confirmation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsysdig-ui-'));
    const out = join(dir, 'out.txt');
    const procs = readFileSync(join(ROOT, 'views', 'procs.yaml'), 'utf8');
    const view = procs
      .replace(/^id: procs$/m, 'id: procs_action_test')
      .replace(/^name: Processes$/m, 'name: Action Test')
      .replace(/^actions:\n[\s\S]*$/m, `actions:\n  - hotkey: x\n    command: sh -c 'echo "$# $1"' argv0 %proc.exeline > ${out}\n    description: count arguments\n    ask_confirmation: true\n    wait_finish: false\n`);
    mkdirSync(join(dir, 'views'));
    writeFileSync(join(dir, 'views', 'action_test.yaml'), view);
    const s = start(['-r', CAPTURE, '--views', join(dir, 'views'), '-v', 'procs_action_test']);
    sessions.push(s);
    await s.waitFor((l) => l.some((x) => x.includes(CURL)) && position(l) !== null, 'table');
    await selectCurl(s);
    s.keys('x');
    const c = await s.waitForText("Confirm command 'sh -c 'echo \"$# $1\"' argv0 'curl -6 http://www.google.com' >");
    expect(c.join('\n')).toContain('[y/N]');
    s.keys('y');
    await s.waitFor((l) => l[0]!.startsWith('Viewing: Action Test') && position(l) !== null, 'UI back');
    const deadline = Date.now() + 5000;
    while (!existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(out, 'utf8')).toBe(`1 ${CURL}\n`);
    expect(s.modes().alternate).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});

/** Nothing on the first screen depends on time or machine; the hook is here for the status area. */
function maskScreen(lines: string[]): string[] {
  return lines.map((l) => l.replace(/reading \d+%/, 'reading NN%'));
}
