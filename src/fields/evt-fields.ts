/**
 * evt.* and syscall.type: the event itself (number, time, type, direction,
 * arguments, return value, buffers) and the per-event counters the views
 * sum (evt.count*, evt.buflen*), with sysdig 0.29.3's semantics.
 */
import { FdType } from '../capture/records.js';
import { EV } from '../event/event-ids.js';
import { EVENT_TABLE } from '../event/event-table.js';
import type { ScapEvent } from '../event/scap-event.js';
import { SYSCALL_NAMES } from '../event/syscall-names.js';
import { EventCategory, EventFlag, ParamType, PrintFormat } from '../event/types.js';
import type { FieldValue } from '../filter/field-api.js';
import { eventInfoText, eventTypeName } from '../format/event-line.js';
import { paramText, type ParamText } from '../format/param-text.js';
import type { StateEngine } from '../state/engine.js';
import type { FdInfo } from '../state/fd-info.js';
import { concatenatePaths } from '../state/paths.js';
import { sockaddrToString, socktupleToString } from '../state/parse-net.js';
import { argField, type FieldDef, type FieldOptions, type Getter, simpleField } from './define.js';
import { paramIndex, paramInfoByName, paramSlot } from './event-params.js';
import { SYSCALL_CATEGORIES } from './syscall-categories.js';
import { dateTime, dateTimeSeconds, humanDuration, iso8601, timeOfDay, timeOfDaySeconds, tsDelta, tsNanos, tsSeconds } from './time-text.js';
import { cwdOf, threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

const C = 'evt';
const NS = 1_000_000_000;

const RES = paramSlot('res');
const FDP = paramSlot('fd');

const scratch: ParamText = { value: '', resolved: '' };

function isGeneric(t: number): boolean {
  return t === EV.GENERIC_E || t === EV.GENERIC_X;
}

function isInternal(ev: ScapEvent): boolean {
  return (ev.info.category & EventCategory.INTERNAL) !== 0;
}

/** The event's return value parameter: `res`, or `fd` for the exit of an fd-creating call (sysdig's rule). */
function resIndex(ev: ScapEvent): number {
  const r = paramIndex(ev, RES);
  if (r >= 0) return r;
  if ((ev.info.flags & EventFlag.CREATES_FD) !== 0 && (ev.type & 1) === 1) return paramIndex(ev, FDP);
  return -1;
}

/** 1 when the event returned an error, undefined otherwise (evt.count.error). */
function errorCount(ev: ScapEvent): number | undefined {
  const r = paramIndex(ev, RES);
  if (r >= 0) return ev.i64(r) < 0 ? 1 : undefined;
  if ((ev.info.flags & EventFlag.CREATES_FD) !== 0 && (ev.type & 1) === 1) {
    const f = paramIndex(ev, FDP);
    if (f >= 0 && ev.i64(f) < 0) return 1;
  }
  return undefined;
}

function isFileFd(f: FdInfo): boolean {
  return f.type === FdType.FILE || f.type === FdType.FILE_V2 || f.type === FdType.DIRECTORY;
}
function isNetFd(f: FdInfo): boolean {
  return f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK || f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK || f.type === FdType.UNIX_SOCK;
}
function isOpenExit(t: number): boolean {
  return t === EV.OPEN_X || t === EV.CREAT_X || t === EV.OPENAT_X || t === EV.OPENAT_2_X || t === EV.OPENAT2_X;
}
function isAcceptConnectExit(t: number): boolean {
  return t === EV.ACCEPT_X || t === EV.ACCEPT_5_X || t === EV.ACCEPT4_X || t === EV.ACCEPT4_5_X || t === EV.CONNECT_X;
}

/** evt.buflen: the exit's non-negative return value (bytes moved). */
function buflen(ev: ScapEvent): number | undefined {
  if ((ev.type & 1) === 0 || ev.nparams === 0) return undefined;
  const r = ev.i64(0);
  return r >= 0 ? r : undefined;
}

function ioBuflen(ctx: EventContext, cat: 'any' | 'in' | 'out', fds: 'any' | 'file' | 'net'): number | undefined {
  const f = ctx.engine.fd;
  if (f === null) return undefined;
  const c = ctx.ev.info.category;
  if (cat === 'any' ? (c & EventCategory.IO_BASE) === 0 : c !== (cat === 'in' ? EventCategory.IO_READ : EventCategory.IO_WRITE)) return undefined;
  if (fds === 'file' && f.type !== FdType.FILE && f.type !== FdType.FILE_V2) return undefined;
  if (fds === 'net' && !(f.type >= FdType.IPV4_SOCK && f.type <= FdType.IPV6_SERVSOCK)) return undefined;
  return buflen(ctx.ev);
}

const CATEGORY_NAMES: Record<number, string> = {
  [EventCategory.UNKNOWN]: 'unknown',
  [EventCategory.OTHER]: 'other',
  [EventCategory.FILE]: 'file',
  [EventCategory.NET]: 'net',
  [EventCategory.IPC]: 'IPC',
  [EventCategory.MEMORY]: 'memory',
  [EventCategory.PROCESS]: 'process',
  [EventCategory.SLEEP]: 'sleep',
  [EventCategory.SYSTEM]: 'system',
  [EventCategory.SIGNAL]: 'signal',
  [EventCategory.USER]: 'user',
  [EventCategory.TIME]: 'time',
  [EventCategory.PROCESSING]: 'processing',
  [EventCategory.WAIT]: 'wait',
  [EventCategory.SCHEDULER]: 'scheduler',
};

/** evt.category: the category name; for I/O events, the kind of fd they used (file, net, ipc). */
function categoryName(ev: ScapEvent, engine: StateEngine): string {
  let cat: number;
  if (isGeneric(ev.type)) {
    const id = ev.nparams > 0 ? ev.u16(0) : 0;
    cat = id < SYSCALL_CATEGORIES.length ? SYSCALL_CATEGORIES[id]! : EventCategory.OTHER;
    // Generic events carry no fd: their I/O subcategory is "none", shown as unknown.
    if (cat === EventCategory.IO_READ || cat === EventCategory.IO_WRITE || cat === EventCategory.IO_OTHER) return 'unknown';
    return CATEGORY_NAMES[cat] ?? 'unknown';
  }
  cat = ev.info.category;
  if (cat === EventCategory.IO_READ || cat === EventCategory.IO_WRITE || cat === EventCategory.IO_OTHER) {
    const f = engine.fd;
    if (f === null) return 'unknown';
    switch (f.type) {
      case FdType.FILE:
      case FdType.FILE_V2:
      case FdType.DIRECTORY:
        return 'file';
      case FdType.IPV4_SOCK:
      case FdType.IPV6_SOCK:
      case FdType.IPV4_SERVSOCK:
      case FdType.IPV6_SERVSOCK:
        return 'net';
      case FdType.FIFO:
      case FdType.UNIX_SOCK:
      case FdType.EVENT:
      case FdType.SIGNALFD:
      case FdType.INOTIFY:
        return 'ipc';
      default:
        return 'unknown';
    }
  }
  return CATEGORY_NAMES[cat] ?? 'unknown';
}

/** Every name evt.type accepts in filters: event names and syscall names. */
let typeNames: Set<string> | null = null;
function knownTypeName(name: string): boolean {
  if (typeNames === null) {
    typeNames = new Set<string>();
    for (const e of EVENT_TABLE) typeNames.add(e.name);
    for (const n of SYSCALL_NAMES) typeNames.add(n);
  }
  return typeNames.has(name);
}

/** The text of parameter i: its resolved form when there is one (fd names, errno names), else its value. */
function argText(ev: ScapEvent, i: number, engine: StateEngine, bufferLen: number): string {
  paramText(ev, i, engine, scratch, bufferLen);
  return scratch.resolved !== '' ? scratch.resolved : scratch.value;
}

function findParam(ev: ScapEvent, name: string): number {
  const ps = ev.info.params;
  const n = Math.min(ev.nparams, ps.length);
  for (let i = 0; i < n; i++) if (ps[i]!.name === name) return i;
  return -1;
}

/** Reads parameter i the way evt.rawarg does: as the type its name has in the event table. */
function rawArg(ev: ScapEvent, i: number, type: ParamType): FieldValue | undefined {
  switch (type) {
    case ParamType.INT8:
      return ev.i8(i);
    case ParamType.INT16:
      return ev.i16(i);
    case ParamType.INT32:
      return ev.i32(i);
    case ParamType.INT64:
    case ParamType.ERRNO:
    case ParamType.FD:
    case ParamType.PID:
      return safe(ev.i64(i), () => ev.i64Big(i));
    case ParamType.FD32:
    case ParamType.PID32:
      return ev.i32(i);
    case ParamType.UINT8:
    case ParamType.FLAGS8:
    case ParamType.ENUMFLAGS8:
    case ParamType.SIGTYPE:
    case ParamType.L4PROTO:
    case ParamType.SOCKFAMILY:
      return ev.u8(i);
    case ParamType.UINT16:
    case ParamType.FLAGS16:
    case ParamType.ENUMFLAGS16:
    case ParamType.PORT:
    case ParamType.SYSCALLID:
      return ev.u16(i);
    case ParamType.UINT32:
    case ParamType.FLAGS32:
    case ParamType.ENUMFLAGS32:
    case ParamType.MODE:
    case ParamType.UID:
    case ParamType.GID:
    case ParamType.SIGSET:
      return ev.u32(i) >>> 0;
    case ParamType.UINT64:
    case ParamType.RELTIME:
    case ParamType.ABSTIME: {
      const v = ev.u64(i);
      return Number.isSafeInteger(v) ? v : ev.u64Big(i);
    }
    case ParamType.DOUBLE:
      return ev.paramLen[i]! >= 8 ? ev.buf.readDoubleLE(ev.paramOff[i]!) : 0;
    case ParamType.BOOL:
      return ev.u32(i) !== 0;
    case ParamType.CHARBUF:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
      return ev.str(i);
    case ParamType.BYTEBUF: {
      const o = ev.paramOff[i]!;
      return ev.buf.toString('latin1', o, o + ev.paramLen[i]!);
    }
    case ParamType.IPV4ADDR:
      return ev.paramLen[i]! >= 4 ? ev.buf.readUInt32BE(ev.paramOff[i]!) : undefined;
    case ParamType.SOCKADDR:
      return sockaddrToString(ev.buf, ev.paramOff[i]!, ev.paramLen[i]!);
    case ParamType.SOCKTUPLE:
      return socktupleToString(ev.buf, ev.paramOff[i]!, ev.paramLen[i]!);
    default: {
      const o = ev.paramOff[i]!;
      return ev.buf.toString('latin1', o, o + ev.paramLen[i]!);
    }
  }
}

function safe(v: number, big: () => bigint): number | bigint {
  return Number.isSafeInteger(v) ? v : big();
}

/** The u64 timestamp as a number when exact, else as a bigint (evt.rawtime). */
function tsValue(ev: ScapEvent): number | bigint {
  const v = ev.tsHi * 4294967296 + ev.tsLo;
  return ev.tsHi < 0x200000 ? v : ev.tsBig();
}

/** Event types (and positions of flags, mode) evt.is_open_* look at. */
function openFlagsIndex(t: number): number {
  if (t === EV.OPEN_X || t === EV.OPENAT_E) return 2;
  if (t === EV.OPENAT_2_X || t === EV.OPENAT2_X) return 3;
  return -1;
}

const PPM_O_RDONLY = 1 << 0;
const PPM_O_WRONLY = 1 << 1;
const PPM_O_CREAT = 1 << 2;
const PPM_O_TMPFILE = 1 << 13;
const EXEC_MODE_MASK = (1 << 6) | (1 << 3) | (1 << 0);

function isOpen(ev: ScapEvent, which: 'read' | 'write' | 'exec'): boolean {
  const t = ev.type;
  const fi = openFlagsIndex(t);
  if (fi >= 0) {
    if (fi >= ev.nparams) return false;
    const flags = ev.u32(fi) >>> 0;
    if (which === 'read') return (flags & PPM_O_RDONLY) !== 0;
    if (which === 'write') return (flags & PPM_O_WRONLY) !== 0;
    if ((flags & (PPM_O_TMPFILE | PPM_O_CREAT)) === 0 || fi + 1 >= ev.nparams) return false;
    return (ev.u32(fi + 1) & EXEC_MODE_MASK) !== 0;
  }
  if (which === 'exec' && t === EV.CREAT_X && ev.nparams > 2) return (ev.u32(2) & EXEC_MODE_MASK) !== 0;
  return false;
}

/** Fields of a docker infrastructure event's description ("Event: x; ID: y; name: z; Image: w"). */
function infraDockerField(ev: ScapEvent, key: 'Event' | 'ID' | 'name' | 'Image'): string | undefined {
  if (ev.type !== EV.INFRASTRUCTURE_EVENT_E || ev.nparams < 3) return undefined;
  const desc = ev.str(2);
  for (const raw of desc.split(';')) {
    const e = raw.trim();
    if (!e.startsWith(key)) continue;
    const parts = e.split(':');
    if (key === 'Image') {
      let v = parts[1] ?? '';
      if (v.includes('@')) v = v.slice(0, v.indexOf('@'));
      else if (v.includes('sha256')) v = e.slice(e.indexOf(':') + 1);
      return v.trim();
    }
    const v = (parts[1] ?? '').trim();
    return key === 'ID' && v.length > 12 ? v.slice(0, 12) : v;
  }
  return undefined;
}

/** evt.abspath: the absolute path of a *at() call's path argument, resolved against its dirfd. */
function absPath(ctx: EventContext, which: 0 | 1 | 2): string | undefined {
  const { ev, engine } = ctx;
  const t = engine.thread;
  if (t === null) return undefined;
  let dirArg: string | null = null;
  let pathArg: string | null = null;
  switch (ev.type) {
    case EV.RENAMEAT_X:
    case EV.RENAMEAT2_X:
      [dirArg, pathArg] = which === 2 ? ['newdirfd', 'newpath'] : ['olddirfd', 'oldpath'];
      break;
    case EV.SYMLINKAT_X:
      [dirArg, pathArg] = ['linkdirfd', 'linkpath'];
      break;
    case EV.OPENAT_E:
    case EV.OPENAT_2_X:
    case EV.OPENAT2_X:
    case EV.UNLINKAT_E:
    case EV.UNLINKAT_2_X:
      [dirArg, pathArg] = ['dirfd', 'name'];
      break;
    case EV.LINKAT_E:
    case EV.LINKAT_2_X:
      [dirArg, pathArg] = which === 2 ? ['newdir', 'newpath'] : ['olddir', 'oldpath'];
      break;
    case EV.MKDIRAT_X:
      [dirArg, pathArg] = ['dirfd', 'path'];
      break;
    case EV.FCHMODAT_X:
      [dirArg, pathArg] = ['dirfd', 'filename'];
      break;
    default:
      return undefined;
  }
  const di = findParam(ev, dirArg);
  const pi = findParam(ev, pathArg);
  if (di < 0 || pi < 0) return undefined;
  const dirfd = ev.i64(di);
  const path = ev.str(pi);
  let dir: string;
  if (path.startsWith('/')) dir = '.';
  else if (dirfd === -100) dir = cwdOf(engine, t) ?? t.cwd;
  else {
    const f = t.getFd(dirfd);
    dir = f === undefined ? '<UNKNOWN>/' : f.name + '/';
  }
  return concatenatePaths(dir, path)[0];
}

// ---------------------------------------------------------------------------

function n(name: string, type: ParamType, fmt: PrintFormat, desc: string, make: (o: FieldOptions) => Getter, extra?: { tableOnly?: boolean }): FieldDef {
  return simpleField({ name, type, fmt, desc, category: C, make, ...(extra ?? {}) });
}
function s(name: string, desc: string, get: Getter, fmt: PrintFormat = PrintFormat.NA, extra?: { tableOnly?: boolean }): FieldDef {
  return simpleField({ name, type: ParamType.CHARBUF, fmt, desc, category: C, make: () => get, ...(extra ?? {}) });
}
function flag(name: string, desc: string, get: (ctx: EventContext) => boolean | undefined): FieldDef {
  return simpleField({ name, type: ParamType.BOOL, desc, category: C, make: () => get });
}
function count(name: string, desc: string, get: (ctx: EventContext) => number | undefined, tableOnly = false): FieldDef {
  return simpleField({ name, type: ParamType.UINT32, fmt: PrintFormat.DEC, desc, category: C, make: () => get, ...(tableOnly ? { tableOnly } : {}) });
}
function u64(name: string, desc: string, get: (ctx: EventContext) => number | undefined, tableOnly = false): FieldDef {
  return simpleField({ name, type: ParamType.UINT64, fmt: PrintFormat.DEC, desc, category: C, make: () => get, ...(tableOnly ? { tableOnly } : {}) });
}

/** evt.latency and friends: the exit's delay since its enter event, for events that have a thread. */
function latency(ctx: EventContext): number | undefined {
  const t = ctx.engine.thread;
  if (t === null) return 0;
  if (isInternal(ctx.ev)) return undefined;
  return t.latency;
}

/** evt.deltatime and friends keep, per use, the previous event's timestamp. */
function deltaGetter(part: 'all' | 's' | 'ns'): () => Getter {
  return () => {
    let prevHi = 0;
    let prevLo = 0;
    let seen = false;
    return ({ ev }) => {
      let d = 0;
      if (seen) {
        d = tsDelta(ev, prevHi, prevLo);
        if (part === 's') d = Math.floor(d / NS);
        else if (part === 'ns') d %= NS;
      }
      seen = true;
      prevHi = ev.tsHi;
      prevLo = ev.tsLo;
      return d;
    };
  };
}

function reltime(ctx: EventContext): number {
  const e = ctx.engine;
  return tsDelta(ctx.ev, e.firstEventTsHi, e.firstEventTsLo);
}

export const EVT_FIELDS: readonly FieldDef[] = [
  // ---- all events (sysdig's "evt" class for every event type) ----
  n('evt.num', ParamType.UINT64, PrintFormat.ID, 'event number.', () => ({ ev }) => ev.num),
  s('evt.time', 'event timestamp as a time string that includes the nanosecond part.', ({ ev }) => timeOfDay(ev)),
  s('evt.time.s', 'event timestamp as a time string with no nanoseconds.', ({ ev }) => timeOfDaySeconds(ev)),
  s('evt.time.iso8601', 'event timestamp in ISO 8601 format, including nanoseconds and time zone offset (in UTC).', ({ ev }) => iso8601(ev)),
  s('evt.datetime', 'event timestamp as a time string that includes the date.', ({ ev }) => dateTime(ev)),
  s('evt.datetime.s', 'event timestamp as a datetime string with no nanoseconds.', ({ ev }) => dateTimeSeconds(ev)),
  n('evt.rawtime', ParamType.ABSTIME, PrintFormat.DEC, 'absolute event timestamp, i.e. nanoseconds from epoch.', () => {
    // One event is often asked several times (filter, then columns): keep its bigint.
    let hi = -1;
    let lo = -1;
    let last: number | bigint = 0;
    return ({ ev }) => {
      if (ev.tsHi !== hi || ev.tsLo !== lo) {
        hi = ev.tsHi;
        lo = ev.tsLo;
        last = tsValue(ev);
      }
      return last;
    };
  }),
  n('evt.rawtime.s', ParamType.ABSTIME, PrintFormat.DEC, 'integer part of the event timestamp (e.g. seconds since epoch).', () => ({ ev }) => tsSeconds(ev)),
  n('evt.rawtime.ns', ParamType.ABSTIME, PrintFormat.PADDED_DEC, 'fractional part of the absolute event timestamp.', () => ({ ev }) => tsNanos(ev)),
  n('evt.reltime', ParamType.RELTIME, PrintFormat.PADDED_DEC, 'number of nanoseconds from the beginning of the capture.', () => reltime),
  n('evt.reltime.s', ParamType.RELTIME, PrintFormat.DEC, 'number of seconds from the beginning of the capture.', () => (ctx) => Math.floor(reltime(ctx) / NS)),
  n('evt.reltime.ns', ParamType.RELTIME, PrintFormat.PADDED_DEC, 'fractional part (in ns) of the time from the beginning of the capture.', () => (ctx) => reltime(ctx) % NS),
  s(
    'evt.hostname',
    "The hostname of the underlying host: the capture's machine information, or for live capture this host's name (FALCO_HOSTNAME or SCAP_HOSTNAME in the environment overrides it, as in Falco).",
    ({ engine }) => engine.machine?.hostname,
  ),
  s('evt.pluginname', 'if the event comes from a plugin, the name of the plugin that generated it. The plugin must be currently loaded.', () => undefined),
  s('evt.plugininfo', 'if the event comes from a plugin, a summary of the event as formatted by the plugin. The plugin must be currently loaded.', () => undefined),

  // ---- syscall events ----
  n('evt.latency', ParamType.RELTIME, PrintFormat.DEC, 'delta between an exit event and the correspondent enter event, in nanoseconds.', () => latency),
  n('evt.latency.s', ParamType.RELTIME, PrintFormat.DEC, 'integer part of the event latency delta.', () => (ctx) => {
    const l = latency(ctx);
    return l === undefined ? undefined : Math.floor(l / NS);
  }),
  n('evt.latency.ns', ParamType.RELTIME, PrintFormat.PADDED_DEC, 'fractional part of the event latency delta.', () => (ctx) => {
    const l = latency(ctx);
    return l === undefined ? undefined : l % NS;
  }),
  n(
    'evt.latency.quantized',
    ParamType.UINT64,
    PrintFormat.DEC,
    '10-base log of the delta between an exit event and the correspondent enter event.',
    (o) => {
      const w = o.screenWidth;
      return (ctx) => {
        const t = ctx.engine.thread;
        if (t === null || isInternal(ctx.ev) || t.latency === 0) return undefined;
        const l = Math.min(Math.log10(t.latency), 11);
        // (uint64_t)(l * w / 11) + 1, with C's conversion of a negative double (only with a negative width).
        const q = Math.trunc((l * w) / 11);
        return q >= 0 ? q + 1 : BigInt.asUintN(64, BigInt(q) + 1n);
      };
    },
    { tableOnly: true },
  ),
  s('evt.latency.human', 'delta between an exit event and the correspondent enter event, as a human readable string (e.g. 10.3ms).', (ctx) => {
    const l = latency(ctx);
    return l === undefined ? undefined : humanDuration(l);
  }),
  n('evt.deltatime', ParamType.RELTIME, PrintFormat.DEC, 'delta between this event and the previous event, in nanoseconds.', deltaGetter('all')),
  n('evt.deltatime.s', ParamType.RELTIME, PrintFormat.DEC, 'integer part of the delta between this event and the previous event.', deltaGetter('s')),
  n('evt.deltatime.ns', ParamType.RELTIME, PrintFormat.PADDED_DEC, 'fractional part of the delta between this event and the previous event.', deltaGetter('ns')),
  s("evt.outputtime", "this depends on -t param, default is %evt.time ('h').", ({ ev }) => timeOfDay(ev)),
  s("evt.dir", "event direction can be either '>' for enter events or '<' for exit events.", ({ ev }) => ((ev.type & 1) === 0 ? '>' : '<'), PrintFormat.DIR),
  simpleField({
    name: 'evt.type',
    type: ParamType.CHARBUF,
    desc: "The name of the event (e.g. 'open').",
    category: C,
    make: () => (ctx) => eventTypeName(ctx.ev),
    normalizeLiteral: (text) => {
      if (!knownTypeName(text)) throw new Error(`unknown event type ${text}`);
      return text;
    },
  }),
  argField({
    name: 'evt.type.is',
    type: ParamType.UINT32,
    desc: 'allows one to specify an event type, and returns 1 for events that are of that type. For example, evt.type.is.open returns 1 for open events, 0 for any other event.',
    category: C,
    arg: 'required',
    argSyntax: 'dot',
    bind(arg) {
      let a = -1;
      let b = -1;
      if (/^[0-9]+$/.test(arg!)) a = Number(arg);
      else {
        a = EVENT_TABLE.findIndex((e) => e.name === arg);
        if (a < 0) throw new Error(`unknown event type ${arg}`);
        b = a + 1;
      }
      return { get: ({ ev }) => (ev.type === a || ev.type === b ? 1 : 0) };
    },
  }),
  s(
    'syscall.type',
    "For system call events, the name of the system call (e.g. 'open'). Unset for other events (e.g. switch or internal events). Use this field instead of evt.type if you need to make sure that the filtered/printed value is actually a system call.",
    ({ ev }) => {
      const f = ev.info.flags;
      // sysdig tests the event *flags* against EC_INTERNAL, whose bit is EF_SKIPPARSERESET's.
      if (ev.type === EV.SCHEDSWITCH_6_E || (f & EventCategory.INTERNAL) !== 0 || (f & EventFlag.SKIPPARSERESET) !== 0) return undefined;
      return eventTypeName(ev);
    },
  ),
  s(
    'evt.category',
    "The event category. Example values are 'file' (for file operations like open and close), 'net' (for network operations like socket and bind), memory (for things like brk or mmap), and so on.",
    ({ ev, engine }) => categoryName(ev, engine),
  ),
  n('evt.cpu', ParamType.INT16, PrintFormat.ID, 'number of the CPU where this event happened.', () => ({ ev }) => ev.cpu),
  simpleField({
    name: 'evt.args',
    type: ParamType.CHARBUF,
    desc: 'all the event arguments, aggregated into a single string.',
    category: C,
    make: (o) => ({ ev, engine }) => eventInfoText(ev, engine, o.bufferLen),
  }),
  argField({
    name: 'evt.arg',
    type: ParamType.CHARBUF,
    desc: "one of the event arguments specified by name or by number. Some events (e.g. return codes or FDs) will be converted into a text representation when possible. E.g. 'evt.arg.fd' or 'evt.arg[0]'.",
    category: C,
    arg: 'required',
    argSyntax: 'both',
    bind(arg, o, syntax) {
      const bufferLen = o.bufferLen;
      if (syntax === 'bracket') {
        if (!/^-?[0-9]+$/.test(arg!.trim())) throw new Error(`${arg} is not a valid number`);
        const idx = Number(arg);
        return { get: ({ ev, engine }) => (idx >= 0 && idx < ev.nparams ? argText(ev, idx, engine, bufferLen) : undefined) };
      }
      const name = arg!;
      if (paramInfoByName(name) === null) throw new Error(`unknown event argument ${name}`);
      return {
        get: ({ ev, engine }) => {
          const i = findParam(ev, name);
          return i < 0 ? undefined : argText(ev, i, engine, bufferLen);
        },
      };
    },
  }),
  argField({
    name: 'evt.rawarg',
    type: ParamType.DYN,
    desc: "one of the event arguments specified by name. E.g. 'evt.rawarg.fd'.",
    category: C,
    arg: 'required',
    argSyntax: 'dot',
    bind(arg, _o, syntax) {
      if (syntax === 'bracket') throw new Error('evt.arg fields must be expressed explicitly');
      const name = arg!;
      const pi = paramInfoByName(name);
      if (pi === null) throw new Error(`unknown event argument ${name}`);
      const type = pi.type;
      return {
        type,
        // Printed with the argument's own format (sysdig prints unsigned values of evt.rawarg as <NA>).
        fmt: pi.fmt,
        get: ({ ev }) => {
          const i = findParam(ev, name);
          return i < 0 ? undefined : rawArg(ev, i, type);
        },
      };
    },
  }),
  simpleField({
    name: 'evt.info',
    type: ParamType.CHARBUF,
    desc: 'for most events, this field returns the same value as evt.args. However, for some events (like writes to /dev/log) it provides higher level information coming from decoding the arguments.',
    category: C,
    make: (o) => ({ ev, engine }) => eventInfoText(ev, engine, o.bufferLen),
  }),
  simpleField({
    name: 'evt.buffer',
    type: ParamType.BYTEBUF,
    desc: "the binary data buffer for events that have one, like read(), recvfrom(), etc. Use this field in filters with 'contains' to search into I/O data buffers.",
    category: C,
    make: () => ({ ev }) => {
      const i = findParam(ev, 'data');
      if (i < 0) return undefined;
      const o = ev.paramOff[i]!;
      return ev.buf.toString('latin1', o, o + ev.paramLen[i]!);
    },
    // Displayed as evt.arg.data is (printable text, 80 characters), compared raw.
    text: (o) => ({ ev, engine }) => {
      const i = findParam(ev, 'data');
      if (i < 0) return undefined;
      paramText(ev, i, engine, scratch, o.bufferLen);
      return scratch.value;
    },
  }),
  u64(
    'evt.buflen',
    'the length of the binary data buffer for events that have one, like read(), recvfrom(), etc.',
    (ctx) => ioBuflen(ctx, 'any', 'any'),
  ),
  s(
    'evt.res',
    "event return value, as a string. If the event failed, the result is an error code string (e.g. 'ENOENT'), otherwise the result is the string 'SUCCESS'.",
    ({ ev, engine }) => {
      const i = resIndex(ev);
      if (i < 0) return undefined;
      if (ev.i64(i) >= 0) return 'SUCCESS';
      paramText(ev, i, engine, scratch);
      return scratch.resolved !== '' ? scratch.resolved : scratch.value;
    },
    PrintFormat.DEC,
  ),
  n('evt.rawres', ParamType.INT64, PrintFormat.DEC, 'event return value, as a number (e.g. -2). Useful for range comparisons.', () => ({ ev }) => {
    const i = resIndex(ev);
    return i < 0 ? undefined : safe(ev.i64(i), () => ev.i64Big(i));
  }),
  flag("evt.failed", "'true' for events that returned an error status.", ({ ev }) => {
    const i = resIndex(ev);
    return i >= 0 && ev.i64(i) < 0;
  }),
  flag("evt.is_io", "'true' for events that read or write to FDs, like read(), send, recvfrom(), etc.", ({ ev }) => (ev.info.flags & (EventFlag.READS_FROM_FD | EventFlag.WRITES_TO_FD)) !== 0),
  flag("evt.is_io_read", "'true' for events that read from FDs, like read(), recv(), recvfrom(), etc.", ({ ev }) => (ev.info.flags & EventFlag.READS_FROM_FD) !== 0),
  flag("evt.is_io_write", "'true' for events that write to FDs, like write(), send(), etc.", ({ ev }) => (ev.info.flags & EventFlag.WRITES_TO_FD) !== 0),
  s("evt.io_dir", "'r' for events that read from FDs, like read(); 'w' for events that write to FDs, like write().", ({ ev }) => {
    const f = ev.info.flags;
    if ((f & EventFlag.WRITES_TO_FD) !== 0) return 'write';
    if ((f & EventFlag.READS_FROM_FD) !== 0) return 'read';
    return undefined;
  }),
  flag("evt.is_wait", "'true' for events that make the thread wait, e.g. sleep(), select(), poll().", ({ ev }) => (ev.info.flags & EventFlag.WAITS) !== 0),
  n(
    'evt.wait_latency',
    ParamType.RELTIME,
    PrintFormat.DEC,
    'for events that make the thread wait (e.g. sleep(), select(), poll()), this is the time spent waiting for the event to return, in nanoseconds.',
    () => ({ ev, engine }) => {
      if ((ev.info.flags & EventFlag.WAITS) === 0 || (ev.type & 1) === 0) return undefined;
      return engine.thread !== null ? engine.thread.latency : 0;
    },
  ),
  flag("evt.is_syslog", "'true' for events that are writes to /dev/log.", ({ ev, engine }) => (ev.info.flags & EventFlag.WRITES_TO_FD) !== 0 && engine.fd !== null && engine.fd.name.includes('/dev/log')),
  count('evt.count', 'This filter field always returns 1 and can be used to count events from inside chisels.', () => 1),
  count('evt.count.error', 'This filter field returns 1 for events that returned with an error, and can be used to count event failures from inside chisels.', ({ ev }) => errorCount(ev)),
  count(
    'evt.count.error.file',
    'This filter field returns 1 for events that returned with an error and are related to file I/O, and can be used to count event failures from inside chisels.',
    ({ ev, engine }) => {
      const f = engine.fd;
      if (f !== null) return isFileFd(f) ? errorCount(ev) : undefined;
      return isOpenExit(ev.type) ? errorCount(ev) : undefined;
    },
  ),
  count(
    'evt.count.error.net',
    'This filter field returns 1 for events that returned with an error and are related to network I/O, and can be used to count event failures from inside chisels.',
    ({ ev, engine }) => {
      const f = engine.fd;
      if (f !== null) return isNetFd(f) ? errorCount(ev) : undefined;
      return isAcceptConnectExit(ev.type) ? errorCount(ev) : undefined;
    },
  ),
  count(
    'evt.count.error.memory',
    'This filter field returns 1 for events that returned with an error and are related to memory allocation, and can be used to count event failures from inside chisels.',
    ({ ev }) => (ev.info.category === EventCategory.MEMORY ? errorCount(ev) : undefined),
  ),
  count(
    'evt.count.error.other',
    'This filter field returns 1 for events that returned with an error and are related to none of the previous categories, and can be used to count event failures from inside chisels.',
    ({ ev, engine }) => {
      const f = engine.fd;
      if (f !== null) return !isFileFd(f) && !isNetFd(f) ? errorCount(ev) : undefined;
      const t = ev.type;
      return !isOpenExit(t) && !isAcceptConnectExit(t) && ev.info.category !== EventCategory.MEMORY ? errorCount(ev) : undefined;
    },
  ),
  count('evt.count.exit', 'This filter field returns 1 for exit events, and can be used to count single events from inside chisels.', ({ ev }) => ((ev.type & 1) === 1 ? 1 : undefined)),
  count(
    'evt.count.procinfo',
    'This filter field returns 1 for procinfo events generated by process main threads, and can be used to count processes from inside views.',
    ({ ev, engine }) => {
      if (ev.type !== EV.PROCINFO_E) return undefined;
      const t = threadOf({ ev, engine });
      return t !== null && (t.tid === t.pid || (t.flags & (1 << 30)) !== 0) ? 1 : undefined;
    },
    true,
  ),
  count('evt.count.threadinfo', 'This filter field returns 1 for procinfo events, and can be used to count processes from inside views.', ({ ev }) => (ev.type === EV.PROCINFO_E ? 1 : undefined), true),
  argField({
    name: 'evt.around',
    type: ParamType.UINT64,
    fmt: PrintFormat.DEC,
    desc: "Accepts the event if it's around the specified time interval. The syntax is evt.around[T]=D, where T is the value returned by %evt.rawtime for the event and D is a delta in milliseconds. For example, evt.around[1404996934793590564]=1000 will return the events with timestamp with one second before the timestamp and one second after it, for a total of two seconds of capture.",
    category: C,
    arg: 'required',
    argSyntax: 'bracket',
    filterOnly: true,
    bind(arg, _o, syntax) {
      if (syntax !== 'bracket' || !/^[0-9]+$/.test(arg!)) throw new Error('wrong syntax for evt.around');
      const center = BigInt(arg!);
      let deltaNs = -1n;
      let literal = 0;
      return {
        anyOf: true,
        // The window comes from the compared literal: the field answers that literal when the event is inside it.
        normalizeLiteral: (text, op) => {
          if (op !== '=') throw new Error("evt.around supports only '=' comparison operator");
          if (!/^[0-9]+$/.test(text)) throw new Error(`'${text}' is not a valid number`);
          literal = Number(text);
          deltaNs = BigInt(text) * 1_000_000n;
          return text;
        },
        get: ({ ev }) => {
          if (deltaNs < 0n) return undefined;
          const ts = ev.tsBig();
          return center >= ts - deltaNs && center <= ts + deltaNs ? literal : undefined;
        },
      };
    },
  }),
  argField({
    name: 'evt.abspath',
    type: ParamType.CHARBUF,
    desc: "Absolute path calculated from dirfd and name during syscalls like renameat and symlinkat. Use 'evt.abspath.src' or 'evt.abspath.dst' for syscalls that support multiple paths.",
    category: C,
    arg: 'optional',
    argSyntax: 'dot',
    bind(arg) {
      if (arg !== undefined && arg !== 'src' && arg !== 'dst') throw new Error(`unknown evt.abspath argument ${arg} (use src or dst)`);
      const which = arg === 'src' ? 1 : arg === 'dst' ? 2 : 0;
      return { get: (ctx) => absPath(ctx, which) };
    },
  }),
  u64('evt.buflen.in', 'the length of the binary data buffer, but only for input I/O events.', (ctx) => ioBuflen(ctx, 'in', 'any'), true),
  u64('evt.buflen.out', 'the length of the binary data buffer, but only for output I/O events.', (ctx) => ioBuflen(ctx, 'out', 'any'), true),
  u64('evt.buflen.file', 'the length of the binary data buffer, but only for file I/O events.', (ctx) => ioBuflen(ctx, 'any', 'file'), true),
  u64('evt.buflen.file.in', 'the length of the binary data buffer, but only for input file I/O events.', (ctx) => ioBuflen(ctx, 'in', 'file'), true),
  u64('evt.buflen.file.out', 'the length of the binary data buffer, but only for output file I/O events.', (ctx) => ioBuflen(ctx, 'out', 'file'), true),
  u64('evt.buflen.net', 'the length of the binary data buffer, but only for network I/O events.', (ctx) => ioBuflen(ctx, 'any', 'net'), true),
  u64('evt.buflen.net.in', 'the length of the binary data buffer, but only for input network I/O events.', (ctx) => ioBuflen(ctx, 'in', 'net'), true),
  u64('evt.buflen.net.out', 'the length of the binary data buffer, but only for output network I/O events.', (ctx) => ioBuflen(ctx, 'out', 'net'), true),
  flag("evt.is_open_read", "'true' for open/openat/openat2 events where the path was opened for reading", ({ ev }) => isOpen(ev, 'read')),
  flag("evt.is_open_write", "'true' for open/openat/openat2 events where the path was opened for writing", ({ ev }) => isOpen(ev, 'write')),
  s('evt.infra.docker.name', 'for docker infrastructure events, the name of the event.', ({ ev }) => infraDockerField(ev, 'Event'), PrintFormat.NA, { tableOnly: true }),
  s('evt.infra.docker.container.id', 'for docker infrastructure events, the id of the impacted container.', ({ ev }) => infraDockerField(ev, 'ID'), PrintFormat.NA, { tableOnly: true }),
  s('evt.infra.docker.container.name', 'for docker infrastructure events, the name of the impacted container.', ({ ev }) => infraDockerField(ev, 'name'), PrintFormat.NA, { tableOnly: true }),
  s('evt.infra.docker.container.image', 'for docker infrastructure events, the image name of the impacted container.', ({ ev }) => infraDockerField(ev, 'Image'), PrintFormat.NA, { tableOnly: true }),
  flag("evt.is_open_exec", "'true' for open/openat/openat2 or creat events where a file is created with execute permissions", ({ ev }) => isOpen(ev, 'exec')),
];

