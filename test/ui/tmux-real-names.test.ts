/**
 * F8 actions get a file's real name (issue 15, item 13, last point): a file
 * whose name holds a newline and an escape byte shows as "a.b.c" (sysdig's
 * display rule), and an action `cp %fd.name DEST` must still copy *that*
 * file. The capture is made live with `tsysdig -w` while a shell reads the
 * file, then replayed in the full-screen UI under tmux, where F8 runs the
 * action (after the replay's confirmation).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';
import { ROOT } from '../helpers/fixtures.js';
import { ensureBuilt, hasTmux, killServer, start, startServer, type Session } from './tmux.js';

const reason = !hasTmux() ? 'tmux is not installed' : process.getuid?.() !== 0 ? 'live capture needs root' : liveSkipReason();
if (reason !== null) console.log(`skipping the real-name action test: ${reason}`);
const run = reason === null ? describe : describe.skip;

/** A name no terminal or shell should see raw: a newline and an ESC (which would start a sequence). */
const ODD = 'a\nb\x1bc.txt';
const CONTENT = 'the real file, not a look-alike\n';

run('F8 actions receive the real file name', () => {
  let tmp = '';
  const sessions: Session[] = [];
  beforeAll(() => {
    ensureBuilt();
    startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-realname-'));
  }, 180_000);
  afterEach(() => {
    for (const s of sessions.splice(0)) s.kill();
  });
  afterAll(() => {
    killServer();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a file named "a\\nb\\x1bc.txt", captured live, is copied by `cp %fd.name DEST` from the files table', async () => {
    const dir = path.join(tmp, 'files');
    fs.mkdirSync(dir);
    const odd = path.join(dir, ODD);
    fs.writeFileSync(odd, CONTENT);
    // A look-alike with the displayed name: the action must not pick it.
    fs.writeFileSync(path.join(dir, 'a.b.c.txt'), 'the look-alike\n');

    // 1. A live capture while a shell reads the file a few times.
    const cap = path.join(tmp, 'odd.scap');
    const w = spawn(process.execPath, [path.join(ROOT, 'bin/tsysdig.js'), '-w', cap], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let werr = '';
    w.stderr!.on('data', (d: Buffer) => (werr += d.toString()));
    const exited = new Promise<number | null>((r) => w.on('exit', (code) => r(code)));
    const t0 = Date.now();
    while (!(fs.existsSync(cap) && fs.statSync(cap).size > 4096)) {
      if (w.exitCode !== null) throw new Error(`tsysdig -w exited: ${werr}`);
      if (Date.now() - t0 > 30_000) throw new Error('the capture did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('/bin/sh', ['-c', 'cat -- "$F" > /dev/null'], { env: { ...process.env, F: odd } });
      expect(r.status).toBe(0);
      await new Promise((r2) => setTimeout(r2, 200));
    }
    await new Promise((r) => setTimeout(r, 700));
    w.kill('SIGTERM');
    expect(await exited, werr).toBe(0);

    // 2. A view of the files under `dir`, with an action copying the selected file.
    const views = path.join(tmp, 'views');
    fs.mkdirSync(views);
    const dest = path.join(tmp, 'copied.txt');
    fs.writeFileSync(
      path.join(views, 'odd_files.yaml'),
      [
        'id: odd_files',
        'name: Odd files',
        'view_type: table',
        `filter: fd.type=file and fd.name startswith ${dir}/`,
        'applies_to: [ "" ]',
        'columns:',
        '  - name: NAME',
        '    field: fd.name',
        '    is_key: true',
        '  - name: OPS',
        '    field: evt.count.exit',
        '    colsize: 9',
        '    aggregation: SUM',
        '    is_sorting: true',
        '  - name: FILE',
        '    field: fd.name',
        '    colsize: 0',
        'actions:',
        '  - hotkey: c',
        `    command: cp %fd.name ${dest}`,
        '    description: copy the file',
        '',
      ].join('\n'),
    );

    // 3. The replay under tmux: the row shows the cleaned name; F8 → the action → confirm.
    const s = start(['--views', views, '-r', cap, '-v', 'odd_files']);
    sessions.push(s);
    const shown = `${dir}/a.b.c.txt`;
    await s.waitForText(shown, 60_000);
    s.keys('F8');
    await s.waitForText('copy the file');
    s.keys('Enter');
    const confirm = await s.waitForText('[y/N]');
    // The confirmation shows the value with its control characters escaped, never raw.
    expect(confirm.join('\n')).toContain(`cp '${shown}' ${dest}`);
    s.keys('y');
    const t1 = Date.now();
    while (!fs.existsSync(dest) && Date.now() - t1 < 15_000) await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(dest, 'utf8')).toBe(CONTENT);
  });
});
