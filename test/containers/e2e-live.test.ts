/**
 * The containers issue end to end, live (root, a built probe and a docker
 * engine; skipped with the reason printed otherwise). Two named containers
 * run known workloads — 'writer' appends to a file in a loop, 'spawner'
 * starts short-lived processes — and tsysdig is run as a user on the node
 * would run it:
 *
 *  - `tsysdig --json -vcontainers` lists both with name, image, id and the
 *    writer's file bytes;
 *  - drilling into one (`-pc -v procs container.id=ID`) lists its processes
 *    and none of the other's;
 *  - a capture written with -w during the run replays after the containers
 *    are gone and with no engine socket at all, with the same names and images
 *    (from the container events in the file);
 *  - with the engine socket missing, or hung (accepts, never answers), live
 *    capture still runs, shows the containers' processes by id, and says why
 *    once on stderr.
 *
 * Already covered by test/live/live-containers.test.ts (not repeated here):
 * one container's NAME/IMAGE/ENGINE/PROCS live, and the same in the replay of
 * its -w capture while the engine is still up.
 *
 * No engine is simulated through HOST_ROOT (the prefix of every path tsysdig
 * reads from the host, sockets included): a folder whose proc/, sys/ and etc/
 * link to the real ones but that has no var/run/docker.sock (or a socket of
 * ours that never answers).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { liveSkipReason } from '../live/harness.js';
import { ROOT } from '../helpers/fixtures.js';
import { finalJsonRows } from '../helpers/cli.js';
import { TEST_IMAGE, ensureDocker, removeContainers, runContainer, type RunningContainer } from '../helpers/docker.js';

const live = liveSkipReason();
const docker = live === null ? await ensureDocker() : ({ ok: false, reason: live } as const);
if (!docker.ok) console.log(`[test/containers] live container e2e tests skipped: ${docker.reason}`);
const describeIt = docker.ok ? describe : describe.skip;

/** Runs the CLI without blocking this process (a socket server of ours may have to accept meanwhile). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), ...args], { cwd: ROOT, env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(kill);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** A HOST_ROOT with the real /proc, /sys and /etc but no engine sockets. */
function hostRootWithoutSockets(dir: string): string {
  fs.mkdirSync(path.join(dir, 'var', 'run'), { recursive: true });
  for (const d of ['proc', 'sys', 'etc']) fs.symlinkSync(`/${d}`, path.join(dir, d));
  return dir;
}

describeIt('containers end to end (live, docker)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-e2e-ct-'));
  const cap = path.join(tmp, 'run.scap.gz');
  let writer: RunningContainer;
  let spawner: RunningContainer;

  beforeAll(async () => {
    writer = await runContainer({ name: 'tsysdig-e2e-writer', workload: 'writer' });
    spawner = await runContainer({ name: 'tsysdig-e2e-spawner', workload: 'spawner' });
  });
  afterAll(async () => {
    await removeContainers();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('tsysdig -vcontainers lists both with name, image, id, and the writer\'s file bytes', async () => {
    const r = await cli(['--json', '-vcontainers', '-M', '5', '-d', '1000', '-w', cap, '-z']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning: (docker|cri)/);
    const rows = finalJsonRows(r.stdout);
    for (const c of [writer, spawner]) {
      const row = rows.find((x) => x.ID!.text === c.shortId);
      expect(row, `no row for ${c.name} (${c.shortId}): ${rows.map((x) => `${x.ID!.text}=${x.NAME!.text}`).join(', ')}`).toBeDefined();
      expect(row!.NAME!.text).toBe(c.name);
      expect(row!.IMAGE!.text).toBe(TEST_IMAGE);
    }
    const w = rows.find((x) => x.ID!.text === writer.shortId)!;
    expect(w.FILE!.raw).toBeGreaterThan(0);
    expect(Number(w.FILE!.text)).toBeGreaterThan(0);
  });

  it('drilling into a container lists only its processes', async () => {
    const inSpawner = await cli(['--json', '-pc', '-v', 'procs', '-M', '3', '-d', '1000', `container.id=${spawner.shortId}`]);
    expect(inSpawner.status, inSpawner.stderr).toBe(0);
    const sp = finalJsonRows(inSpawner.stdout);
    expect(sp.length).toBeGreaterThan(0);
    const spCmds = sp.map((x) => x.Command!.text);
    expect(spCmds.join('\n')).toMatch(/\/bin\/true|\/bin\/date|\/bin\/ls|sleep 0\.2/);
    expect(spCmds.join('\n')).not.toMatch(/tick|out\.txt/);
    for (const x of sp) expect(['', spawner.name]).toContain(x.CONTAINER!.text);

    const inWriter = await cli(['--json', '-pc', '-v', 'procs', '-M', '3', '-d', '1000', `container.id=${writer.shortId}`]);
    expect(inWriter.status, inWriter.stderr).toBe(0);
    const wr = finalJsonRows(inWriter.stdout);
    expect(wr.map((x) => x.Command!.text).join('\n')).toMatch(/out\.txt/);
    expect(wr.map((x) => x.Command!.text).join('\n')).not.toMatch(/\/bin\/true|\/bin\/date|\/bin\/ls \//);
    for (const x of wr) expect(['', writer.name]).toContain(x.CONTAINER!.text);
  });

  it('engine socket missing: live still runs, the containers\' processes show by id, the reason is said once', async () => {
    const hr = hostRootWithoutSockets(path.join(tmp, 'no-socket'));
    const r = await cli(['--json', '-pc', '-v', 'procs', '-M', '3', '-d', '1000', `container.id=${writer.shortId}`], { HOST_ROOT: hr });
    expect(r.status, r.stderr).toBe(0);
    const why = r.stderr.split('\n').filter((l) => l.includes('docker:'));
    expect(why, r.stderr).toEqual([`tsysdig: warning: docker: ${hr}/var/run/docker.sock not found — showing container ids only`]);
    const rows = finalJsonRows(r.stdout);
    expect(rows.map((x) => x.Command!.text).join('\n')).toMatch(/out\.txt/);
    // No name known: never a wrong one. A row first seen before the lookup failed keeps its empty
    // first value (the column keeps the first value, as csysdig's); later ones show the id.
    for (const x of rows) expect(['', writer.shortId]).toContain(x.CONTAINER!.text);
  });

  it('engine socket hung (accepts, never answers): live still ends on time, the reason is said once', async () => {
    const hr = hostRootWithoutSockets(path.join(tmp, 'hung'));
    const sock = path.join(hr, 'var', 'run', 'docker.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((s) => void held.push(s));
    await new Promise<void>((res) => server.listen(sock, res));
    try {
      const r = await cli(['--json', '-pc', '-v', 'procs', '-M', '4', '-d', '1000', `container.id=${writer.shortId}`], { HOST_ROOT: hr });
      expect(r.status, r.stderr).toBe(0);
      expect(held.length, 'tsysdig never connected to the hung socket').toBeGreaterThan(0);
      const why = r.stderr.split('\n').filter((l) => l.includes('docker:'));
      expect(why, r.stderr).toHaveLength(1);
      expect(why[0]).toContain(sock);
      expect(why[0]).toMatch(/showing container ids only$/);
      // -M 4 of capture time, not stuck behind the engine (start-up included)
      expect(r.ms).toBeLessThan(20_000);
      const rows = finalJsonRows(r.stdout);
      expect(rows.map((x) => x.Command!.text).join('\n')).toMatch(/out\.txt/);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    }
  });

  // Without metadata a container's name is its id (sysdig would show no row: docs/compat.md).
  it('engine socket missing: the containers view lists the containers by id', async () => {
    const hr = hostRootWithoutSockets(path.join(tmp, 'no-socket-view'));
    const r = await cli(['--json', '-vcontainers', '-M', '3', '-d', '1000'], { HOST_ROOT: hr });
    expect(r.status, r.stderr).toBe(0);
    const rows = finalJsonRows(r.stdout);
    expect(rows.map((x) => x.ID!.text)).toEqual(expect.arrayContaining([writer.shortId, spawner.shortId]));
    for (const c of [writer, spawner]) expect(rows.find((x) => x.ID!.text === c.shortId)!.NAME!.text).toBe(c.shortId);
  });

  it('the -w capture replays with the same names and images after the containers are gone, with no engine socket', async () => {
    await removeContainers();
    const hr = hostRootWithoutSockets(path.join(tmp, 'replay'));
    const r = await cli(['--json', '--final', '-vcontainers', '-r', cap], { HOST_ROOT: hr });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const rows = finalJsonRows(r.stdout);
    for (const c of [writer, spawner]) {
      const row = rows.find((x) => x.ID!.text === c.shortId);
      expect(row, `no row for ${c.name}`).toBeDefined();
      expect(row!.NAME!.text).toBe(c.name);
      expect(row!.IMAGE!.text).toBe(TEST_IMAGE);
      expect(row!.ENGINE!.text).toBe('docker');
    }
    expect(rows.find((x) => x.ID!.text === writer.shortId)!.FILE!.raw).toBeGreaterThan(0);
  });
});
