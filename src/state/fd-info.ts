/**
 * FdInfo: what the state engine knows about one open file descriptor.
 *
 * One mutable object per open fd; sockets carry their endpoints as numbers
 * (IPv4) or 16-byte arrays (IPv6) so views can group by them without
 * building strings, and `name` holds the display name sysdig uses
 * ("/etc/passwd", "10.0.0.1:4242->10.0.0.2:80", …).
 */
import { FdType } from '../capture/records.js';

/** Transport protocols (scap_l4_proto). */
export const enum L4 {
  UNKNOWN = 0,
  NA = 1,
  TCP = 2,
  UDP = 3,
  ICMP = 4,
  RAW = 5,
}

/** Per-fd state bits (a subset of sinsp's, with the same meaning). */
export const enum FdFlag {
  NONE = 0,
  FROM_PROC = 1 << 0,
  ROLE_CLIENT = 1 << 2,
  ROLE_SERVER = 1 << 3,
  CLOSE_IN_PROGRESS = 1 << 4,
  CLOSE_CANCELED = 1 << 5,
  SOCKET_CONNECTED = 1 << 13,
  IS_CLONED = 1 << 14,
}

export class FdInfo {
  fd = -1;
  type: FdType = FdType.UNKNOWN;
  /** Display name (path, tuple, pipe/unix description). */
  name = '';
  /** The path exactly as the open call passed it, before resolving against the cwd/dirfd (fd.nameraw); '' when not opened during the capture. */
  nameRaw = '';
  openFlags = 0;
  dev = 0;
  mountId = 0;
  ino = 0;
  flags = 0;
  l4proto: L4 = L4.UNKNOWN;
  /** IPv4 addresses as the u32 read little-endian from the wire bytes (byte 0 = first octet). */
  sip4 = 0;
  dip4 = 0;
  /** IPv6 addresses (allocated only for IPv6 sockets). */
  sip6: Uint8Array | null = null;
  dip6: Uint8Array | null = null;
  sport = 0;
  dport = 0;
  /** Unix socket endpoints, hex as sysdig prints them. */
  unixSource = '';
  unixDest = '';

  get isSocket(): boolean {
    const t = this.type;
    return t === FdType.IPV4_SOCK || t === FdType.IPV6_SOCK || t === FdType.IPV4_SERVSOCK || t === FdType.IPV6_SERVSOCK || t === FdType.UNIX_SOCK;
  }
  get isIp(): boolean {
    const t = this.type;
    return t === FdType.IPV4_SOCK || t === FdType.IPV6_SOCK || t === FdType.IPV4_SERVSOCK || t === FdType.IPV6_SERVSOCK;
  }
  get isServer(): boolean {
    return (this.flags & FdFlag.ROLE_SERVER) !== 0;
  }
  get isClient(): boolean {
    return (this.flags & FdFlag.ROLE_CLIENT) !== 0;
  }
  get isRoleNone(): boolean {
    return (this.flags & (FdFlag.ROLE_CLIENT | FdFlag.ROLE_SERVER)) === 0;
  }

  copyFrom(o: FdInfo): this {
    this.fd = o.fd;
    this.type = o.type;
    this.name = o.name;
    this.nameRaw = o.nameRaw;
    this.openFlags = o.openFlags;
    this.dev = o.dev;
    this.mountId = o.mountId;
    this.ino = o.ino;
    this.flags = o.flags;
    this.l4proto = o.l4proto;
    this.sip4 = o.sip4;
    this.dip4 = o.dip4;
    this.sip6 = o.sip6;
    this.dip6 = o.dip6;
    this.sport = o.sport;
    this.dport = o.dport;
    this.unixSource = o.unixSource;
    this.unixDest = o.unixDest;
    return this;
  }

  clone(): FdInfo {
    return new FdInfo().copyFrom(this);
  }
}

/** The one-letter type code sysdig prints inside `<…>` (fd.typechar). */
export function fdTypeChar(t: FdType): string {
  switch (t) {
    case FdType.FILE:
    case FdType.FILE_V2:
      return 'f';
    case FdType.IPV4_SOCK:
    case FdType.IPV4_SERVSOCK:
      return '4';
    case FdType.IPV6_SOCK:
    case FdType.IPV6_SERVSOCK:
      return '6';
    case FdType.DIRECTORY:
      return 'd';
    case FdType.FIFO:
      return 'p';
    case FdType.UNIX_SOCK:
      return 'u';
    case FdType.EVENT:
      return 'e';
    case FdType.UNKNOWN:
      return 'o';
    case FdType.UNSUPPORTED:
      return 'X';
    case FdType.SIGNALFD:
      return 's';
    case FdType.EVENTPOLL:
      return 'l';
    case FdType.INOTIFY:
      return 'i';
    case FdType.TIMERFD:
      return 't';
    case FdType.NETLINK:
      return 'n';
    default:
      return '?';
  }
}

/** fd.type as sysdig names it. */
export function fdTypeName(t: FdType): string {
  switch (t) {
    case FdType.FILE:
    case FdType.FILE_V2:
      return 'file';
    case FdType.DIRECTORY:
      return 'directory';
    case FdType.IPV4_SOCK:
    case FdType.IPV4_SERVSOCK:
      return 'ipv4';
    case FdType.IPV6_SOCK:
    case FdType.IPV6_SERVSOCK:
      return 'ipv6';
    case FdType.UNIX_SOCK:
      return 'unix';
    case FdType.FIFO:
      return 'pipe';
    case FdType.EVENT:
      return 'event';
    case FdType.SIGNALFD:
      return 'signalfd';
    case FdType.EVENTPOLL:
      return 'eventpoll';
    case FdType.INOTIFY:
      return 'inotify';
    case FdType.TIMERFD:
      return 'timerfd';
    case FdType.NETLINK:
      return 'netlink';
    default:
      return '<NA>';
  }
}
