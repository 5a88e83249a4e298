/** Shared helpers of the writer tests (test/capture/writer*.test.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CaptureSink } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import { SnapshotRecorder } from '../../src/capture/writer/snapshot.js';
import { StateEngine } from '../../src/state/engine.js';
import { RecordingSink } from './helpers.js';

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The uncompressed bytes of a capture file (plain or gzip). */
export function captureBytes(path: string): Buffer {
  const raw = readFileSync(path);
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Runs a program (no shell); output decoded as latin1 so every byte compares. */
export function run(cmd: string, args: string[]): RunResult {
  const r = spawnSync(cmd, args, { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
  return { stdout: r.stdout?.toString('latin1') ?? '', stderr: r.stderr?.toString('latin1') ?? '', status: r.status };
}

/** Why sysdig/csysdig 0.29.3 cannot be used here, or null when they can. */
export function referenceToolsMissing(): string | null {
  for (const tool of ['sysdig', 'csysdig']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'latin1' });
    if (r.error !== undefined || r.status !== 0) return `${tool} is not installed (${r.error?.message ?? `exit ${r.status}`})`;
    if (!/0\.29\.3/.test(r.stdout)) return `${tool} is not version 0.29.3 (${r.stdout.trim()})`;
  }
  return null;
}

/** Everything a capture delivers (events copied). */
export async function readAll(path: string): Promise<RecordingSink> {
  const sink = new RecordingSink();
  await readCapture(path, sink);
  return sink;
}

/** JSON for comparisons: bigints and byte arrays as strings. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x,
  );
}

/**
 * The state engine's tables after a capture's metadata blocks (before its
 * first event), in a comparable form: every snapshot field of every thread,
 * the fd table it uses, and the machine, user and interface lists.
 */
export async function stateSnapshot(path: string): Promise<{ threads: unknown[]; machine: unknown; users: unknown; interfaces: unknown }> {
  const engine = new StateEngine();
  const rec = new SnapshotRecorder();
  const sink: CaptureSink = {
    onMachineInfo: (mi) => engine.onMachineInfo(mi),
    onThread: (t) => engine.onThread(t),
    onFd: (pid, fd) => engine.onFd(pid, fd),
    onInterface: (i) => {
      engine.onInterface(i);
      rec.onInterface(i);
    },
    onUser: (u) => {
      engine.onUser(u);
      rec.onUser(u);
    },
    onGroup: (g) => {
      engine.onGroup(g);
      rec.onGroup(g);
    },
    onEvent: () => false,
  };
  await readCapture(path, sink);
  const threads = [...engine.threads.values()]
    .sort((a, b) => a.tid - b.tid)
    .map((t) => ({
      tid: t.tid, pid: t.pid, ptid: t.ptid, sid: t.sid, vpgid: t.vpgid, vtid: t.vtid, vpid: t.vpid,
      comm: t.comm, exe: t.exe, exepath: t.exepath, args: t.args, env: t.env, cwd: t.cwd, root: t.root,
      fdlimit: t.fdlimit, flags: t.flags, uid: t.uid, gid: t.gid, loginuid: t.loginuid, tty: t.tty,
      vmsizeKb: t.vmsizeKb, vmrssKb: t.vmrssKb, vmswapKb: t.vmswapKb, pfmajor: t.pfmajor, pfminor: t.pfminor,
      exeWritable: t.exeWritable, cgroups: t.cgroups, containerId: t.containerId, nchilds: t.nchilds,
      sharesFds: t.fdOwner !== null && t.fdOwner !== t,
      fds: [...t.fds.entries()].sort((a, b) => a[0] - b[0]).map(([num, f]) => ({ num, ...f })),
    }));
  const machine = engine.machine;
  return { threads, machine, users: { users: rec.users, groups: rec.groups }, interfaces: rec.interfaces };
}
