/**
 * fd.*: the file descriptor the event operates on.
 *
 * As in sysdig, the fd fields apply only to events that create, use or
 * destroy an fd. The fd is the one the state engine attached to the event,
 * or else the one the thread last referred to; when there is none (a failed
 * open, an fd opened before the capture), fd.name and its relatives fall
 * back to the name the event itself carries.
 *
 * Sockets: the client is the socket's source endpoint, the server its
 * destination (or the address a listening socket is bound to); local and
 * remote are decided by whether the source address belongs to the machine.
 */
import { FdType } from '../capture/records.js';
import { EV } from '../event/event-ids.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EventFlag, ParamType, PrintFormat } from '../event/types.js';
import type { CompareOp, FieldValue } from '../filter/field-api.js';
import { fdL4proto, paramText, type ParamText } from '../format/param-text.js';
import { FdFlag, type FdInfo, fdTypeChar, fdTypeName } from '../state/fd-info.js';
import { concatenatePaths, pathDirectory, pathFilename } from '../state/paths.js';
import { dirOf } from '../state/parse-fds.js';
import { sanitize } from '../state/parse-net.js';
import type { ThreadInfo } from '../state/thread-info.js';
import { AnyOfIp, AnyOfNumber } from './any-of.js';
import { argField, Field, type FieldDef, type Getter, simpleField } from './define.js';
import { ipv4ToNetworkOrder, Ipv6Text, isLocalIpv4, isLocalIpv6, normalizePortLiteral } from './net-lookup.js';
import { l4protoText } from './render.js';
import { threadOf } from './thread-lookup.js';
import type { EventContext, FieldInfo } from './types.js';

const C = 'fd';
const FD_EVENT = EventFlag.CREATES_FD | EventFlag.USES_FD | EventFlag.DESTROYS_FD;
const scratch: ParamText = { value: '', resolved: '' };

/** sysdig's extract_fd: the event must involve an fd and have a thread. */
function applies(ctx: EventContext): ThreadInfo | null {
  if ((ctx.ev.info.flags & FD_EVENT) === 0) return null;
  return threadOf(ctx);
}

/** The fd the fields describe: the event's, else the one the thread last referred to. */
function fdOf(ctx: EventContext, t: ThreadInfo): FdInfo | null {
  const f = ctx.engine.fd;
  if (f !== null) return f;
  return t.lastEventFd !== -1 ? (t.getFd(t.lastEventFd) ?? null) : null;
}

/** A getter over the event's fd (undefined when the event has none). */
function withFd(get: (f: FdInfo, t: ThreadInfo, ctx: EventContext) => FieldValue | undefined): Getter {
  return (ctx) => {
    const t = applies(ctx);
    if (t === null) return undefined;
    const f = fdOf(ctx, t);
    return f === null ? undefined : get(f, t, ctx);
  };
}

/**
 * The name of the fd an exit event created or tried to create, read from the
 * event itself (sysdig's extract_fdname_from_creator): null for enter events,
 * "" for events that carry no name.
 */
function nameFromCreator(ctx: EventContext, t: ThreadInfo): string | null {
  const { ev, engine } = ctx;
  const type = ev.type;
  if ((type & 1) === 0) return null;
  switch (type) {
    case EV.OPEN_X:
    case EV.ACCEPT_X:
    case EV.ACCEPT_5_X:
    case EV.ACCEPT4_X:
    case EV.ACCEPT4_5_X:
    case EV.CREAT_X:
    case EV.CONNECT_X:
      if (ev.nparams < 2) return '';
      paramText(ev, 1, engine, scratch);
      return scratch.resolved !== '' ? scratch.resolved : scratch.value;
    case EV.OPENAT_X:
    case EV.OPENAT_2_X:
    case EV.OPENAT2_X: {
      let src: ScapEvent = ev;
      let nameIdx = 2;
      let dirIdx = 1;
      if (type === EV.OPENAT_X) {
        const enter = engine.enterEvent(ev, t);
        if (enter === null) return null;
        src = enter;
        nameIdx = 1;
        dirIdx = 0;
      }
      if (nameIdx >= src.nparams || dirIdx >= src.nparams) return null;
      const name = src.str(nameIdx);
      const dir = name.startsWith('/') ? '.' : dirOf(engine, t, name, src.i64(dirIdx));
      return sanitize(concatenatePaths(dir, name)[0]);
    }
    default:
      return '';
  }
}

/** The fd's name, or the creator's when the event has no fd (fd.name); null when neither applies. */
function fdName(ctx: EventContext, t: ThreadInfo): string | null {
  const f = fdOf(ctx, t);
  if (f === null) return nameFromCreator(ctx, t);
  // A failed connect describes the address it tried, not the socket.
  if (ctx.ev.type === EV.CONNECT_X && ctx.ev.nparams > 0 && ctx.ev.i64(0) < 0) return nameFromCreator(ctx, t);
  return f.name;
}

function fdDirectory(ctx: EventContext, t: ThreadInfo): string | undefined {
  const f = fdOf(ctx, t);
  if (f === null) {
    const n = nameFromCreator(ctx, t);
    return n === null ? undefined : pathDirectory(sanitize(n));
  }
  if (f.type === FdType.DIRECTORY) return sanitize(f.name);
  if (f.type !== FdType.FILE && f.type !== FdType.FILE_V2) return undefined;
  return pathDirectory(sanitize(f.name));
}

/** fd.typechar for an event whose fd is unknown: from the kind of call. */
function typecharFromEvent(ev: ScapEvent): string {
  switch (ev.type & ~1) {
    case EV.OPEN_E:
    case EV.OPENAT_E:
    case EV.OPENAT_2_E:
    case EV.OPENAT2_E:
    case EV.CREAT_E:
      return 'f';
    case EV.SOCKET_E:
    case EV.ACCEPT_E:
    case EV.ACCEPT_5_E:
    case EV.ACCEPT4_E:
    case EV.ACCEPT4_5_E:
      return '4';
    case EV.PIPE_E:
      return 'p';
    case EV.EVENTFD_E:
      return 'e';
    case EV.SIGNALFD_E:
      return 's';
    case EV.TIMERFD_CREATE_E:
      return 't';
    case EV.INOTIFY_INIT_E:
      return 'i';
    default:
      return 'o';
  }
}

function isSock(f: FdInfo): boolean {
  return f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK;
}

function roleNone(f: FdInfo): boolean {
  return (f.flags & (FdFlag.ROLE_CLIENT | FdFlag.ROLE_SERVER)) === 0;
}

/** Per-use state of the address fields: the IPv6 text cache. */
class Addr {
  private readonly v6 = new Ipv6Text();

  v4(le: number): number {
    return ipv4ToNetworkOrder(le);
  }
  v6text(a: Uint8Array | null): string {
    return this.v6.get(a);
  }
  /** The source (client) address of a connected socket. */
  src(f: FdInfo): FieldValue {
    return f.type === FdType.IPV4_SOCK ? ipv4ToNetworkOrder(f.sip4) : this.v6.get(f.sip6);
  }
  /** The destination (server) address of a connected socket. */
  dst(f: FdInfo): FieldValue {
    return f.type === FdType.IPV4_SOCK ? ipv4ToNetworkOrder(f.dip4) : this.v6.get(f.dip6);
  }
}

/** Whether the socket's source address is this machine's (decides local vs remote). */
function srcIsLocal(ctx: EventContext, f: FdInfo, t: ThreadInfo): boolean {
  return f.type === FdType.IPV4_SOCK ? isLocalIpv4(ctx.engine, t, f.sip4) : isLocalIpv6(ctx.engine, t, f.sip6);
}

function serverPort(f: FdInfo): number | undefined {
  switch (f.type) {
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
      return roleNone(f) ? undefined : f.dport;
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
      return f.sport;
    default:
      return undefined;
  }
}

function clientPort(f: FdInfo): number | undefined {
  return isSock(f) && !roleNone(f) ? f.sport : undefined;
}

/** fd.lport / fd.rport (local: true for the local end). */
function localRemotePort(ctx: EventContext, f: FdInfo, t: ThreadInfo, local: boolean): number | undefined {
  if (!isSock(f) || roleNone(f)) return undefined;
  const srcLocal = srcIsLocal(ctx, f, t);
  return srcLocal === local ? f.sport : f.dport;
}

function def(name: string, type: ParamType, fmt: PrintFormat, desc: string, make: () => Getter, extra?: { text?: () => (ctx: EventContext) => string | undefined; normalizeLiteral?: (text: string, op: CompareOp) => string }): FieldDef {
  return simpleField({
    name,
    type,
    fmt,
    desc,
    category: C,
    make,
    ...(extra?.text !== undefined ? { text: extra.text } : {}),
    ...(extra?.normalizeLiteral !== undefined ? { normalizeLiteral: extra.normalizeLiteral } : {}),
  });
}

/** A string field whose display drops unprintable characters (sysdig sanitizes names it prints, not those it compares). */
function nameDef(name: string, desc: string, get: (ctx: EventContext, t: ThreadInfo) => string | null | undefined): FieldDef {
  const getter: Getter = (ctx) => {
    const t = applies(ctx);
    if (t === null) return undefined;
    return get(ctx, t) ?? undefined;
  };
  return def(name, ParamType.CHARBUF, PrintFormat.NA, desc, () => getter, {
    text: () => (ctx) => {
      const v = getter(ctx);
      return v === undefined ? undefined : sanitize(v as string);
    },
  });
}

/**
 * A filter-only field matching either endpoint (fd.ip, fd.port, fd.net …):
 * see any-of.ts for how the literals steer the value handed to the check.
 */
function endpointsField(
  name: string,
  type: ParamType,
  desc: string,
  make: (matcher: AnyOfNumber | AnyOfIp) => { get: Getter; matcher: AnyOfNumber | AnyOfIp },
  matcher: () => AnyOfNumber | AnyOfIp,
  literal: (text: string) => string = (t) => t,
): FieldDef {
  const info: FieldInfo = {
    name,
    type,
    printFormat: name === 'fd.port' ? PrintFormat.DEC : PrintFormat.NA,
    description: desc,
    arg: 'none',
    category: C,
    filterOnly: true,
  };
  return {
    info,
    bind(arg, bound) {
      if (arg !== undefined) throw new Error(`field '${name}' does not take an argument`);
      const m = make(matcher());
      return new Field(info, bound, m.get, {
        anyOf: true,
        normalizeLiteral: (text: string, op: CompareOp): string => {
          const t = literal(text);
          m.matcher.record(t, op);
          return t;
        },
      });
    },
  };
}

function pickNumber(m: AnyOfNumber, a: number, b: number): number {
  return m.matches(a) || !m.matches(b) ? a : b;
}

function pickIp(m: AnyOfIp, a: FieldValue, b: FieldValue): FieldValue {
  return m.matches(a) || !m.matches(b) ? a : b;
}

const IP_NET_DESC = {
  ip: 'matches the ip address (client or server) of the fd.',
  net: 'matches the IP network (client or server) of the fd.',
};

/** fd.ip / fd.net: either endpoint of a socket (the one the filter's literal matches), or a listening socket's address. */
function anyEndpointAddress(matcher: unknown): { matcher: AnyOfIp; get: Getter } {
  const m = matcher as AnyOfIp;
  const addr = new Addr();
  return {
    matcher: m,
    get: withFd((f) => {
      if (isSock(f)) return pickIp(m, addr.src(f), addr.dst(f));
      if (f.type === FdType.IPV4_SERVSOCK) return addr.v4(f.sip4);
      if (f.type === FdType.IPV6_SERVSOCK) return addr.v6text(f.sip6);
      return undefined;
    }),
  };
}

/** The distinct type names of a process's open fds, in table order (fd.types). */
function fdTypesOf(t: ThreadInfo, out: FieldValue[]): void {
  out.length = 0;
  for (const f of t.fds.values()) {
    const n = fdTypeName(f.type);
    if (!out.includes(n)) out.push(n);
  }
}

const fdTypesField = argField({
  name: 'fd.types',
  type: ParamType.CHARBUF,
  desc: 'List of FD types in use. Can be passed an fd number e.g. fd.types[0] to get the type of stdout as a single item list.',
  category: C,
  arg: 'optional',
  argSyntax: 'bracket',
  bind(arg) {
    const num = arg === undefined ? -1 : Number(arg.trim());
    if (arg !== undefined && !/^[0-9]+$/.test(arg.trim())) throw new Error(`fd.types needs a numeric fd, as in fd.types[0]`);
    const getList = (ctx: EventContext, out: FieldValue[]): boolean => {
      const t = threadOf(ctx);
      if (t === null) return false;
      if (num < 0) {
        fdTypesOf(t, out);
        return true;
      }
      out.length = 0;
      const f = t.getFd(num);
      if (f !== undefined) out.push(fdTypeName(f.type));
      return true;
    };
    const scratch: FieldValue[] = [];
    return {
      getList,
      // Shown as libsinsp prints lists: "(file,ipv4)".
      get: (ctx) => (getList(ctx, scratch) ? `(${scratch.join(',')})` : undefined),
    };
  },
});

export const FD_FIELDS: readonly FieldDef[] = [
  def('fd.num', ParamType.INT64, PrintFormat.ID, 'the unique number identifying the file descriptor.', () => (ctx) => {
    const t = applies(ctx);
    return t === null ? undefined : t.lastEventFd;
  }),
  def(
    'fd.type',
    ParamType.CHARBUF,
    PrintFormat.DEC,
    "type of FD. Can be 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify' or 'signalfd'.",
    () => withFd((f) => fdTypeName(f.type)),
  ),
  def(
    'fd.typechar',
    ParamType.CHARBUF,
    PrintFormat.DEC,
    "type of FD as a single character. Can be 'f' for file, 4 for IPv4 socket, 6 for IPv6 socket, 'u' for unix socket, p for pipe, 'e' for eventfd, 's' for signalfd, 'l' for eventpoll, 'i' for inotify, 'o' for unknown.",
    () => (ctx) => {
      const t = applies(ctx);
      if (t === null) return undefined;
      const f = fdOf(ctx, t);
      return f === null ? typecharFromEvent(ctx.ev) : fdTypeChar(f.type);
    },
  ),
  nameDef(
    'fd.name',
    'FD full name. If the fd is a file, this field contains the full path. If the FD is a socket, this field contain the connection tuple.',
    (ctx, t) => fdName(ctx, t),
  ),
  def(
    'fd.nameraw',
    ParamType.CHARBUF,
    PrintFormat.NA,
    'FD full name raw. Just like fd.name, but only used if fd is a file path. File path is kept raw with limited sanitization and without deriving the absolute path.',
    () => withFd((f) => (f.type === FdType.FILE || f.type === FdType.FILE_V2 || f.type === FdType.DIRECTORY ? f.nameRaw.replace(/\/{2,}/g, '/') : undefined)),
  ),
  fdTypesField,
  nameDef('fd.directory', 'If the fd is a file, the directory that contains it.', (ctx, t) => fdDirectory(ctx, t)),
  nameDef('fd.filename', 'If the fd is a file, the filename without the path.', (ctx, t) => {
    const f = fdOf(ctx, t);
    if (f === null || (f.type !== FdType.FILE && f.type !== FdType.FILE_V2)) return undefined;
    return pathFilename(sanitize(f.name));
  }),
  endpointsField(
    'fd.ip',
    ParamType.IPADDR,
    IP_NET_DESC.ip,
    anyEndpointAddress,
    () => new AnyOfIp(false),
  ),
  def('fd.cip', ParamType.IPADDR, PrintFormat.NA, 'client IP address.', () => {
    const addr = new Addr();
    return withFd((f) => (isSock(f) && !roleNone(f) ? addr.src(f) : undefined));
  }),
  def('fd.sip', ParamType.IPADDR, PrintFormat.NA, 'server IP address.', () => {
    const addr = new Addr();
    return withFd((f) => {
      if (roleNone(f)) return undefined;
      if (isSock(f)) return addr.dst(f);
      if (f.type === FdType.IPV4_SERVSOCK) return addr.v4(f.sip4);
      if (f.type === FdType.IPV6_SERVSOCK) return addr.v6text(f.sip6);
      return undefined;
    });
  }),
  def('fd.lip', ParamType.IPADDR, PrintFormat.NA, 'local IP address.', () => {
    const addr = new Addr();
    return withFd((f, t, ctx) => {
      if (!isSock(f) || roleNone(f)) return undefined;
      return srcIsLocal(ctx, f, t) ? addr.src(f) : addr.dst(f);
    });
  }),
  def('fd.rip', ParamType.IPADDR, PrintFormat.NA, 'remote IP address.', () => {
    const addr = new Addr();
    return withFd((f, t, ctx) => {
      if (!isSock(f) || roleNone(f)) return undefined;
      return srcIsLocal(ctx, f, t) ? addr.dst(f) : addr.src(f);
    });
  }),
  endpointsField(
    'fd.port',
    ParamType.PORT,
    'matches the port (either client or server) of the fd.',
    (matcher) => {
      const m = matcher as AnyOfNumber;
      return {
        matcher: m,
        get: withFd((f) => {
          if (isSock(f)) return pickNumber(m, f.sport, f.dport);
          if (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) return f.sport;
          return undefined;
        }),
      };
    },
    () => new AnyOfNumber(true),
    normalizePortLiteral,
  ),
  def('fd.cport', ParamType.PORT, PrintFormat.DEC, 'for TCP/UDP FDs, the client port.', () => withFd((f) => clientPort(f)), { normalizeLiteral: normalizePortLiteral }),
  def('fd.sport', ParamType.PORT, PrintFormat.DEC, 'for TCP/UDP FDs, server port.', () => withFd((f) => serverPort(f)), { normalizeLiteral: normalizePortLiteral }),
  def('fd.lport', ParamType.PORT, PrintFormat.DEC, 'for TCP/UDP FDs, the local port.', () => withFd((f, t, ctx) => localRemotePort(ctx, f, t, true)), {
    normalizeLiteral: normalizePortLiteral,
  }),
  def('fd.rport', ParamType.PORT, PrintFormat.DEC, 'for TCP/UDP FDs, the remote port.', () => withFd((f, t, ctx) => localRemotePort(ctx, f, t, false)), {
    normalizeLiteral: normalizePortLiteral,
  }),
  def("fd.l4proto", ParamType.CHARBUF, PrintFormat.NA, "the IP protocol of a socket. Can be 'tcp', 'udp', 'icmp' or 'raw'.", () =>
    withFd((f) => l4protoText(fdL4proto(f.type, f.l4proto, roleNone(f)))),
  ),
  def("fd.sockfamily", ParamType.CHARBUF, PrintFormat.NA, "the socket family for socket events. Can be 'ip' or 'unix'.", () =>
    withFd((f) => {
      if (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK || f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) return 'ip';
      return f.type === FdType.UNIX_SOCK ? 'unix' : undefined;
    }),
  ),
  def("fd.is_server", ParamType.BOOL, PrintFormat.NA, "'true' if the process owning this FD is the server endpoint in the connection.", () =>
    withFd((f, t, ctx) => {
      if (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) return true;
      if (f.type === FdType.IPV4_SOCK) return isLocalIpv4(ctx.engine, t, f.dip4);
      if (f.type === FdType.IPV6_SOCK) return isLocalIpv6(ctx.engine, t, f.dip6);
      return false;
    }),
  ),
  def('fd.uid', ParamType.CHARBUF, PrintFormat.NA, 'a unique identifier for the FD, created by chaining the FD number and the thread ID.', () => (ctx) => {
    const t = applies(ctx);
    if (t === null || ctx.ev.type === EV.CONTAINER_JSON_E || ctx.ev.type === EV.CONTAINER_JSON_2_E) return undefined;
    return `${t.tid}${t.lastEventFd}`;
  }),
  nameDef(
    'fd.containername',
    'chaining of the container ID and the FD name. Useful when trying to identify which container an FD belongs to.',
    (ctx, t) => {
      const n = fdName(ctx, t);
      return n === null ? null : `${t.containerId}:${n}`;
    },
  ),
  nameDef(
    'fd.containerdirectory',
    'chaining of the container ID and the directory name. Useful when trying to identify which container a directory belongs to.',
    (ctx, t) => {
      const d = fdDirectory(ctx, t);
      return d === undefined ? undefined : `${t.containerId}:${d}`;
    },
  ),
  endpointsField(
    'fd.proto',
    ParamType.PORT,
    'matches the protocol (either client or server) of the fd.',
    (matcher) => {
      const m = matcher as AnyOfNumber;
      return {
        matcher: m,
        get: withFd((f) => {
          if (isSock(f)) return pickNumber(m, f.sport, f.dport);
          if (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) return f.sport;
          return undefined;
        }),
      };
    },
    () => new AnyOfNumber(true),
    normalizePortLiteral,
  ),
  def('fd.cproto', ParamType.CHARBUF, PrintFormat.NA, 'for TCP/UDP FDs, the client protocol.', () =>
    withFd((f) => {
      const p = clientPort(f);
      return p === undefined ? undefined : String(p);
    }),
  ),
  def('fd.sproto', ParamType.CHARBUF, PrintFormat.NA, 'for TCP/UDP FDs, server protocol.', () =>
    withFd((f) => {
      const p = serverPort(f);
      return p === undefined ? undefined : String(p);
    }),
  ),
  def('fd.lproto', ParamType.CHARBUF, PrintFormat.NA, 'for TCP/UDP FDs, the local protocol.', () =>
    withFd((f, t, ctx) => {
      const p = localRemotePort(ctx, f, t, true);
      return p === undefined ? undefined : String(p);
    }),
  ),
  def('fd.rproto', ParamType.CHARBUF, PrintFormat.NA, 'for TCP/UDP FDs, the remote protocol.', () =>
    withFd((f, t, ctx) => {
      const p = localRemotePort(ctx, f, t, false);
      return p === undefined ? undefined : String(p);
    }),
  ),
  endpointsField(
    'fd.net',
    ParamType.IPNET,
    IP_NET_DESC.net,
    anyEndpointAddress,
    () => new AnyOfIp(true),
  ),
  simpleField({
    name: 'fd.cnet',
    type: ParamType.IPNET,
    desc: 'matches the client IP network of the fd.',
    category: C,
    filterOnly: true,
    make: () => {
      const addr = new Addr();
      return withFd((f) => (isSock(f) && !roleNone(f) ? addr.src(f) : undefined));
    },
  }),
  simpleField({
    name: 'fd.snet',
    type: ParamType.IPNET,
    desc: 'matches the server IP network of the fd.',
    category: C,
    filterOnly: true,
    make: () => {
      const addr = new Addr();
      return withFd((f) => {
        if (roleNone(f)) return undefined;
        if (isSock(f)) return addr.dst(f);
        if (f.type === FdType.IPV4_SERVSOCK) return addr.v4(f.sip4);
        if (f.type === FdType.IPV6_SERVSOCK) return addr.v6text(f.sip6);
        return undefined;
      });
    },
  }),
  simpleField({
    name: 'fd.lnet',
    type: ParamType.IPNET,
    desc: 'matches the local IP network of the fd.',
    category: C,
    filterOnly: true,
    make: () => {
      const addr = new Addr();
      return withFd((f, t, ctx) => (!isSock(f) || roleNone(f) ? undefined : srcIsLocal(ctx, f, t) ? addr.src(f) : addr.dst(f)));
    },
  }),
  simpleField({
    name: 'fd.rnet',
    type: ParamType.IPNET,
    desc: 'matches the remote IP network of the fd.',
    category: C,
    filterOnly: true,
    make: () => {
      const addr = new Addr();
      return withFd((f, t, ctx) => (!isSock(f) || roleNone(f) ? undefined : srcIsLocal(ctx, f, t) ? addr.dst(f) : addr.src(f)));
    },
  }),
  def("fd.connected", ParamType.BOOL, PrintFormat.NA, "for TCP/UDP FDs, 'true' if the socket is connected.", () => withFd((f) => (f.flags & FdFlag.SOCKET_CONNECTED) !== 0)),
  def(
    'fd.name_changed',
    ParamType.BOOL,
    PrintFormat.NA,
    'True when an event changes the name of an fd used by this event. This can occur in some cases such as udp connections where the connection tuple changes.',
    () => withFd((_f, _t, ctx) => ctx.engine.fdNameChanged),
  ),
  def('fd.cip.name', ParamType.CHARBUF, PrintFormat.NA, 'Domain name associated with the client IP address.', () => () => undefined),
  def('fd.sip.name', ParamType.CHARBUF, PrintFormat.NA, 'Domain name associated with the server IP address.', () => () => undefined),
  def('fd.lip.name', ParamType.CHARBUF, PrintFormat.NA, 'Domain name associated with the local IP address.', () => () => undefined),
  def('fd.rip.name', ParamType.CHARBUF, PrintFormat.NA, 'Domain name associated with the remote IP address.', () => () => undefined),
  def('fd.dev', ParamType.INT32, PrintFormat.HEX, 'device number (major/minor) containing the referenced file', () => withFd((f) => f.dev | 0)),
  def('fd.dev.major', ParamType.INT32, PrintFormat.DEC, 'major device number containing the referenced file', () => withFd((f) => (f.dev & 0xfff00) >>> 8)),
  def('fd.dev.minor', ParamType.INT32, PrintFormat.DEC, 'minor device number containing the referenced file', () => withFd((f) => ((f.dev & 0xff) | ((f.dev >>> 12) & 0xfff00)) | 0)),
  def('fd.ino', ParamType.UINT64, PrintFormat.DEC, 'inode number of the referenced file', () => withFd((f) => f.ino)),
];

