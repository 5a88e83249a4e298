/**
 * Parsers for the /proc and /etc files the live bootstrap reads. Pure
 * functions over the files' text (latin1: one char per byte, as every string
 * of the event path), so they are unit-tested without a live system.
 *
 * Field meanings follow libscap's /proc scan (scap_procs.c, scap_fds.c),
 * which is what sysdig shows for processes that existed before capture.
 */
import { FdType, type CapSets, type FdRecord, type GroupRecord, type UserRecord } from '../capture/records.js';

// ---------------------------------------------------------------- threads

/** What /proc/PID/status holds that the process list needs. */
export interface ProcStatus {
  tgid: number;
  ppid: number;
  /** Effective ids (the second column of Uid:/Gid:). */
  uid: number;
  gid: number;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  /** Ids in the innermost-but-one namespace level, as scap reads them (NSpid/NStgid/NSpgid second column); -1 when absent. */
  vtid: number;
  vpid: number;
  vpgid: number;
  /** Capability sets (CapInh/CapPrm/CapEff, hex masks); null when the kernel does not show them. */
  caps: CapSets | null;
}

/** Second whitespace-separated number after the tag, or -1. */
function secondNumber(rest: string): number {
  const parts = rest.trim().split(/\s+/);
  return parts.length >= 2 ? Number(parts[1]) : -1;
}

export function parseStatus(text: string): ProcStatus {
  const s: ProcStatus = { tgid: -1, ppid: -1, uid: 0xffffffff, gid: 0xffffffff, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, vtid: -1, vpid: -1, vpgid: -1, caps: null };
  let inh = -1;
  let prm = -1;
  let eff = -1;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < nl) {
      const tag = text.slice(pos, colon);
      const rest = text.slice(colon + 1, nl);
      switch (tag) {
        case 'Tgid':
          s.tgid = parseInt(rest, 10);
          break;
        case 'PPid':
          s.ppid = parseInt(rest, 10);
          break;
        case 'Uid':
          s.uid = secondNumber(rest) >>> 0;
          break;
        case 'Gid':
          s.gid = secondNumber(rest) >>> 0;
          break;
        case 'VmSize':
          s.vmsizeKb = parseInt(rest, 10) >>> 0;
          break;
        case 'VmRSS':
          s.vmrssKb = parseInt(rest, 10) >>> 0;
          break;
        case 'VmSwap':
          s.vmswapKb = parseInt(rest, 10) >>> 0;
          break;
        case 'NSpid':
          s.vtid = secondNumber(rest);
          break;
        case 'NStgid':
          s.vpid = secondNumber(rest);
          break;
        case 'NSpgid':
          s.vpgid = secondNumber(rest);
          break;
        case 'CapInh':
          inh = parseInt(rest.trim(), 16);
          break;
        case 'CapPrm':
          prm = parseInt(rest.trim(), 16);
          break;
        case 'CapEff':
          eff = parseInt(rest.trim(), 16);
          break;
      }
    }
    pos = nl + 1;
  }
  if (inh >= 0 && prm >= 0 && eff >= 0) s.caps = { inheritable: inh, permitted: prm, effective: eff };
  return s;
}

/** What /proc/PID/stat holds that the process list needs (fields after the "(comm)"). */
export interface ProcStat {
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Controlling terminal, the kernel's encoded device number (0: none). */
  tty: number;
  /** Kernel task flags (PF_*). */
  flags: number;
  pfminor: number;
  pfmajor: number;
  /** CPU time in clock ticks. */
  utime: number;
  stime: number;
}

export const PF_KTHREAD = 0x00200000;

/** Parses /proc/PID/stat; null when it does not have the expected shape. */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  // f[0] state (3), f[1] ppid (4), f[2] pgrp (5), f[3] session (6), f[4] tty_nr (7), f[5] tpgid (8),
  // f[6] flags (9), f[7] minflt (10), f[8] cminflt, f[9] majflt (12), f[10] cmajflt, f[11] utime (14), f[12] stime (15)
  if (f.length < 13) return null;
  return {
    state: f[0]!,
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    tty: Number(f[4]) | 0,
    flags: Number(f[6]) >>> 0,
    pfminor: Number(f[7]),
    pfmajor: Number(f[9]),
    utime: Number(f[11]),
    stime: Number(f[12]),
  };
}

/**
 * utime and stime (clock ticks) and the task flags from the bytes of a
 * /proc/PID/task/TID/stat read into `buf[0, len)`, without allocating.
 * Returns false when the text does not have the expected shape.
 */
export function statTimesFromBytes(buf: Buffer, len: number, out: { utime: number; stime: number; flags: number }): boolean {
  // the comm may contain ')' and spaces: the fields start after the last ')'
  let p = len - 1;
  while (p >= 0 && buf[p] !== 0x29) p--;
  if (p < 0) return false;
  p += 2; // ") "
  // field 3 is at p; utime is field 14, stime 15, flags 9
  let field = 3;
  while (p < len && field < 14) {
    if (field === 9) {
      let v = 0;
      while (p < len && buf[p] !== 0x20) v = v * 10 + (buf[p++]! - 48);
      out.flags = v >>> 0;
    } else {
      while (p < len && buf[p] !== 0x20) p++;
    }
    p++;
    field++;
  }
  if (field !== 14 || p >= len) return false;
  let u = 0;
  while (p < len && buf[p] !== 0x20) u = u * 10 + (buf[p++]! - 48);
  p++;
  let s = 0;
  while (p < len && buf[p] !== 0x20 && buf[p] !== 0x0a) s = s * 10 + (buf[p++]! - 48);
  out.utime = u;
  out.stime = s;
  return true;
}

/**
 * /proc/PID/cmdline → exe (argv[0]) and args (argv[1..]), as scap splits it:
 * at most 4096 bytes are read, exe is the text up to the first NUL.
 */
export function splitCmdline(text: string): { exe: string; args: string[] } {
  if (text === '') return { exe: '', args: [] };
  const nul = text.indexOf('\0');
  if (nul < 0) return { exe: text, args: [] };
  const exe = text.slice(0, nul);
  return { exe, args: splitNulList(text.slice(nul + 1)) };
}

/** "a\0b\0" → ['a', 'b'] (a trailing NUL ends the last entry; no entry for it). */
export function splitNulList(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The soft "Max open files" limit from /proc/PID/limits (-1: unlimited or unknown). */
export function parseFdLimit(text: string): number {
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (m === null || m[1] === 'unlimited') return -1;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : -1;
}

/** /proc/PID/loginuid: a u32 the kernel prints unsigned; scap keeps it as int32 (unset = -1). */
export function parseLoginUid(text: string): number {
  const n = Number(text.trim());
  return Number.isFinite(n) && text.trim() !== '' ? n | 0 : -1;
}

/** "net:[4026531840]" → 4026531840 (0 when it does not parse). */
export function nsInode(link: string): number {
  const m = /\[(\d+)\]$/.exec(link);
  return m === null ? 0 : Number(m[1]);
}

// ---------------------------------------------------------------- fds

/** Linux x86_64 open flags (asm-generic/fcntl.h). */
const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_NONBLOCK = 0o4000;
const O_DSYNC = 0o10000;
const O_DIRECT = 0o40000;
const O_LARGEFILE = 0o100000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const O_SYNC = 0o4010000;
const O_TMPFILE = 0o20200000;

/** PPM_O_* (the event table's open flags). */
export const enum PpmOpen {
  RDONLY = 1 << 0,
  WRONLY = 1 << 1,
  RDWR = (1 << 0) | (1 << 1),
  CREAT = 1 << 2,
  APPEND = 1 << 3,
  DSYNC = 1 << 4,
  EXCL = 1 << 5,
  NONBLOCK = 1 << 6,
  SYNC = 1 << 7,
  TRUNC = 1 << 8,
  DIRECT = 1 << 9,
  DIRECTORY = 1 << 10,
  LARGEFILE = 1 << 11,
  CLOEXEC = 1 << 12,
  TMPFILE = 1 << 13,
}

/**
 * Kernel open flags (as /proc/PID/fdinfo/N prints them, octal) → PPM_O_*.
 * As the probe converts them: O_TMPFILE and O_SYNC only when all their bits
 * are set (scap's own conversion also flags O_DIRECTORY / O_DSYNC opens as such).
 */
export function openFlagsToPpm(flags: number): number {
  let r = 0;
  switch (flags & O_ACCMODE) {
    case O_WRONLY:
      r |= PpmOpen.WRONLY;
      break;
    case O_RDWR:
      r |= PpmOpen.RDWR;
      break;
    default:
      r |= PpmOpen.RDONLY;
  }
  if (flags & O_CREAT) r |= PpmOpen.CREAT;
  if ((flags & O_TMPFILE) === O_TMPFILE) r |= PpmOpen.TMPFILE;
  if (flags & O_APPEND) r |= PpmOpen.APPEND;
  if (flags & O_DSYNC) r |= PpmOpen.DSYNC;
  if (flags & O_EXCL) r |= PpmOpen.EXCL;
  if (flags & O_NONBLOCK) r |= PpmOpen.NONBLOCK;
  if ((flags & O_SYNC) === O_SYNC) r |= PpmOpen.SYNC;
  if (flags & O_TRUNC) r |= PpmOpen.TRUNC;
  if (flags & O_DIRECT) r |= PpmOpen.DIRECT;
  if (flags & O_DIRECTORY) r |= PpmOpen.DIRECTORY;
  if (flags & O_LARGEFILE) r |= PpmOpen.LARGEFILE;
  if (flags & O_CLOEXEC) r |= PpmOpen.CLOEXEC;
  return r >>> 0;
}

/** /proc/PID/fdinfo/N → kernel open flags and mount id. */
export function parseFdInfo(text: string): { flags: number; mountId: number } {
  const f = /^flags:\s*([0-7]+)/m.exec(text);
  const m = /^mnt_id:\s*(\d+)/m.exec(text);
  return { flags: f === null ? 0 : parseInt(f[1]!, 8), mountId: m === null ? 0 : Number(m[1]) };
}

/**
 * /proc/PID/mountinfo → mount id → device, in the scap encoding of a
 * dev_t (the kernel's new_encode_dev: minor low byte, major, minor high bits),
 * which is what the probe reports for opened files.
 */
export function parseMountInfo(text: string, into = new Map<number, number>()): Map<number, number> {
  for (const line of text.split('\n')) {
    const m = /^(\d+) \d+ (\d+):(\d+) /.exec(line);
    if (m === null) continue;
    into.set(Number(m[1]), encodeDev(Number(m[2]), Number(m[3])));
  }
  return into;
}

export function encodeDev(major: number, minor: number): number {
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

/** The fd type of an anonymous inode, from its /proc/PID/fd/N link (scap's classification). */
export function anonFdType(link: string): FdType {
  switch (link) {
    case 'anon_inode:[eventfd]':
      return FdType.EVENT;
    case 'anon_inode:[signalfd]':
      return FdType.SIGNALFD;
    case 'anon_inode:[eventpoll]':
      return FdType.EVENTPOLL;
    case 'anon_inode:inotify':
      return FdType.INOTIFY;
    case 'anon_inode:[timerfd]':
      return FdType.TIMERFD;
    default:
      return FdType.UNSUPPORTED;
  }
}

/** A blank fd record of a type (filled in by the caller). */
export function fdRecord(fd: number, type: FdType, ino = 0, name = ''): FdRecord {
  return {
    fd, ino, type, name, openFlags: 0, mountId: 0, dev: 0, l4proto: 0,
    sip: null, dip: null, sport: 0, dport: 0, unixSource: '', unixDest: '',
  };
}

// ---------------------------------------------------------------- sockets

/** scap_l4_proto. */
export const enum L4Proto {
  TCP = 2,
  UDP = 3,
  RAW = 5,
}

/** A socket from the /proc/net tables, by inode: the fd record it becomes (fd number left 0). */
export type SocketTable = Map<number, FdRecord>;

/** The 4 bytes (network order) of an address /proc/net/tcp prints as %08X of the native u32. */
function ipv4FromHex(hex: string): Uint8Array {
  const v = parseInt(hex, 16) >>> 0;
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

function ipv6FromHex(hex: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let w = 0; w < 4; w++) out.set(ipv4FromHex(hex.slice(w * 8, w * 8 + 8)), w * 4);
  return out;
}

const allZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/**
 * /proc/net/{tcp,udp,raw}[6]: every socket with an inode. A socket whose
 * remote address is all zero is a server socket (listening TCP, or an
 * unconnected UDP/raw socket), as scap classifies them.
 */
export function parseInetSockets(text: string, family: 4 | 6, l4proto: number, into: SocketTable = new Map()): SocketTable {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10) continue;
    const [lip, lport] = f[1]!.split(':');
    const [rip, rport] = f[2]!.split(':');
    const ino = Number(f[9]);
    if (!lip || !rip || lport === undefined || rport === undefined || !(ino > 0)) continue;
    const sip = family === 4 ? ipv4FromHex(lip) : ipv6FromHex(lip);
    const dip = family === 4 ? ipv4FromHex(rip) : ipv6FromHex(rip);
    const sport = parseInt(lport, 16);
    const dport = parseInt(rport, 16);
    const server = allZero(dip);
    const r = fdRecord(0, family === 4 ? (server ? FdType.IPV4_SERVSOCK : FdType.IPV4_SOCK) : server ? FdType.IPV6_SERVSOCK : FdType.IPV6_SOCK, ino);
    r.l4proto = l4proto;
    r.sip = sip;
    r.sport = sport;
    if (!server) {
      r.dip = dip;
      r.dport = dport;
    }
    into.set(ino, r);
  }
  return into;
}

/** /proc/net/unix: Num (kernel address, hex) is the source end; the path (if any) is the name. */
export function parseUnixSockets(text: string, into: SocketTable = new Map()): SocketTable {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    // Num: RefCount Protocol Flags Type St Inode [Path]
    if (f.length < 7) continue;
    const num = f[0]!.replace(/:$/, '');
    const ino = Number(f[6]);
    if (!(ino > 0) || !/^[0-9a-fA-F]+$/.test(num)) continue;
    const r = fdRecord(0, FdType.UNIX_SOCK, ino, f.length > 7 ? f.slice(7).join(' ') : '');
    r.unixSource = BigInt('0x' + num).toString(16);
    r.unixDest = '0';
    into.set(ino, r);
  }
  return into;
}

/** /proc/net/netlink: inode is the 10th column. */
export function parseNetlinkSockets(text: string, into: SocketTable = new Map()): SocketTable {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const ino = Number(f[9]);
    if (!(ino > 0)) continue;
    into.set(ino, fdRecord(0, FdType.NETLINK, ino));
  }
  return into;
}

/** The fd record of socket `ino` found in `table`, as fd `fd` (a copy), or null. */
export function socketFd(table: SocketTable, fd: number, ino: number): FdRecord | null {
  const s = table.get(ino);
  if (s === undefined) return null;
  return { ...s, fd };
}

// ---------------------------------------------------------------- users

/** /etc/passwd → users (name:pw:uid:gid:gecos:home:shell). */
export function parsePasswd(text: string): UserRecord[] {
  const out: UserRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ uid: uid >>> 0, gid: gid >>> 0, name: f[0]!, homedir: f[5]!, shell: f[6]!, container: '' });
  }
  return out;
}

/** /etc/group → groups (name:pw:gid:members). */
export function parseGroup(text: string): GroupRecord[] {
  const out: GroupRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ gid: gid >>> 0, name: f[0]!, container: '' });
  }
  return out;
}
