/**
 * Drilling from a list-view row (a Lifecycle entry, an alert) into the
 * events around the event the row was made of: which events (the row's
 * process or thread, from the view's row_events), which time window, and
 * whether a live session can still show them (its history).
 */
import type { HistoryRing } from '../session/history-ring.js';
import type { RowOrigin } from '../view/list-rows.js';
import type { RowEvents } from '../view/view-def.js';

/** Event time shown before and after the row's event. */
export const ROW_WINDOW_BEFORE_NS = 5e9;
export const ROW_WINDOW_AFTER_NS = 5e9;
/**
 * A replay stops reading this long past the window's end: events from
 * several CPUs reach a capture slightly out of time order, so the first
 * event past the end does not mean every event of the window was read.
 */
export const ROW_WINDOW_STOP_SLACK_NS = 1e9;

/** The dig screen's time window around a row's event, and the event to highlight. */
export interface EventWindow {
  anchor: RowOrigin;
  fromNs: number;
  toNs: number;
}

export function windowAround(anchor: RowOrigin): EventWindow {
  return { anchor, fromNs: anchor.ts - ROW_WINDOW_BEFORE_NS, toNs: anchor.ts + ROW_WINDOW_AFTER_NS };
}

/** The selection a row drills into (the field and its value, as a filter writes them), or null when the row's process is unknown. */
export function rowSelection(origin: RowOrigin, kind: RowEvents): { field: string; val: string } | null {
  if (kind === 'thread') return { field: 'thread.tid', val: String(origin.tid) };
  return origin.pid < 0 ? null : { field: 'proc.pid', val: String(origin.pid) };
}

/**
 * Live: why the history cannot show the row's event (one line for the
 * screen), or null when it holds it.
 */
export function historyProblem(history: HistoryRing | null, origin: RowOrigin): string | null {
  if (history === null) return 'this live session keeps no event history (start tsysdig with --history SECONDS)';
  const seconds = Math.round(history.windowNs / 1e9);
  if (history.events === 0 || origin.ts < history.oldestTs) return `event ${origin.evtNum} has left the event history (it keeps the last ${seconds} s)`;
  return null;
}
