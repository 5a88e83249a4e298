/**
 * The /proc and /etc parsers of the live bootstrap, and the encoding of
 * userspace procinfo events (no privileges needed), plus a bootstrap of
 * this very machine checked against what the test process knows of itself.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FdType, type CaptureSink, type FdRecord, type ThreadRecord } from '../../src/capture/records.js';
import { ScapEvent } from '../../src/event/scap-event.js';
import { walkCopiedRecords } from '../../src/live/ring-reader.js';
import {
  anonFdType,
  encodeDev,
  openFlagsToPpm,
  parseFdInfo,
  parseFdLimit,
  parseGroup,
  parseInetSockets,
  parseLoginUid,
  parseMountInfo,
  parseNetlinkSockets,
  parsePasswd,
  parseStat,
  parseStatus,
  parseUnixSockets,
  splitCmdline,
  statTimesFromBytes,
} from '../../src/live/proc-parse.js';
import { PROCINFO_RECORD_SIZE, ProcInfoScanner, writeProcInfoRecord } from '../../src/live/procinfo.js';
import { bootstrapFromProc } from '../../src/live/proc-bootstrap.js';

describe('/proc parsers', () => {
  it('status: effective ids, memory, namespace ids (second column, as scap reads them)', () => {
    const text = [
      'Name:\tnginx', 'Umask:\t0022', 'State:\tS (sleeping)', 'Tgid:\t4242', 'Ngid:\t0', 'Pid:\t4243', 'PPid:\t17',
      'Uid:\t1000\t33\t33\t33', 'Gid:\t1001\t34\t34\t34', 'VmSize:\t  123456 kB', 'VmRSS:\t    2048 kB', 'VmSwap:\t      12 kB',
      'NStgid:\t4242\t7', 'NSpid:\t4243\t8', 'NSpgid:\t4242\t7',
      'CapInh:\t0000000000000000', 'CapPrm:\t000001ffffffffff', 'CapEff:\t00000000a80425fb', '',
    ].join('\n');
    expect(parseStatus(text)).toEqual({
      tgid: 4242, ppid: 17, uid: 33, gid: 34, vmsizeKb: 123456, vmrssKb: 2048, vmswapKb: 12, vtid: 8, vpid: 7, vpgid: 7,
      caps: { inheritable: 0, permitted: 0x1ffffffffff, effective: 0xa80425fb },
    });
    // no nested namespace: one column, ids are the global ones (the caller falls back)
    const flat = parseStatus('Tgid:\t5\nPPid:\t1\nNStgid:\t5\nNSpid:\t5\n');
    expect([flat.vtid, flat.vpid, flat.vpgid, flat.caps]).toEqual([-1, -1, -1, null]);
  });

  it('stat: the fields after the last ")" (a comm may hold ") ")', () => {
    const line = '4243 (we) ird) S 17 4242 4200 34817 4242 4194560 1500 0 3 0 250 75 0 0 20 0 2 0 12345 0 0\n';
    expect(parseStat(line)).toEqual({ state: 'S', ppid: 17, pgid: 4242, sid: 4200, tty: 34817, flags: 4194560, pfminor: 1500, pfmajor: 3, utime: 250, stime: 75 });
    const t = { utime: 0, stime: 0, flags: 0 };
    expect(statTimesFromBytes(Buffer.from(line, 'latin1'), line.length, t)).toBe(true);
    expect(t).toEqual({ utime: 250, stime: 75, flags: 4194560 });
    expect(statTimesFromBytes(Buffer.from('garbage'), 7, t)).toBe(false);
  });

  it('cmdline, limits, loginuid', () => {
    expect(splitCmdline('/usr/bin/python3\0-m\0http.server\0')).toEqual({ exe: '/usr/bin/python3', args: ['-m', 'http.server'] });
    expect(splitCmdline('nginx: worker process')).toEqual({ exe: 'nginx: worker process', args: [] });
    expect(splitCmdline('')).toEqual({ exe: '', args: [] });
    expect(parseFdLimit('Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n')).toBe(1024);
    expect(parseFdLimit('Max open files            unlimited            unlimited            files\n')).toBe(-1);
    expect(parseLoginUid('4294967295')).toBe(-1);
    expect(parseLoginUid('1000')).toBe(1000);
  });

  it('open flags as the probe converts them (O_TMPFILE / O_SYNC only when all their bits are set)', () => {
    // O_WRONLY|O_APPEND|O_LARGEFILE|O_CLOEXEC, as fdinfo prints a log file's flags
    expect(openFlagsToPpm(parseFdInfo('pos:\t0\nflags:\t02102001\nmnt_id:\t24\n').flags)).toBe((1 << 1) | (1 << 3) | (1 << 11) | (1 << 12));
    expect(openFlagsToPpm(0o2)).toBe(3); // O_RDWR -> PPM_O_RDWR
    expect(openFlagsToPpm(0o200000)).toBe((1 << 0) | (1 << 10)); // O_DIRECTORY alone is not O_TMPFILE
    expect(openFlagsToPpm(0o20200000 | 0o2) & (1 << 13)).toBeTruthy(); // O_TMPFILE
    expect(openFlagsToPpm(0o10000)).toBe((1 << 0) | (1 << 4)); // O_DSYNC alone is not O_SYNC
    expect(parseFdInfo('pos:\t0\nflags:\t0100000\nmnt_id:\t24\nino:\t3\n')).toEqual({ flags: 0o100000, mountId: 24 });
  });

  it('mountinfo: mount id -> device in the scap (new_encode_dev) encoding', () => {
    const m = parseMountInfo('24 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n31 24 0:259 / /big rw - tmpfs tmpfs rw\n');
    expect(m.get(24)).toBe(0xfe00);
    expect(m.get(31)).toBe(encodeDev(0, 259));
    expect(encodeDev(0, 259)).toBe(0x3 | (0x100 << 12));
  });

  it('anonymous inodes are classified by their link, as scap does', () => {
    expect(anonFdType('anon_inode:[eventfd]')).toBe(FdType.EVENT);
    expect(anonFdType('anon_inode:[eventpoll]')).toBe(FdType.EVENTPOLL);
    expect(anonFdType('anon_inode:[timerfd]')).toBe(FdType.TIMERFD);
    expect(anonFdType('anon_inode:[signalfd]')).toBe(FdType.SIGNALFD);
    expect(anonFdType('anon_inode:inotify')).toBe(FdType.INOTIFY);
    expect(anonFdType('anon_inode:[io_uring]')).toBe(FdType.UNSUPPORTED);
  });

  it('/proc/net tables: IPv4/IPv6 tuples, server sockets, unix and netlink by inode', () => {
    const tcp =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1508 1 0000000002083fcb 100 0 0 10 0\n' +
      '   1: 0100007F:C6A6 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1600 1 0000000002083fcb 100 0 0 10 0\n' +
      '   2: 0100007F:C6A7 0100007F:1F90 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000\n';
    const t = parseInetSockets(tcp, 4, 2);
    expect(t.size).toBe(2); // TIME_WAIT (inode 0) has no fd
    const srv = t.get(1508)!;
    expect(srv.type).toBe(FdType.IPV4_SERVSOCK);
    expect([...srv.sip!]).toEqual([127, 0, 0, 1]);
    expect(srv.sport).toBe(8080);
    expect(srv.l4proto).toBe(2);
    const cli = t.get(1600)!;
    expect(cli.type).toBe(FdType.IPV4_SOCK);
    expect([cli.sport, cli.dport, [...cli.dip!]]).toEqual([50854, 8080, [127, 0, 0, 1]]);

    const tcp6 =
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
      '   0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0\n' +
      '   1: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 778 1 0\n';
    const t6 = parseInetSockets(tcp6, 6, 2);
    expect(t6.get(777)!.type).toBe(FdType.IPV6_SERVSOCK);
    expect([...t6.get(777)!.sip!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]); // ::1
    const mapped = t6.get(778)!;
    expect(mapped.type).toBe(FdType.IPV6_SOCK);
    expect([...mapped.sip!].slice(10)).toEqual([0xff, 0xff, 127, 0, 0, 1]);

    const unix = parseUnixSockets('Num       RefCount Protocol Flags    Type St Inode Path\n00000000d1072266: 00000002 00000000 00010000 0001 01 176689 /var/run/docker.sock\n000000004b22c86d: 00000003 00000000 00000000 0001 03 176714\n');
    expect(unix.get(176689)).toMatchObject({ type: FdType.UNIX_SOCK, name: '/var/run/docker.sock', unixSource: 'd1072266', unixDest: '0' });
    expect(unix.get(176714)).toMatchObject({ name: '' });
    const nl = parseNetlinkSockets('sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n0000000000000000 0   1          00000000 0        0        0     2        0        13\n');
    expect(nl.get(13)!.type).toBe(FdType.NETLINK);
  });

  it('/etc/passwd and /etc/group', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\n# c\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nbad\n')).toEqual([
      { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash', container: '' },
      { uid: 65534, gid: 65534, name: 'nobody', homedir: '/nonexistent', shell: '/usr/sbin/nologin', container: '' },
    ]);
    expect(parseGroup('root:x:0:\nadm:x:4:syslog,alice\n')).toEqual([
      { gid: 0, name: 'root', container: '' },
      { gid: 4, name: 'adm', container: '' },
    ]);
  });
});

describe('procinfo events', () => {
  it('are scap-layout procinfo events in ring records, decoded by the live path', () => {
    const buf = Buffer.alloc(3 * PROCINFO_RECORD_SIZE);
    const ts = 1_700_000_000_123_456_789n;
    writeProcInfoRecord(buf, 0, ts, 4242, 150, 25);
    writeProcInfoRecord(buf, PROCINFO_RECORD_SIZE, ts, 2 ** 33 + 5, 2 ** 40, 0);
    const ev = new ScapEvent();
    const seen: [number, number, number, number, string][] = [];
    const n = walkCopiedRecords(buf, 2 * PROCINFO_RECORD_SIZE, (b, off, len) => {
      expect(ev.decode(b, off, len, 2, true)).toBeNull();
      seen.push([ev.tid, ev.u64(0), ev.u64(1), b.readUInt16LE(off + ev.len), ev.info.name]);
      expect(ev.tsBig()).toBe(ts);
    });
    expect(n).toBe(2);
    expect(seen).toEqual([
      [4242, 150, 25, 0, 'procinfo'],
      [2 ** 33 + 5, 2 ** 40, 0, 0, 'procinfo'],
    ]);
  });

  it('a scan of this machine finds this process busy, and never the excluded one', () => {
    const burnUntil = Date.now() + 60;
    while (Date.now() < burnUntil); // at least a few ticks of CPU
    const mine = new ProcInfoScanner({ excludePid: null });
    expect(mine.scan()).toBeGreaterThan(0);
    const out = Buffer.alloc(mine.count * PROCINFO_RECORD_SIZE);
    const r = mine.encode(out, 0, 1n);
    expect(r).toEqual({ bytes: out.length, next: mine.count });
    const tids = new Set<number>();
    const ev = new ScapEvent();
    walkCopiedRecords(out, r.bytes, (b, off, len) => {
      ev.decode(b, off, len, 2, true);
      tids.add(ev.tid);
    });
    expect(tids.has(process.pid)).toBe(true);
    const excluding = new ProcInfoScanner({ excludePid: process.pid });
    excluding.scan();
    const out2 = Buffer.alloc(excluding.count * PROCINFO_RECORD_SIZE);
    excluding.encode(out2, 0, 1n);
    walkCopiedRecords(out2, out2.length, (b, off, len) => {
      ev.decode(b, off, len, 2, true);
      expect(ev.tid).not.toBe(process.pid);
    });
    // a small buffer takes what fits; the rest follows from `next`
    const small = Buffer.alloc(PROCINFO_RECORD_SIZE * 2 + 10);
    expect(mine.encode(small, 0, 1n)).toEqual({ bytes: PROCINFO_RECORD_SIZE * 2, next: Math.min(2, mine.count) });
  });
});

describe('bootstrap from /proc', () => {
  it('describes this process: thread, command line, cwd, an open file, a listening socket, a connection, a pipe', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-boot-'));
    const file = path.join(tmp, 'open.txt');
    const fd = fs.openSync(file, 'a');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', () => r()));
    const peer = await accepted;
    try {
      const threads: ThreadRecord[] = [];
      const fds = new Map<number, FdRecord[]>();
      const users: string[] = [];
      let interfaces = 0;
      const sink: CaptureSink = {
        onThread: (t) => threads.push(t),
        onFd: (pid, f) => (fds.get(pid) ?? fds.set(pid, []).get(pid)!).push(f),
        onUser: (u) => users.push(u.name),
        onInterface: () => interfaces++,
        onEvent: () => {},
      };
      const stats = bootstrapFromProc(sink);
      expect(stats.processes).toBeGreaterThan(1);
      expect(users).toContain('root');
      expect(interfaces).toBeGreaterThan(0);
      const me = threads.find((t) => t.tid === process.pid)!;
      expect(me).toBeDefined();
      expect(me.pid).toBe(process.pid);
      expect(me.ptid).toBe(process.ppid);
      expect(me.exepath).toBe(fs.realpathSync(process.execPath));
      expect(me.exe).toBe(fs.readFileSync('/proc/self/cmdline', 'latin1').split('\0')[0]);
      expect(me.args).toEqual(fs.readFileSync('/proc/self/cmdline', 'latin1').split('\0').slice(1, -1));
      expect(me.cwd).toBe(process.cwd());
      expect(me.comm).toBe(fs.readFileSync('/proc/self/comm', 'latin1').trim());
      // The Falco facts: capability sets from status, the executable's inode through /proc/PID/exe.
      const status = fs.readFileSync('/proc/self/status', 'latin1');
      const hex = (tag: string): number => parseInt(new RegExp(`^${tag}:\\s*([0-9a-f]+)`, 'm').exec(status)![1]!, 16);
      expect(me.caps).toEqual({ inheritable: hex('CapInh'), permitted: hex('CapPrm'), effective: hex('CapEff') });
      const exe = fs.statSync('/proc/self/exe', { bigint: true });
      expect([me.exeIno?.ino, me.exeIno?.ctimeNs, me.exeIno?.mtimeNs]).toEqual([Number(exe.ino), exe.ctimeNs, exe.mtimeNs]);
      expect(me.exeFromMemfd).toBe(false);
      expect(me.pidnsInitStartTs).toBe(fs.statSync('/proc/self/root/proc/1', { bigint: true }).ctimeNs);
      expect(me.uid).toBe(process.geteuid!());
      expect(me.vmsizeKb).toBeGreaterThan(0);
      expect(me.flags).toBe(0);
      expect(me.cloneTs).toBeGreaterThan(0);
      expect(me.env.some((e) => e.startsWith('PATH='))).toBe(true);
      // node has threads: they share the process's fds
      const mine = threads.filter((t) => t.pid === process.pid && t.tid !== process.pid);
      expect(mine.length).toBeGreaterThan(0);
      for (const t of mine) expect(t.flags).toBe((1 << 13) | (1 << 0));

      const myFds = fds.get(process.pid)!;
      const f = myFds.find((x) => x.fd === fd)!;
      expect(f).toMatchObject({ type: FdType.FILE_V2, name: file, ino: fs.statSync(file).ino });
      expect(f.openFlags & ((1 << 1) | (1 << 3))).toBe((1 << 1) | (1 << 3)); // WRONLY | APPEND
      expect(f.dev).not.toBe(0);
      const listen = myFds.find((x) => x.type === FdType.IPV4_SERVSOCK && x.sport === port)!;
      expect(listen).toBeDefined();
      expect([...listen.sip!]).toEqual([127, 0, 0, 1]);
      expect(listen.l4proto).toBe(2);
      // both ends of the connection, as /proc lists them (the engine orients them later)
      const ends = myFds.filter((x) => x.type === FdType.IPV4_SOCK && (x.sport === port || x.dport === port));
      expect(ends.map((e) => [e.sport, e.dport]).sort()).toEqual([[client.localPort!, port], [port, client.localPort!]].sort());
      expect(myFds.some((x) => x.type === FdType.EVENTPOLL)).toBe(true);
      expect(myFds.some((x) => x.type === FdType.FIFO && /^pipe:\[\d+\]$/.test(x.name)) || myFds.some((x) => x.type === FdType.UNIX_SOCK)).toBe(true);
    } finally {
      client.destroy();
      peer.destroy();
      server.close();
      fs.closeSync(fd);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
