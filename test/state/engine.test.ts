/**
 * State engine: fd tables and thread lifecycle after known event sequences.
 */
import { describe, expect, it } from 'vitest';
import { FdType } from '../../src/capture/records.js';
import { EV } from '../../src/event/event-ids.js';
import { StateEngine } from '../../src/state/engine.js';
import { formatEventLine } from '../../src/format/event-line.js';
import { decode, encodeEvent, i64, list, sockaddr4, str, tuple4, u32, u64 } from '../helpers/event-builder.js';

const TID = 100;
let clock = 1_700_000_000_000_000_000n;

function feed(engine: StateEngine, type: number, params: Buffer[], tid = TID): ReturnType<typeof decode> {
  clock += 1000n;
  const ev = decode(encodeEvent(type, tid, clock, params));
  engine.process(ev);
  return ev;
}

/** A process known from the capture's process list. */
function engineWithProcess(): StateEngine {
  const e = new StateEngine();
  e.onThread({
    tid: TID, pid: TID, ptid: 1, sid: 0, vpgid: 0, comm: 'app', exe: '/usr/bin/app', exepath: '/usr/bin/app',
    args: ['-x'], env: [], cwd: '/home/u', fdlimit: 1024, flags: 0, uid: 1000, gid: 1000, vmsizeKb: 0, vmrssKb: 0,
    vmswapKb: 0, pfmajor: 0, pfminor: 0, vtid: TID, vpid: TID, cgroups: [], root: '/', loginuid: 1000,
    exeWritable: false, cloneTs: 0, tty: 0,
  });
  return e;
}

function openat(e: StateEngine, fd: number, name: string, tid = TID): void {
  feed(e, EV.OPENAT_2_E, [i64(-100), str(name), u32(1), u32(0)], tid);
  feed(e, EV.OPENAT_2_X, [i64(fd), i64(-100), str(name), u32(1), u32(0), u32(0)], tid);
}

function close(e: StateEngine, fd: number, tid = TID): void {
  feed(e, EV.CLOSE_E, [i64(fd)], tid);
  feed(e, EV.CLOSE_X, [i64(0)], tid);
}

describe('fd table', () => {
  it('tracks open, socket+connect, dup, pipe and close', () => {
    const e = engineWithProcess();
    openat(e, 3, 'notes.txt');
    feed(e, EV.SOCKET_E, [u32(2), u32(1), u32(0)]);
    feed(e, EV.SOCKET_X, [i64(4)]);
    feed(e, EV.CONNECT_E, [i64(4), sockaddr4('10.0.0.2', 80)]);
    feed(e, EV.CONNECT_X, [i64(0), tuple4('10.0.0.1', 40000, '10.0.0.2', 80)]);
    feed(e, EV.DUP_E, [i64(3)]);
    feed(e, EV.DUP_X, [i64(5)]);
    feed(e, EV.PIPE_E, []);
    feed(e, EV.PIPE_X, [i64(0), i64(6), i64(7), u64(999)]);
    const t = e.threads.get(TID)!;
    expect([...t.fds.keys()].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(t.getFd(3)!.name).toBe('/home/u/notes.txt');
    expect(t.getFd(3)!.type).toBe(FdType.FILE_V2);
    expect(t.getFd(5)!.name).toBe('/home/u/notes.txt');
    const sock = t.getFd(4)!;
    expect(sock.type).toBe(FdType.IPV4_SOCK);
    expect(sock.name).toBe('10.0.0.1:40000->10.0.0.2:80');
    expect(sock.isClient).toBe(true);
    expect(t.getFd(6)!.type).toBe(FdType.FIFO);
    expect(t.getFd(7)!.ino).toBe(999);

    // close removes the fd when the next event arrives: the close exit itself still sees it.
    feed(e, EV.CLOSE_E, [i64(3)]);
    const closeExit = feed(e, EV.CLOSE_X, [i64(0)]);
    expect(e.fd?.name).toBe('/home/u/notes.txt');
    expect(formatEventLine(closeExit, e)).toContain('< close res=0');
    expect(t.getFd(3)).toBeDefined();
    feed(e, EV.GENERIC_E, [Buffer.from([0, 0]), Buffer.from([0, 0])]);
    expect(t.getFd(3)).toBeUndefined();
    expect(t.getFd(5)!.name).toBe('/home/u/notes.txt');
  });

  it('keeps an fd when close fails', () => {
    const e = engineWithProcess();
    openat(e, 3, '/etc/passwd');
    feed(e, EV.CLOSE_E, [i64(3)]);
    feed(e, EV.CLOSE_X, [i64(-9)]);
    feed(e, EV.GENERIC_E, [Buffer.from([0, 0]), Buffer.from([0, 0])]);
    expect(e.threads.get(TID)!.getFd(3)?.name).toBe('/etc/passwd');
  });

  it('resolves relative paths against the cwd after chdir', () => {
    const e = engineWithProcess();
    feed(e, EV.CHDIR_E, [str('../other')]);
    feed(e, EV.CHDIR_X, [i64(0), str('../other')]);
    openat(e, 3, './a/../b.txt');
    expect(e.threads.get(TID)!.getFd(3)!.name).toBe('/home/other/b.txt');
  });
});

function clone20(e: StateEngine, child: number, flags: number, parent = TID): void {
  const params = [
    i64(child), str('/usr/bin/app'), list(['-x']), i64(parent), i64(parent), i64(1), str('/home/u'), i64(1024),
    u64(0), u64(0), u32(0), u32(0), u32(0), str('app'), list(['cpu=/']), u32(flags), u32(1000), u32(1000),
    // vtid/vpid describe the caller (the parent) as seen in its own pid namespace.
    i64(parent), i64(parent),
  ];
  feed(e, EV.CLONE_20_E, [], parent);
  feed(e, EV.CLONE_20_X, params, parent);
}

describe('threads', () => {
  it('fork copies the fd table; a CLONE_THREAD|CLONE_FILES thread shares it', () => {
    const e = engineWithProcess();
    openat(e, 3, '/etc/hosts');
    clone20(e, 200, 0);
    clone20(e, 101, (1 << 13) | (1 << 0));
    const child = e.threads.get(200)!;
    const thread = e.threads.get(101)!;
    expect(child.pid).toBe(200);
    expect(child.ptid).toBe(TID);
    expect(child.comm).toBe('app');
    expect(child.getFd(3)!.name).toBe('/etc/hosts');
    expect(thread.pid).toBe(TID);
    openat(e, 4, '/etc/motd', 101);
    expect(e.threads.get(TID)!.getFd(4)!.name).toBe('/etc/motd');
    expect(child.getFd(4)).toBeUndefined();
  });

  it('execve replaces name, args and exe', () => {
    const e = engineWithProcess();
    feed(e, EV.EXECVE_16_E, []);
    feed(e, EV.EXECVE_16_X, [
      i64(0), str('/bin/ls'), list(['-l', '/tmp']), i64(TID), i64(TID), i64(1), str('/home/u'), i64(1024),
      u64(0), u64(0), u32(10), u32(5), u32(0), str('ls'), list(['cpu=/']), list(['HOME=/home/u']),
    ]);
    const t = e.threads.get(TID)!;
    expect(t.comm).toBe('ls');
    expect(t.exe).toBe('/bin/ls');
    expect(t.args).toEqual(['-l', '/tmp']);
    expect(t.env).toEqual(['HOME=/home/u']);
  });

  it('procexit evicts the thread on the next event, and memory stays bounded', () => {
    const e = engineWithProcess();
    for (let k = 0; k < 20_000; k++) {
      const child = 1000 + k;
      clone20(e, child, 0);
      openat(e, 3, `/tmp/f${k}`, child);
      expect(e.threads.get(child)?.getFd(3)?.name).toBe(`/tmp/f${k}`);
      feed(e, EV.PROCEXIT_1_E, [i64(0), i64(0), Buffer.from([0]), Buffer.from([0])], child);
    }
    feed(e, EV.GENERIC_E, [Buffer.from([0, 0]), Buffer.from([0, 0])]);
    expect(e.threads.size).toBe(1);
    expect(e.threads.has(TID)).toBe(true);
  });
});
