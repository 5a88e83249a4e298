/**
 * fdlist.*: the fds of a poll/ppoll call (its `fds` argument), as
 * comma-separated lists of numbers, names, addresses or ports.
 */
import { FdType } from '../capture/records.js';
import { EV } from '../event/event-ids.js';
import { ParamType, PrintFormat } from '../event/types.js';
import type { FdInfo } from '../state/fd-info.js';
import { ipv4ToString, ipv6ToString } from '../state/inet.js';
import { type FieldDef, simpleField } from './define.js';
import { threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

const C = 'fdlist';

/** One entry's text, or null to skip it (no comma either). */
type EntryText = (fd: number, f: FdInfo | undefined) => string | null;

function fdlist(ctx: EventContext, entry: EntryText): string | undefined {
  const ev = ctx.ev;
  let idx: number;
  if (ev.type === EV.POLL_E || ev.type === EV.PPOLL_E) idx = 0;
  else if (ev.type === EV.POLL_X || ev.type === EV.PPOLL_X) idx = 1;
  else return undefined;
  const t = threadOf(ctx);
  if (t === null || idx >= ev.nparams || ev.paramLen[idx]! < 2) return undefined;
  const b = ev.buf;
  const o = ev.paramOff[idx]!;
  const end = o + ev.paramLen[idx]!;
  const n = b.readUInt16LE(o);
  let s = '';
  for (let j = 0, p = o + 2; j < n && p + 10 <= end; j++, p += 10) {
    const fd = Number(b.readBigInt64LE(p));
    const text = entry(fd, t.getFd(fd));
    if (text === null) continue;
    s += text + ',';
  }
  return s === '' ? undefined : s.slice(0, -1);
}

function def(name: string, fmt: PrintFormat, desc: string, entry: EntryText): FieldDef {
  return simpleField({ name, type: ParamType.CHARBUF, fmt, desc, category: C, make: () => (ctx) => fdlist(ctx, entry) });
}

export const FDLIST_FIELDS: readonly FieldDef[] = [
  def('fdlist.nums', PrintFormat.ID, "for poll events, this is a comma-separated list of the FD numbers in the 'fds' argument, returned as a string.", (fd) => String(fd)),
  def('fdlist.names', PrintFormat.NA, "for poll events, this is a comma-separated list of the FD names in the 'fds' argument, returned as a string.", (_fd, f) =>
    f !== undefined && f.name !== '' ? f.name : '<NA>',
  ),
  def('fdlist.cips', PrintFormat.NA, "for poll events, this is a comma-separated list of the client IP addresses in the 'fds' argument, returned as a string.", (_fd, f) => {
    if (f === undefined) return null;
    if (f.type === FdType.IPV4_SOCK) return ipv4ToString(f.sip4);
    if (f.type === FdType.IPV6_SOCK) return ipv6ToString(f.sip6 ?? new Uint8Array(16));
    return null;
  }),
  def('fdlist.sips', PrintFormat.NA, "for poll events, this is a comma-separated list of the server IP addresses in the 'fds' argument, returned as a string.", (_fd, f) => {
    if (f === undefined) return null;
    if (f.type === FdType.IPV4_SOCK) return ipv4ToString(f.dip4);
    if (f.type === FdType.IPV6_SOCK) return ipv6ToString(f.dip6 ?? new Uint8Array(16));
    if (f.type === FdType.IPV4_SERVSOCK) return ipv4ToString(f.sip4);
    if (f.type === FdType.IPV6_SERVSOCK) return ipv6ToString(f.sip6 ?? new Uint8Array(16));
    return null;
  }),
  def('fdlist.cports', PrintFormat.DEC, "for TCP/UDP FDs, for poll events, this is a comma-separated list of the client TCP/UDP ports in the 'fds' argument, returned as a string.", (_fd, f) =>
    f !== undefined && (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) ? String(f.sport) : null,
  ),
  def('fdlist.sports', PrintFormat.DEC, "for poll events, this is a comma-separated list of the server TCP/UDP ports in the 'fds' argument, returned as a string.", (_fd, f) =>
    f !== undefined && (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) ? String(f.dport) : null,
  ),
];
