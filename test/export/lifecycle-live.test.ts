/**
 * The lifecycle stream live (root, BPF): a child with known arguments that
 * exits with code 3 shows as an exec (binary, arguments, cwd, parent) and an
 * exit with status 3 joined by exec_id; in a real Docker container the
 * container fields are filled. Skipped, with the reason printed, without
 * root/BPF (or Docker for the container part).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';
import { TEST_IMAGE, ensureDocker, removeContainers, runContainer } from '../helpers/docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const live = liveSkipReason();
if (live !== null) console.log(`[test/export] live lifecycle tests skipped: ${live}`);
const describeLive = live === null ? describe : describe.skip;

interface Proc {
  exec_id: string;
  pid: number;
  binary: string;
  arguments?: string;
  cwd?: string;
  parent_exec_id?: string;
  pod?: { container: { id: string; name: string; image: { name: string } } };
  docker?: string;
}
interface Rec {
  process_exec?: { process: Proc; parent?: Proc };
  process_exit?: { process: Proc; status?: number };
}

/** Runs tsysdig --lifecycle --json for `seconds`, calling `during` once the probe is attached. */
function lifecycle(args: string[], during: () => void): Promise<{ status: number | null; recs: Rec[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), '--lifecycle', '--json', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // the probe attaches within a second or two; act a few times to be sure one is seen whole
    const timers = [2000, 3000, 4000, 5000].map((ms) => setTimeout(during, ms));
    child.on('close', (status) => {
      timers.forEach(clearTimeout);
      const recs = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Rec);
      resolve({ status, recs, stderr: err });
    });
  });
}

describeLive('lifecycle stream, live', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-lc-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a child exiting with 3: exec with binary, arguments, cwd, parent; exit with status 3, same exec_id', async () => {
    const marker = `tsysdig-lc-${process.pid}`;
    const r = await lifecycle(['-M', '7', '--process', 'sh'], () => {
      spawn('/bin/sh', ['-c', 'sleep 0.2; exit 3', marker], { cwd: tmp, stdio: 'ignore' });
    });
    expect(r.status, r.stderr).toBe(0);
    const execs = r.recs.filter((x) => x.process_exec?.process.arguments === `-c sleep 0.2; exit 3 ${marker}`);
    expect(execs.length, `no exec of our child in ${r.recs.length} records`).toBeGreaterThan(0);
    const e = execs[0]!.process_exec!;
    expect(e.process.binary).toMatch(/\/(ba|da)?sh$/);
    expect(e.process.cwd).toBe(fs.realpathSync(tmp));
    expect(e.parent?.pid).toBe(process.pid);
    expect(e.process.parent_exec_id).toBe(e.parent!.exec_id);
    const exit = r.recs.find((x) => x.process_exit?.process.exec_id === e.process.exec_id);
    expect(exit, 'the exit carries the exec_id of its exec').toBeDefined();
    expect(exit!.process_exit!.status).toBe(3);
    expect(exit!.process_exit!.process.pid).toBe(e.process.pid);
  });
});

const docker = live === null ? await ensureDocker() : ({ ok: false, reason: live } as const);
if (!docker.ok) console.log(`[test/export] lifecycle Docker test skipped: ${docker.reason}`);

(docker.ok ? describe : describe.skip)('lifecycle stream, live, in a Docker container', () => {
  afterAll(async () => {
    await removeContainers();
  });

  it('a process in a container carries the container id, name and image', async () => {
    const c = await runContainer({ name: 'tsysdig-lc-spawner', workload: 'spawner' });
    const r = await lifecycle(['-M', '10', '--process', 'date', `container.id=${c.shortId}`], () => {});
    expect(r.status, r.stderr).toBe(0);
    const execs = r.recs.filter((x) => x.process_exec).map((x) => x.process_exec!);
    expect(execs.length, `no exec in ${c.name}: ${r.stderr}`).toBeGreaterThan(0);
    // every exec is in the container; its name and image once docker's metadata arrived (within a second or so)
    for (const x of execs) expect(x.process.pod?.container.id).toBe(c.id);
    const e = execs.find((x) => x.process.pod!.container.name !== '');
    expect(e, 'no exec after the container metadata arrived').toBeDefined();
    expect(e!.process.binary).toMatch(/date/);
    expect(e!.process.pod!.container.name).toBe(c.name);
    expect(e!.process.pod!.container.id).toBe(c.id);
    expect(e!.process.pod!.container.image.name).toBe(TEST_IMAGE);
    expect(e!.process.docker).toBe(c.id.slice(0, 31));
    expect(r.recs.some((x) => x.process_exit?.process.exec_id === e!.process.exec_id)).toBe(true);
  });
});
