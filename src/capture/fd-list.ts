/**
 * Fd list blocks (FDL v1 = 0x203 and its `_INT` id, FDL v2 = 0x218): the
 * open file descriptors of one process at capture start.
 *
 * Body: u64 tid of the owning process, then fd entries, then padding:
 *
 *   [v2: u32 entry length, counting itself]
 *   i64 fd | u64 inode | u8 fd type | per-type fields:
 *     IPv4 socket        4B sip, 4B dip, u16 sport, u16 dport, u8 l4proto
 *     IPv4 server socket 4B ip, u16 port, u8 l4proto
 *     IPv6 socket        16B sip, 16B dip, u16 sport, u16 dport, u8 l4proto
 *     IPv6 server socket 16B ip, u16 port, u8 l4proto
 *     unix socket        u64 source, u64 dest, str name
 *     file (v2 type)     u32 open flags, str name, [u32 dev if the entry length has room]
 *     file, dir, fifo, event, signalfd, eventpoll, inotify, timerfd,
 *     netlink, unsupported: str name
 *     unknown            nothing
 *
 * Addresses are kept as the raw bytes on file (network order); ports are
 * little-endian u16 like every other number. With v2 lengths, an fd type this
 * reader does not know is stepped over (with a warning); in v1 it cannot be,
 * because its size is unknown, so it is damage.
 */
import { BLOCK_HEADER_SIZE, BlockType, hexType } from './block-types.js';
import { FieldCursor } from './field-cursor.js';
import { FdType, type FdRecord } from './records.js';

export function isFdListBlock(type: number): boolean {
  return type === BlockType.FD_LIST || type === BlockType.FD_LIST_INT || type === BlockType.FD_LIST_V2;
}

/** Parses an fd list block body, handing each fd to `onFd` with the owning pid. Throws CaptureError. */
export function parseFdList(
  buf: Buffer,
  blockStart: number,
  bodyEnd: number,
  streamBase: number,
  blockType: number,
  onFd: (pid: number, fd: FdRecord) => void,
  warn: (message: string) => void,
): void {
  const hasLengths = blockType === BlockType.FD_LIST_V2;
  const what = `fd list block ${hexType(blockType)} (v${hasLengths ? 2 : 1})`;
  const head = new FieldCursor(buf, blockStart + BLOCK_HEADER_SIZE, bodyEnd, streamBase, what);
  const pid = head.i64('tid');
  let pos = head.pos;
  while (bodyEnd - pos >= 4) {
    const c = new FieldCursor(buf, pos, bodyEnd, streamBase, what + ' entry');
    let entryEnd = -1;
    if (hasLengths) {
      const entryLen = c.u32('entry length');
      if (entryLen !== 0) {
        if (entryLen > bodyEnd - pos) {
          throw c.errorAt(pos, `entry length ${entryLen} runs past the block (${bodyEnd - pos} bytes left)`);
        }
        entryEnd = pos + entryLen;
        c.end = entryEnd;
      }
    }
    const fd = readFdEntry(c, entryEnd >= 0);
    if (fd === null) {
      if (entryEnd < 0) throw c.error('unknown fd type, and v1 entries carry no length to skip it by');
      warn(`${what}: skipped fds of unknown type (newer capture format?)`);
    } else {
      onFd(pid, fd);
    }
    pos = entryEnd >= 0 ? entryEnd : c.pos;
  }
}

/** Reads one entry after its length field; null for an fd type this reader does not know. */
function readFdEntry(c: FieldCursor, bounded: boolean): FdRecord | null {
  const fd = c.i64('fd');
  const ino = c.u64('ino');
  const typeByte = c.u8('type');
  const r: FdRecord = {
    fd, ino, type: FdType.UNKNOWN, name: '', openFlags: 0, mountId: 0, dev: 0, l4proto: 0,
    sip: null, dip: null, sport: 0, dport: 0, unixSource: '', unixDest: '',
  };
  switch (typeByte) {
    case FdType.IPV4_SOCK:
      return readIpSocket(c, r, FdType.IPV4_SOCK, 4);
    case FdType.IPV6_SOCK:
      return readIpSocket(c, r, FdType.IPV6_SOCK, 16);
    case FdType.IPV4_SERVSOCK:
      return readServerSocket(c, r, FdType.IPV4_SERVSOCK, 4);
    case FdType.IPV6_SERVSOCK:
      return readServerSocket(c, r, FdType.IPV6_SERVSOCK, 16);
    case FdType.UNIX_SOCK:
      r.type = FdType.UNIX_SOCK;
      r.unixSource = c.u64Hex('unix source');
      r.unixDest = c.u64Hex('unix destination');
      r.name = c.str16('name');
      return r;
    case FdType.FILE_V2:
      r.type = FdType.FILE_V2;
      r.openFlags = c.u32('open flags');
      r.name = c.str16('name');
      // dev was appended later; only entries with a length can say whether it is there.
      if (bounded && c.remaining >= 4) r.dev = c.u32('dev');
      return r;
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
      r.type = typeByte;
      r.name = c.str16('name');
      return r;
    case FdType.UNKNOWN:
      // Writers skip these, but a reader must not choke: the entry is just fd, inode, type.
      return r;
    default:
      return null;
  }
}

function readIpSocket(c: FieldCursor, r: FdRecord, type: FdType, addrLen: number): FdRecord {
  r.type = type;
  r.sip = c.bytes(addrLen, 'source address');
  r.dip = c.bytes(addrLen, 'destination address');
  r.sport = c.u16('source port');
  r.dport = c.u16('destination port');
  r.l4proto = c.u8('l4proto');
  return r;
}

function readServerSocket(c: FieldCursor, r: FdRecord, type: FdType, addrLen: number): FdRecord {
  r.type = type;
  r.sip = c.bytes(addrLen, 'address');
  r.sport = c.u16('port');
  r.l4proto = c.u8('l4proto');
  return r;
}
