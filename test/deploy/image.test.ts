/**
 * The container image (scripts/build-image.sh), built here and run under the
 * real dockerd the way the DaemonSet runs it (AGENT_RUNTIME: host PID and
 * network namespaces, the host's /proc, /etc and /run under /host): tsysdig
 * inside sees a process this test started on the host, with the same row as
 * tsysdig on the host shows, and a busybox container started on the host with
 * its name and image. Needs root, BPF and docker; skips with the reason otherwise.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { liveSkipReason } from '../live/harness.js';
import { ensureDocker, removeContainers, runContainer, TEST_IMAGE } from '../helpers/docker.js';
import { finalJsonRows } from '../helpers/cli.js';
import { AGENT_IMAGE, ROOT, agentRunFlags, buildAgentImage, runAgentImage } from '../helpers/agent-image.js';

const live = liveSkipReason();
const docker = live === null ? await ensureDocker() : ({ ok: false, reason: live } as const);
const built = docker.ok ? await buildAgentImage() : docker.reason;
if (built !== null) console.log(`[test/deploy] image tests skipped: ${built}`);
const describeIt = built === null ? describe : describe.skip;

/** Columns of the procs view that describe a process rather than its activity in the interval. */
const STABLE = ['PID', 'PPID', 'USER', 'TH', 'Command'];

/** The stable columns of the row whose `keyCol` is `key`, as text. */
function row(stdout: string, keyCol: string, key: string, cols: string[]): Record<string, string> | undefined {
  const r = finalJsonRows(stdout).find((x) => x[keyCol]!.text === key);
  return r === undefined ? undefined : Object.fromEntries(cols.map((c) => [c, r[c]!.text]));
}

describeIt(`image ${AGENT_IMAGE}`, () => {
  const children: ChildProcess[] = [];
  const agentContainers: string[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (agentContainers.length > 0) spawnSync('docker', ['rm', '-f', ...agentContainers]);
    await removeContainers();
  });

  it('inside, --raw -v procs lists a process started on the host, as tsysdig on the host lists it', async () => {
    const marker = `agent-image-${process.pid}`;
    // a host process with a recognizable command line, alive for the whole test
    const sleeper = spawn('/bin/bash', ['-c', `exec -a ${marker} sleep 120`], { stdio: 'ignore' });
    children.push(sleeper);
    const pid = String(sleeper.pid);
    const { flags, note } = await agentRunFlags();
    if (note !== null) console.log(`[test/deploy] ${note}`);

    const raw = await runAgentImage(flags, ['--raw', '-v', 'procs', '-M', '2', '-d', '1000', '--final']);
    expect(raw.code, raw.stderr).toBe(0);
    const line = raw.stdout.split('\n').find((l) => l.trim().split(/\s+/)[0] === pid);
    expect(line, `pid ${pid} not in the container's table`).toBeDefined();
    expect(line).toContain(marker);

    const inside = await runAgentImage(flags, ['--json', '-v', 'procs', '-M', '2', '-d', '1000', '--final']);
    expect(inside.code, inside.stderr).toBe(0);
    const host = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), '--json', '-v', 'procs', '-M', '2', '-d', '1000', '--final'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(host.status, host.stderr).toBe(0);
    const want = row(host.stdout, 'PID', pid, STABLE);
    expect(want, 'the host run must list the process too').toBeDefined();
    expect(want!.USER).toBe('root');
    expect(row(inside.stdout, 'PID', pid, STABLE)).toEqual(want);
  });

  it('inside, -vcontainers shows a busybox container started on the host, with its name and image', async () => {
    const c = await runContainer({ name: 'tsysdig-agent-image', workload: 'sleeper' });
    const { flags } = await agentRunFlags();
    const r = await runAgentImage(flags, ['--json', '-v', 'containers', '-M', '3', '-d', '1000', '--final']);
    expect(r.code, r.stderr).toBe(0);
    const got = row(r.stdout, 'ID', c.shortId, ['NAME', 'IMAGE', 'ENGINE']);
    expect(got, `container ${c.shortId} not listed inside`).toEqual({ NAME: c.name, IMAGE: TEST_IMAGE, ENGINE: 'docker' });
  });

  it('the agent in the image rotates its capture, and --fetch-capture NODE replays the newest one here', async () => {
    // No cluster here: kubectl is test/helpers/kubectl-docker.sh, which runs the
    // same get/exec calls on docker (the agent container plays the node's pod).
    const { flags } = await agentRunFlags();
    const name = `tsysdig-agent-fetch-${process.pid}`;
    const node = `node-${process.pid}`;
    agentContainers.push(name);
    const started = spawnSync('docker', ['run', '-d', '--name', name, '--label', `node=${node}`, ...flags, AGENT_IMAGE, '--agent', '--health-port', '0', '-w', '/var/lib/tsysdig/captures', '--rotate-seconds', '2', '--rotate-keep', '2'], { encoding: 'utf8', timeout: 60_000 });
    expect(started.status, started.stderr).toBe(0);
    const env = { ...process.env, KUBECTL: path.join(ROOT, 'test', 'helpers', 'kubectl-docker.sh') };
    let r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), '--fetch-capture', node, '--raw', '-v', 'procs', '--final'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    // the directory appears when the probe is loaded, the first capture is complete after --rotate-seconds
    for (let i = 0; i < 20 && /no complete capture|No such file/.test(r.stderr); i++) {
      await new Promise((res) => setTimeout(res, 1000));
      r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), '--fetch-capture', node, '--raw', '-v', 'procs', '--final'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    }
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^tsysdig: tsysdig-\\d{8}T\\d{6}\\.\\d{3}Z\\.scap from pod ${name} \\(\\d+ bytes\\)\\n$`));
    // the host's processes, as the agent in the container captured them: dockerd is one of them
    const pids = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((x) => /^\d+$/.test(x!));
    expect(pids.length).toBeGreaterThan(5);
    expect(r.stdout).toMatch(/dockerd/);
    // a pod name works too, and -w keeps the copy, mode 0600
    const keep = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-fetch-test-')), 'node.scap');
    const k = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), '--fetch-capture', name, '-w', keep, '--events', '-n', '2000'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(k.status, k.stderr).toBe(0);
    // -n counts the capture's internal (CPU-time) events too, which are not printed
    expect(k.stdout.trim().split('\n').length).toBeGreaterThan(0);
    expect(k.stdout.trim()).not.toBe('');
    expect(fs.statSync(keep).mode & 0o777).toBe(0o600);
    fs.rmSync(path.dirname(keep), { recursive: true, force: true });
    // the health endpoint the kubelet probes answers from the container (host network)
    const logs = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
    const url = /health on (http:\/\/127\.0\.0\.1:\d+\/healthz)/.exec(logs.stderr)?.[1];
    expect(url, logs.stderr).toBeDefined();
    const health = await fetch(url!);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    // the container's own view: at most K closed captures and the one in progress
    // A rotation opens the next .part before it closes the last (no event falls
    // between files), so for that moment there are two: look again after it.
    let files: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ls = spawnSync('docker', ['exec', name, 'ls', '-1', '/var/lib/tsysdig/captures'], { encoding: 'utf8' });
      files = ls.stdout.trim().split('\n');
      if (files.filter((f) => f.endsWith('.part')).length === 1) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(files.filter((f) => f.endsWith('.scap')).length).toBeLessThanOrEqual(2);
    expect(files.filter((f) => f.endsWith('.part'))).toHaveLength(1);
  });
});
