/**
 * Reading the real captures in test/fixtures (see test/fixtures/README.md).
 *
 * The pinned numbers were verified three ways:
 *  - an independent walk of the block framing (walkBlocks here, and
 *    /work/shared/tools/scap-inflate.py's walk, which agree);
 *  - `sysdig -D -r FILE` (0.29.3; -D shows the internal procinfo/container
 *    events plain `sysdig -r` hides): its last %evt.num equals our count for
 *    every file, and its per-event (num, cpu, dir, tid, rawtime, type) lines
 *    match ours one for one (sysdig merely resolves generic `syscall` events
 *    to their names, and does not print 3 ts=0 container events it numbers);
 *  - the process, fd and user tables against sysdig's view of the same
 *    threads (-p %proc.*, -c lsof).
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import { FdType } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import { type EventCopy, FIXTURES, type FixtureName, RecordingSink, completeEventsBefore, fixtureBytes, fixturePath, readBytes, walkBlocks } from './helpers.js';

interface Pinned {
  events: number;
  version: string;
  processListType: number;
  eventBlockType: number;
  threads: number;
  fdBlocks: number;
  fds: number;
  interfaces: number;
  users: number;
  groups: number;
  hostname: string;
  numCpus: number;
  last: { tid: number; ts: bigint };
}

const PINNED: Record<FixtureName, Pinned> = {
  falco_cat_write: {
    events: 345, version: '1.0', processListType: BlockType.PROCESS_LIST_V6, eventBlockType: BlockType.EVENT,
    threads: 73, fdBlocks: 73, fds: 384, interfaces: 5, users: 32, groups: 61, hostname: 'ubuntu', numCpus: 2,
    last: { tid: 20070, ts: 1470327478999999999n },
  },
  'falco_open-multiple-files': {
    events: 1272, version: '1.0', processListType: BlockType.PROCESS_LIST_V6, eventBlockType: BlockType.EVENT,
    threads: 128, fdBlocks: 128, fds: 685, interfaces: 8, users: 40, groups: 70, hostname: 'ubuntu', numCpus: 1,
    last: { tid: 16574, ts: 1486171335999999999n },
  },
  falco_psp_privileged: {
    events: 2059, version: '1.2', processListType: BlockType.PROCESS_LIST_V9, eventBlockType: BlockType.EVENT_V2,
    threads: 100, fdBlocks: 100, fds: 644, interfaces: 11, users: 45, groups: 77, hostname: 'ubuntu', numCpus: 4,
    last: { tid: 10645, ts: 1562621738999999999n },
  },
  falco_syscall: {
    events: 368, version: '1.1', processListType: BlockType.PROCESS_LIST_V8, eventBlockType: BlockType.EVENT,
    threads: 229, fdBlocks: 229, fds: 773, interfaces: 7, users: 41, groups: 71, hostname: 'ubuntu', numCpus: 2,
    last: { tid: 16517, ts: 1523545100999999999n },
  },
  libs_curl_google: {
    events: 1536, version: '1.0', processListType: BlockType.PROCESS_LIST_V5, eventBlockType: BlockType.EVENT,
    threads: 54, fdBlocks: 54, fds: 316, interfaces: 5, users: 31, groups: 55, hostname: 'ip-10-0-0-79', numCpus: 1,
    last: { tid: 17496, ts: 1534527350999999999n },
  },
  libs_single_ipv6_conn: {
    events: 1728, version: '1.2', processListType: BlockType.PROCESS_LIST_V9, eventBlockType: BlockType.EVENT_V2,
    threads: 154, fdBlocks: 154, fds: 564, interfaces: 13, users: 42, groups: 72, hostname: 'ubuntu', numCpus: 2,
    last: { tid: 25884, ts: 1533943861999999999n },
  },
  libs_test_ipv6_client: {
    events: 326, version: '1.0', processListType: BlockType.PROCESS_LIST_V5, eventBlockType: BlockType.EVENT,
    threads: 58, fdBlocks: 58, fds: 333, interfaces: 5, users: 31, groups: 55, hostname: 'ip-10-0-0-79', numCpus: 1,
    last: { tid: 19746, ts: 1534551452999999999n },
  },
};

/** A digest of everything delivered, to compare two reads of the same capture. */
function digest(sink: RecordingSink): string {
  const h = createHash('sha256');
  const replacer = (_k: string, v: unknown): unknown =>
    typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
  h.update(JSON.stringify([sink.sections, sink.machines, sink.threads, sink.fds, sink.interfaces, sink.users, sink.groups, sink.warnings], replacer));
  for (const e of sink.events) h.update(JSON.stringify(e, replacer));
  return h.digest('hex');
}

describe.each(FIXTURES)('fixture %s', (name) => {
  const pin = PINNED[name];

  test('block walk agrees with the pinned numbers', () => {
    const spans = walkBlocks(fixtureBytes(name));
    expect(spans.filter((s) => s.isEvent).length).toBe(pin.events);
    expect(spans.filter((s) => s.type === pin.eventBlockType).length).toBe(pin.events);
    expect(spans.filter((s) => s.type === pin.processListType).length).toBe(1);
    const fdType = pin.version === '1.2' ? BlockType.FD_LIST_V2 : BlockType.FD_LIST;
    expect(spans.filter((s) => s.type === fdType).length).toBe(pin.fdBlocks);
  });

  test('reads every block and event', async () => {
    const sink = new RecordingSink();
    const res = await readCapture(fixturePath(name), sink);
    const raw = fixtureBytes(name);
    expect(res).toEqual({ events: pin.events, bytes: raw.length });
    expect(sink.warnings).toEqual([]);
    expect(sink.sections.map((s) => `${s.major}.${s.minor}`)).toEqual([pin.version]);
    expect(sink.machines).toHaveLength(1);
    expect(sink.machines[0]!.hostname).toBe(pin.hostname);
    expect(sink.machines[0]!.numCpus).toBe(pin.numCpus);
    expect(sink.threads).toHaveLength(pin.threads);
    expect(sink.fds).toHaveLength(pin.fds);
    expect(sink.interfaces).toHaveLength(pin.interfaces);
    expect(sink.users).toHaveLength(pin.users);
    expect(sink.groups).toHaveLength(pin.groups);
    // One reused event object, numbered 1..N in file order.
    expect(sink.instances.size).toBe(1);
    expect(sink.events.map((e) => e.num)).toEqual(Array.from({ length: pin.events }, (_, i) => i + 1));
    const last = sink.events[pin.events - 1]!;
    expect({ tid: last.tid, ts: last.ts, type: last.type }).toEqual({ ...pin.last, type: 234 /* procinfo */ });
    // Every fd list names a process of the process list (pid 1, systemd/init, is always there).
    const tids = new Set(sink.threads.map((t) => t.tid));
    for (const { pid } of sink.fds) expect(tids.has(pid)).toBe(true);
    expect(sink.threads.find((t) => t.tid === 1)).toMatchObject({ pid: 1, ptid: 0 });
    expect(sink.users.find((u) => u.uid === 0)).toMatchObject({ name: 'root', homedir: '/root', shell: '/bin/bash' });
    expect(sink.groups.find((g) => g.gid === 0)).toMatchObject({ name: 'root' });
    expect(sink.interfaces.find((i) => i.name === 'lo' && i.family === 4)?.addr).toEqual(Uint8Array.of(127, 0, 0, 1));
  });

  test('gzip file, plain stream, and tiny refills all deliver the same', async () => {
    const fromFile = new RecordingSink();
    await readCapture(fixturePath(name), fromFile);
    const raw = fixtureBytes(name);
    // A 4 KiB window refilled 1..997 bytes at a time puts block edges everywhere.
    const chunked = await readBytes(raw, { windowSize: 4096, chunk: (i) => 1 + ((i * 7919) % 997) });
    expect(chunked.error).toBeNull();
    expect(digest(chunked.sink)).toBe(digest(fromFile));
    const byteByByte = await readBytes(raw, { windowSize: 64, chunk: 1 });
    expect(digest(byteByByte.sink)).toBe(digest(fromFile));
  });

  test('onEvent returning false stops the read', async () => {
    const sink = new RecordingSink();
    sink.stopAfter = 10;
    const res = await readCapture(fixturePath(name), sink);
    expect(res.events).toBe(10);
    expect(sink.eventCount).toBe(10);
    const spans = walkBlocks(fixtureBytes(name));
    const tenth = spans.filter((s) => s.isEvent)[9]!;
    expect(res.bytes).toBe(tenth.end);
    expect(completeEventsBefore(spans, res.bytes)).toBe(10);
  });
});

function param(e: EventCopy, i: number): Buffer {
  return e.params[i]!;
}

describe('fixture events, values checked against sysdig -r', () => {
  test('falco_cat_write #141: a v1 open exit whose 4 parameters are inferred', async () => {
    const sink = new RecordingSink();
    await readCapture(fixturePath('falco_cat_write'), sink);
    const e = sink.events[140]!;
    // sysdig: 141 open < fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0
    expect({ num: e.num, cpu: e.cpu, type: e.type, tid: e.tid, ts: e.ts, nparams: e.nparams }).toEqual({
      num: 141, cpu: 0, type: 3, tid: 20072, ts: 1470327477881785348n, nparams: 4,
    });
    expect(param(e, 0).readBigInt64LE()).toBe(3n);
    expect(param(e, 1).toString('latin1')).toBe('/etc/ld.so.cache\0');
    expect(param(e, 2).readUInt32LE()).toBe(4097);
    expect(param(e, 3).readUInt32LE()).toBe(0);
  });

  test('libs_single_ipv6_conn #1154: a v2 connect exit with an IPv6 tuple', async () => {
    const sink = new RecordingSink();
    await readCapture(fixturePath('libs_single_ipv6_conn'), sink);
    const e = sink.events[1153]!;
    // sysdig: 1154 connect < res=-115(EINPROGRESS) tuple=2001:db8::4:54405->2001:db8::3:1234
    expect({ num: e.num, cpu: e.cpu, type: e.type, tid: e.tid, ts: e.ts }).toEqual({
      num: 1154, cpu: 1, type: 23, tid: 25888, ts: 1533943856118383143n,
    });
    expect(param(e, 0).readBigInt64LE()).toBe(-115n);
    const tuple = param(e, 1);
    expect(tuple.length).toBe(1 + 16 + 2 + 16 + 2);
    expect(tuple.subarray(1, 17).toString('hex')).toBe('20010db8000000000000000000000004');
    expect(tuple.readUInt16LE(17)).toBe(54405);
    expect(tuple.subarray(19, 35).toString('hex')).toBe('20010db8000000000000000000000003');
    expect(tuple.readUInt16LE(35)).toBe(1234);
  });

  test('falco_psp_privileged #1405: the container event', async () => {
    const sink = new RecordingSink();
    await readCapture(fixturePath('falco_psp_privileged'), sink);
    const e = sink.events[1404]!;
    expect({ type: e.type, tid: e.tid, ts: e.ts, cpu: e.cpu }).toEqual({ type: 272, tid: -1, ts: 1562621733350505660n, cpu: 0 });
    expect(param(e, 0).toString('utf8')).toMatch(/^\{"container":\{"Mounts":\[\],"cpu_period":100000,/);
  });

  test('falco_psp_privileged: v9 process entries and v2 fd entries', async () => {
    const sink = new RecordingSink();
    await readCapture(fixturePath('falco_psp_privileged'), sink);
    // Values sysdig shows for the same threads (proc.sid, proc.vpgid, proc.exepath, user.loginuid, thread.vmsize).
    expect(sink.threads.find((t) => t.tid === 454)).toMatchObject({
      pid: 454, sid: 454, vpgid: 454, comm: 'systemd-journal', exepath: '/lib/systemd/systemd-journald',
      loginuid: -1, exeWritable: false, vmsizeKb: 43336, vmrssKb: 9676,
    });
    const fileV2 = sink.fds.filter((f) => f.fd.type === FdType.FILE_V2);
    expect(fileV2.length).toBeGreaterThan(0);
    // sysdig -c lsof: systemd (pid 1) fd 0 is /dev/null.
    expect(sink.fds.find((f) => f.pid === 1 && f.fd.fd === 0)?.fd).toMatchObject({ type: FdType.FILE_V2, name: '/dev/null' });
  });

  test('libs_curl_google: v5 process entries and v1 fd entries of every common kind', async () => {
    const sink = new RecordingSink();
    await readCapture(fixturePath('libs_curl_google'), sink);
    expect(sink.threads.find((t) => t.tid === 1)).toMatchObject({ comm: 'systemd', sid: -1, vpgid: -1, exepath: '', vmsizeKb: 37972, vmrssKb: 5976 });
    const kinds = new Set(sink.fds.map((f) => f.fd.type));
    for (const k of [FdType.FILE, FdType.DIRECTORY, FdType.IPV4_SOCK, FdType.IPV4_SERVSOCK, FdType.IPV6_SERVSOCK, FdType.FIFO, FdType.UNIX_SOCK, FdType.EVENT, FdType.SIGNALFD, FdType.EVENTPOLL, FdType.INOTIFY, FdType.TIMERFD]) {
      expect(kinds.has(k)).toBe(true);
    }
    // sysdig -c lsof: 50.207.137.246:63740->10.0.0.79:22 (sinsp shows the server side's tuple flipped).
    const ssh = sink.fds.find((f) => f.pid === 3111 && f.fd.fd === 3)!.fd;
    expect(ssh).toMatchObject({ type: FdType.IPV4_SOCK, sport: 22, dport: 63740 });
    expect(ssh.sip).toEqual(Uint8Array.of(10, 0, 0, 79));
    expect(ssh.dip).toEqual(Uint8Array.of(50, 207, 137, 246));
    // Unix socket names come from /proc/net/unix lines and keep their newline on file.
    expect(sink.fds.find((f) => f.pid === 1 && f.fd.fd === 14)?.fd).toMatchObject({ type: FdType.UNIX_SOCK, name: '/run/systemd/private\n', unixSource: 'ffff8800372b6c00' });
  });
});
