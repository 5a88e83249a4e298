/**
 * Socket parsers: socket, bind, connect, accept, socketpair, and the tuple
 * updates that sendto/recvfrom/sendmsg/recvmsg give unconnected sockets.
 *
 * Connection roles matter to the views (client vs server endpoints), and are
 * decided as sysdig decides them: connect makes a client, accept or bind a
 * server, and datagram sockets are guessed from the ports the process owns.
 */
import { FdType } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EV } from '../event/event-ids.js';
import { EventFlag } from '../event/types.js';
import type { StateEngine } from './engine.js';
import { FdFlag, type FdInfo, L4 } from './fd-info.js';
import { ipv4ToString, ipv4Tuple, ipv6ToString, ipv6Tuple, isIpv4MappedIpv6, u64Hex } from './inet.js';
import { fdTemplate } from './parse-fds.js';
import type { ThreadInfo } from './thread-info.js';

/** Address families as the scap format encodes them (PPM_AF_*). */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
const AF_NETLINK = 16;

const IPPROTO_IP = 0;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_RAW = 255;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const EINPROGRESS = 115;

function readU32LE(b: Buffer, o: number): number {
  return b.readUInt32LE(o);
}

function ip6At(b: Buffer, o: number): Uint8Array {
  return new Uint8Array(b.subarray(o, o + 16));
}

function ip6Equal(a: Uint8Array | null, b: Buffer, o: number): boolean {
  if (a === null) {
    for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < 16; i++) if (a[i] !== b[o + i]) return false;
  return true;
}

function isZero6(a: Uint8Array | null): boolean {
  if (a === null) return true;
  for (let i = 0; i < 16; i++) if (a[i] !== 0) return false;
  return true;
}

/** The socket's display name, as sysdig builds it from its endpoints. */
export function socketName(f: FdInfo): string {
  if (f.type === FdType.IPV4_SOCK) {
    if (f.l4proto === L4.TCP || f.l4proto === L4.UDP) return ipv4Tuple(f.sip4, f.sport, f.dip4, f.dport);
    if (f.l4proto === L4.ICMP || f.l4proto === L4.RAW) return `${ipv4ToString(f.sip4)}->${ipv4ToString(f.dip4)}`;
    return '<unknown>';
  }
  if (f.type === FdType.IPV6_SOCK) {
    const s = f.sip6 ?? new Uint8Array(16);
    const d = f.dip6 ?? new Uint8Array(16);
    if (f.l4proto === L4.TCP || f.l4proto === L4.UDP) {
      if (isIpv4MappedIpv6(s) && isIpv4MappedIpv6(d)) {
        // sysdig prints these through its IPv4 path but reads the ports from the IPv4
        // overlay of its IPv6 record (see docs/compat.md); reproduce that for identical output.
        return ipv4Tuple(u32At(s, 12), u16At(s, 8), u32At(d, 12), u16At(s, 10));
      }
      return ipv6Tuple(s, f.sport, d, f.dport);
    }
    if (f.l4proto === L4.ICMP || f.l4proto === L4.RAW) {
      if (isIpv4MappedIpv6(s) && isIpv4MappedIpv6(d)) return `${ipv4ToString(u32At(s, 12))}->${ipv4ToString(u32At(d, 12))}`;
      return `${ipv6ToString(s)}->${ipv6ToString(d)}`;
    }
    return '<unknown>';
  }
  return f.name;
}

function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function u16At(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/** Ports as sysdig's role guesser reads them: through the IPv4 view of the socket record. */
function overlaySport(f: FdInfo): number {
  return f.type === FdType.IPV6_SOCK ? (f.sip6 !== null ? u16At(f.sip6, 8) : 0) : f.sport;
}
function overlayDport(f: FdInfo): number {
  return f.type === FdType.IPV6_SOCK ? (f.sip6 !== null ? u16At(f.sip6, 10) : 0) : f.dport;
}

export function parseSocketExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null) return;
  const fd = ev.i64(0);
  if (fd < 0) return;
  const enter = engine.enterEvent(ev, t);
  if (enter === null) return;
  addSocket(engine, t, fd, enter.u32(0), enter.u32(1), enter.u32(2));
}

export function addSocket(engine: StateEngine, t: ThreadInfo, fd: number, domain: number, type: number, protocol: number): void {
  let fdType = FdType.UNKNOWN;
  let l4 = L4.UNKNOWN;
  if (domain === AF_UNIX) fdType = FdType.UNIX_SOCK;
  else if (domain === AF_INET || domain === AF_INET6) {
    fdType = domain === AF_INET ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    if (protocol === IPPROTO_TCP) l4 = type === SOCK_RAW ? L4.RAW : L4.TCP;
    else if (protocol === IPPROTO_UDP) l4 = type === SOCK_RAW ? L4.RAW : L4.UDP;
    else if (protocol === IPPROTO_IP) {
      if ((type & 0xff) === SOCK_STREAM) l4 = L4.TCP;
      else if ((type & 0xff) === SOCK_DGRAM) l4 = L4.UDP;
    } else if (protocol === IPPROTO_ICMP) l4 = type === SOCK_RAW ? L4.RAW : L4.ICMP;
    else if (protocol === IPPROTO_RAW) l4 = L4.RAW;
  } else if (domain === AF_NETLINK) fdType = FdType.NETLINK;
  if (fdType === FdType.UNKNOWN) return;
  const f = fdTemplate(fdType, '');
  f.l4proto = l4;
  if (fdType === FdType.IPV6_SOCK) {
    f.sip6 = new Uint8Array(16);
    f.dip6 = new Uint8Array(16);
  }
  engine.fd = t.addFd(fd, f);
}

/** sendto on an fd whose socket() the capture missed: assume a UDP socket, as sysdig does. */
export function inferSendtoSocket(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || engine.fd !== null) return;
  const fd = ev.i64(0);
  if (fd < 0 || ev.nparams < 3 || ev.paramLen[2] === 0) return;
  const family = ev.buf[ev.paramOff[2]!];
  if (family === AF_INET || family === AF_INET6) addSocket(engine, t, fd, family, SOCK_DGRAM, IPPROTO_UDP);
}

export function parseBindExit(engine: StateEngine, ev: ScapEvent): void {
  const f = engine.fd;
  if (f === null || ev.i64(0) < 0 || ev.paramLen[1] === 0) return;
  const b = ev.buf;
  const o = ev.paramOff[1]!;
  const family = b[o];
  if (family === AF_INET) {
    const port = b.readUInt16LE(o + 5);
    if (port > 0) {
      f.type = FdType.IPV4_SERVSOCK;
      f.sip4 = readU32LE(b, o + 1);
      f.sport = port;
      f.flags |= FdFlag.ROLE_SERVER;
    }
  } else if (family === AF_INET6) {
    const port = b.readUInt16LE(o + 17);
    if (port > 0) {
      if (isIpv4MappedIpv6(b, o + 1)) {
        f.type = FdType.IPV4_SERVSOCK;
        f.sip4 = readU32LE(b, o + 13);
      } else {
        f.type = FdType.IPV6_SERVSOCK;
        f.sip6 = ip6At(b, o + 1);
      }
      f.sport = port;
      f.flags |= FdFlag.ROLE_SERVER;
    }
  }
  f.name = sockaddrToString(b, o, ev.paramLen[1]!);
}

/** Text of a PT_SOCKADDR parameter (also the name sysdig gives a bound socket). */
export function sockaddrToString(b: Buffer, o: number, len: number): string {
  if (len === 0) return 'NULL';
  const family = b[o];
  if (family === AF_UNIX) return sanitize(cString(b, o + 1, o + len));
  if (family === AF_INET) {
    if (len !== 7) return 'INVALID IPv4';
    return `${ipv4ToString(readU32LE(b, o + 1))}:${b.readUInt16LE(o + 5)}`;
  }
  if (family === AF_INET6) {
    if (len !== 19) return 'INVALID IPv6';
    return `${ipv6ToString(new Uint8Array(b.subarray(o + 1, o + 17)))}:${b.readUInt16LE(o + 17)}`;
  }
  return `family ${family}`;
}

/** Text of a PT_SOCKTUPLE parameter. */
export function socktupleToString(b: Buffer, o: number, len: number): string {
  if (len === 0) return 'NULL';
  const family = b[o];
  if (family === AF_INET) {
    if (len !== 13) return 'INVALID IPv4';
    return ipv4Tuple(readU32LE(b, o + 1), b.readUInt16LE(o + 5), readU32LE(b, o + 7), b.readUInt16LE(o + 11));
  }
  if (family === AF_INET6) {
    if (len !== 37) return 'INVALID IPv6';
    if (isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19)) {
      return ipv4Tuple(readU32LE(b, o + 13), b.readUInt16LE(o + 17), readU32LE(b, o + 31), b.readUInt16LE(o + 35));
    }
    return ipv6Tuple(new Uint8Array(b.subarray(o + 1, o + 17)), b.readUInt16LE(o + 17), new Uint8Array(b.subarray(o + 19, o + 35)), b.readUInt16LE(o + 35));
  }
  if (family === AF_UNIX) {
    return `${u64Hex(b, o + 1)}->${u64Hex(b, o + 9)} ${sanitize(cString(b, o + 17, o + len))}`;
  }
  return `family ${family}`;
}

function cString(b: Buffer, start: number, end: number): string {
  const nul = b.indexOf(0, start);
  return b.toString('latin1', start, nul >= 0 && nul < end ? nul : end);
}

/** Drops unprintable characters, as sysdig does for names it shows. */
export function sanitize(s: string): string {
  let clean = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      clean = false;
      break;
    }
  }
  if (clean) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) out += s[i];
  }
  return out;
}

export function parseConnectEnter(engine: StateEngine, ev: ScapEvent): void {
  const f = engine.fd;
  if (f === null || ev.nparams < 2 || ev.paramLen[1] === 0) return;
  const b = ev.buf;
  const o = ev.paramOff[1]!;
  const family = b[o];
  if (family === AF_INET) {
    f.type = FdType.IPV4_SOCK;
    f.dip4 = readU32LE(b, o + 1);
    f.dport = b.readUInt16LE(o + 5);
  } else if (family === AF_INET6) {
    const port = b.readUInt16LE(o + 17);
    if (isIpv4MappedIpv6(b, o + 1)) {
      f.type = FdType.IPV4_SOCK;
      f.dip4 = readU32LE(b, o + 13);
      f.dport = port;
    } else {
      f.type = FdType.IPV6_SOCK;
      f.dport = port;
      f.dip6 = ip6At(b, o + 1);
    }
  } else {
    f.name = sockaddrToString(b, o, ev.paramLen[1]!);
    f.unixSource = u64Hex(b, o + 1);
    f.unixDest = u64Hex(b, o + 9);
  }
}

export function parseConnectExit(engine: StateEngine, ev: ScapEvent): void {
  const f = engine.fd;
  if (f === null) return;
  const res = ev.i64(0);
  if (res < 0 && res !== -EINPROGRESS) return;
  f.flags |= FdFlag.SOCKET_CONNECTED;
  if (ev.paramLen[1] === 0) return;
  fillClientSocket(engine, f, ev.buf, ev.paramOff[1]!, ev.paramLen[1]!);
}

function fillClientSocket(engine: StateEngine, f: FdInfo, b: Buffer, o: number, len: number): void {
  const family = b[o];
  if (family === AF_INET || family === AF_INET6) {
    let changed: boolean;
    if (family === AF_INET6) {
      if (!(isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19))) {
        f.type = FdType.IPV6_SOCK;
        changed = setIpv6Tuple(f, b, o);
      } else {
        f.type = FdType.IPV4_SOCK;
        changed = setIpv4Tuple(f, readU32LE(b, o + 13), b.readUInt16LE(o + 17), readU32LE(b, o + 31), b.readUInt16LE(o + 35));
      }
    } else {
      f.type = FdType.IPV4_SOCK;
      changed = setIpv4Tuple(f, readU32LE(b, o + 1), b.readUInt16LE(o + 5), readU32LE(b, o + 7), b.readUInt16LE(o + 11));
    }
    if (changed && f.isServer && f.l4proto === L4.UDP) swapAddresses(f);
    f.name = socketName(f);
  } else {
    f.name = sockaddrToString(b, o, len);
    f.unixSource = u64Hex(b, o + 1);
    f.unixDest = u64Hex(b, o + 9);
  }
  if (f.isRoleNone) f.flags |= FdFlag.ROLE_CLIENT;
  void engine;
}

function setIpv4Tuple(f: FdInfo, sip: number, sport: number, dip: number, dport: number): boolean {
  if (f.type === FdType.IPV4_SOCK) {
    if ((sip === f.sip4 && sport === f.sport && dip === f.dip4 && dport === f.dport) || (dip === f.sip4 && dport === f.sport && sip === f.dip4 && sport === f.dport)) return false;
  }
  let changed = false;
  if (f.sip4 !== sip) {
    f.sip4 = sip;
    changed = true;
  }
  if (f.sport !== sport) {
    f.sport = sport;
    changed = true;
  }
  if (f.dip4 === 0) {
    f.dip4 = dip;
    changed = true;
  }
  if (f.dport === 0) {
    f.dport = dport;
    changed = true;
  }
  return changed;
}

function setIpv6Tuple(f: FdInfo, b: Buffer, o: number): boolean {
  const sport = b.readUInt16LE(o + 17);
  const dport = b.readUInt16LE(o + 35);
  if (f.type === FdType.IPV6_SOCK) {
    const same = ip6Equal(f.sip6, b, o + 1) && sport === f.sport && ip6Equal(f.dip6, b, o + 19) && dport === f.dport;
    const swapped = ip6Equal(f.sip6, b, o + 19) && dport === f.sport && ip6Equal(f.dip6, b, o + 1) && sport === f.dport;
    if (same || swapped) return false;
  }
  let changed = false;
  if (!ip6Equal(f.sip6, b, o + 1)) {
    f.sip6 = ip6At(b, o + 1);
    changed = true;
  }
  if (f.sport !== sport) {
    f.sport = sport;
    changed = true;
  }
  if (isZero6(f.dip6)) {
    f.dip6 = ip6At(b, o + 19);
    changed = true;
  }
  if (f.dport === 0) {
    f.dport = dport;
    changed = true;
  }
  return changed;
}

function swapAddresses(f: FdInfo): void {
  if (f.type === FdType.IPV4_SOCK) {
    const ip = f.sip4;
    f.sip4 = f.dip4;
    f.dip4 = ip;
  } else {
    const ip = f.sip6;
    f.sip6 = f.dip6;
    f.dip6 = ip;
  }
  const p = f.sport;
  f.sport = f.dport;
  f.dport = p;
}

export function parseAcceptExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null) return;
  const fd = ev.i64(0);
  if (fd < 0) return;
  t.lastEventFd = fd;
  if (ev.paramLen[1] === 0) return;
  const b = ev.buf;
  const o = ev.paramOff[1]!;
  const len = ev.paramLen[1]!;
  const family = b[o];
  let f: FdInfo;
  if (family === AF_INET) {
    f = fdTemplate(FdType.IPV4_SOCK, '');
    setIpv4Tuple(f, readU32LE(b, o + 1), b.readUInt16LE(o + 5), readU32LE(b, o + 7), b.readUInt16LE(o + 11));
    f.l4proto = L4.TCP;
  } else if (family === AF_INET6) {
    if (isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19)) {
      f = fdTemplate(FdType.IPV4_SOCK, '');
      setIpv4Tuple(f, readU32LE(b, o + 13), b.readUInt16LE(o + 17), readU32LE(b, o + 31), b.readUInt16LE(o + 35));
    } else {
      f = fdTemplate(FdType.IPV6_SOCK, '');
      setIpv6Tuple(f, b, o);
    }
    f.l4proto = L4.TCP;
  } else if (family === AF_UNIX) {
    f = fdTemplate(FdType.UNIX_SOCK, '');
    f.unixSource = u64Hex(b, o + 1);
    f.unixDest = u64Hex(b, o + 9);
  } else return;
  f.name = socktupleToString(b, o, len);
  f.flags = FdFlag.ROLE_SERVER | FdFlag.SOCKET_CONNECTED;
  engine.fd = t.addFd(fd, f);
}

export function parseSocketpairExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.i64(0) < 0 || ev.nparams < 5) return;
  const f = fdTemplate(FdType.UNIX_SOCK, '');
  f.unixSource = ev.u64Big(3).toString(16);
  f.unixDest = ev.u64Big(4).toString(16);
  engine.fd = t.addFd(ev.i64(1), f);
  t.addFd(ev.i64(2), f);
}

/**
 * read/write-family exits: successful I/O on an IP socket marks it connected,
 * and datagram calls carrying an address update the socket's endpoints.
 */
export function parseRwExit(engine: StateEngine, ev: ScapEvent): void {
  const f = engine.fd;
  const t = engine.thread;
  if (f === null || t === null) return;
  const res = ev.i64(0);
  if (res < 0) return;
  const type = ev.type;
  if (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) f.flags |= FdFlag.SOCKET_CONNECTED;
  const reads = (ev.info.flags & EventFlag.READS_FROM_FD) !== 0;
  let src: ScapEvent | null = null;
  let idx = -1;
  if (reads) {
    if (type === EV.RECVFROM_X) idx = 2;
    else if (type === EV.RECVMSG_X) idx = 3;
    src = ev;
  } else if (type === EV.SENDTO_X || type === EV.SENDMSG_X) {
    idx = 2;
  }
  if (idx < 0) return;
  if (!(f.name.length === 0 || f.l4proto !== L4.TCP || !f.isIp)) return;
  if (!reads) {
    src = engine.enterEvent(ev, t);
    if (src === null) return;
  }
  if (src === null || idx >= src.nparams) return;
  if (!updateFdTuple(engine, f, src, idx)) return;
  if (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) {
    if (f.isRoleNone) guessRole(t, f, reads);
    if (reads ? f.isClient : f.isServer) swapAddresses(f);
    f.name = socketName(f);
  } else {
    f.name = socktupleToString(src.buf, src.paramOff[idx]!, src.paramLen[idx]!);
  }
}

function updateFdTuple(engine: StateEngine, f: FdInfo, ev: ScapEvent, idx: number): boolean {
  const len = ev.paramLen[idx]!;
  if (len === 0) return false;
  const b = ev.buf;
  const o = ev.paramOff[idx]!;
  const family = b[o];
  if (family === AF_INET) {
    if (f.type === FdType.IPV4_SERVSOCK) {
      // Keep the protocol learned when the socket was created.
    }
    f.type = FdType.IPV4_SOCK;
    if (!setIpv4Tuple(f, readU32LE(b, o + 1), b.readUInt16LE(o + 5), readU32LE(b, o + 7), b.readUInt16LE(o + 11))) return false;
  } else if (family === AF_INET6) {
    if (isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19)) {
      f.type = FdType.IPV4_SOCK;
      if (!setIpv4Tuple(f, readU32LE(b, o + 13), b.readUInt16LE(o + 17), readU32LE(b, o + 31), b.readUInt16LE(o + 35))) return false;
    } else if (!setIpv6Tuple(f, b, o)) return false;
  } else if (family === AF_UNIX) {
    f.type = FdType.UNIX_SOCK;
    f.unixSource = u64Hex(b, o + 1);
    f.unixDest = u64Hex(b, o + 9);
    f.name = sanitize(cString(b, o + 17, o + len));
    return true;
  }
  if ((f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) && f.l4proto === L4.UNKNOWN) f.l4proto = L4.UDP;
  engine.interfaces.updateFd(f);
  return true;
}

/** Decides client/server for a datagram socket from the ports the process already uses. */
function guessRole(t: ThreadInfo, f: FdInfo, incoming: boolean): void {
  const dport = overlayDport(f);
  const sport = overlaySport(f);
  let bound = false;
  let usesClient = false;
  for (const o of t.fds.values()) {
    if (o.type === FdType.IPV4_SOCK) {
      if (o.dport === dport) bound = true;
      if (o.sport === sport) usesClient = true;
    } else if (o.type === FdType.IPV4_SERVSOCK && o.sport === dport) bound = true;
  }
  if (bound && !usesClient) {
    f.flags |= FdFlag.ROLE_SERVER;
    return;
  }
  if (!bound) {
    f.flags |= FdFlag.ROLE_CLIENT;
    return;
  }
  if (f.isRoleNone) f.flags |= incoming ? FdFlag.ROLE_SERVER : FdFlag.ROLE_CLIENT;
}
