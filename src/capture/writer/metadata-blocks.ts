/**
 * Encoders for the blocks at the start of a capture, in the versions
 * sysdig 0.29.3 (libscap's scap_savefile.c write path) writes itself:
 *
 *   section header 1.2 | machine info 0x201 | interface list v2 0x219 |
 *   user list v2 0x220 | process list v9 0x215 | one fd list v2 0x218 per thread
 *
 * Each function returns the whole block (header, body, zero padding to 4
 * bytes, trailing length). Layouts are those of docs/capture-format.md; the
 * size limits are the ones libscap's reader enforces (longer strings are cut
 * so sysdig can read the file).
 */
import { BLOCK_HEADER_SIZE, BLOCK_TRAILER_SIZE, BlockType, SECTION_MAGIC } from '../block-types.js';
import { FdType, type FdRecord, type GroupRecord, type InterfaceRecord, type MachineInfo, type ThreadRecord, type UserRecord } from '../records.js';
import { ByteBuilder, scapList, scapString } from './byte-builder.js';

/** Format version written: 1.2, where block versions are frozen and entries carry lengths. */
export const WRITE_MAJOR_VERSION = 1;
export const WRITE_MINOR_VERSION = 2;

// libscap reader limits (scap.h): a longer field makes sysdig refuse the file.
/** comm, exe, exepath, cwd, root: at most 1024 bytes. */
const MAX_PROC_STRING = 1024;
/** args, env, cgroups lists: at most 4096 bytes. */
const MAX_PROC_LIST = 4096;
/** fd names: fewer than 1024 bytes. */
const MAX_FD_NAME = 1023;
/** interface names: fewer than 1024 bytes. */
const MAX_IF_NAME = 1023;
/** user/group names, home directories, shells: fewer than 256 bytes. */
const MAX_CREDENTIAL = 255;
/** hostname: char[128], NUL-terminated. */
const HOSTNAME_SIZE = 128;

const USER_KIND = 0;
const GROUP_KIND = 1;
const IF_KIND_IPV4 = 1;
const IF_KIND_IPV6 = 2;

/** Padding after a body of `n` bytes. */
function padding(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Frames a block body: type, total length, body, zero padding, total length. */
export function frameBlock(type: number, body: Uint8Array): Buffer {
  const total = BLOCK_HEADER_SIZE + body.length + padding(body.length) + BLOCK_TRAILER_SIZE;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type >>> 0, 0);
  out.writeUInt32LE(total, 4);
  out.set(body, BLOCK_HEADER_SIZE);
  out.writeUInt32LE(total, total - BLOCK_TRAILER_SIZE);
  return out;
}

export function sectionHeaderBlock(): Buffer {
  const b = new ByteBuilder(16);
  b.u32(SECTION_MAGIC).u16(WRITE_MAJOR_VERSION).u16(WRITE_MINOR_VERSION).i64(-1);
  return frameBlock(BlockType.SECTION_HEADER, b.view());
}

export function machineInfoBlock(mi: MachineInfo): Buffer {
  const b = new ByteBuilder(180);
  b.u32(mi.numCpus).i64(mi.memoryBytes).i64(mi.maxPid ?? 0);
  b.fixed(scapString(mi.hostname, HOSTNAME_SIZE - 1), HOSTNAME_SIZE);
  for (let i = 0; i < 4; i++) b.i64(0); // reserved
  return frameBlock(BlockType.MACHINE_INFO, b.view());
}

/** The thread fields a process list entry stores (a ThreadRecord, or the state engine's ThreadInfo). */
export type ThreadFields = Pick<
  ThreadRecord,
  | 'tid' | 'pid' | 'ptid' | 'sid' | 'vpgid' | 'comm' | 'exe' | 'exepath' | 'args' | 'env' | 'cwd'
  | 'fdlimit' | 'flags' | 'uid' | 'gid' | 'vmsizeKb' | 'vmrssKb' | 'vmswapKb' | 'pfmajor' | 'pfminor'
  | 'vtid' | 'vpid' | 'cgroups' | 'root' | 'loginuid' | 'exeWritable'
>;

/**
 * Process list v9 in the layout of the 0.29-era writer: every entry starts
 * with its length and ends with `i32 loginuid, u8 exe_writable` (no tty,
 * capabilities or exe inode data: sysdig 0.29.3 would misread the 0.10+
 * layout that carries them).
 */
export function processListBlock(threads: Iterable<ThreadFields>): Buffer {
  const b = new ByteBuilder(64 * 1024);
  for (const t of threads) {
    const start = b.length;
    b.u32(0); // entry length, patched below
    b.i64(t.tid).i64(t.pid).i64(t.ptid).i64(t.sid).i64(t.vpgid);
    b.str16(scapString(t.comm, MAX_PROC_STRING));
    b.str16(scapString(t.exe, MAX_PROC_STRING));
    b.str16(scapString(t.exepath, MAX_PROC_STRING));
    b.str16(scapList(t.args, MAX_PROC_LIST));
    b.str16(scapString(t.cwd === '' ? '/' : t.cwd, MAX_PROC_STRING));
    b.i64(t.fdlimit).u32(t.flags).u32(t.uid).u32(t.gid);
    b.u32(t.vmsizeKb).u32(t.vmrssKb).u32(t.vmswapKb).i64(t.pfmajor).i64(t.pfminor);
    b.str16(scapList(t.env, MAX_PROC_LIST));
    b.i64(t.vtid).i64(t.vpid);
    b.str16(scapList(t.cgroups, MAX_PROC_LIST));
    b.str16(scapString(t.root, MAX_PROC_STRING));
    b.u32(t.loginuid).u8(t.exeWritable ? 1 : 0);
    b.patchU32(start, b.length - start);
  }
  return frameBlock(BlockType.PROCESS_LIST_V9, b.view());
}

/** Parses a unix endpoint as the reader reports it (hex, no prefix). */
function unixAddress(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return 0n;
  return BigInt('0x' + hex);
}

/**
 * Whether an fd goes on file: libscap's writer skips fds of unknown type
 * (its reader would not know their size), and so do we.
 */
export function isWritableFd(fd: FdRecord): boolean {
  switch (fd.type) {
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
    case FdType.UNIX_SOCK:
    case FdType.FILE_V2:
    case FdType.FILE:
    case FdType.DIRECTORY:
    case FdType.FIFO:
    case FdType.EVENT:
    case FdType.UNSUPPORTED:
    case FdType.SIGNALFD:
    case FdType.EVENTPOLL:
    case FdType.INOTIFY:
    case FdType.TIMERFD:
    case FdType.NETLINK:
      return true;
    default:
      return false;
  }
}

/** Fd list v2 of one thread: `u64 tid`, then one length-prefixed entry per fd (unknown types skipped). */
export function fdListBlock(tid: number, fds: Iterable<FdRecord>): Buffer {
  const b = new ByteBuilder(1024);
  b.i64(tid);
  for (const f of fds) {
    if (!isWritableFd(f)) continue;
    const start = b.length;
    b.u32(0); // entry length, patched below
    b.i64(f.fd).i64(f.ino).u8(f.type);
    switch (f.type) {
      case FdType.IPV4_SOCK:
        b.fixed(f.sip, 4).fixed(f.dip, 4).u16(f.sport).u16(f.dport).u8(f.l4proto);
        break;
      case FdType.IPV6_SOCK:
        b.fixed(f.sip, 16).fixed(f.dip, 16).u16(f.sport).u16(f.dport).u8(f.l4proto);
        break;
      case FdType.IPV4_SERVSOCK:
        b.fixed(f.sip, 4).u16(f.sport).u8(f.l4proto);
        break;
      case FdType.IPV6_SERVSOCK:
        b.fixed(f.sip, 16).u16(f.sport).u8(f.l4proto);
        break;
      case FdType.UNIX_SOCK:
        b.u64Big(unixAddress(f.unixSource)).u64Big(unixAddress(f.unixDest));
        b.str16(scapString(f.name, MAX_FD_NAME));
        break;
      case FdType.FILE_V2:
        b.u32(f.openFlags).str16(scapString(f.name, MAX_FD_NAME)).u32(f.dev);
        break;
      default:
        b.str16(scapString(f.name, MAX_FD_NAME));
    }
    b.patchU32(start, b.length - start);
  }
  return frameBlock(BlockType.FD_LIST_V2, b.view());
}

/**
 * Interface list v2: IPv4 entries first, then IPv6 (as libscap writes them),
 * each `u32 length (not counting itself) | u16 kind | u16 name length |
 * addr, netmask, broadcast | u64 linkspeed | name`.
 */
export function interfaceListBlock(interfaces: Iterable<InterfaceRecord>): Buffer {
  const list = [...interfaces];
  const b = new ByteBuilder(1024);
  for (const family of [4, 6] as const) {
    for (const i of list) {
      if (i.family !== family) continue;
      const size = family === 4 ? 4 : 16;
      const name = scapString(i.name, MAX_IF_NAME);
      const start = b.length;
      b.u32(0);
      b.u16(family === 4 ? IF_KIND_IPV4 : IF_KIND_IPV6).u16(name.length);
      b.fixed(i.addr, size).fixed(i.netmask, size).fixed(i.bcast, size).i64(i.linkspeed).bytes(name);
      b.patchU32(start, b.length - start - 4);
    }
  }
  return frameBlock(BlockType.INTERFACE_LIST_V2, b.view());
}

/** User list v2: users, then groups, each entry starting with its length (counting itself). */
export function userListBlock(users: Iterable<UserRecord>, groups: Iterable<GroupRecord>): Buffer {
  const b = new ByteBuilder(4096);
  for (const u of users) {
    const start = b.length;
    b.u32(0).u8(USER_KIND).u32(u.uid).u32(u.gid);
    b.str16(scapString(u.name, MAX_CREDENTIAL));
    b.str16(scapString(u.homedir, MAX_CREDENTIAL));
    b.str16(scapString(u.shell, MAX_CREDENTIAL));
    b.patchU32(start, b.length - start);
  }
  for (const g of groups) {
    const start = b.length;
    b.u32(0).u8(GROUP_KIND).u32(g.gid).str16(scapString(g.name, MAX_CREDENTIAL));
    b.patchU32(start, b.length - start);
  }
  return frameBlock(BlockType.USER_LIST_V2, b.view());
}
