/**
 * The state of the machine before the first live event, read from /proc and
 * /etc and handed to a CaptureSink as the same records a .scap snapshot
 * gives (machine info, interfaces, users, groups, threads, fds), so the
 * first live table is as complete as a replay's.
 *
 *   const stats = bootstrapFromProc(sink);   // synchronous; ~ms per hundred processes
 *
 * What is read follows libscap's scan (scap_procs.c / scap_fds.c):
 *
 * - every process (`/proc/PID/`) and each of its threads
 *   (`/proc/PID/task/TID/`): comm, exe (argv[0]), exepath (the exe link),
 *   args and env (≤ 4 KiB each), cwd, root, uid/gid (effective), loginuid,
 *   ptid, sid, vpgid, tty, VmSize/VmRSS/VmSwap, page faults, fd limit,
 *   cgroups, vtid/vpid (NSpid/NStgid), clone time (ctime of the /proc dir),
 *   whether the executable is writable. Kernel threads (no exe, empty
 *   cmdline) and zombies are skipped, as scap skips them. Threads share the
 *   process's fd table (flags CLONE_THREAD|CLONE_FILES), as scap assumes.
 * - every process's fds: files (open flags and mount id from fdinfo, device
 *   from mountinfo), directories, pipes/FIFOs, sockets resolved by inode in
 *   the /proc/PID/net tables of the process's network namespace (tcp, udp,
 *   raw, their IPv6 versions, unix, netlink), and anonymous inodes
 *   (eventfd, eventpoll, timerfd, signalfd, inotify).
 * - users and groups from /etc/passwd and /etc/group; network interfaces.
 *
 * Differences from scap, on purpose: comm comes from /proc/TID/comm (scap
 * cuts the Name: line at its first blank, the probe reports the whole
 * name); a missing loginuid file gives -1 instead of dropping the thread;
 * netlink sockets are typed NETLINK (scap files them as unix sockets);
 * the exe-writable test is a permission-bit check (scap switches its
 * thread's euid to call access()).
 *
 * The process whose events the probe excludes (tsysdig) can be left out
 * too (`excludePid`), so it does not show up at all.
 *
 * Everything that vanishes mid-scan (processes exiting, fds closing) is
 * skipped silently; the event stream brings the truth after.
 */
import fs from 'node:fs';
import os from 'node:os';
import { FdType, type CaptureSink, type ExeInode, exeInode, type FdRecord, type InterfaceRecord, type MachineInfo, type ThreadRecord } from '../capture/records.js';
import { parseProcCgroup } from '../state/containers.js';
import { CloneFlag } from '../state/thread-info.js';
import {
  anonFdType,
  fdRecord,
  L4Proto,
  nsInode,
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
  socketFd,
  splitCmdline,
  splitNulList,
  type SocketTable,
} from './proc-parse.js';

/** scap's limits on what it reads of a process's arguments and environment. */
const MAX_ARGS = 4095;
const MAX_ENV = 4096;

export interface BootstrapOptions {
  /** Prefix of /proc and /etc (a host file system mounted in a container); default $HOST_ROOT or ''. */
  hostRoot?: string;
  /** Skip fd tables (threads only). */
  noFds?: boolean;
  /** A process left out (tsysdig itself, whose events the probe leaves out too); null: none. Default: none. */
  excludePid?: number | null;
  onWarning?: (msg: string) => void;
}

export interface BootstrapStats {
  processes: number;
  threads: number;
  fds: number;
  sockets: number;
  users: number;
  groups: number;
  interfaces: number;
  /** Wall time of the scan, ms. */
  ms: number;
}

/** Machine info for a live capture (what sysdig's machine-info block holds). */
/** This host's name as libscap reports it: the FALCO_HOSTNAME / SCAP_HOSTNAME environment variable when set, else the system's. */
export function liveHostname(): string {
  return process.env['FALCO_HOSTNAME'] || process.env['SCAP_HOSTNAME'] || os.hostname();
}

export function liveMachineInfo(numCpus: number, maxEventSize: number, hostRoot = process.env.HOST_ROOT ?? ''): MachineInfo {
  let maxPid: number | undefined;
  try {
    maxPid = Number(fs.readFileSync(`${hostRoot}/proc/sys/kernel/pid_max`, 'latin1').trim()) || undefined;
  } catch {
    maxPid = undefined;
  }
  return { numCpus, memoryBytes: os.totalmem(), maxEventSize, hostname: liveHostname(), ...(maxPid !== undefined ? { maxPid } : {}) };
}

/** Reads /proc and /etc into `sink` (no machine info: the caller sends it first). */
export function bootstrapFromProc(sink: CaptureSink, opts: BootstrapOptions = {}): BootstrapStats {
  const t0 = performance.now();
  const scan = new ProcScanner(opts.hostRoot ?? process.env.HOST_ROOT ?? '', opts.onWarning);
  const stats: BootstrapStats = { processes: 0, threads: 0, fds: 0, sockets: 0, users: 0, groups: 0, interfaces: 0, ms: 0 };
  for (const i of readInterfaces()) {
    sink.onInterface?.(i);
    stats.interfaces++;
  }
  const users = parsePasswd(scan.read(`${scan.root}/etc/passwd`, Infinity) ?? '');
  const groups = parseGroup(scan.read(`${scan.root}/etc/group`, Infinity) ?? '');
  for (const u of users) sink.onUser?.(u);
  for (const g of groups) sink.onGroup?.(g);
  stats.users = users.length;
  stats.groups = groups.length;

  const excluded = opts.excludePid ?? -1;
  for (const pid of scan.numericEntries(`${scan.root}/proc`)) {
    if (pid === excluded) continue;
    const dir = `${scan.root}/proc/${pid}/`;
    const main = scan.thread(dir, pid, null);
    if (main === null) continue;
    sink.onThread?.(main);
    stats.processes++;
    stats.threads++;
    for (const tid of scan.numericEntries(`${dir}task`)) {
      if (tid === pid) continue;
      const t = scan.thread(`${dir}task/${tid}/`, tid, main);
      if (t === null) continue;
      sink.onThread?.(t);
      stats.threads++;
    }
    if (opts.noFds) continue;
    for (const fd of scan.fds(dir, pid)) {
      sink.onFd?.(pid, fd);
      stats.fds++;
      if (fd.type === FdType.IPV4_SOCK || fd.type === FdType.IPV6_SOCK || fd.type === FdType.IPV4_SERVSOCK || fd.type === FdType.IPV6_SERVSOCK || fd.type === FdType.UNIX_SOCK) stats.sockets++;
    }
  }
  stats.ms = performance.now() - t0;
  return stats;
}

/** The IP addresses of every interface (as getifaddrs lists them), broadcast computed for broadcast-capable links. */
export function readInterfaces(): InterfaceRecord[] {
  const out: InterfaceRecord[] = [];
  const ifs = os.networkInterfaces();
  for (const [name, addrs] of Object.entries(ifs)) {
    let broadcast = false;
    try {
      broadcast = (parseInt(fs.readFileSync(`/sys/class/net/${name}/flags`, 'latin1'), 16) & 0x2) !== 0; // IFF_BROADCAST
    } catch {
      broadcast = false;
    }
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4') {
        const addr = Uint8Array.from(a.address.split('.').map(Number));
        const mask = Uint8Array.from(a.netmask.split('.').map(Number));
        const bcast = broadcast ? addr.map((b, i) => (b | ~mask[i]!) & 0xff) : new Uint8Array(4);
        out.push({ name, family: 4, addr, netmask: mask, bcast, linkspeed: 0 });
      } else if (a.family === 'IPv6') {
        out.push({ name, family: 6, addr: ipv6Bytes(a.address), netmask: ipv6Bytes(a.netmask), bcast: new Uint8Array(16), linkspeed: 0 });
      }
    }
  }
  return out;
}

function ipv6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const s = text.replace(/%.*$/, '');
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const words = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  for (let i = 0; i < 8; i++) {
    const w = parseInt(words[i] ?? '0', 16) || 0;
    out[i * 2] = w >>> 8;
    out[i * 2 + 1] = w & 0xff;
  }
  return out;
}

/** The scan itself: file reads with one reused buffer, socket tables per network namespace. */
class ProcScanner {
  private readonly buf = Buffer.allocUnsafe(64 * 1024);
  /** Socket tables by network-namespace inode, and whether a table was re-read after a miss. */
  private readonly sockets = new Map<number, { table: SocketTable; refreshed: boolean }>();
  /** Mount id → device (mount ids are unique system-wide). */
  private readonly devices = new Map<number, number>();
  private readonly mountinfoRead = new Set<number>();
  private readonly cgroup2: boolean;
  private warned = false;

  constructor(
    readonly root: string,
    private readonly onWarning?: (msg: string) => void,
  ) {
    this.cgroup2 = /\bcgroup2\b/.test(this.read(`${root}/proc/filesystems`, Infinity) ?? 'cgroup2');
  }

  /** The first `max` bytes of a file as latin1 text, or null when it cannot be read. */
  read(path: string, max = this.buf.length): string | null {
    if (max === Infinity) {
      try {
        return fs.readFileSync(path, 'latin1');
      } catch {
        return null;
      }
    }
    let fd = -1;
    try {
      fd = fs.openSync(path, 'r');
      let n = 0;
      const limit = Math.min(max, this.buf.length);
      while (n < limit) {
        const r = fs.readSync(fd, this.buf, n, limit - n, null);
        if (r <= 0) break;
        n += r;
      }
      return this.buf.toString('latin1', 0, n);
    } catch {
      return null;
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
  }

  readlink(path: string): string | null {
    try {
      return fs.readlinkSync(path, 'latin1');
    } catch {
      return null;
    }
  }

  numericEntries(dir: string): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const out: number[] = [];
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c >= 48 && c <= 57 && /^\d+$/.test(n)) out.push(Number(n));
    }
    return out;
  }

  /**
   * One thread from its /proc directory (`/proc/PID/` or `/proc/PID/task/TID/`).
   * `main`: the process's main thread, whose per-process fields a secondary thread shares.
   */
  thread(dir: string, tid: number, main: ThreadRecord | null): ThreadRecord | null {
    let exepath: string;
    let exe: string;
    let args: string[];
    let env: string[];
    let cwd: string;
    let root: string;
    let fdlimit: number;
    let loginuid: number;
    if (main === null) {
      const link = this.readlink(`${dir}exe`);
      const cmdline = this.read(`${dir}cmdline`, MAX_ARGS);
      // No exe and no command line: a kernel thread or a zombie (scap skips them).
      if (link === null && (cmdline === null || cmdline === '')) return null;
      if (cmdline === null) return null;
      exepath = link ?? '';
      ({ exe, args } = splitCmdline(cmdline));
      env = splitNulList(this.read(`${dir}environ`, MAX_ENV) ?? '');
      cwd = this.readlink(`${dir}cwd`) ?? '';
      root = this.readlink(`${dir}root`) ?? '';
      fdlimit = parseFdLimit(this.read(`${dir}limits`) ?? '');
      loginuid = parseLoginUid(this.read(`${dir}loginuid`) ?? '');
    } else {
      ({ exepath, exe, args, env, cwd, root, fdlimit, loginuid } = main);
    }
    const statusText = this.read(`${dir}status`);
    const statText = this.read(`${dir}stat`);
    if (statusText === null || statText === null) return null;
    const st = parseStatus(statusText);
    const stat = parseStat(statText);
    if (stat === null || st.tgid < 0) return null;
    const comm = (this.read(`${dir}comm`) ?? '').replace(/\n$/, '');
    const cgroups = parseProcCgroup(this.read(`${dir}cgroup`) ?? '', this.cgroup2);
    let cloneTs = 0;
    try {
      cloneTs = Number(fs.statSync(dir, { bigint: true }).ctimeNs);
    } catch {
      return null; // gone
    }
    const pid = st.tgid;
    return {
      tid,
      pid,
      ptid: st.ppid,
      sid: stat.sid,
      vpgid: st.vpgid >= 0 ? st.vpgid : stat.pgid,
      comm,
      exe,
      exepath,
      args,
      env,
      cwd,
      fdlimit,
      flags: tid === pid ? 0 : CloneFlag.CLONE_THREAD | CloneFlag.CLONE_FILES,
      uid: st.uid,
      gid: st.gid,
      vmsizeKb: st.vmsizeKb,
      vmrssKb: st.vmrssKb,
      vmswapKb: st.vmswapKb,
      pfmajor: stat.pfmajor,
      pfminor: stat.pfminor,
      vtid: st.vtid >= 0 ? st.vtid : tid,
      vpid: st.vpid >= 0 ? st.vpid : pid,
      cgroups,
      root,
      loginuid,
      exeWritable: main !== null ? main.exeWritable : this.exeWritable(dir, exepath, st.uid, st.gid),
      // As the libs drivers test it: the executable is an unlinked memfd ("/memfd:NAME (deleted)").
      exeFromMemfd: exepath.startsWith('/memfd:'),
      exeIno: main !== null ? (main.exeIno ?? null) : this.exeInode(dir, cloneTs),
      caps: st.caps,
      pidnsInitStartTs: main !== null ? (main.pidnsInitStartTs ?? 0n) : this.pidnsInitStart(dir),
      cloneTs,
      tty: stat.tty,
    };
  }

  /** Start of the process's PID namespace: the ctime of its init's /proc entry, seen through the process's root (as libscap reads it); 0n when unreadable. */
  private pidnsInitStart(dir: string): bigint {
    try {
      return fs.statSync(`${dir}root/proc/1`, { bigint: true }).ctimeNs;
    } catch {
      return 0n;
    }
  }

  /** The executable's inode (number, ctime, mtime) through /proc/PID/exe; null when unreadable. */
  private exeInode(dir: string, cloneTs: number): ExeInode | null {
    try {
      const s = fs.statSync(`${dir}exe`, { bigint: true });
      return exeInode(Number(s.ino), s.ctimeNs, s.mtimeNs, BigInt(cloneTs));
    } catch {
      return null;
    }
  }

  /** Permission bits of the executable (through the process's root) against its effective ids. */
  private exeWritable(dir: string, exepath: string, uid: number, gid: number): boolean {
    if (exepath === '') return false;
    let s: fs.Stats;
    try {
      s = fs.statSync(`${dir}root${exepath}`);
    } catch {
      return false;
    }
    if (s.uid === uid) return true; // the owner can chmod it
    if (uid === 0) return true; // root may write any file (read-only mounts aside)
    if (s.gid === gid && (s.mode & 0o020) !== 0) return true;
    return (s.mode & 0o002) !== 0;
  }

  /** The fd table of process `pid` (directory `dir` = /proc/PID/). */
  fds(dir: string, pid: number): FdRecord[] {
    const out: FdRecord[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(`${dir}fd`);
    } catch {
      return out;
    }
    let netns = -1;
    for (const name of names) {
      const fd = Number(name);
      if (!Number.isInteger(fd)) continue;
      const path = `${dir}fd/${name}`;
      let st: fs.Stats;
      try {
        st = fs.statSync(path);
      } catch {
        continue; // closed meanwhile, or a dangling special file
      }
      const link = this.readlink(path);
      if (link === null) continue;
      const kind = st.mode & fs.constants.S_IFMT;
      switch (kind) {
        case fs.constants.S_IFIFO: {
          const m = /^pipe:\[(\d+)\]$/.exec(link);
          out.push(fdRecord(fd, FdType.FIFO, m !== null ? Number(m[1]) : st.ino, link));
          break;
        }
        case fs.constants.S_IFREG:
        case fs.constants.S_IFBLK:
        case fs.constants.S_IFCHR:
        case fs.constants.S_IFLNK: {
          const r = fdRecord(fd, FdType.FILE_V2, st.ino, link);
          const info = parseFdInfo(this.read(`${dir}fdinfo/${name}`) ?? '');
          r.openFlags = openFlagsToPpm(info.flags);
          r.mountId = info.mountId;
          r.dev = this.device(dir, pid, info.mountId);
          out.push(r);
          break;
        }
        case fs.constants.S_IFDIR:
          out.push(fdRecord(fd, FdType.DIRECTORY, st.ino, link));
          break;
        case fs.constants.S_IFSOCK: {
          const m = /^socket:\[(\d+)\]$/.exec(link);
          if (m === null) {
            out.push(fdRecord(fd, FdType.UNSUPPORTED, st.ino, link));
            break;
          }
          if (netns < 0) netns = nsInode(this.readlink(`${dir}ns/net`) ?? '');
          const r = this.socket(dir, netns, fd, Number(m[1]));
          // Sockets no table lists (packet, vsock, bluetooth...) are left out, as scap does.
          if (r !== null) out.push(r);
          break;
        }
        default:
          out.push(fdRecord(fd, anonFdType(link), st.ino, ''));
      }
    }
    return out;
  }

  private socket(dir: string, netns: number, fd: number, ino: number): FdRecord | null {
    let entry = this.sockets.get(netns);
    if (entry === undefined) {
      entry = { table: this.readSockets(dir), refreshed: false };
      this.sockets.set(netns, entry);
    }
    let r = socketFd(entry.table, fd, ino);
    if (r === null && !entry.refreshed) {
      // created after the tables were read: read them again, once per namespace
      entry.table = this.readSockets(dir);
      entry.refreshed = true;
      r = socketFd(entry.table, fd, ino);
    }
    return r;
  }

  private readSockets(dir: string): SocketTable {
    const t: SocketTable = new Map();
    const net = `${dir}net/`;
    const read = (f: string) => this.read(`${net}${f}`, Infinity) ?? '';
    parseInetSockets(read('tcp'), 4, L4Proto.TCP, t);
    parseInetSockets(read('udp'), 4, L4Proto.UDP, t);
    parseInetSockets(read('raw'), 4, L4Proto.RAW, t);
    parseUnixSockets(read('unix'), t);
    parseNetlinkSockets(read('netlink'), t);
    parseInetSockets(read('tcp6'), 6, L4Proto.TCP, t);
    parseInetSockets(read('udp6'), 6, L4Proto.UDP, t);
    parseInetSockets(read('raw6'), 6, L4Proto.RAW, t);
    return t;
  }

  private device(dir: string, pid: number, mountId: number): number {
    if (mountId === 0) return 0;
    let dev = this.devices.get(mountId);
    if (dev === undefined && !this.mountinfoRead.has(pid)) {
      this.mountinfoRead.add(pid);
      const text = this.read(`${dir}mountinfo`, Infinity);
      if (text === null) {
        if (!this.warned) this.onWarning?.(`cannot read ${dir}mountinfo: file devices left 0`);
        this.warned = true;
      } else parseMountInfo(text, this.devices);
      dev = this.devices.get(mountId);
    }
    return dev ?? 0;
  }
}
