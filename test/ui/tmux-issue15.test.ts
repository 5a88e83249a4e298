/**
 * Issue 15 under tmux, as a person meets it: IPv4 addresses on screen, a
 * missing capture before any screen, npm start's notice inside the screen,
 * the text filter and search in the header (Backspace clears them), how to
 * quit in the footer, SGR mouse reporting (clicks past column 223), and F8
 * on a replay warning that the PID is the capture's.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE, SOCKET, ensureBuilt, hasTmux, killServer, position, start, startServer, tableRows, type Session } from './tmux.js';

const run = hasTmux() ? describe : describe.skip;
const DEMO = 'demo/tsysdig-demo.scap.gz';
const sessions: Session[] = [];
function open(args: string[], w = 160, h = 45, env: Record<string, string> = {}): Session {
  const s = start(args, w, h, env);
  sessions.push(s);
  return s;
}

run('issue 15 under tmux', () => {
  beforeAll(() => {
    ensureBuilt();
    startServer();
  }, 180_000);
  afterEach(() => {
    for (const s of sessions.splice(0)) s.kill();
  });
  afterAll(() => killServer());

  it('the connections view shows IPv4 addresses as dotted quads (item 4)', async () => {
    const s = open(['-r', DEMO, '-v', 'connections']);
    const l = await s.waitFor((x) => position(x) !== null && tableRows(x).length > 3, 'the connections table', 30_000);
    const rows = tableRows(l).filter((r) => r.startsWith('tcp'));
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) expect(r).toMatch(/^tcp +127\.0\.0\.1 +\d+ +127\.0\.0\.1 +9000 /);
  });

  it('a missing capture is one line before any screen, exit 1 (item 6)', async () => {
    const s = open(['-r', 'MISSING.scap']);
    await s.waitForText('EXIT=1', 30_000);
    expect(s.modes().alternate).toBe(false);
    const err = execFileSync('cat', [`/tmp/${s.name}.err`], { encoding: 'utf8' });
    expect(err).toBe('tsysdig: cannot open capture MISSING.scap: no such file\n');
  });

  it("npm start's notice is drawn inside the screen when live capture is not possible (item 7)", async () => {
    // As a user who is not root: setpriv drops to nobody (live capture then needs root).
    const s = open(['--start'], 160, 45);
    if (process.getuid?.() === 0) {
      s.kill();
      const cmd = `cd '${process.cwd()}' && setpriv --reuid=65534 --regid=65534 --clear-groups env TZ=UTC node bin/tsysdig.js --start; echo EXIT=$?; sleep 600`;
      const name = `${s.name}_nobody`;
      execFileSync('tmux', ['-L', SOCKET, 'new-session', '-d', '-s', name, '-x', '160', '-y', '45', cmd]);
      sessions.push({
        ...s,
        name,
        kill: () => {
          try {
            execFileSync('tmux', ['-L', SOCKET, 'kill-session', '-t', name], { stdio: 'ignore' });
          } catch {
            // already gone
          }
        },
      });
      const screen = (): string[] => execFileSync('tmux', ['-L', SOCKET, 'capture-pane', '-p', '-t', name], { encoding: 'utf8' }).split('\n');
      const deadline = Date.now() + 30_000;
      let l = screen();
      while (!l.some((x) => x.includes('live capture needs root')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        l = screen();
      }
      expect(l.find((x) => x.includes('live capture needs root'))).toMatch(/live capture needs root: run `sudo npm start`; showing the demo capture demo\/tsysdig-demo\.scap\.gz/);
      expect(l[0]).toMatch(/^Viewing: Processes/);
    } else {
      await s.waitForText('live capture needs root', 30_000);
    }
  }, 60_000);

  it('the header shows the F4 text filter and the search; Backspace at the top clears them; the footer says how to quit (item 10)', async () => {
    const s = open(['-r', CAPTURE]);
    await s.waitFor((l) => position(l)?.total === 32, 'the processes');
    s.keys('F4');
    await s.waitForText('Text to match:');
    s.type('systemd');
    s.keys('Enter');
    let l = await s.waitFor((x) => (x[1] ?? '').includes('Text filter: systemd') && !x.some((r) => r.includes('Text to match')), 'the text filter in the header');
    expect(l[44]).toMatch(/q Quit /);
    s.keys('C-f');
    await s.waitForText('Text to match:');
    s.type('sbin');
    s.keys('Enter');
    l = await s.waitFor((x) => (x[1] ?? '').includes('Search: sbin'), 'the search in the header');
    expect(l[1]).toMatch(/Filter: evt\.type!=switch Text filter: systemd Search: sbin/);
    s.keys('BSpace');
    l = await s.waitFor((x) => position(x)?.total === 32 && !(x[1] ?? '').includes('Text filter'), 'filter cleared');
    expect(l[1]).not.toContain('Search:');
    s.type('q');
    await s.waitForText('EXIT=0');
  });

  it('mouse reports are SGR (1006): a click past column 223 sorts by that column (item 11)', async () => {
    const s = open(['-r', CAPTURE], 260, 45);
    await s.waitFor((l) => position(l)?.total === 32, 'the processes');
    const sgr = execFileSync('tmux', ['-L', SOCKET, 'display-message', '-p', '-t', s.name, '#{mouse_sgr_flag}'], { encoding: 'utf8' }).trim();
    expect(sgr).toBe('1');
    // A click on the header at column 240 (the Command column on a 260-wide screen), as the terminal sends it.
    s.type('\x1b[<0;241;3M\x1b[<0;241;3m');
    // The sort column's header is the highlighted one (black on cyan): Command, after the click.
    await s.waitFor(() => /\x1b\[46m +Command/.test(s.screenEscapes()[2] ?? '') || /\x1b\[[0-9;]*46m[^\x1b]*Command/.test(s.screenEscapes()[2] ?? ''), 'sorted by Command');
  });

  it('F8 on a replay says the PID comes from the capture before asking to confirm (item 12)', async () => {
    const s = open(['-r', CAPTURE]);
    await s.waitFor((l) => position(l)?.total === 32, 'the processes');
    s.keys('F8');
    await s.waitForText('Select Action');
    s.keys('Enter');
    const l = await s.waitForText('[y/N]');
    const text = l.join('\n');
    expect(text).toContain(`This row comes from the capture ${CAPTURE}: its PID and other values are the recorded machine's;`);
    expect(text).toContain('here that process may not exist, or may be another process.');
    s.keys('n');
    await s.waitFor((x) => position(x)?.total === 32, 'back in the UI');
  });
});
