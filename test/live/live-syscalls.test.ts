/**
 * Live capture of the wider syscall set, driven by a small C workload
 * (test/live/workload.c, compiled here with clang) whose every call and
 * result is known: each captured event is compared with what the workload
 * reports it did.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScapEvent } from '../../src/event/scap-event.js';
import { Capture, checkShape, liveSkipReason, run, tuple4 } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let tmp = '';
let WL = '';

function buildWorkload(): string | null {
  try {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-wl-'));
    WL = path.join(tmp, 'workload');
    execFileSync('clang', ['-O1', '-pthread', '-o', WL, path.join(here, 'workload.c')], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot compile test/live/workload.c with clang (${(err as Error).message.split('\n')[0]})`;
  }
}

let reason = liveSkipReason();
if (!reason) reason = buildWorkload();
if (reason) console.log(`[test/live] live syscall tests skipped: ${reason}`);
const describeLive = reason ? describe.skip : describe;

/** Events of pid after its (last) successful execve: what the workload binary itself did. */
function afterExec(cap: Capture, pid: number): ScapEvent[] {
  const all = cap.ofPid(pid);
  const exec = all.filter((ev) => ev.info.name === 'execve' && !ev.isEnter && ev.i64(0) === 0).pop();
  return exec ? all.filter((ev) => ev.num > exec.num) : all;
}

/** The exit event following enter `e` on the same thread. */
function exitOf(evs: ScapEvent[], e: ScapEvent): ScapEvent | undefined {
  return evs.find((x) => x.tid === e.tid && x.num > e.num && x.type === e.type + 1);
}

describeLive('live capture: file, fd, socket and process syscalls', () => {
  let cap: Capture;

  beforeAll(() => {
    cap = new Capture({ snaplen: 80 });
    cap.start();
  });

  afterAll(async () => {
    if (cap) await cap.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('files: creat, open, openat2, vectored/positioned I/O, pipes, dups, eventfd, sendfile, names', async () => {
    const dir = path.join(tmp, 'files');
    fs.mkdirSync(dir);
    const r = await run(WL, ['files', dir]);
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    await cap.waitExit(r.pid);
    const all = afterExec(cap, r.pid);
    const x = (name: string) => all.filter((ev) => ev.info.name === name && !ev.isEnter);
    const e = (name: string) => all.filter((ev) => ev.info.name === name && ev.isEnter);

    const creatX = x('creat');
    expect(creatX).toHaveLength(1);
    expect(creatX[0]!.i64(0)).toBe(w.cfd);
    expect(creatX[0]!.str(1)).toBe(path.join(dir, 'creat.txt'));
    expect(creatX[0]!.u32(2)).toBe(0o640);
    expect(e('creat')[0]!.u32(1)).toBe(0o640);

    const openX = x('open');
    expect(openX).toHaveLength(1);
    expect(openX[0]!.i64(0)).toBe(w.ofd);
    expect(openX[0]!.u32(2)).toBe(3 | 8); // PPM_O_RDWR | PPM_O_APPEND
    expect(openX[0]!.u32(4)).not.toBe(0); // dev

    const o2 = x('openat2');
    expect(o2).toHaveLength(1);
    expect(o2[0]!.i64(0)).toBe(w.o2fd);
    expect(o2[0]!.i64(1)).toBe(w.dfd);
    expect(o2[0]!.str(2)).toBe('creat.txt');
    expect(o2[0]!.u32(3)).toBe(1 | (1 << 12)); // RDONLY | CLOEXEC
    expect(o2[0]!.u32(5)).toBe(1); // PPM_RESOLVE_BENEATH

    const wv = x('writev');
    expect(wv).toHaveLength(1);
    expect(wv[0]!.i64(0)).toBe(12);
    expect(wv[0]!.bytes(1).toString()).toBe('hello vector');
    expect(e('writev')[0]!.i64(0)).toBe(w.cfd);
    expect(e('writev')[0]!.u32(1)).toBe(12);

    const pwE = e('pwrite')[0]!;
    expect([pwE.i64(0), pwE.u32(1), pwE.u64(2)]).toEqual([w.cfd, 2, 100]);
    expect(exitOf(all, pwE)!.bytes(1).toString()).toBe('PW');
    const pwvE = e('pwritev')[0]!;
    expect([pwvE.i64(0), pwvE.u32(1), pwvE.u64(2)]).toEqual([w.cfd, 4, 200]);
    expect(exitOf(all, pwvE)!.bytes(1).toString()).toBe('abcd');
    const prE = e('pread').find((ev) => ev.i64(0) === w.o2fd)!;
    expect([prE.u32(1), prE.u64(2)]).toEqual([5, 0]);
    expect(exitOf(all, prE)!.bytes(1).toString()).toBe('hello');
    const rvX = x('readv').filter((ev) => ev.i64(0) === w.rv);
    expect(rvX).toHaveLength(1);
    expect(rvX[0]!.u32(1)).toBe(12);
    expect(rvX[0]!.bytes(2).toString()).toBe('hello vector');
    const prvE = e('preadv')[0]!;
    expect([prvE.i64(0), prvE.u64(1)]).toEqual([w.o2fd, 6]);
    expect(exitOf(all, prvE)!.bytes(2).subarray(0, 6).toString()).toBe('vector');

    const pipes = x('pipe');
    expect(pipes.map((ev) => [ev.i64(0), ev.i64(1), ev.i64(2)])).toEqual([
      [0, ...w.pipe],
      [0, ...w.pipe2],
    ]);
    expect(pipes[0]!.u64(3)).toBeGreaterThan(0); // ino

    const dups = x('dup').map((ev) => ev.i64(0));
    expect(dups).toEqual(expect.arrayContaining([w.dup, w.dup2, w.dup3]));
    const ef = x('eventfd');
    expect(ef.map((ev) => ev.i64(0))).toEqual([w.efd]);
    expect(e('eventfd')[0]!.u64(0)).toBe(7);

    const sfE = e('sendfile')[0]!;
    expect([sfE.i64(0), sfE.i64(1), sfE.u64(2), sfE.u64(3)]).toEqual([w.pipe[1], w.o2fd, 0, 5]);
    const sfX = exitOf(all, sfE)!;
    expect([sfX.i64(0), sfX.u64(1)]).toEqual([5, 5]);

    expect(e('mkdir')[0]!.u32(0)).toBe(0o750);
    expect(x('mkdir').map((ev) => [ev.i64(0), ev.str(1)])).toEqual([[0, 'sub']]);
    expect(x('mkdirat').map((ev) => [ev.i64(0), ev.i64(1), ev.str(2), ev.u32(3)])).toEqual([[0, w.dfd, 'sub2', 0o700]]);
    expect(x('rename').map((ev) => [ev.i64(0), ev.str(1), ev.str(2)])).toEqual([[0, 'creat.txt', 'renamed.txt']]);
    expect(x('renameat').map((ev) => [ev.i64(0), ev.i64(1), ev.str(2), ev.i64(3), ev.str(4)])).toEqual([
      [0, w.dfd, 'renamed.txt', w.dfd, 'renamed2.txt'],
    ]);
    expect(x('renameat2').map((ev) => [ev.i64(0), ev.str(2), ev.str(4), ev.u32(5)])).toEqual([[0, 'renamed2.txt', 'renamed3.txt', 1]]);
    expect(x('chdir').map((ev) => [ev.i64(0), ev.str(1)])).toEqual([
      [0, dir],
      [0, 'sub'],
    ]);
    expect(e('fchdir').map((ev) => ev.i64(0))).toEqual([w.dfd]);
    expect(x('unlinkat').map((ev) => [ev.i64(0), ev.i64(1), ev.str(2), ev.u32(3)])).toEqual([[0, w.dfd, 'sub2', 0x200]]);
    expect(x('rmdir').map((ev) => [ev.i64(0), ev.str(1)])).toEqual([[0, 'sub']]);
    expect(x('unlink').map((ev) => [ev.i64(0), ev.str(1)])).toEqual([
      [0, path.join(dir, 'renamed3.txt')],
      [-w.uerr, 'does-not-exist'],
    ]);
  });

  it('net: UDP sendto/recvfrom/sendmsg/recvmsg tuples, unix stream, IPv6 TCP, shutdown', async () => {
    const r = await run(WL, ['net']);
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    await cap.waitExit(r.pid);
    const all = afterExec(cap, r.pid);
    const x = (name: string) => all.filter((ev) => ev.info.name === name && !ev.isEnter);
    const e = (name: string) => all.filter((ev) => ev.info.name === name && ev.isEnter);

    const sockets = e('socket').map((ev) => [ev.u32(0), ev.u32(1)]);
    expect(sockets.slice(0, 2)).toEqual([
      [2, 2],
      [2, 2],
    ]); // AF_INET, SOCK_DGRAM
    expect(x('socket').slice(0, 2).map((ev) => ev.i64(0))).toEqual([w.u1, w.u2]);

    const stE = e('sendto')[0]!;
    expect([stE.i64(0), stE.u32(1)]).toEqual([w.u1, 10]);
    expect(tuple4(stE.bytes(2))).toEqual({ family: 2, sip: '127.0.0.1', sport: w.p1, dip: '127.0.0.1', dport: w.p2 });
    expect(exitOf(all, stE)!.bytes(1).toString()).toBe('datagram-1');
    const rf = x('recvfrom')[0]!;
    expect(rf.i64(0)).toBe(10);
    expect(rf.bytes(1).toString()).toBe('datagram-1');
    // inbound: source is the remote (sender) end
    expect(tuple4(rf.bytes(2))).toEqual({ family: 2, sip: '127.0.0.1', sport: w.p1, dip: '127.0.0.1', dport: w.p2 });

    const smE = e('sendmsg')[0]!;
    expect([smE.i64(0), smE.u32(1)]).toEqual([w.u2, 7]);
    expect(tuple4(smE.bytes(2))).toEqual({ family: 2, sip: '127.0.0.1', sport: w.p2, dip: '127.0.0.1', dport: w.p1 });
    expect(exitOf(all, smE)!.bytes(1).toString()).toBe('msg-two');
    const rm = x('recvmsg')[0]!;
    expect([rm.i64(0), rm.u32(1)]).toEqual([7, 7]);
    expect(rm.bytes(2).toString()).toBe('msg-two');
    expect(tuple4(rm.bytes(3))).toEqual({ family: 2, sip: '127.0.0.1', sport: w.p2, dip: '127.0.0.1', dport: w.p1 });

    // unix stream: bind/connect sockaddr is the path; tuples carry the path too
    const unixAddr = Buffer.concat([Buffer.from([1]), Buffer.from(w.path + '\0')]);
    expect(x('bind').find((ev) => ev.bytes(1)[0] === 1)!.bytes(1).equals(unixAddr)).toBe(true);
    const ucE = e('connect').find((ev) => ev.i64(0) === w.cs)!;
    expect(ucE.bytes(1).equals(unixAddr)).toBe(true);
    const ucX = exitOf(all, ucE)!;
    expect(ucX.i64(0)).toBe(0);
    const ut = ucX.bytes(1);
    expect(ut[0]).toBe(1);
    expect(ut.subarray(17).toString()).toBe(w.path + '\0');
    const ua = x('accept').find((ev) => ev.i64(0) === w.as)!;
    const uat = ua.bytes(1);
    expect(uat[0]).toBe(1);
    // both ends name the same two kernel sockets, in the same order
    expect(uat.subarray(1, 17).equals(ut.subarray(1, 17))).toBe(true);
    expect(ua.u32(4)).toBe(4); // queuemax = listen backlog
    expect(e('listen').find((ev) => ev.i64(0) === w.ls)!.u32(1)).toBe(4);
    const shE = e('shutdown')[0]!;
    expect([shE.i64(0), shE.u8(1)]).toEqual([w.cs, 1]);
    expect(exitOf(all, shE)!.i64(0)).toBe(0);

    if (w.v6ok) {
      const c6 = x('connect').find((ev) => ev.bytes(1)[0] === 10)!;
      const t = c6.bytes(1);
      expect(t.length).toBe(37);
      const lo6 = Buffer.alloc(16);
      lo6[15] = 1;
      expect(t.subarray(1, 17).equals(lo6)).toBe(true);
      expect(t.readUInt16LE(17)).toBe(w.v6cport);
      expect(t.subarray(19, 35).equals(lo6)).toBe(true);
      expect(t.readUInt16LE(35)).toBe(w.v6port);
      const a6 = x('accept').find((ev) => ev.type === 249 && ev.i64(0) >= 0)!; // accept4
      expect(a6.bytes(1).equals(t)).toBe(true);
    }
  });

  it('threads and execveat: clone3 flags on both sides, execveat exit', async () => {
    const r = await run(WL, ['thread']);
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    await cap.waitExit(r.pid);
    const forks = cap.find((ev) => !ev.isEnter && (ev.info.name === 'clone3' || ev.info.name === 'clone') && (ev.tid === w.tid || ev.i64(0) === w.tid));
    expect(forks).toHaveLength(2);
    const parent = forks.find((ev) => ev.i64(0) === w.tid)!;
    const child = forks.find((ev) => ev.tid === w.tid)!;
    expect(child.i64(0)).toBe(0);
    expect(child.i64(3)).toBe(w.tid); // tid
    expect(child.i64(4)).toBe(r.pid); // pid: same process
    const CLONE_THREAD = 1 << 13, CLONE_VM = 1 << 15;
    expect(parent.u32(15) & (CLONE_THREAD | CLONE_VM)).toBe(CLONE_THREAD | CLONE_VM);
    expect(child.u32(15)).toBe(parent.u32(15));
    await cap.waitExit(w.tid);

    const ee = cap.ofPid(r.pid, 'execveat').filter((ev) => ev.isEnter);
    expect(ee.map((ev) => [ev.i64(0), ev.str(1), ev.u32(2)])).toEqual([[-100, '/bin/true', 0]]);
    const ex = cap.ofPid(r.pid, 'execveat').filter((ev) => !ev.isEnter);
    expect(ex).toHaveLength(1);
    expect(ex[0]!.i64(0)).toBe(0);
    expect(ex[0]!.str(1)).toBe('true-via-execveat');
    expect(ex[0]!.bytes(2).toString()).toBe('x\0');
    expect(ex[0]!.bytes(15).toString()).toBe('TSYSDIG_WL=1\0'); // env
    expect(ex[0]!.str(13)).toBe('true'); // comm
  });

  it('every captured event matches the event table shape, and nothing was lost', () => {
    const problems = new Set<string>();
    cap.find((ev) => {
      const p = checkShape(ev);
      if (p) problems.add(p);
      return false;
    });
    expect([...problems]).toEqual([]);
    const st = cap.src.stats();
    expect([st.malformed, st.dropsBug, st.dropsFull]).toEqual([0, 0, 0]);
  });
});
