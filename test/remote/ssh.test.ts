/**
 * --ssh end to end, against a real sshd started by the test on 127.0.0.1
 * (test/helpers/sshd.ts: its own port, host key, user key and config), the
 * remote command (this checkout's tsysdig -w - -z) running for real as root
 * on this machine. Failures of ssh need only sshd; the live parts also need
 * the probe. Skipped with the reason printed where either is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { startSshd, sshdSkipReason, type TestSshd } from '../helpers/sshd.js';
import { liveSkipReason } from '../live/harness.js';
import { ensureBuilt, hasTmux, killServer, start, startServer } from '../ui/tmux.js';

const sshdReason = sshdSkipReason();
if (sshdReason !== null) console.log(`[test/remote] ssh tests skipped: ${sshdReason}`);
const liveReason = sshdReason ?? liveSkipReason() ?? (spawnSync('bpftool', ['version']).status === 0 ? null : 'bpftool is missing');
if (sshdReason === null && liveReason !== null) console.log(`[test/remote] live ssh tests skipped: ${liveReason}`);
const withSshd = sshdReason === null ? describe : describe.skip;
const withLive = liveReason === null ? describe : describe.skip;

const BIN = join(ROOT, 'bin', 'tsysdig.js');
let sshd: TestSshd | null = null;

function cli(args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sshArgs(extra: string[] = []): string[] {
  return ['--ssh', sshd!.target, '--ssh-opt', sshd!.sshOpt, '--remote-tsysdig', sshd!.remoteTsysdig, ...extra];
}

function children(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return out === '' ? [] : out.split('\n').map(Number);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The remote tsysdig (-w -) running under our sshd, or null. */
function remoteTsysdig(): number | null {
  const todo = [sshd!.pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    for (const c of children(p)) {
      const cl = cmdline(c);
      if (cl.includes(BIN) && cl.includes(' -w - ')) return c;
      todo.push(c);
    }
  }
  return null;
}

/** Ids of the BPF programs process `pid` holds open or attached (its prog and link fds name them in fdinfo). */
function bpfProgramsOf(pid: number): number[] {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = /^prog_id:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m !== null) ids.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return [...ids];
}

function programExists(id: number): boolean {
  return spawnSync('bpftool', ['prog', 'show', 'id', String(id)]).status === 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, pred: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (sshdReason === null) sshd = await startSshd();
}, 60_000);
afterAll(() => sshd?.stop());

withSshd('--ssh failures: one line, non-zero exit', () => {
  test('a refused login', () => {
    const r = cli(['--ssh', sshd!.target, '--ssh-opt', sshd!.badKeySshOpt, '--raw']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tsysdig: ssh to root@127\.0\.0\.1:\d+ failed: .*Permission denied \(publickey\)\.?\n$/);
  });

  test('nothing listening', () => {
    const r = cli(['--ssh', 'root@127.0.0.1:1', '--ssh-opt', sshd!.sshOpt, '--events']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tsysdig: ssh to root@127\.0\.0\.1:1 failed: .*Connection refused\n$/);
  });

  test('a remote without tsysdig (status 127)', () => {
    const r = cli(['--ssh', sshd!.target, '--ssh-opt', sshd!.sshOpt, '--remote-tsysdig', 'tsysdig-not-installed-here', '--json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tsysdig: ${sshd!.target} has no 'tsysdig-not-installed-here' to run: install tsysdig there, or name it with --remote-tsysdig CMD\n`);
  });

  test('the remote tsysdig refusing its arguments: its own line', () => {
    const r = cli(sshArgs(['--raw', '-s', 'x']));
    expect(r.status).toBe(2); // refused locally first: same parser
    const remote = cli(['--ssh', sshd!.target, '--ssh-opt', sshd!.sshOpt, '--remote-tsysdig', `${sshd!.remoteTsysdig} --no-such-option`, '--raw']);
    expect(remote.status).toBe(1);
    expect(remote.stderr).toMatch(/^tsysdig: on root@127\.0\.0\.1:\d+: unknown option --no-such-option(; see tsysdig --help)?\n$/);
  });
});

withLive('--ssh live', () => {
  let workload: ChildProcess | null = null;
  const tag = `tsysdig-ssh-workload-${process.pid}`;

  beforeAll(() => {
    ensureBuilt();
    workload = spawn('/bin/sh', ['-c', `while :; do cat /etc/hostname >/dev/null; sleep 0.1; done # ${tag}`], { stdio: 'ignore' });
  });
  afterAll(() => {
    workload?.kill('SIGKILL');
  });

  test("--lifecycle and --alerts over ssh: the remote node's process starts, exits and rule alerts", async () => {
    const rules = join(tmpdir(), `tsysdig-ssh-rules-${process.pid}.yaml`);
    writeFileSync(rules, '- rule: marker_cat\n  desc: cat of the marker\n  condition: evt.type in (open, openat) and evt.dir=< and proc.name=cat and fd.name contains tsysdig-ssh-marker\n  output: marker read by %proc.name\n  priority: WARNING\n');
    const marker = join(tmpdir(), `tsysdig-ssh-marker-${process.pid}`);
    writeFileSync(marker, 'x');
    const run = (args: string[]): Promise<string> =>
      new Promise((resolve) => {
        const c = spawn(process.execPath, [BIN, ...sshArgs(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', () => resolve(out));
      });
    const outs = Promise.all([run(['--lifecycle', '--json', '-M', '6', '--process', 'cat']), run(['--alerts', '--rules', rules, '-M', '6'])]);
    // the remote captures start after ssh connects: keep reading the marker for a while
    const loop = spawn('/bin/sh', ['-c', `for i in 1 2 3 4 5 6 7 8 9 10; do cat ${marker} >/dev/null; sleep 0.4; done`], { stdio: 'ignore' });
    const [lc, alerts] = await outs;
    loop.kill();
    const recs = lc.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { process_exec?: { process: { binary: string; arguments: string } } });
    expect(recs.some((r) => r.process_exec?.process.binary.endsWith('/cat') && r.process_exec.process.arguments === marker), lc.slice(0, 1000)).toBe(true);
    expect(alerts).toMatch(/: Warning marker read by cat/);
  }, 120_000);

  test('--raw -v procs over ssh prints the workload rows of a local live capture', async () => {
    const args = ['--raw', '-v', 'procs', '-d', '1000', '-M', '3', '--final'];
    const [remote, local] = await Promise.all([
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, [BIN, ...sshArgs(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', () => resolve(out));
      }),
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', () => resolve(out));
      }),
    ]);
    // PID, PPID, USER, TH and the command line: the columns that do not depend on the sampling moment
    const rowsOf = (out: string): string[] =>
      // the workload's own row (its short-lived forks come and go between the two captures' samples)
      out.split('\n').filter((l) => l.includes(tag) && l.trim().split(/\s+/)[0] === String(workload!.pid)).map((l) => {
        const f = l.trim().split(/\s+/);
        return [f[0], f[1], f[3], f[4], l.slice(l.indexOf('/bin/sh'))].join(' ');
      });
    const fromSsh = rowsOf(remote);
    expect(fromSsh.length).toBe(1);
    expect(fromSsh).toEqual(rowsOf(local));
  }, 120_000);

  test('killing the ssh client leaves no remote tsysdig and none of its BPF programs', async () => {
    const c = spawn(process.execPath, [BIN, ...sshArgs(['--events'])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d) => (stderr += d));
    let got = 0;
    c.stdout.on('data', (d: Buffer) => (got += d.length));
    const exited = new Promise<number | null>((r) => c.on('close', (code) => r(code)));
    await until('events over ssh', () => got > 0, 60_000);
    const remotePid = remoteTsysdig();
    expect(remotePid).not.toBeNull();
    const progs = bpfProgramsOf(remotePid!);
    expect(progs.length).toBeGreaterThan(0);
    const sshClient = children(c.pid!).find((p) => cmdline(p).startsWith('ssh '));
    expect(sshClient).toBeDefined();
    process.kill(sshClient!, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/^tsysdig: ssh to root@127\.0\.0\.1:\d+ was killed by SIGKILL\n$/);
    await until('the remote tsysdig to exit', () => !alive(remotePid!), 30_000);
    await until('its BPF programs to be gone', () => progs.every((id) => !programExists(id)), 30_000);
  }, 120_000);

  (hasTmux() ? test : test.skip)('the UI under tmux shows a process started after connecting; q stops the remote capture', async () => {
    startServer();
    const s = start(sshArgs(['-d', '1000']), 220, 45);
    let late: ChildProcess | null = null;
    try {
      const first = await s.waitForText(`Source: ssh ${sshd!.target} (stream,`, 60_000);
      expect(first[0]).toMatch(/recv \d/);
      const lateTag = `tsysdig-ssh-late-${process.pid}`;
      late = spawn('/bin/sh', ['-c', `while :; do sleep 0.2; done # ${lateTag}`], { stdio: 'ignore' });
      await s.waitForText(lateTag, 60_000);
      const remotePid = remoteTsysdig();
      expect(remotePid).not.toBeNull();
      s.keys('q');
      await s.waitForText('EXIT=0', 30_000);
      expect(s.modes().alternate).toBe(false);
      await until('the remote tsysdig to exit', () => !alive(remotePid!), 30_000);
    } finally {
      late?.kill('SIGKILL');
      s.kill();
      killServer();
    }
  }, 180_000);
});

