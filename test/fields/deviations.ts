/**
 * Where tsysdig's fields deliberately differ from sysdig 0.29.3, because
 * sysdig's value is a bug (see docs/compat.md, "Fields", for the evidence).
 * Each entry recognises exactly the events on which the documented
 * difference shows, so the golden test still pins everything else.
 */
import { FdType } from '../../src/capture/records.js';
import { FdFlag } from '../../src/state/fd-info.js';
import type { EventContext } from '../../src/fields/types.js';
import type { Deviation, FilterDeviation } from './golden-harness.js';

/** The fd the fd.* fields describe (the event's, else the thread's last one). */
function fdOf(ctx: EventContext) {
  const t = ctx.engine.thread;
  if (t === null) return null;
  return ctx.engine.fd ?? t.getFd(t.lastEventFd) ?? null;
}

function isIpSock(type: FdType): boolean {
  return type === FdType.IPV4_SOCK || type === FdType.IPV6_SOCK;
}

function hasRole(flags: number): boolean {
  return (flags & (FdFlag.ROLE_CLIENT | FdFlag.ROLE_SERVER)) !== 0;
}

const TYPE_IS: Deviation = {
  reason: 'evt.type.is: sysdig prints <NA> (PF_NA integer); tsysdig prints 0 or 1',
  explains: (sysdig, ours) => sysdig === '<NA>' && (ours === '0' || ours === '1'),
};

const RAWARG_UNSIGNED: Deviation = {
  reason: 'evt.rawarg of an unsigned argument: sysdig prints <NA>; tsysdig prints the value',
  explains: (sysdig, ours) => sysdig === '<NA>' && /^[0-9]+$/.test(ours),
};

const FD_DEV: Deviation = {
  reason: 'fd.dev* of an fd that is not a file: sysdig prints uninitialised memory; tsysdig prints 0',
  explains: (_sysdig, ours, ctx) => {
    const f = fdOf(ctx);
    return f !== null && f.type !== FdType.FILE && f.type !== FdType.FILE_V2 && f.type !== FdType.DIRECTORY && ours === '0';
  },
};

export const DEVIATIONS: ReadonlyMap<string, Deviation> = new Map<string, Deviation>([
  ['evt.type.is.open', TYPE_IS],
  ['evt.type.is.3', TYPE_IS],
  ['evt.rawarg.size', RAWARG_UNSIGNED],
  ['evt.rawarg.uid', RAWARG_UNSIGNED],
  ['evt.rawarg.mode', RAWARG_UNSIGNED],
  ['evt.rawarg.cpu_usr', RAWARG_UNSIGNED],
  [
    'group.gid',
    {
      reason: 'group.gid: sysdig reads 8 bytes from a 4-byte gid (garbage in the high half); tsysdig prints the gid',
      explains: (sysdig, ours) => /^[0-9]+$/.test(sysdig) && /^[0-9]+$/.test(ours) && (BigInt(sysdig) & 0xffffffffn) === BigInt(ours),
    },
  ],
  [
    'fd.name_changed',
    {
      reason: 'fd.name_changed: sysdig is true whenever the event has an fd with a name; tsysdig only when the event renamed it',
      explains: (sysdig, ours, ctx) => {
        const f = ctx.engine.fd;
        return sysdig === String(f !== null && f.name !== '') && ours === String(ctx.engine.fdNameChanged);
      },
    },
  ],
  [
    'fd.cport',
    {
      reason: 'fd.cport of a server or unix socket: sysdig prints 0 (switch fall-through); tsysdig has no value',
      explains: (sysdig, ours, ctx) => {
        const f = fdOf(ctx);
        return f !== null && !isIpSock(f.type) && hasRole(f.flags) && sysdig === '0' && ours === '<NA>';
      },
    },
  ],
  [
    'fd.cproto',
    {
      reason: 'fd.cproto of a server or unix socket: sysdig prints an empty string; tsysdig has no value',
      explains: (sysdig, ours, ctx) => {
        const f = fdOf(ctx);
        return f !== null && !isIpSock(f.type) && hasRole(f.flags) && sysdig === '' && ours === '<NA>';
      },
    },
  ],
  [
    'fd.sproto',
    {
      reason: 'fd.sproto of a listening socket: sysdig prints an empty string; tsysdig prints its port',
      explains: (sysdig, ours, ctx) => {
        const f = fdOf(ctx);
        return f !== null && (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) && sysdig === '' && ours === String(f.sport);
      },
    },
  ],
  [
    'evt.latency.human',
    {
      reason: 'evt.latency.human of an event without a thread: sysdig repeats the text it printed last; tsysdig prints 0ns (evt.latency is 0)',
      explains: (_sysdig, ours, ctx) => ctx.engine.thread === null && ours === '0ns',
    },
  ],
  ['fd.dev', FD_DEV],
  ['fd.dev.major', FD_DEV],
  ['fd.dev.minor', FD_DEV],
]);

/** IPv6 literals against IPv4 sockets: sysdig compares the literal's first bytes with the IPv4 address (or reads them as an IPv4 network). */
const V6_LITERAL_ON_V4: FilterDeviation = {
  reason: 'an IPv6 address or network compared with an IPv4 socket: sysdig matches on garbage; tsysdig never matches',
  ignore: (ctx) => {
    const f = fdOf(ctx);
    return f !== null && (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV4_SERVSOCK);
  },
};

export const FILTER_DEVIATIONS: ReadonlyMap<string, FilterDeviation> = new Map<string, FilterDeviation>(
  ['fd.ip=::1', 'fd.ip!=::1', 'fd.ip=2001:db8::3', 'fd.ip=2001:4860:4860::8888', 'fd.ip in (2001:db8::4, 2607:f8b0:4004:802::2004)', 'fd.net=2001:db8::', 'fd.net!=2001:db8::', 'fd.net=::1', 'fd.net=2600:1f18:262c:6542::', 'fd.cnet=2001:db8::', 'fd.snet=2607:f8b0:4004:802::', 'fd.lnet=2001:db8::', 'fd.rnet=2001:db8::', 'fd.cip=2001:db8::4', 'fd.sip=::1'].map((f) => [f, V6_LITERAL_ON_V4]),
);
