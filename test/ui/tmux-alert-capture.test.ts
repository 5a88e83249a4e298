/**
 * Captures around alerts in the monitor, under tmux as a person runs it:
 * `tsysdig --rules F -r falco_cat_write.scap --capture-alerts DIR` opens the
 * monitor with the rules running, writes the capture of the alert burst
 * (0600, named after the first alert's time and rule) and says so on the
 * message line; a screen change re-reads the replay without writing the
 * same capture again; quitting leaves the file complete (sysdig reads it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, hasTmux, killServer, start, startServer, tableRows } from './tmux.js';

const run = hasTmux() ? describe : describe.skip;
if (!hasTmux()) console.log('[test/ui] tmux not installed: the alert-capture UI test is skipped');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-ui-alertcap-'));
const RULES = path.join(dir, 'open.yaml');
fs.writeFileSync(
  RULES,
  `- rule: open_from_cat
  desc: cat opens a file
  condition: evt.type=open and proc.name=cat
  output: "cat opened a file (fd=%fd.name)"
  priority: WARNING
`,
);

run('captures around alerts in the monitor (tmux)', () => {
  beforeAll(() => {
    ensureBuilt();
    startServer();
  }, 180_000);
  afterAll(() => {
    killServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--rules F -r FIXTURE --capture-alerts DIR: the file is written and the notice shows; a screen change does not write it again', async () => {
    const caps = path.join(dir, 'caps');
    const s = start(['--rules', RULES, '-r', 'test/fixtures/falco_cat_write.scap', '--capture-alerts', caps], 200, 40);
    try {
      await checkSession(s, caps);
    } finally {
      s.kill();
    }
  }, 120_000);
});

/** The notice, the file, and a screen change that reads the replay again. */
async function checkSession(s: ReturnType<typeof start>, caps: string): Promise<void> {
  const file = path.join(caps, '20160804T161757.881781397Z_open_from_cat.scap');
  const notice = `alert capture ${file} (8 alerts, 345 events)`;
  const screen = await s.waitForText(notice, 30_000);
  // the monitor is up around it: the procs table of the replay
  expect(tableRows(screen).some((r) => /\bcat\b/.test(r)), screen.join('\n')).toBe(true);
  expect(fs.readdirSync(caps)).toEqual([path.basename(file)]);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const size = fs.statSync(file).size;

  // Enter drills down (a new screen: the replay is read again from its start, alerts and all)
  s.keys('Enter');
  await s.waitFor((l) => !l.some((x) => x.includes(notice)), 'the drill-down screen', 30_000);
  await s.waitFor((l) => tableRows(l).length > 0, 'the drill-down table', 30_000);
  s.keys('q');
  await s.waitForText('EXIT=0', 30_000);
  // the same alerts were not captured twice, and the file is as it was
  expect(fs.readdirSync(caps)).toEqual([path.basename(file)]);
  expect(fs.statSync(file).size).toBe(size);
  const r = spawnSync('sysdig', ['-r', file], { encoding: 'latin1' });
  if (r.status !== null && r.error === undefined) {
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => / cat \(20072\) [<>] open /.test(l))).toHaveLength(8);
  }
}
