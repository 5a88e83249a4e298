/**
 * A synthetic capture exercising what the seven real fixtures lack: IPv4
 * sockets (client, server, datagram; host and container addresses),
 * docker and Kubernetes containers (labels, sandbox, mounts, probes),
 * *at() paths (evt.abspath), a failed mmap, poll fd lists, a process
 * tree with threads, and procinfo CPU counters.
 *
 * test/fields/synthetic.test.ts checks that the checked-in
 * test/golden/fields/synthetic/fields-synthetic.scap is exactly what this
 * builds, and scripts/make-field-goldens.sh runs sysdig on it like on the
 * real fixtures, so the same golden comparison covers it.
 */
import { EVENT_TABLE } from '../../src/event/event-table.js';
import { ParamType } from '../../src/event/types.js';
import { FdType } from '../../src/capture/records.js';
import { Bytes, fdRecord, iface, ScapBuilder, thread } from '../capture/scap-builder.js';

type Value = number | bigint | string | Buffer;

const T0 = 1_600_000_000_000_000_000n;
const SEC = 1_000_000_000n;
const AT_FDCWD = -100;

/** Encodes one parameter value by its table type (missing values are zeros / empty). */
export function encode(type: ParamType, v: Value | undefined): Buffer {
  const b = new Bytes();
  switch (type) {
    case ParamType.INT64:
    case ParamType.UINT64:
    case ParamType.FD:
    case ParamType.PID:
    case ParamType.ERRNO:
    case ParamType.RELTIME:
    case ParamType.ABSTIME: {
      const n = BigInt(typeof v === 'number' || typeof v === 'bigint' ? v : 0);
      return n < 0n ? b.i64(n).build() : b.u64(n).build();
    }
    case ParamType.INT32:
      return b.i32(Number(v ?? 0)).build();
    case ParamType.UINT32:
    case ParamType.FLAGS32:
    case ParamType.MODE:
    case ParamType.UID:
    case ParamType.GID:
      return b.u32(Number(v ?? 0)).build();
    case ParamType.UINT16:
    case ParamType.FLAGS16:
    case ParamType.PORT:
    case ParamType.SYSCALLID:
      return b.u16(Number(v ?? 0)).build();
    case ParamType.UINT8:
    case ParamType.FLAGS8:
    case ParamType.SIGTYPE:
      return b.u8(Number(v ?? 0)).build();
    case ParamType.CHARBUF:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
      return Buffer.isBuffer(v) ? v : Buffer.from(`${(v as string | undefined) ?? ''}\0`, 'latin1');
    default:
      return Buffer.isBuffer(v) ? v : Buffer.from((v as string | undefined) ?? '', 'latin1');
  }
}

function ip4(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

/** PT_SOCKTUPLE for IPv4: family, source ip:port, destination ip:port. */
function tuple4(sip: string, sport: number, dip: string, dport: number): Buffer {
  return new Bytes().u8(2).raw(ip4(sip)).u16(sport).raw(ip4(dip)).u16(dport).build();
}

/** PT_SOCKADDR for IPv4. */
function addr4(ip: string, port: number): Buffer {
  return new Bytes().u8(2).raw(ip4(ip)).u16(port).build();
}

/** PT_FDLIST: count, then (fd, flags) pairs. */
function fdlist(fds: [number, number][]): Buffer {
  const b = new Bytes().u16(fds.length);
  for (const [fd, flags] of fds) b.i64(fd).u16(flags);
  return b.build();
}

function nulList(items: string[]): Buffer {
  return Buffer.from(items.map((s) => `${s}\0`).join(''), 'latin1');
}

const HEX_A = 'a1b2c3d4e5f6'.padEnd(64, '0');
const HEX_B = 'b2c3d4e5f6a1'.padEnd(64, '1');
const HEX_S = 'c3d4e5f6a1b2'.padEnd(64, '2');
const POD_UID = '7f0e3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

const CONTAINERS = [
  {
    id: HEX_A.slice(0, 12),
    type: 0,
    name: 'web',
    image: 'nginx:1.21',
    imageid: 'f68d6e55e065',
    imagerepo: 'nginx',
    imagetag: '1.21',
    imagedigest: 'sha256:96fb261b66270b900ea5a2c17a26abbfabe95506e73c3a3c65869a6dbe83223a',
    privileged: true,
    ip: '172.17.0.2',
    lookup_state: 1,
    Mounts: [
      { Source: '/data/html', Destination: '/usr/share/nginx/html', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Source: '/var/log/web', Destination: '/var/log/nginx', Mode: '', RW: true, Propagation: 'rprivate' },
    ],
    Healthcheck: { exe: 'curl', args: ['-f', 'http://localhost/'] },
    labels: { maintainer: 'web team' },
  },
  {
    id: HEX_B.slice(0, 12),
    type: 6,
    name: 'app',
    image: 'registry.local/shop/frontend:2.3',
    imageid: '0123456789ab',
    imagerepo: 'registry.local/shop/frontend',
    imagetag: '2.3',
    imagedigest: '',
    privileged: false,
    ip: '172.17.0.3',
    lookup_state: 1,
    Mounts: [],
    LivenessProbe: { exe: '/bin/check', args: ['--live'] },
    labels: {
      'io.kubernetes.container.name': 'app',
      'io.kubernetes.pod.name': 'frontend-7d4b9c-x2x9q',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': POD_UID,
      'io.kubernetes.sandbox.id': HEX_S,
    },
  },
  {
    id: HEX_S.slice(0, 12),
    type: 6,
    name: 'k8s_POD_frontend',
    image: 'k8s.gcr.io/pause:3.5',
    privileged: false,
    ip: '172.17.0.3',
    is_pod_sandbox: true,
    lookup_state: 1,
    labels: {
      app: 'frontend',
      tier: 'web',
      'pod-template-hash': '7d4b9c',
      empty: '',
      'annotation.kubernetes.io/config.seen': '2021-01-01',
      'io.kubernetes.pod.name': 'frontend-7d4b9c-x2x9q',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': POD_UID,
    },
  },
];

export function buildSyntheticCapture(): Buffer {
  const b = new ScapBuilder();
  b.sectionHeader();
  b.machineInfo({ numCpus: 2, memoryBytes: 8 * 1024 * 1024 * 1024, maxPid: 32768, hostname: 'synth' });
  b.interfaceList(1, [
    iface({ name: 'lo', addr: ip4('127.0.0.1'), netmask: ip4('255.0.0.0'), bcast: ip4('127.255.255.255') }),
    iface({ name: 'eth0', addr: ip4('10.0.0.5'), netmask: ip4('255.255.255.0'), bcast: ip4('10.0.0.255') }),
  ]);
  b.userList(
    1,
    [
      { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash', container: '' },
      { uid: 1000, gid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/zsh', container: '' },
    ],
    [
      { gid: 0, name: 'root', container: '' },
      { gid: 1000, name: 'alice', container: '' },
    ],
  );
  const host = ['cpuset=/', 'cpu=/user.slice', 'io=/user.slice', 'memory=/user.slice'];
  const docker = [`cpuset=/docker/${HEX_A}`, `cpu=/docker/${HEX_A}`, `memory=/docker/${HEX_A}`];
  const pod = (hex: string): string[] => [`cpuset=/kubepods/besteffort/pod${POD_UID}/${hex}`, `cpu=/kubepods/besteffort/pod${POD_UID}/${hex}`];
  const base = { cloneTs: 0, tty: 0, exeWritable: false, vtid: -1, vpid: -1, root: '/', pfmajor: 1, pfminor: 100 };
  b.processList(9, [
    thread({ ...base, tid: 1, pid: 1, ptid: 0, sid: 1, vpgid: 1, comm: 'systemd', exe: '/sbin/init', exepath: '/lib/systemd/systemd', args: [], env: [], cwd: '/', fdlimit: 65536, flags: 0, uid: 0, gid: 0, loginuid: -1, vmsizeKb: 160000, vmrssKb: 9000, vmswapKb: 0, cgroups: ['cpuset=/', 'cpu=/init.scope'] }),
    thread({ ...base, tid: 400, pid: 400, ptid: 1, sid: 400, vpgid: 400, comm: 'sshd', exe: '/usr/sbin/sshd', exepath: '/usr/sbin/sshd', args: ['-D'], env: ['LANG=C'], cwd: '/', fdlimit: 1024, flags: 0, uid: 0, gid: 0, loginuid: -1, vmsizeKb: 12000, vmrssKb: 5000, vmswapKb: 0, cgroups: host }),
    thread({ ...base, tid: 500, pid: 500, ptid: 400, sid: 500, vpgid: 500, comm: 'bash', exe: '-bash', exepath: '/bin/bash', args: [], env: ['HOME=/home/alice', 'TERM=xterm', 'SHELL=/bin/zsh', '', ''], cwd: '/home/alice/', fdlimit: 1024, flags: 0, uid: 1000, gid: 1000, loginuid: 1000, vmsizeKb: 22000, vmrssKb: 5400, vmswapKb: 12, tty: 34817, cgroups: host, exeWritable: true }),
    thread({ ...base, tid: 600, pid: 600, ptid: 1, sid: 600, vpgid: 600, comm: 'nginx', exe: 'nginx', exepath: '/usr/sbin/nginx', args: ['-g', 'daemon off;'], env: ['NGINX_VERSION=1.21'], cwd: '/', fdlimit: 1048576, flags: 0, uid: 0, gid: 0, loginuid: -1, vmsizeKb: 50000, vmrssKb: 7000, vmswapKb: 0, vtid: 1, vpid: 1, cgroups: docker }),
    thread({ ...base, tid: 601, pid: 600, ptid: 1, sid: 600, vpgid: 600, comm: 'nginx', exe: 'nginx', exepath: '/usr/sbin/nginx', args: ['-g', 'daemon off;'], env: [], cwd: '/', fdlimit: 1048576, flags: 0x2000 | 1, uid: 0, gid: 0, loginuid: -1, vmsizeKb: 50000, vmrssKb: 7000, vmswapKb: 0, vtid: 2, vpid: 1, cgroups: docker }),
    thread({ ...base, tid: 700, pid: 700, ptid: 690, sid: 700, vpgid: 700, comm: 'frontend', exe: '/app/frontend', exepath: '/app/frontend', args: ['--port', '8080'], env: ['PORT=8080'], cwd: '/app/', fdlimit: 4096, flags: 0, uid: 1000, gid: 1000, loginuid: -1, vmsizeKb: 80000, vmrssKb: 20000, vmswapKb: 0, vtid: 1, vpid: 1, cgroups: pod(HEX_B) }),
    thread({ ...base, tid: 710, pid: 710, ptid: 690, sid: 710, vpgid: 710, comm: 'pause', exe: '/pause', exepath: '/pause', args: [], env: [], cwd: '/', fdlimit: 1024, flags: 0, uid: 65535, gid: 65535, loginuid: -1, vmsizeKb: 1000, vmrssKb: 300, vmswapKb: 0, vtid: 1, vpid: 1, cgroups: pod(HEX_S) }),
  ]);
  const pts = fdRecord({ type: FdType.FILE_V2, name: '/dev/pts/1', openFlags: 3, dev: 0x18, ino: 4 });
  b.fdList(2, 500, [
    { ...pts, fd: 0 },
    { ...pts, fd: 1 },
    { ...pts, fd: 2 },
    fdRecord({ fd: 255, type: FdType.DIRECTORY, name: '/home/alice', ino: 99 }),
  ]);
  b.fdList(2, 600, [
    fdRecord({ fd: 3, type: FdType.IPV4_SERVSOCK, sip: ip4('0.0.0.0'), sport: 80, l4proto: 2, ino: 1001 }),
    fdRecord({ fd: 4, type: FdType.IPV4_SOCK, sip: ip4('10.0.0.9'), sport: 51000, dip: ip4('172.17.0.2'), dport: 80, l4proto: 2, ino: 1002 }),
    fdRecord({ fd: 5, type: FdType.UNIX_SOCK, unixSource: 'ffff8800aaaa0000', unixDest: 'ffff8800bbbb0000', name: '/run/nginx.sock', ino: 1003 }),
    fdRecord({ fd: 6, type: FdType.FILE_V2, name: '/var/log/nginx/access.log', openFlags: 2, dev: 0x801, ino: 1004 }),
  ]);
  b.fdList(2, 700, [fdRecord({ fd: 3, type: FdType.IPV4_SOCK, sip: ip4('172.17.0.3'), sport: 40000, dip: ip4('10.96.0.1'), dport: 443, l4proto: 2, ino: 2001 })]);

  let ts = T0;
  let cpu = 0;
  const ev = (type: number, tid: number, values: Record<string, Value> = {}, dt = 1000n): void => {
    ts += dt;
    const info = EVENT_TABLE[type]!;
    const params = info.params.map((p) => encode(p.type, values[p.name]));
    b.event('EV_V2', { type, tid, ts, cpu, params });
  };

  // Container metadata, before any other event (sysdig consumes these while opening the capture).
  for (const c of CONTAINERS) ev(272, -1, { json: JSON.stringify({ container: c }) }, 1n);

  const procinfo = (round: number): void => {
    cpu = 1;
    for (const [tid, usr, sys] of [
      [500, 10, 3],
      [600, 100, 40],
      [601, 7, 1],
      [700, 300, 30],
      [710, 0, 0],
      [999, 5, 5],
    ] as const) {
      ev(234, tid, { cpu_usr: usr * round + (tid === 700 && round === 3 ? 200 : 0), cpu_sys: sys * round });
    }
    cpu = 0;
  };
  procinfo(1);
  // Docker infrastructure events (internal: shown with sysdig -D).
  ev(286, 0, { source: 'docker', name: 'container', description: 'Event: start; ID: a1b2c3d4e5f6a7b8c9d0; name: web; Image: nginx:1.21', scope: 'container.id=a1b2c3d4e5f6' });
  ev(286, 0, { source: 'docker', name: 'container', description: 'Event: die; ID: b2c3d4; name: old; Image: sha256:96fb261b6627', scope: 'container.id=b2c3d4' });

  // bash: a file written and read, relative to the cwd; a failed open; *at() paths.
  ev(306, 500, { dirfd: AT_FDCWD, name: 'notes.txt', flags: 3 | 4, mode: 0o755 });
  ev(307, 500, { fd: 3, dirfd: AT_FDCWD, name: 'notes.txt', flags: 3 | 4, mode: 0o755, dev: 0x803 });
  ev(8, 500, { fd: 3, size: 12 });
  ev(9, 500, { res: 12, data: 'hello world\n' });
  ev(6, 500, { fd: 3, size: 64 });
  ev(7, 500, { res: 4, data: Buffer.from('bye\0', 'latin1') });
  ev(4, 500, { fd: 3 });
  ev(5, 500, { res: 0 });
  ev(306, 500, { dirfd: AT_FDCWD, name: '/etc/nosuch', flags: 1, mode: 0 });
  ev(307, 500, { fd: -2, dirfd: AT_FDCWD, name: '/etc/nosuch', flags: 1, mode: 0, dev: 0 });
  ev(318, 500);
  ev(319, 500, { res: 0, olddirfd: AT_FDCWD, oldpath: 'draft.txt', newdirfd: 255, newpath: 'final.txt', flags: 0 });
  ev(304, 500);
  ev(305, 500, { res: 0, dirfd: AT_FDCWD, path: 'projects/new', mode: 0o755 });
  ev(302, 500);
  ev(303, 500, { res: -13, dirfd: 255, name: '../secret', flags: 0 });
  ev(160, 500, { addr: 0, length: 1n << 40n, prot: 3, flags: 0x22, fd: -1, offset: 0 });
  ev(161, 500, { res: BigInt.asUintN(64, -12n), vm_size: 22000, vm_rss: 5400, vm_swap: 12 });
  ev(80, 500, { fds: fdlist([[0, 1], [255, 1], [9, 1]]), timeout: 1000 });
  ev(81, 500, { res: 1, fds: fdlist([[0, 1], [255, 0], [9, 0]]) });

  // nginx in its container: accept a client, read the request, answer, close; a thread writes the old connection.
  ev(246, 600);
  ev(247, 600, { fd: 7, tuple: tuple4('10.0.0.9', 51001, '172.17.0.2', 80), queuepct: 0, queuelen: 0, queuemax: 128 });
  ev(6, 600, { fd: 7, size: 1024 });
  ev(7, 600, { res: 18, data: 'GET / HTTP/1.1\r\n\r\n' });
  ev(8, 600, { fd: 7, size: 17 });
  ev(9, 600, { res: 17, data: 'HTTP/1.1 200 OK\r\n' });
  ev(8, 600, { fd: 6, size: 10 });
  ev(9, 600, { res: 10, data: '127.0.0.1\n' });
  ev(8, 601, { fd: 4, size: 5 });
  ev(9, 601, { res: 5, data: 'data\n' });
  ev(8, 601, { fd: 5, size: 5 });
  ev(9, 601, { res: -32, data: '' });
  ev(4, 600, { fd: 7 });
  ev(5, 600, { res: 0 });
  ev(80, 601, { fds: fdlist([[3, 1], [4, 1], [5, 1], [6, 4]]), timeout: -1 });
  ev(81, 601, { res: 2, fds: fdlist([[3, 1], [4, 4], [5, 0], [6, 4]]) });

  // The pod's app: a TCP client, a UDP exchange, a failed connect.
  ev(18, 700, { domain: 2, type: 1, proto: 6 });
  ev(19, 700, { fd: 4 });
  ev(22, 700, { fd: 4, addr: addr4('10.0.0.5', 80) });
  ev(23, 700, { res: 0, tuple: tuple4('172.17.0.3', 40001, '10.0.0.5', 80) });
  ev(8, 700, { fd: 4, size: 3 });
  ev(9, 700, { res: 3, data: 'hi\n' });
  ev(18, 700, { domain: 2, type: 2, proto: 17 });
  ev(19, 700, { fd: 5 });
  ev(30, 700, { fd: 5, size: 20, tuple: tuple4('0.0.0.0', 0, '10.96.0.10', 53) });
  ev(31, 700, { res: 20, data: 'dns query...........' });
  ev(34, 700, { fd: 5, size: 512 });
  ev(35, 700, { res: 40, data: 'dns answer..............................', tuple: tuple4('10.96.0.10', 53, '172.17.0.3', 45000) });
  ev(18, 700, { domain: 2, type: 1, proto: 0 });
  ev(19, 700, { fd: 6 });
  ev(22, 700, { fd: 6, addr: addr4('10.0.0.77', 5432) });
  ev(23, 700, { res: -111, tuple: tuple4('172.17.0.3', 40002, '10.0.0.77', 5432) });
  ev(8, 700, { fd: 3, size: 4 });
  ev(9, 700, { res: 4, data: 'ping' });

  // bash forks and execs ls, which exits.
  ev(222, 500);
  ev(223, 500, {
    res: 800, exe: '-bash', args: nulList([]), tid: 500, pid: 500, ptid: 400, cwd: '/home/alice', fdlimit: 1024,
    pgft_maj: 0, pgft_min: 10, vm_size: 22000, vm_rss: 5400, vm_swap: 12, comm: 'bash', cgroups: nulList(host), flags: 0, uid: 1000, gid: 1000, vtid: 500, vpid: 500,
  });
  ev(223, 800, {
    res: 0, exe: '-bash', args: nulList([]), tid: 800, pid: 800, ptid: 500, cwd: '/home/alice', fdlimit: 1024,
    pgft_maj: 0, pgft_min: 0, vm_size: 22000, vm_rss: 1200, vm_swap: 0, comm: 'bash', cgroups: nulList(host), flags: 0, uid: 1000, gid: 1000, vtid: 800, vpid: 800,
  });
  ev(292, 800, { filename: '/bin/ls' });
  ev(293, 800, {
    res: 0, exe: 'ls', args: nulList(['-l', '/tmp']), tid: 800, pid: 800, ptid: 500, cwd: '/home/alice', fdlimit: 1024,
    pgft_maj: 2, pgft_min: 90, vm_size: 9000, vm_rss: 3000, vm_swap: 0, comm: 'ls', cgroups: nulList(host),
    env: nulList(['HOME=/home/alice', 'LS_COLORS=', 'TERM=xterm']), tty: 34817, pgid: 800, loginuid: 1000, flags: 1,
  });
  ev(306, 800, { dirfd: AT_FDCWD, name: '/tmp', flags: 1 | (1 << 10), mode: 0 });
  ev(307, 800, { fd: 3, dirfd: AT_FDCWD, name: '/tmp', flags: 1 | (1 << 10), mode: 0, dev: 0x803 });
  ev(8, 800, { fd: 1, size: 6 });
  ev(9, 800, { res: 6, data: 'a.txt\n' });
  ev(186, 800, { status: 0, ret: 0, sig: 0, core: 0 });

  // A thread of nginx is created and exits; CPU counters move on.
  ev(222, 600, {}, SEC / 2n);
  ev(223, 600, {
    res: 602, exe: 'nginx', args: nulList(['-g', 'daemon off;']), tid: 600, pid: 600, ptid: 1, cwd: '/', fdlimit: 1048576,
    pgft_maj: 0, pgft_min: 0, vm_size: 50000, vm_rss: 7000, vm_swap: 0, comm: 'nginx', cgroups: nulList(docker), flags: 0x2000 | 1 | 2, uid: 0, gid: 0, vtid: 3, vpid: 1,
  });
  ev(223, 602, {
    res: 0, exe: 'nginx', args: nulList(['-g', 'daemon off;']), tid: 602, pid: 600, ptid: 1, cwd: '/', fdlimit: 1048576,
    pgft_maj: 0, pgft_min: 0, vm_size: 50000, vm_rss: 7000, vm_swap: 0, comm: 'nginx', cgroups: nulList(docker), flags: 0x2000 | 1 | 2, uid: 0, gid: 0, vtid: 3, vpid: 1,
  });
  ev(8, 602, { fd: 6, size: 4 });
  ev(9, 602, { res: 4, data: 'log\n' });
  procinfo(2);
  ev(186, 602, { status: 0, ret: 0, sig: 0, core: 0 }, SEC / 4n);
  ev(8, 600, { fd: 6, size: 4 });
  ev(9, 600, { res: 4, data: 'end\n' });
  procinfo(3);
  return b.build();
}
