/**
 * Live capture end to end (needs root + BTF): runs workloads and checks that
 * the events decoded from the probe's ring describe them exactly.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { LiveSource } from '../../src/live/live-source.js';
import { Capture, checkShape, liveSkipReason, run, NODE, tuple4 } from './harness.js';

const reason = liveSkipReason();
if (reason) console.log(`[test/live] live capture tests skipped: ${reason}`);
const describeLive = reason ? describe.skip : describe;

describeLive('live capture (eBPF probe)', () => {
  let cap: Capture;
  let t0 = 0;
  let tmp = '';

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-live-'));
    cap = new Capture({ snaplen: 80 });
    t0 = Date.now();
    cap.start();
  });

  afterAll(async () => {
    if (cap) await cap.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes exactly N bytes to a file: openat, write, close with the right fd', async () => {
    const N = 12345;
    const file = path.join(tmp, 'out.bin');
    const script = `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(file)},'w');` +
      `const n=fs.writeSync(fd,Buffer.alloc(${N},'z'));fs.closeSync(fd);console.log(JSON.stringify({fd,n}))`;
    const r = await run(NODE, ['-e', script]);
    expect(r.code).toBe(0);
    const { fd, n } = JSON.parse(r.stdout);
    expect(n).toBe(N);
    await cap.waitExit(r.pid);

    const opens = cap.ofPid(r.pid, 'openat').filter((ev) => !ev.isEnter && ev.str(2) === file);
    expect(opens).toHaveLength(1);
    const open = opens[0]!;
    expect(open.i64(0)).toBe(fd); // fd
    expect(open.i64(1)).toBe(-100); // dirfd AT_FDCWD
    expect(open.u32(3) & 0x3).toBe(2); // PPM_O_WRONLY
    expect(open.u32(3) & (1 << 2)).toBeTruthy(); // PPM_O_CREAT
    expect(open.u32(3) & (1 << 8)).toBeTruthy(); // PPM_O_TRUNC
    expect(open.u32(4)).toBe(0o666); // mode
    expect(open.u32(5)).not.toBe(0); // dev

    const writes = cap.ofPid(r.pid, 'write').filter((ev) => !ev.isEnter && ev.i64(0) === N);
    expect(writes).toHaveLength(1);
    const wx = writes[0]!;
    expect(wx.paramLen[1]).toBe(80); // snaplen
    expect(wx.bytes(1).equals(Buffer.alloc(80, 'z'))).toBe(true);
    // the matching enter event: same thread, just before, fd and size
    const we = cap.ofPid(r.pid, 'write').filter((ev) => ev.isEnter && ev.tid === wx.tid && ev.i64(0) === fd && ev.u32(1) === N);
    expect(we).toHaveLength(1);
    expect(we[0]!.num).toBeLessThan(wx.num);

    const closes = cap.ofPid(r.pid, 'close').filter((ev) => ev.isEnter && ev.i64(0) === fd && ev.num > wx.num);
    expect(closes.length).toBeGreaterThanOrEqual(1);
  });

  it('TCP on 127.0.0.1 exchanging exactly M bytes: connect/accept tuples and byte counts', async () => {
    const M = 20000;
    const script = `
      const net=require('net');const M=${M};
      const srv=net.createServer(s=>{let got=0;s.on('data',d=>{got+=d.length;if(got===M){s.end(Buffer.alloc(M,'s'));}});});
      srv.listen(0,'127.0.0.1',()=>{const port=srv.address().port;
        const c=net.connect(port,'127.0.0.1',()=>{const cport=c.localPort;let back=0;
          c.on('data',d=>{back+=d.length;});
          c.on('end',()=>{console.log(JSON.stringify({port,cport,back}));c.destroy();srv.close();});
          c.write(Buffer.alloc(M,'y'));});});`;
    const r = await run(NODE, ['-e', script]);
    expect(r.code).toBe(0);
    const { port, cport, back } = JSON.parse(r.stdout);
    expect(back).toBe(M);
    await cap.waitExit(r.pid);

    // connect: the client socket, tuple 127.0.0.1:cport -> 127.0.0.1:port
    const cx = cap.ofPid(r.pid, 'connect').filter((ev) => !ev.isEnter);
    expect(cx).toHaveLength(1);
    expect([0, -115]).toContain(cx[0]!.i64(0)); // 0 or -EINPROGRESS (non-blocking)
    expect(tuple4(cx[0]!.bytes(1))).toEqual({ family: 2, sip: '127.0.0.1', sport: cport, dip: '127.0.0.1', dport: port });
    const ce = cap.ofPid(r.pid, 'connect').filter((ev) => ev.isEnter);
    expect(ce).toHaveLength(1);
    const cfd = ce[0]!.i64(0);
    const addr = ce[0]!.bytes(1);
    expect(addr.length).toBe(7);
    expect([...addr.subarray(0, 5)]).toEqual([2, 127, 0, 0, 1]);
    expect(addr.readUInt16LE(5)).toBe(port);

    // accept: the server side, same connection seen from the listener
    const ax = cap.ofPid(r.pid, 'accept').filter((ev) => !ev.isEnter && ev.i64(0) >= 0);
    expect(ax).toHaveLength(1);
    const sfd = ax[0]!.i64(0);
    expect(tuple4(ax[0]!.bytes(1))).toEqual({ family: 2, sip: '127.0.0.1', sport: cport, dip: '127.0.0.1', dport: port });

    // listen / bind on the server socket
    const bx = cap.ofPid(r.pid, 'bind').filter((ev) => !ev.isEnter);
    expect(bx.length).toBeGreaterThanOrEqual(1);
    expect(bx.some((ev) => ev.i64(0) === 0 && ev.bytes(1).length === 7)).toBe(true);
    expect(cap.ofPid(r.pid, 'listen').filter((ev) => ev.isEnter).length).toBe(1);

    // bytes: sum of successful I/O exit results per fd and direction
    const sum = (fd: number, dir: 'in' | 'out') => {
      const names = dir === 'out' ? ['write', 'writev', 'sendto', 'sendmsg'] : ['read', 'readv', 'recvfrom', 'recvmsg'];
      // pair each exit with the fd of the preceding enter on the same thread
      const evs = cap.ofPid(r.pid).filter((ev) => names.includes(ev.info.name));
      const lastFd = new Map<number, number>();
      let total = 0;
      for (const ev of evs) {
        if (ev.isEnter) lastFd.set(ev.tid, ev.i64(0));
        else if (lastFd.get(ev.tid) === fd && ev.i64(0) > 0) total += ev.i64(0);
      }
      return total;
    };
    expect(sum(cfd, 'out')).toBe(M);
    expect(sum(sfd, 'in')).toBe(M);
    expect(sum(sfd, 'out')).toBe(M);
    expect(sum(cfd, 'in')).toBe(M);
  });

  it('a short-lived child: clone (child and parent side), execve, procexit', async () => {
    // /bin/sh forks /bin/true (parent-side and child-side clone exits), then exits 3
    const r = await run('/bin/sh', ['-c', '/bin/true; exit 3']);
    expect(r.code).toBe(3);
    const exit = await cap.waitExit(r.pid);
    expect(exit.i64(0)).toBe(3 << 8); // status
    expect(exit.i64(1)).toBe(3); // ret
    expect(exit.u8(2)).toBe(0); // sig
    expect(exit.u8(3)).toBe(0); // core

    const exec = cap.ofPid(r.pid, 'execve').filter((ev) => !ev.isEnter);
    expect(exec).toHaveLength(1);
    const x = exec[0]!;
    expect(x.i64(0)).toBe(0);
    expect(x.str(1)).toBe('/bin/sh'); // exe (argv[0])
    expect(x.bytes(2).toString()).toBe('-c\0/bin/true; exit 3\0'); // args
    expect(x.i64(3)).toBe(r.pid); // tid
    expect(x.i64(4)).toBe(r.pid); // pid
    expect(x.i64(5)).toBe(process.pid); // ptid
    expect(x.u64(7)).toBeGreaterThan(0); // fdlimit
    expect(x.str(13)).toBe('sh'); // comm
    expect(x.bytes(14).toString()).toMatch(/^cpuset=\/|cpu=\//); // cgroups
    expect(x.bytes(15).toString()).toContain('PATH='); // env
    expect(x.ts / 1e6).toBeGreaterThanOrEqual(t0 - 1000);
    expect(x.ts / 1e6).toBeLessThanOrEqual(Date.now() + 1000);
    const ee = cap.ofPid(r.pid, 'execve').filter((ev) => ev.isEnter);
    expect(ee.map((ev) => ev.str(0))).toEqual(['/bin/sh']);

    // the child side of our spawn: clone exit with res 0 in the child
    const forks = ['clone', 'clone3', 'fork', 'vfork'];
    const childSide = cap.find((ev) => ev.tid === r.pid && !ev.isEnter && forks.includes(ev.info.name) && ev.i64(0) === 0);
    expect(childSide).toHaveLength(1);
    expect(childSide[0]!.i64(0)).toBe(0);
    expect(childSide[0]!.i64(5)).toBe(process.pid);

    // sh forks /bin/true: parent-side exit res = child tid, child-side exit res = 0
    const parentSide = cap.find((ev) => ev.tid === r.pid && !ev.isEnter && forks.includes(ev.info.name) && ev.i64(0) > 0);
    expect(parentSide).toHaveLength(1);
    const kid = parentSide[0]!.i64(0);
    const kidSide = cap.find((ev) => ev.tid === kid && !ev.isEnter && forks.includes(ev.info.name));
    expect(kidSide).toHaveLength(1);
    expect(kidSide[0]!.i64(0)).toBe(0);
    expect(kidSide[0]!.i64(4)).toBe(kid); // pid
    expect(kidSide[0]!.i64(5)).toBe(r.pid); // ptid
    const kidExec = cap.find((ev) => ev.tid === kid && !ev.isEnter && ev.info.name === 'execve');
    expect(kidExec.map((ev) => ev.str(1))).toEqual(['/bin/true']);
    const kidExit = await cap.waitExit(kid);
    expect(kidExit.i64(1)).toBe(0);
  });

  it('a failed execve carries the argv it was given; a killed child reports its signal', async () => {
    const r = await run('/bin/sh', ['-c', 'exec /nonexistent/tsysdig-nope a1 a2; exit 7'], { stdio: ['ignore', 'pipe', 'ignore'] });
    expect(r.code).toBe(127);
    await cap.waitExit(r.pid);
    const fails = cap.ofPid(r.pid, 'execve').filter((ev) => !ev.isEnter && ev.i64(0) < 0);
    expect(fails.length).toBeGreaterThanOrEqual(1);
    expect(fails[0]!.i64(0)).toBe(-2); // -ENOENT
    expect(fails[0]!.str(1)).toBe('/nonexistent/tsysdig-nope');
    expect(fails[0]!.bytes(2).toString()).toBe('a1\0a2\0');

    const k = await run('/bin/sleep', ['30'], { killAfterMs: 300, killSignal: 'SIGKILL' });
    expect(k.signal).toBe('SIGKILL');
    const ex = await cap.waitExit(k.pid);
    expect(ex.u8(2)).toBe(9); // sig
    expect(ex.i64(0)).toBe(9); // raw status
  });

  it('large execve: args and env are cut at 4096 bytes and the event still decodes', async () => {
    const r = await run('/bin/true', ['A'.repeat(6000), 'tail'], { env: { BIG: 'B'.repeat(6000), PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    expect(r.code).toBe(0);
    await cap.waitExit(r.pid);
    const x = cap.ofPid(r.pid, 'execve').filter((ev) => !ev.isEnter)[0]!;
    expect(x.i64(0)).toBe(0);
    expect(x.str(1)).toBe('/bin/true');
    expect(x.paramLen[2]).toBe(4096 - '/bin/true\0'.length);
    expect(x.bytes(2).subarray(0, 8).toString()).toBe('AAAAAAAA');
    expect(x.bytes(2)[x.paramLen[2]! - 1]).toBe(0);
    expect(x.paramLen[15]).toBe(4096);
    expect(x.bytes(15)[4095]).toBe(0);
  });

  it('snaplen changes on the fly', async () => {
    cap.src.setSnaplen(8);
    try {
      const r = await run('/bin/sh', ['-c', 'echo 0123456789abcdef']);
      expect(r.stdout).toBe('0123456789abcdef\n');
      await cap.waitExit(r.pid);
      const w = cap.ofPid(r.pid, 'write').filter((ev) => !ev.isEnter && ev.i64(0) === 17);
      expect(w).toHaveLength(1);
      expect(w[0]!.bytes(1).toString()).toBe('01234567');
    } finally {
      cap.src.setSnaplen(80);
    }
  });

  it('other syscalls arrive as generic events with their syscall id', async () => {
    const r = await run(NODE, ['-e', 'let s=0;for(let i=0;i<200;i++) s+=process.ppid; console.log(s>0)']);
    expect(r.code).toBe(0);
    await cap.waitExit(r.pid);
    const enters = cap.ofPid(r.pid).filter((ev) => ev.type === 0 && ev.u16(1) === 110); // getppid
    const exits = cap.ofPid(r.pid).filter((ev) => ev.type === 1 && ev.u16(0) === 41); // PPM_SC_GETPPID
    expect(enters.length).toBeGreaterThanOrEqual(200);
    expect(enters.every((ev) => ev.u16(0) === 41)).toBe(true);
    expect(exits.length).toBe(enters.length);
    // compact records carry the thread (node's main thread calls getppid), the CPU and ordered timestamps
    const ncpus = os.cpus().length;
    for (const ev of [...enters, ...exits]) {
      expect(ev.tid).toBe(r.pid);
      expect(ev.cpu).toBeLessThan(ncpus);
    }
    for (let i = 0; i < enters.length; i++) expect(exits[i]!.ts).toBeGreaterThanOrEqual(enters[i]!.ts);
  });

  it('every captured event matches the event table shape, and nothing was lost', () => {
    expect(cap.events.length).toBeGreaterThan(1000);
    const problems = new Set<string>();
    cap.find((ev) => {
      const p = checkShape(ev);
      if (p) problems.add(p);
      return false;
    });
    expect([...problems]).toEqual([]);
    const st = cap.src.stats();
    expect(st.malformed).toBe(0);
    expect(st.dropsBug).toBe(0);
    expect(st.dropsFull).toBe(0);
  });
});

describeLive('ring overflow', () => {
  it('counts drops per CPU when nobody drains, and what did arrive still decodes', async () => {
    const src = LiveSource.open({ ringBytes: 64 * 1024 }); // the smallest ring
    try {
      src.start();
      // nobody drains while the child runs: the ring fills within a few thousand events
      const r = await run(NODE, ['-e', 'let s=0;for(let i=0;i<100000;i++) s+=process.ppid']);
      expect(r.code).toBe(0);
      const st = src.stats();
      expect(st.dropsFull).toBeGreaterThan(0);
      expect(st.perCpu.reduce((a, c) => a + c.dropsFull, 0)).toBe(st.dropsFull);
      const problems: string[] = [];
      let n = 0;
      src.drain({
        onEvent(ev) {
          n++;
          const p = checkShape(ev);
          if (p) problems.push(p);
        },
      });
      expect(problems).toEqual([]);
      expect(n).toBeGreaterThan(100);
      const after = src.stats();
      expect(after.malformed).toBe(0);
      expect(after.dropsBug).toBe(0);
      expect(after.delivered).toBe(n);
    } finally {
      src.close();
    }
  });
});
