/**
 * Text of one event parameter, as sysdig prints it in %evt.info / %evt.arg:
 * a value and, where sysdig resolves it, a second "resolved" text shown in
 * parentheses (fd names, errno names, flag names, user names…).
 *
 * Strings are built in latin1 so arbitrary capture bytes pass through to the
 * output unchanged, as sysdig writes them.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { ParamType, PrintFormat, type FlagName, type ParamInfo } from '../event/types.js';
import { ERRNO_NAMES, SIGNAL_NAMES } from '../event/errno-names.js';
import { SYSCALL_NAMES } from '../event/syscall-names.js';
import type { StateEngine } from '../state/engine.js';
import { fdTypeChar, L4 } from '../state/fd-info.js';
import { concatenatePaths } from '../state/paths.js';
import { sanitize, sockaddrToString, socktupleToString } from '../state/parse-net.js';
import { threadCwd } from '../state/parse-process.js';
import { formatG, formatOctalAlt } from './cformat.js';
import { FdType } from '../capture/records.js';

/** Output of paramText(): reused, not allocated per call. */
export interface ParamText {
  value: string;
  resolved: string;
}

/** Default cap on rendered buffer length (sysdig's non-verbose 80 characters). */
export const DEFAULT_BUFFER_LEN = 80;

const PPM_AT_FDCWD = -100;

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** A byte buffer rendered with unprintable bytes as '.', capped at `max` characters ("..." marks the cut). */
export function bufferDots(b: Buffer, o: number, len: number, max: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = b[o + i]!;
    s += isPrint(c) ? String.fromCharCode(c) : '.';
  }
  if (max !== 0 && s.length > max) s = s.slice(0, max - 3) + '...';
  return s;
}

/** Flag names for a value, following sysdig's matching order and rules. */
export function flagNames(table: readonly FlagName[] | undefined, value: number): string {
  if (table === undefined) return '';
  const initial = value >>> 0;
  let val = initial;
  let out = '';
  let sep = '';
  let i = 0;
  for (; i < table.length && table[i]!.value >>> 0 !== initial; i++) {
    const fv = table[i]!.value >>> 0;
    if ((fv === 0 && initial === 0) || (fv !== 0 && ((val & fv) >>> 0) === fv && val !== 0)) {
      out += sep + table[i]!.name;
      sep = '|';
      val = (val & ~fv) >>> 0;
    }
  }
  if (i < table.length) out += sep + table[i]!.name;
  return out;
}

function cstrLatin1(b: Buffer, o: number, len: number): string {
  const nul = b.indexOf(0, o);
  const end = nul >= 0 && nul < o + len ? nul : o + len;
  return b.toString('latin1', o, end);
}

function formatInt(v: number | bigint, fmt: PrintFormat, bits: number, signed: boolean): string {
  switch (fmt) {
    case PrintFormat.OCT: {
      const u = typeof v === 'bigint' ? BigInt.asUintN(bits, v) : BigInt.asUintN(bits, BigInt(v));
      return formatOctalAlt(u);
    }
    case PrintFormat.HEX: {
      const u = typeof v === 'bigint' ? BigInt.asUintN(bits, v) : BigInt.asUintN(bits, BigInt(v));
      return u.toString(16).toUpperCase();
    }
    case PrintFormat.PADDED_DEC: {
      const s = signedDec(v, bits, signed);
      return s.startsWith('-') ? '-' + s.slice(1).padStart(8, '0') : s.padStart(9, '0');
    }
    default:
      return signedDec(v, bits, signed);
  }
}

/** sysdig prints most integers through signed conversions, even unsigned 32/64-bit ones. */
function signedDec(v: number | bigint, bits: number, signedView: boolean): string {
  if (!signedView) return String(v);
  const big = typeof v === 'bigint' ? v : BigInt(v);
  return BigInt.asIntN(bits, big).toString();
}

/**
 * Renders parameter `i` of `ev` into `out`. `engine` supplies the state
 * (the event's thread and fd tables, users) for the resolved texts.
 */
export function paramText(ev: ScapEvent, i: number, engine: StateEngine, out: ParamText, bufferLen = DEFAULT_BUFFER_LEN): void {
  out.value = '';
  out.resolved = '';
  const outer: ParamInfo | undefined = ev.info.params[i];
  const b = ev.buf;
  let o = ev.paramOff[i]!;
  let len = ev.paramLen[i]!;
  let type = outer !== undefined ? outer.type : ParamType.BYTEBUF;
  const fmt = outer !== undefined ? outer.fmt : PrintFormat.NA;
  if (type === ParamType.DYN && outer?.dynTypes !== undefined && len !== 0) {
    const idx = b[o]!;
    if (idx < outer.dynTypes.length) {
      type = outer.dynTypes[idx]!;
      o += 1;
      len -= 1;
    }
  }
  const dv = b;
  switch (type) {
    case ParamType.INT8:
      out.value = formatInt(dv.readInt8(o), fmt, 8, true);
      break;
    case ParamType.INT16:
      out.value = formatInt(dv.readInt16LE(o), fmt, 16, true);
      break;
    case ParamType.INT32:
      out.value = formatInt(dv.readInt32LE(o), fmt, 32, true);
      break;
    case ParamType.INT64:
      out.value = formatInt(dv.readBigInt64LE(o), fmt, 64, true);
      break;
    case ParamType.UINT8:
      out.value = formatInt(dv.readUInt8(o), fmt, 8, false);
      break;
    case ParamType.UINT16:
      out.value = formatInt(dv.readUInt16LE(o), fmt, 16, false);
      break;
    case ParamType.UINT32:
      out.value = formatInt(dv.readUInt32LE(o), fmt, 32, true);
      break;
    case ParamType.UINT64:
      out.value = formatInt(dv.readBigUInt64LE(o), fmt, 64, true);
      break;
    case ParamType.FD:
    case ParamType.FD32:
      renderFd(type === ParamType.FD ? dv.readBigInt64LE(o) : BigInt(dv.readInt32LE(o)), engine, out);
      break;
    case ParamType.PID:
    case ParamType.PID32: {
      const pid = type === ParamType.PID ? dv.readBigInt64LE(o) : BigInt(dv.readInt32LE(o));
      out.value = pid.toString();
      const t = engine.threads.get(Number(pid));
      if (t !== undefined) out.resolved = t.comm;
      break;
    }
    case ParamType.ERRNO: {
      const v = dv.readBigInt64LE(o);
      out.value = v.toString();
      if (v < 0n) out.resolved = ERRNO_NAMES.get(-Number(BigInt.asIntN(32, v))) ?? '';
      break;
    }
    case ParamType.CHARBUF:
      out.value = cstrLatin1(b, o, len);
      break;
    case ParamType.FSPATH:
    case ParamType.FSRELPATH: {
      const raw = cstrLatin1(b, o, len);
      out.value = sanitize(raw);
      const t = engine.thread;
      if (t !== null && len > 0 && !raw.startsWith('<NA>')) {
        const base = baseDir(ev, outer, engine);
        const [full, relative] = concatenatePaths(base, raw);
        if (relative) out.resolved = full;
      }
      break;
    }
    case ParamType.BYTEBUF:
      out.value = bufferDots(b, o, len, bufferLen);
      break;
    case ParamType.SOCKADDR:
      out.value = sockaddrToString(b, o, len);
      break;
    case ParamType.SOCKTUPLE:
      out.value = socktupleToString(b, o, len);
      break;
    case ParamType.FDLIST: {
      const t = engine.thread;
      if (t === null || len < 2) break;
      const n = dv.readUInt16LE(o);
      let p = o + 2;
      const parts: string[] = [];
      for (let j = 0; j < n && p + 10 <= o + len; j++) {
        const fd = dv.readBigInt64LE(p);
        const f = t.getFd(Number(fd));
        const tch = f !== undefined ? fdTypeChar(f.type) : '?';
        const flags = dv.readInt16LE(p + 8) >>> 0;
        parts.push(`${BigInt.asUintN(64, fd)}:${tch}${flags.toString(16)}`);
        p += 10;
      }
      out.value = parts.join(' ');
      break;
    }
    case ParamType.SYSCALLID: {
      const id = dv.readUInt16LE(o);
      out.value = String(id);
      out.resolved = SYSCALL_NAMES[id] ?? '';
      break;
    }
    case ParamType.SIGTYPE: {
      const s = dv.readUInt8(o);
      out.value = String(s);
      out.resolved = SIGNAL_NAMES.get(s) ?? '';
      break;
    }
    case ParamType.RELTIME: {
      const v = dv.readBigUInt64LE(o);
      if (v === 0xffffffffffffffffn) out.value = 'none';
      else {
        out.value = v.toString();
        out.resolved = `${formatG(Number(v) / 1e9)}s`;
      }
      break;
    }
    case ParamType.FLAGS8:
    case ParamType.FLAGS16:
    case ParamType.FLAGS32:
    case ParamType.ENUMFLAGS8:
    case ParamType.ENUMFLAGS16:
    case ParamType.ENUMFLAGS32: {
      const v =
        type === ParamType.FLAGS8 || type === ParamType.ENUMFLAGS8
          ? dv.readUInt8(o)
          : type === ParamType.FLAGS16 || type === ParamType.ENUMFLAGS16
            ? dv.readUInt16LE(o)
            : dv.readUInt32LE(o);
      out.value = String(v);
      out.resolved = flagNames(outer?.flags, v);
      break;
    }
    case ParamType.MODE: {
      const v = dv.readUInt32LE(o);
      out.value = formatInt(v, fmt, 32, true);
      out.resolved = flagNames(outer?.flags, v);
      break;
    }
    case ParamType.UID:
    case ParamType.GID: {
      const v = dv.readUInt32LE(o);
      if (v < 0xffffffff) {
        out.value = String(v | 0);
        const cid = engine.thread?.containerId ?? '';
        const name = type === ParamType.UID ? engine.users.user(v, cid)?.name : engine.users.group(v, cid)?.name;
        out.resolved = name !== undefined ? sanitize(name) : '<NA>';
      } else {
        out.value = '-1';
        out.resolved = '<NONE>';
      }
      break;
    }
    case ParamType.SIGSET: {
      const v = dv.readUInt32LE(o);
      const names: string[] = [];
      for (let sig = 0; sig < 32; sig++) {
        if ((v & (1 << sig)) !== 0) {
          const n = SIGNAL_NAMES.get(sig + 1);
          if (n !== undefined) names.push(n);
        }
      }
      out.value = names.join(' ');
      break;
    }
    case ParamType.ABSTIME:
    case ParamType.DYN:
      out.value = 'INVALID DYNAMIC PARAMETER';
      break;
    default:
      out.value = '(n.a.)';
  }
}

function renderFd(fd: bigint, engine: StateEngine, out: ParamText): void {
  out.value = fd.toString();
  const t = engine.thread;
  if (t === null) return;
  if (fd >= 0n) {
    const f = t.getFd(Number(fd));
    if (f === undefined) return;
    let proto = '';
    if (f.isIp) {
      const l4 = fdL4proto(f.type, f.l4proto, f.isRoleNone);
      proto = l4 === L4.TCP ? 't' : l4 === L4.UDP ? 'u' : l4 === L4.ICMP ? 'i' : l4 === L4.RAW ? 'r' : '';
    }
    out.resolved = `<${fdTypeChar(f.type)}${proto}>${sanitize(f.name)}`;
  } else if (fd === BigInt(PPM_AT_FDCWD)) {
    out.resolved = 'AT_FDCWD';
  } else {
    out.resolved = ERRNO_NAMES.get(-Number(BigInt.asIntN(32, fd))) ?? '';
  }
}

/** fd.l4proto as sysdig reports it: a connected socket with no role yet has no protocol. */
export function fdL4proto(type: FdType, l4: L4, roleNone: boolean): L4 {
  if (type === FdType.IPV4_SOCK || type === FdType.IPV6_SOCK) {
    if (l4 === L4.RAW) return L4.RAW;
    if (roleNone) return L4.NA;
    return l4;
  }
  if (type === FdType.IPV4_SERVSOCK || type === FdType.IPV6_SERVSOCK) return l4;
  return L4.NA;
}

/** Directory a path parameter is relative to (cwd, or the dirfd parameter's directory). */
function baseDir(ev: ScapEvent, p: ParamInfo | undefined, engine: StateEngine): string {
  const t = engine.thread!;
  const cwd = threadCwd(engine, t);
  if (p === undefined || p.type !== ParamType.FSRELPATH || p.dirfdParam === undefined) return cwd;
  const di = p.dirfdParam;
  const dinfo = ev.info.params[di];
  if (di >= ev.nparams || dinfo === undefined || dinfo.type !== ParamType.FD) return cwd;
  const dirfd = ev.i64(di);
  if (dirfd === PPM_AT_FDCWD) return cwd;
  const f = t.getFd(dirfd);
  if (f === undefined || f.name === '') return '';
  return sanitize(f.name) + '/';
}
