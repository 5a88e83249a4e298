/**
 * The text of a field value, as sysdig prints it (`sysdig -p`, csysdig's
 * text cells): sinsp_filter_check::rawval_to_string, type by type.
 *
 *  - signed integers: decimal; PF_HEX as upper-case hex of the value's
 *    bits, PF_OCT as octal, PF_10_PADDED_DEC zero-padded to 9 digits;
 *  - unsigned 8/16/32-bit integers and ports: decimal (sysdig prints even
 *    PF_HEX ones in decimal), PF_OCT as octal;
 *  - unsigned 64-bit, RELTIME, ABSTIME: decimal, hex, octal or padded;
 *  - DOUBLE: one decimal ("%.1f"); BOOL: true/false;
 *  - IPv4 addresses (numbers, network order) as dotted quads, IPv6 as text;
 *  - byte buffers up to their first NUL, as a C string;
 *  - a missing value: "<NA>".
 *
 * Types sysdig has no text for (it throws "wrong event type"), which only
 * evt.rawarg can produce, get a readable rendering instead: fds, uids and
 * flags as numbers, l4 protocols and socket families by name.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import { socket_families } from '../event/flag-names.js';
import type { FieldValue } from '../filter/field-api.js';
import type { EventContext, FieldExtractor, FieldInfo } from './types.js';

export const NA_TEXT = '<NA>';

/** The text sysdig shows for `value` of a field described by `info` ("<NA>" when undefined). */
export function fieldValueText(info: Pick<FieldInfo, 'type' | 'printFormat'>, value: FieldValue | undefined | null): string {
  if (value === undefined || value === null) return NA_TEXT;
  const fmt = info.printFormat;
  switch (info.type) {
    case ParamType.INT8:
      return signedText(value, 8, fmt);
    case ParamType.INT16:
      return signedText(value, 16, fmt);
    case ParamType.INT32:
      return signedText(value, 32, fmt);
    case ParamType.INT64:
    case ParamType.PID:
    case ParamType.PID32:
    case ParamType.ERRNO:
    case ParamType.FD:
    case ParamType.FD32:
      return signedText(value, 64, fmt);
    case ParamType.UINT8:
      return unsignedSmallText(value, 8, fmt);
    case ParamType.UINT16:
    case ParamType.PORT:
      return unsignedSmallText(value, 16, fmt);
    case ParamType.UINT32:
      return unsignedSmallText(value, 32, fmt);
    case ParamType.UINT64:
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
      return unsigned64Text(value, fmt);
    case ParamType.DOUBLE:
      return doubleText(toNumber(value));
    case ParamType.BOOL:
      return isTrue(value) ? 'true' : 'false';
    case ParamType.CHARBUF:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
      return String(value);
    case ParamType.BYTEBUF: {
      const s = String(value);
      const nul = s.indexOf('\0');
      return nul < 0 ? s : s.slice(0, nul);
    }
    case ParamType.IPV4ADDR:
    case ParamType.IPV6ADDR:
    case ParamType.IPADDR:
    case ParamType.IPV4NET:
    case ParamType.IPV6NET:
    case ParamType.IPNET:
      return typeof value === 'number' ? ipv4Text(value) : String(value);
    case ParamType.L4PROTO:
      return l4protoText(toNumber(value));
    case ParamType.SOCKFAMILY:
      return sockFamilyText(toNumber(value));
    case ParamType.UID:
    case ParamType.GID:
      return typeof value === 'string' ? value : String(toNumber(value) | 0);
    case ParamType.FLAGS8:
    case ParamType.ENUMFLAGS8:
      return unsignedSmallText(value, 8, fmt);
    case ParamType.FLAGS16:
    case ParamType.ENUMFLAGS16:
    case ParamType.SYSCALLID:
      return unsignedSmallText(value, 16, fmt);
    case ParamType.FLAGS32:
    case ParamType.ENUMFLAGS32:
    case ParamType.MODE:
    case ParamType.SIGSET:
      return typeof value === 'string' ? value : unsignedSmallText(value, 32, fmt);
    case ParamType.SIGTYPE:
      return unsignedSmallText(value, 8, fmt);
    default:
      return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
  }
}

/**
 * The text of a bound field for the current event: its own display text
 * when it has one (evt.buffer, fd.name …), else the rendering of its value.
 */
export function fieldText(ex: FieldExtractor, ctx: EventContext): string {
  if (ex.text !== undefined) return ex.text(ctx) ?? NA_TEXT;
  return fieldValueText(ex.info, ex.get(ctx));
}

// ---------------------------------------------------------------------------

function isTrue(v: FieldValue): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  return v === 'true';
}

function toNumber(v: FieldValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(v);
}

function toBig(v: FieldValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  try {
    return BigInt(v);
  } catch {
    return 0n;
  }
}

/** A signed `bits`-wide integer: decimal, or its bit pattern in hex / octal. */
function signedText(v: FieldValue, bits: number, fmt: PrintFormat): string {
  if (typeof v === 'string') return v;
  switch (fmt) {
    case PrintFormat.HEX:
      return BigInt.asUintN(bits, toBig(v)).toString(16).toUpperCase();
    case PrintFormat.OCT:
      return BigInt.asUintN(bits, toBig(v)).toString(8);
    case PrintFormat.PADDED_DEC: {
      const s = BigInt.asIntN(bits, toBig(v)).toString();
      return s.startsWith('-') ? '-' + s.slice(1).padStart(8, '0') : s.padStart(9, '0');
    }
    default:
      if (typeof v === 'number' && bits < 64) return String((bits === 32 ? v | 0 : bits === 16 ? (v << 16) >> 16 : (v << 24) >> 24));
      if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
      return BigInt.asIntN(bits, toBig(v)).toString();
  }
}

/** An unsigned 8/16/32-bit integer: decimal (PF_HEX too, as sysdig prints it), or octal. */
function unsignedSmallText(v: FieldValue, bits: number, fmt: PrintFormat): string {
  if (typeof v === 'string') return v;
  const n = typeof v === 'number' ? v : toNumber(v);
  const u = bits === 32 ? n >>> 0 : n & ((1 << bits) - 1);
  return fmt === PrintFormat.OCT ? u.toString(8) : String(u);
}

function unsigned64Text(v: FieldValue, fmt: PrintFormat): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
    switch (fmt) {
      case PrintFormat.HEX:
        return v.toString(16).toUpperCase();
      case PrintFormat.OCT:
        return v.toString(8);
      case PrintFormat.PADDED_DEC:
        return String(v).padStart(9, '0');
      default:
        return String(v);
    }
  }
  const u = BigInt.asUintN(64, toBig(v));
  switch (fmt) {
    case PrintFormat.HEX:
      return u.toString(16).toUpperCase();
    case PrintFormat.OCT:
      return u.toString(8);
    case PrintFormat.PADDED_DEC:
      return u.toString().padStart(9, '0');
    default:
      return u.toString();
  }
}

/** printf("%.1lf"), including C's spelling of the special values. */
export function doubleText(d: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (Object.is(d, -0)) return '-0.0';
  if (Math.abs(d) >= 1e21) return `${BigInt(d).toString()}.0`;
  // toFixed and printf both round the exact binary value; they differ only on
  // exact ties (x.25, x.75), where printf rounds half to even.
  const q = d * 4;
  if (Number.isInteger(q) && q % 2 !== 0) {
    const a = Math.abs(d);
    let n = Math.floor(a * 10);
    if (n % 2 !== 0) n++;
    return `${d < 0 ? '-' : ''}${(n / 10).toFixed(1)}`;
  }
  return d.toFixed(1);
}

/** IPv4 address held as a 32-bit integer in network order (a.b.c.d = a<<24|b<<16|c<<8|d). */
export function ipv4Text(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** scap_l4_proto by name, as fd.l4proto writes it. */
export function l4protoText(p: number): string {
  switch (p) {
    case 2:
      return 'tcp';
    case 3:
      return 'udp';
    case 4:
      return 'icmp';
    case 5:
      return 'raw';
    default:
      return NA_TEXT;
  }
}

/** A PPM_AF_* socket family by name (AF_INET, AF_UNIX …), or its number when unknown. */
export function sockFamilyText(f: number): string {
  for (const e of socket_families) if (e.value === f) return e.name;
  return String(f);
}
