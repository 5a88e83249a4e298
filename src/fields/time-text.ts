/**
 * Timestamps and durations as sysdig writes them in fields: the time of day
 * and date in local time (evt.time, evt.datetime), ISO 8601 in UTC, and the
 * short human durations of evt.latency.human ("1.50ms", "3.20s").
 *
 * Event timestamps are read from ScapEvent's two u32 halves so every
 * nanosecond is exact without BigInt arithmetic.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { formatTimeOfDay } from '../format/event-line.js';

const TWO_32 = 4294967296;
const NS = 1_000_000_000;
/** 2^16 * 2^32 mod 1e9 and 2^32 mod 1e9, to reduce a u64 modulo 1e9 in safe integers. */
const HI_HI_MOD = Number((65536n * 4294967296n) % 1_000_000_000n);
const HI_LO_MOD = 4294967296 % NS;

/** Seconds east of UTC, fixed once per run like sysdig (and like the event listing). */
const TZ_OFFSET_S = -new Date().getTimezoneOffset() * 60;

/** The nanosecond part of the event's timestamp (ts % 1e9), exact. */
export function tsNanos(ev: ScapEvent): number {
  const hi = ev.tsHi;
  const hh = Math.floor(hi / 65536);
  const hl = hi % 65536;
  return (((hh * HI_HI_MOD) % NS) + ((hl * HI_LO_MOD) % NS) + (ev.tsLo % NS)) % NS;
}

/** The whole seconds of the event's timestamp (ts / 1e9), exact. */
export function tsSeconds(ev: ScapEvent): number {
  return Math.round((ev.tsHi * TWO_32 + ev.tsLo - tsNanos(ev)) / NS);
}

/** Exact difference in ns between the event's timestamp and another one given as u32 halves. */
export function tsDelta(ev: ScapEvent, hi: number, lo: number): number {
  return (ev.tsHi - hi) * TWO_32 + (ev.tsLo - lo);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "HH:MM:SS" (evt.time.s). */
export function timeOfDaySeconds(ev: ScapEvent): string {
  const s = (((tsSeconds(ev) + TZ_OFFSET_S) % 86400) + 86400) % 86400;
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}

/** "HH:MM:SS.nnnnnnnnn" (evt.time). */
export function timeOfDay(ev: ScapEvent): string {
  return formatTimeOfDay(ev);
}

/** "YYYY-MM-DD " of the event's local date. */
function localDate(ev: ScapEvent): string {
  const d = new Date((tsSeconds(ev) + TZ_OFFSET_S) * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `;
}

/** "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" (evt.datetime). */
export function dateTime(ev: ScapEvent): string {
  return localDate(ev) + formatTimeOfDay(ev);
}

/** "YYYY-MM-DD HH:MM:SS" (evt.datetime.s). */
export function dateTimeSeconds(ev: ScapEvent): string {
  return localDate(ev) + timeOfDaySeconds(ev);
}

/** "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000" (evt.time.iso8601, always UTC). */
export function iso8601(ev: ScapEvent): string {
  const d = new Date(tsSeconds(ev) * 1000);
  const date = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${date}T${time}.${String(tsNanos(ev)).padStart(9, '0')}+0000`;
}

/** A duration in ns as sysdig's format_time writes it ("12ns", "1.50us", "12ms", "1.05s", "2:05", "01:02:03"). */
export function humanDuration(ns: number): string {
  const v = Math.max(0, Math.trunc(ns));
  const u = (x: number): number => Math.floor(x) >>> 0;
  const p2 = (x: number): string => String(x).padStart(2, '0');
  if (v >= 3600 * NS) return `${p2(u(v / (3600 * NS)))}:${p2(u(v / (60 * NS)) % 60)}:${p2(u(v / NS) % 60)}`;
  if (v >= 60 * NS) return `${u(v / (60 * NS))}:${u(v / NS) % 60}`;
  if (v >= NS) return `${u(v / NS)}.${p2(u((v % NS) / 10_000_000))}s`;
  if (v >= NS / 100) return `${u(v / 1_000_000)}ms`;
  if (v >= NS / 1000) return `${u(v / 1_000_000)}.${p2(u((v % 1_000_000) / 10_000))}ms`;
  if (v >= NS / 100_000) return `${u(v / 1000)}us`;
  if (v >= NS / 1_000_000) return `${u(v / 1000)}.${p2(u((v % 1000) / 10))}us`;
  return `${v}ns`;
}
