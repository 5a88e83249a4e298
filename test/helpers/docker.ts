/**
 * Real-Docker harness for tests (CI runs them as root).
 *
 * ensureDocker():
 *  - installs docker.io and busybox-static from Debian when missing (apt-get install -y);
 *  - starts `dockerd --iptables=false --bridge=none` in the background when no
 *    daemon answers on /var/run/docker.sock (log: $TMPDIR/tsysdig-dockerd.log),
 *    waits for the socket and leaves the daemon running;
 *  - builds the image `tsysdig-busybox` offline: a temp folder holding
 *    /bin/busybox (busybox-static) and its applet links (`busybox --install -s`,
 *    run chrooted so the links point at /bin/busybox), imported with
 *    `tar -C rootfs -c . | docker import - tsysdig-busybox`.
 * It never throws: when something is missing (not root, no engine, no image)
 * it says why, for the caller to skip its tests with that reason printed:
 *
 *   const docker = await ensureDocker();
 *   const describeDocker = dockerDescribe(docker);   // describe, or describe.skip + console.log(reason)
 *
 * Containers run with `--network none` (no bridge on this machine) and known
 * workloads: 'writer' appends to a file in a loop, 'spawner' starts
 * short-lived processes, 'sleeper' just waits. Names get a per-process suffix
 * so concurrent runs do not collide; removeContainers() removes them.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const TEST_IMAGE = 'tsysdig-busybox';
export const DOCKERD_LOG = path.join(os.tmpdir(), 'tsysdig-dockerd.log');

export type DockerEnv = { ok: true; socket: string; image: string; version: string } | { ok: false; reason: string };

/** Result of one ensureDocker() per test process. */
let cached: Promise<DockerEnv> | null = null;

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

function run(cmd: string, args: string[], opts: { input?: Buffer; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolve({ code, stdout, stderr: stderr || (err !== null ? err.message : '') });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** GET on the docker socket; status 0 when nothing answers. */
export function dockerApi(apiPath: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: DOCKER_SOCKET, path: apiPath, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

async function pingDocker(): Promise<boolean> {
  return (await dockerApi('/_ping')).status === 200;
}

function dpkgInstalled(pkg: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
  } catch {
    return false;
  }
}

async function aptInstall(pkgs: string[]): Promise<string | null> {
  if (which('apt-get') === null) return `${pkgs.join(', ')} missing and no apt-get to install ${pkgs.length > 1 ? 'them' : 'it'}`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = await new Promise<{ code: number; err: string }>((resolve) => {
    execFile('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) =>
      resolve({ code: err === null ? 0 : 1, err: String(stderr).trim().split('\n').slice(-2).join(' ') }),
    );
  });
  return r.code === 0 ? null : `apt-get install -y ${pkgs.join(' ')} failed: ${r.err}`;
}

async function startDockerd(): Promise<string | null> {
  const dockerd = which('dockerd');
  if (dockerd === null) return 'dockerd not found';
  const log = fs.openSync(DOCKERD_LOG, 'a');
  fs.writeSync(log, `\n--- ${new Date().toISOString()} started by tsysdig tests (pid ${process.pid})\n`);
  const child = spawn(dockerd, ['--iptables=false', '--bridge=none'], { detached: true, stdio: ['ignore', log, log] });
  child.on('error', () => {});
  child.unref();
  fs.closeSync(log);
  // Another test run may be starting a daemon too (dockerd then refuses its pid file): just wait for the socket.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await pingDocker()) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
  let tail = '';
  try {
    tail = fs.readFileSync(DOCKERD_LOG, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    // no log
  }
  return `dockerd did not answer on ${DOCKER_SOCKET} within 60 s (log ${DOCKERD_LOG}: ${tail})`;
}

async function imageExists(): Promise<boolean> {
  return (await dockerApi(`/images/${TEST_IMAGE}/json`)).status === 200;
}

/** Builds tsysdig-busybox from busybox-static, offline. */
async function buildImage(): Promise<string | null> {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (busybox === undefined) return 'busybox not found';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-rootfs-'));
  try {
    for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(root, d));
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\n');
    // Chrooted, the applet links point at /bin/busybox inside the image.
    let r = await run('chroot', [root, '/bin/busybox', '--install', '-s', '/bin']);
    if (r.code !== 0) return `busybox --install -s failed: ${r.stderr.trim()}`;
    if (!fs.existsSync(path.join(root, 'bin', 'sh'))) return 'busybox --install -s made no /bin/sh';
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 256 * 1024 * 1024 });
    r = await run('docker', ['import', '-', TEST_IMAGE], { input: tar });
    if (r.code !== 0) return `docker import failed: ${r.stderr.trim()}`;
    return null;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function ensure(): Promise<DockerEnv> {
  if (process.platform !== 'linux') return { ok: false, reason: 'not Linux' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not root (docker tests need root)' };
  const missing: string[] = [];
  if (which('dockerd') === null || which('docker') === null) missing.push('docker.io');
  if (!dpkgInstalled('busybox-static') && !['/bin/busybox', '/usr/bin/busybox'].some((p) => fs.existsSync(p))) missing.push('busybox-static');
  if (missing.length > 0) {
    const err = await aptInstall(missing);
    if (err !== null) return { ok: false, reason: err };
  }
  if (!(await pingDocker())) {
    const err = await startDockerd();
    if (err !== null) return { ok: false, reason: err };
  }
  if (!(await imageExists())) {
    const err = await buildImage();
    if (err !== null) return { ok: false, reason: err };
    if (!(await imageExists())) return { ok: false, reason: `image ${TEST_IMAGE} missing after docker import` };
  }
  // A container must actually start (cgroups, overlayfs, runc).
  const probe = `tsysdig-probe-${process.pid}`;
  const r = await run('docker', ['run', '--rm', '--network', 'none', '--name', probe, TEST_IMAGE, '/bin/true'], { timeoutMs: 60_000 });
  if (r.code !== 0) return { ok: false, reason: `docker cannot run containers: ${r.stderr.trim().split('\n')[0]}` };
  const v = await dockerApi('/version');
  let version = '';
  try {
    version = (JSON.parse(v.body) as { Version?: string }).Version ?? '';
  } catch {
    // unknown
  }
  return { ok: true, socket: DOCKER_SOCKET, image: TEST_IMAGE, version };
}

/** Makes sure a Docker engine and the test image are there (once per test process). */
export function ensureDocker(): Promise<DockerEnv> {
  cached ??= ensure().catch((err: unknown) => ({ ok: false as const, reason: `docker harness failed: ${err instanceof Error ? err.message : String(err)}` }));
  return cached;
}

/** `describe` when Docker is usable, else `describe.skip` after printing why. */
export function dockerDescribe(env: DockerEnv): typeof describe | typeof describe.skip {
  if (env.ok) return describe;
  console.log(`[docker tests skipped] ${env.reason}`);
  return describe.skip;
}

export type Workload = 'writer' | 'spawner' | 'sleeper';

const SCRIPTS: Record<Workload, string> = {
  writer: 'i=0; while true; do i=$((i+1)); echo "tick $i" >> /tmp/out.txt; sleep 0.2; done',
  spawner: 'while true; do /bin/true; /bin/date > /dev/null; /bin/ls / > /dev/null; sleep 0.2; done',
  sleeper: 'while true; do sleep 1; done',
};

export interface RunOptions {
  /** Base name; a per-process suffix is appended. */
  name: string;
  workload: Workload;
  labels?: Record<string, string>;
  privileged?: boolean;
  /** More `docker run` arguments. */
  extra?: string[];
}

export interface RunningContainer {
  name: string;
  /** Full 64-digit id. */
  id: string;
  /** 12-digit id, as tsysdig and sysdig show it. */
  shortId: string;
  /** Host pid of the container's first process (0 when only created). */
  pid: number;
  /** False when the container could only be created (see `note`). */
  running: boolean;
  /** Why a container asked to run was only created. */
  note?: string;
}

const started = new Set<string>();

/** Name used for a base name in this test process. */
export function containerName(base: string): string {
  return `${base}-${process.pid}`;
}

function createArgs(verb: 'run' | 'create', name: string, o: RunOptions): string[] {
  const args = verb === 'run' ? ['run', '-d'] : ['create'];
  args.push('--name', name, '--network', 'none');
  for (const [k, v] of Object.entries(o.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (o.privileged === true) args.push('--privileged');
  args.push(...(o.extra ?? []), TEST_IMAGE, '/bin/sh', '-c', SCRIPTS[o.workload]);
  return args;
}

async function describeCreated(name: string, id: string, note?: string): Promise<RunningContainer> {
  const insp = await dockerApi(`/containers/${id}/json`);
  const pid = (JSON.parse(insp.body) as { State: { Pid: number } }).State.Pid;
  return { name, id, shortId: id.slice(0, 12), pid, running: pid > 0, ...(note !== undefined ? { note } : {}) };
}

/**
 * Starts a named container running a known workload. A privileged container
 * needs every capability: where the test runner lacks some (a sandboxed CI),
 * runc cannot start it, and it is only created (running: false, note says
 * why) — its metadata is the same.
 */
export async function runContainer(o: RunOptions): Promise<RunningContainer> {
  const name = containerName(o.name);
  await run('docker', ['rm', '-f', name]);
  const r = await run('docker', createArgs('run', name, o), { timeoutMs: 60_000 });
  if (r.code !== 0) {
    const err = r.stderr.trim();
    await run('docker', ['rm', '-f', name]);
    if (o.privileged === true && /apply caps|operation not permitted/.test(err)) {
      const c = await run('docker', createArgs('create', name, o), { timeoutMs: 60_000 });
      if (c.code !== 0) throw new Error(`docker create ${name} failed: ${c.stderr.trim()}`);
      started.add(name);
      return describeCreated(name, c.stdout.trim().split('\n').pop()!, `privileged container created but not started: ${err.split('\n')[0]}`);
    }
    throw new Error(`docker run ${name} failed: ${err}`);
  }
  started.add(name);
  return describeCreated(name, r.stdout.trim().split('\n').pop()!);
}

/** Removes containers (by name or id); defaults to every container this process started. */
export async function removeContainers(names: string[] = [...started]): Promise<void> {
  if (names.length === 0) return;
  await run('docker', ['rm', '-f', ...names]);
  for (const n of names) started.delete(n);
}

/** Runs the docker CLI; resolves with its output (throws on failure). */
export async function docker(...args: string[]): Promise<string> {
  const r = await run('docker', args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}
