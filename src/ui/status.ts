/**
 * Status shown besides the data: the event rate and drops (live), and the
 * progress of a replay being read (a bar, the capture time reached, events).
 */
import { formatByteRate } from '../capture/capture-input.js';
import { formatDuration } from '../view/cell-format.js';
import type { Canvas } from './canvas.js';
import { C } from './colors.js';

export interface RunProgress {
  /** Fraction of the file read, null if unknown. */
  fraction: number | null;
  events: number;
  firstTs: number;
  lastTs: number;
  /** Duration of the whole capture when known from an earlier read (ns). */
  totalNs: number | null;
  /** Events read per second of wall time so far (null before there is a measure). */
  eventsPerSec: number | null;
}

/** "HH:MM:SS.mmm" local time of a capture timestamp (ns). */
export function clockText(tsNs: number): string {
  const d = new Date(Math.floor(tsNs / 1e6));
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** The fraction shown by the bar: capture time reached when the total is known, else bytes read. */
export function progressFraction(p: RunProgress): number | null {
  if (p.totalNs !== null && p.totalNs > 0 && p.lastTs > 0) return Math.min(1, (p.lastTs - p.firstTs) / p.totalNs);
  return p.fraction;
}

/** Draws the replay progress in the middle of the rectangle (csysdig's "Processing File"). */
export function renderProgress(cv: Canvas, x0: number, y0: number, w: number, h: number, p: RunProgress): void {
  const y = y0 + Math.max(0, Math.floor(h / 2) - 2);
  const mid = (s: string, yy: number, a: number): void => {
    cv.text(x0 + Math.max(0, Math.floor(w / 2) - Math.floor(s.length / 2)), yy, s, a, w);
  };
  mid('Processing File', y, C.normal);
  const f = progressFraction(p);
  const barW = Math.max(10, Math.min(60, w - 20));
  const bx = x0 + Math.max(0, Math.floor(w / 2) - Math.floor((barW + 8) / 2));
  if (f !== null) {
    const done = Math.round(f * barW);
    cv.fill(bx, y + 1, done, C.barDone);
    cv.fill(bx + done, y + 1, barW - done, C.barTodo);
    cv.text(bx + barW + 1, y + 1, `${(f * 100).toFixed(1)}%`, C.normal);
  }
  if (p.lastTs > 0) {
    const reached = formatDuration(p.lastTs - p.firstTs, 0);
    const of = p.totalNs !== null ? ` of ${formatDuration(p.totalNs, 0)}` : '';
    const speed = p.eventsPerSec !== null ? `, ${Math.round(p.eventsPerSec)} events/s` : '';
    mid(`capture time ${clockText(p.lastTs)} (${reached}${of}), ${p.events} events${speed}`, y + 2, C.normal);
  }
}

/** Right side of the first header line. */
export function statusText(s: { live: boolean; reading: boolean; fraction: number | null; rate: number | null; drops: number | null; bytesPerSec?: number }): string {
  if (s.live) {
    const parts: string[] = [];
    if (s.rate !== null) parts.push(`${Math.round(s.rate)} evt/s`);
    if (s.drops !== null) parts.push(`drops ${s.drops}`);
    // a stream (--ssh, -r -): what it costs on the wire
    if (s.bytesPerSec !== undefined) parts.push(`recv ${formatByteRate(s.bytesPerSec)}`);
    return parts.join('  ');
  }
  if (s.reading) return s.fraction === null ? 'reading' : `reading ${(s.fraction * 100).toFixed(0)}%`;
  return '';
}

/** Priority names as the status bar says them (index = Alert.priority). */
const PRIORITY_WORDS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];
/** Critical (2) or worse: a new one flashes the alert counts. */
export const FLASH_PRIORITY = 2;

/** "alerts: 2 critical, 5 warning" (most severe first; "alerts: none" while the rules found nothing). */
export function alertCountsText(totals: readonly number[]): string {
  const parts: string[] = [];
  for (let p = 0; p < totals.length; p++) if (totals[p]! > 0) parts.push(`${totals[p]} ${PRIORITY_WORDS[p] ?? `priority ${p}`}`);
  return `alerts: ${parts.length === 0 ? 'none' : parts.join(', ')}`;
}

/** Alerts of priority Critical or worse so far (a rise flashes the counts). */
export function severeAlerts(totals: readonly number[]): number {
  let n = 0;
  for (let p = 0; p <= FLASH_PRIORITY && p < totals.length; p++) n += totals[p]!;
  return n;
}

/** The most severe priority with alerts (index), or -1. */
export function worstPriority(totals: readonly number[]): number {
  return totals.findIndex((n) => n > 0);
}

/** "history 12.3 MB/30 s": what the in-memory history (--history) holds. */
export function historyText(bytes: number, spanNs: number): string {
  const mb = bytes / 1e6;
  return `history ${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB/${Math.round(spanNs / 1e9)} s`;
}
