/**
 * Captures around alerts from the command line, on a real capture
 * (falco_cat_write.scap: `cat /dev/null` started from bash; a rule on cat's
 * opens fires 8 times within 0.3 ms): --alerts --capture-alerts DIR writes
 * one 0600 file for the burst, named after the first alert's time and rule,
 * that sysdig 0.29.3, csysdig and tsysdig read; the history (here a replay's)
 * gives the events before the alert; `capture: true` rules and Falco's
 * `capture:` settings; --capture-max-mb removes the oldest with a line;
 * bad values are one line and exit 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

const CAT = fixturePath('falco_cat_write');
const haveSysdig = spawnSync('sysdig', ['--version']).status === 0;
if (!haveSysdig) console.log('[test/cli/capture-alerts] sysdig not installed: the sysdig/csysdig read-back checks are skipped');

/** The first of cat's 8 opens that the rule fires on (its exit event), as Falco prints its time. */
const FIRST_ALERT = '20160804T161757.881781397Z';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-capalerts-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function rules(text: string): string {
  const p = path.join(dir, 'rules.yaml');
  fs.writeFileSync(p, text);
  return p;
}

const OPEN_RULE = `- rule: open_from_cat
  desc: cat opens a file
  condition: evt.type=open and proc.name=cat
  output: "cat opened a file (fd=%fd.name)"
  priority: WARNING
`;
const EXECVE_RULE = `- rule: cat_started
  desc: cat is started
  condition: evt.type=execve and evt.dir=< and proc.name=cat
  output: "cat started (cmd=%proc.cmdline)"
  priority: NOTICE
`;

function sysdigLines(file: string, args: string[] = []): string[] {
  const r = spawnSync('sysdig', ['-r', file, ...args], { encoding: 'latin1', maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('--alerts --capture-alerts on a replay', () => {
  it('writes one 0600 capture for the burst, named after its first alert, holding what led to it; sysdig, csysdig and tsysdig read it', () => {
    const caps = path.join(dir, 'caps');
    const r = runCli(['--alerts', '--rules', rules(OPEN_RULE), '-r', CAT, '--capture-alerts', caps]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(8);
    const file = path.join(caps, `${FIRST_ALERT}_open_from_cat.scap`);
    expect(fs.readdirSync(caps)).toEqual([path.basename(file)]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // a directory it creates is root's only
    expect(fs.statSync(caps).mode & 0o777).toBe(0o700);
    expect(r.stderr).toBe(`tsysdig: alert capture ${file} (8 alerts, 345 events)\n`);
    // the default 10 s of history hold the whole 0.3 s capture: tsysdig prints the same events from both
    const events = (f: string): string[] => runCli(['--events', '-r', f]).stdout.split('\n');
    expect(events(file)).toEqual(events(CAT));
    if (!haveSysdig) return;
    // sysdig reads it as the original: every event line the same (cat's execve comes 50 µs before the first alert)
    expect(sysdigLines(file)).toEqual(sysdigLines(CAT));
    const execve = sysdigLines(file, ['-p', '%evt.time %evt.type', 'evt.type=execve and evt.dir=<']);
    expect(execve).toEqual(['16:17:57.881730713 execve']);
    // csysdig opens it with the process table of the snapshot at its start
    const cs = spawnSync('csysdig', ['--raw', '-r', file, '-v', 'procs'], { encoding: 'latin1' });
    expect(cs.status, cs.stderr).toBe(0);
    expect(cs.stdout).toMatch(/\bcat\b/);
  });

  it('the monitor as text (--raw -v alerts with --rules) writes the same capture', () => {
    const caps = path.join(dir, 'caps');
    const r = runCli(['--raw', '-v', 'alerts', '--rules', rules(OPEN_RULE), '-r', CAT, '--capture-alerts', caps]);
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(caps, `${FIRST_ALERT}_open_from_cat.scap`);
    expect(fs.readdirSync(caps)).toEqual([path.basename(file)]);
    expect(r.stderr).toBe(`tsysdig: alert capture ${file} (8 alerts, 345 events)\n`);
  });

  it('with --history 0 a capture starts at its alert, as Falco\'s do; --capture-after bounds what follows', () => {
    const caps = path.join(dir, 'caps');
    const r = runCli(['--alerts', '--rules', rules(OPEN_RULE), '-r', CAT, '--capture-alerts', caps, '--history', '0', '--capture-after', '0.0001']);
    expect(r.status, r.stderr).toBe(0);
    // the 8 alerts span 0.27 ms: with 0.1 ms after each, the burst breaks into files
    const files = fs.readdirSync(caps).sort();
    expect(files.length).toBeGreaterThan(1);
    expect(files[0]).toBe(`${FIRST_ALERT}_open_from_cat.scap`);
    const first = runCli(['--events', '-r', path.join(caps, files[0]!)]).stdout.split('\n').filter((l) => l !== '');
    // the first event is the alert's own (the enter event of cat's first open: the rule has no evt.dir), nothing before it
    expect(first[0]).toMatch(/^1 16:17:57\.881781397 0 cat \(20072\) > open $/);
    const last = first[first.length - 1]!;
    const t = Number(/16:17:57\.(\d{9})/.exec(last)![1]);
    expect(t - 881781397).toBeLessThanOrEqual(100_000);
  });

  it("a rule with capture: true writes after Falco's path_prefix even without --capture-alerts; other rules' alerts do not", () => {
    const prefix = path.join(dir, 'pfx');
    const r = runCli([
      '--alerts',
      '--rules',
      rules(`${EXECVE_RULE}  capture: true\n  capture_duration: 0\n${OPEN_RULE}`),
      '-r',
      CAT,
      '-o',
      `capture.path_prefix=${prefix}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cat started/);
    expect(r.stdout).toMatch(/cat opened a file/);
    const names = fs.readdirSync(dir).filter((n) => n.startsWith('pfx_'));
    expect(names).toEqual(['pfx_20160804T161757.881730713Z_cat_started.scap']);
    const file = path.join(dir, names[0]!);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // capture_duration 0 (ms; the whole fixture lasts 0.4 ms): the history up to the alert's event, nothing after it
    const lines = runCli(['--events', '-r', file]).stdout.split('\n').filter((l) => l !== '');
    expect(lines[lines.length - 1]).toMatch(/^\d+ 16:17:57\.881730713 0 cat \(20072\) < execve /);
    const original = runCli(['--events', '-r', CAT]).stdout.split('\n').filter((l) => l !== '');
    const upTo = original.findIndex((l) => / 16:17:57\.881730713 /.test(l));
    expect(lines.map((l) => l.slice(l.indexOf(' ')))).toEqual(original.slice(0, upTo + 1).map((l) => l.slice(l.indexOf(' '))));
    expect(r.stderr).toMatch(new RegExp(`^tsysdig: alert capture ${file} \\(1 alert, \\d+ events\\)\n$`));
  });

  it('capture.enabled=false turns capture: true off; capture.mode=all_rules captures every alert', () => {
    const prefix = path.join(dir, 'pfx');
    const file = rules(`${EXECVE_RULE}  capture: true\n${OPEN_RULE}`);
    let r = runCli(['--alerts', '--rules', file, '-r', CAT, '-o', `capture.path_prefix=${prefix}`, '-o', 'capture.enabled=false']);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('pfx_'))).toEqual([]);
    r = runCli(['--alerts', '--rules', file, '-r', CAT, '-o', `capture.path_prefix=${prefix}`, '-o', 'capture.enabled=true', '-o', 'capture.mode=all_rules', '-o', 'capture.default_duration=5000']);
    expect(r.status, r.stderr).toBe(0);
    // the execve alert opens the file; the opens 50 µs later fall in its 5 s and join it
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('pfx_'))).toEqual(['pfx_20160804T161757.881730713Z_cat_started.scap']);
    expect(r.stderr).toMatch(/\(9 alerts, 345 events\)\n$/);
  });

  it('--capture-max-mb removes the oldest captures of DIR first, with a line for each', () => {
    const caps = path.join(dir, 'caps');
    fs.mkdirSync(caps);
    // two earlier captures of 600 KiB, the older first; and a file that is not a capture, left alone
    const old1 = path.join(caps, '20150101T000000.000000000Z_Old_rule.scap');
    const old2 = path.join(caps, '20150102T000000.000000000Z_Old_rule.scap');
    const other = path.join(caps, 'notes.txt');
    for (const [f, t] of [
      [old1, 1_420_070_400],
      [old2, 1_420_156_800],
      [other, 1_400_000_000],
    ] as const) {
      fs.writeFileSync(f, Buffer.alloc(600 * 1024));
      fs.utimesSync(f, t, t);
    }
    const r = runCli(['--alerts', '--rules', rules(OPEN_RULE), '-r', CAT, '--capture-alerts', caps, '--capture-max-mb', '1']);
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(caps, `${FIRST_ALERT}_open_from_cat.scap`);
    // 1.2 MiB of old captures + the new one > 1 MiB: the oldest goes, the rest fits
    expect(r.stderr).toBe(`tsysdig: alert capture ${file} (8 alerts, 345 events)\ntsysdig: removed ${old1} to keep alert captures under 1 MB\n`);
    expect(fs.readdirSync(caps).sort()).toEqual([path.basename(old2), path.basename(file), 'notes.txt'].sort());
  });

  it('refuses bad values in one line with exit 2, before reading anything', () => {
    const file = rules(OPEN_RULE);
    const notDir = path.join(dir, 'plain');
    fs.writeFileSync(notDir, '');
    const cases: [string[], RegExp][] = [
      [['--history', '-1'], /^tsysdig: option --history needs a non-negative number, got '-1'/],
      [['--history', 'ten'], /^tsysdig: option --history needs a non-negative number, got 'ten'/],
      [['--history', '86400'], /^tsysdig: option --history needs at most 3600 seconds, got '86400'/],
      [['--capture-after', 'x'], /^tsysdig: option --capture-after needs a non-negative number, got 'x'/],
      [['--capture-max-mb', '-3', '--capture-alerts', dir], /^tsysdig: option --capture-max-mb needs a non-negative number, got '-3'/],
      [['--capture-max-mb', '5'], /^tsysdig: --capture-max-mb goes with --capture-alerts DIR/],
      [['--capture-alerts', notDir], /^tsysdig: --capture-alerts needs a directory, and .*plain is not one/],
      [['-o', 'capture.mode=some'], /^tsysdig: -o capture\.mode: capture\.mode: expected 'rules' or 'all_rules', got "some"/],
    ];
    for (const [args, want] of cases) {
      const r = runCli(['--alerts', '--rules', file, '-r', CAT, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
      expect(r.stderr).toMatch(want);
      expect(r.stdout).toBe('');
    }
    const r = runCli(['--raw', '-r', CAT, '--capture-alerts', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsysdig: --capture-alerts needs rules: --rules FILE\|DIR or --default-rules\n$/);
  });
});
