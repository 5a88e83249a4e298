/** The export options from the command line: bad input is one line on stderr and exit 2; output reaches stdout. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

describe('export options on the command line', () => {
  it('a bad -p format, -p without --events, a bad --lifecycle value: one line, exit 2', () => {
    const bad = runCli(['--events', '-r', fixturePath('falco_syscall'), '-p', '%evt.typ']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tsysdig: bad format: invalid formatting token evt.typ\n');
    const noEvents = runCli(['-r', fixturePath('falco_syscall'), '-p', '%evt.num']);
    expect(noEvents.status).toBe(2);
    expect(noEvents.stderr).toBe('tsysdig: -p FORMAT prints events: add --events\n');
    const lc = runCli(['--lifecycle=disk', '-r', fixturePath('falco_syscall')]);
    expect(lc.status).toBe(2);
    expect(lc.stderr.split('\n')[0]).toBe("tsysdig: option --lifecycle takes 'proc' or 'net', got 'disk'; see tsysdig --help");
  });

  it('--events -j and --lifecycle --json print JSON lines', () => {
    const j = runCli(['--events', '-j', '-r', fixturePath('falco_cat_write'), 'evt.num=131']);
    expect(j.status, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout.trim())).toMatchObject({ 'evt.num': 131, 'evt.type': 'execve', 'proc.name': 'cat' });
    const lc = runCli(['--lifecycle', '--json', '--node-name', 'n1', '-r', fixturePath('falco_cat_write')]);
    expect(lc.status, lc.stderr).toBe(0);
    const recs = lc.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, { process: { exec_id: string } }>);
    expect(recs.map((r) => Object.keys(r)[0])).toEqual(['process_exec', 'process_exit']);
    expect(recs[0]!.process_exec!.process.exec_id).toBe(recs[1]!.process_exit!.process.exec_id);
  });
});
