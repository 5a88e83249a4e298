/**
 * Number and duration formatting of table cells, identical to csysdig's:
 * byte-ish values scaled with K/M/G/T/P (1024-based, two decimals for
 * averages and rates), durations as ns/us/ms/s/m:s/h:m:s, right-aligned to
 * the cell width and cut from the left when too long.
 *
 * C's printf rounds exact ties to even; JavaScript's toFixed rounds them up,
 * so fixed-point text goes through cFixed() to stay byte-identical.
 */

/** printf("%.<digits>f", x) with C's round-half-even on the exact binary value. */
export function cFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  // Only exact binary ties differ between C and JS; detect them exactly.
  if (!Number.isFinite(x)) return s;
  const scaled = x * 10 ** digits;
  const frac = Math.abs(scaled - Math.trunc(scaled));
  if (frac !== 0.5 || !isExactTie(x, digits)) return s;
  const down = (Math.trunc(scaled) / 10 ** digits).toFixed(digits);
  const lastDigit = Number(down.replace(/^-/, '').replace('.', '').slice(-1));
  return lastDigit % 2 === 0 ? down : s;
}

/** True when x * 10^digits is exactly k + 1/2 (checked with exact rational arithmetic). */
function isExactTie(x: number, digits: number): boolean {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  // value = mant * 2^exp; scaled = mant * 10^d * 2^exp; tie iff scaled*2 is an odd integer.
  let num = mant * 10n ** BigInt(digits) * 2n;
  if (exp >= 0) return false; // integers times 10^d are never ties
  const den = 1n << BigInt(-exp);
  if (num % den !== 0n) return false;
  num /= den;
  return num % 2n === 1n;
}

/** printf("%*s")-style right alignment. */
function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

const K = 1024;
const M = 1024 * 1024;
const G = 1024 * 1024 * 1024;
const T = 1024 * 1024 * 1024 * 1024;
const P = 1024 * 1024 * 1024 * 1024 * 1024;

/** csysdig's format_bytes: scaled value with unit letter, `width` characters. */
export function formatBytes(val: number, width: number, isInt: boolean): string {
  const digits = isInt ? 0 : 2;
  let s: string;
  if (val > P) s = padLeft(cFixed(val / P, digits), width - 1) + 'P';
  else if (val > T) s = padLeft(cFixed(val / T, digits), width - 1) + 'T';
  else if (val > G) s = padLeft(cFixed(val / G, digits), width - 1) + 'G';
  else if (val > M) s = padLeft(cFixed(val / M, digits), width - 1) + 'M';
  else if (val > K) s = padLeft(cFixed(val / K, digits), width - 1) + 'K';
  else s = padLeft(cFixed(val, digits), width);
  return s.length > width ? s.slice(s.length - width) : s;
}

const NS_S = 1_000_000_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** csysdig's format_time for a duration in ns. */
export function formatDuration(ns: number, width: number): string {
  const v = Math.max(0, Math.trunc(ns));
  let s: string;
  if (v >= 3600 * NS_S) s = `${pad2(Math.trunc(v / (3600 * NS_S)))}:${pad2(Math.trunc(v / (60 * NS_S)) % 60)}:${pad2(Math.trunc(v / NS_S) % 60)}`;
  else if (v >= 60 * NS_S) s = `${Math.trunc(v / (60 * NS_S))}:${Math.trunc(v / NS_S) % 60}`;
  else if (v >= NS_S) s = `${Math.trunc(v / NS_S)}.${pad2(Math.trunc((v % NS_S) / 10_000_000))}s`;
  else if (v >= NS_S / 100) s = `${Math.trunc(v / 1_000_000)}ms`;
  else if (v >= NS_S / 1000) s = `${Math.trunc(v / 1_000_000)}.${pad2(Math.trunc((v % 1_000_000) / 10_000))}ms`;
  else if (v >= NS_S / 100_000) s = `${Math.trunc(v / 1000)}us`;
  else if (v >= NS_S / 1_000_000) s = `${Math.trunc(v / 1000)}.${pad2(Math.trunc((v % 1000) / 10))}us`;
  else s = `${v}ns`;
  return padLeft(s, width);
}

/** printf("%*.2lf"). */
export function formatDouble2(v: number, width: number): string {
  return padLeft(cFixed(v, 2), width);
}

/** printf("%*lld"). */
export function formatIntId(v: number, width: number): string {
  return padLeft(String(v), width);
}
