/**
 * AlertLog: what the monitor knows about the alerts of a run, for the
 * screens that show them (the status bar's counts, the overview's alerts
 * per minute and its log of the last alerts). Fed with each Alert record
 * as the rules consumer produces it; bounded: it keeps the newest
 * `maxRecent` records and per-minute counts of the last `minutes` minutes
 * (by event time, so a replay's minutes are the capture's).
 */
import type { Alert } from './alert.js';

/** Priorities 0 (Emergency) .. 7 (Debug), as in Alert.priority. */
export const PRIORITY_LEVELS = 8;

export interface AlertLogOptions {
  /** Newest alerts kept as records (default 1000). */
  maxRecent?: number;
  /** Minutes of per-minute counts kept (default 60). */
  minutes?: number;
}

export interface MinuteCounts {
  /** Minute start, ns since the epoch. */
  minuteNs: number;
  /** Alerts of that minute by priority (index = Alert.priority). */
  byPriority: number[];
}

const MINUTE_NS = 60e9;

export class AlertLog {
  /** Alerts since start by priority (index = Alert.priority). */
  readonly totals: number[] = new Array<number>(PRIORITY_LEVELS).fill(0);
  /** Alerts since start. */
  total = 0;
  /** Bumped on every alert: a screen redraws what depends on the log when it changed. */
  version = 0;
  private readonly recentRing: Alert[] = [];
  private recentStart = 0;
  private readonly maxRecent: number;
  private readonly maxMinutes: number;
  private readonly minuteList: MinuteCounts[] = [];

  constructor(opts: AlertLogOptions = {}) {
    this.maxRecent = Math.max(1, opts.maxRecent ?? 1000);
    this.maxMinutes = Math.max(1, opts.minutes ?? 60);
  }

  add(a: Alert): void {
    const p = Math.min(PRIORITY_LEVELS - 1, Math.max(0, a.priority));
    this.totals[p]!++;
    this.total++;
    this.version++;
    if (this.recentRing.length < this.maxRecent) this.recentRing.push(a);
    else {
      this.recentRing[this.recentStart] = a;
      this.recentStart = (this.recentStart + 1) % this.maxRecent;
    }
    const minuteNs = Math.floor(Number(a.timeNs) / MINUTE_NS) * MINUTE_NS;
    let last = this.minuteList[this.minuteList.length - 1];
    if (last === undefined || last.minuteNs < minuteNs) {
      last = { minuteNs, byPriority: new Array<number>(PRIORITY_LEVELS).fill(0) };
      this.minuteList.push(last);
      if (this.minuteList.length > this.maxMinutes) this.minuteList.shift();
      last.byPriority[p]!++;
    } else {
      // an alert older than the newest minute (events of a live run arrive per CPU, slightly out of order)
      const m = this.minuteList.find((x) => x.minuteNs === minuteNs);
      if (m !== undefined) m.byPriority[p]!++;
    }
  }

  /** The newest `n` alerts, newest first. */
  recent(n: number): Alert[] {
    const out: Alert[] = [];
    const len = this.recentRing.length;
    for (let i = 0; i < len && out.length < n; i++) {
      out.push(this.recentRing[(this.recentStart + len - 1 - i) % len]!);
    }
    return out;
  }

  /** Per-minute counts, oldest first (minutes without alerts are absent). */
  minutes(): readonly MinuteCounts[] {
    return this.minuteList;
  }
}
