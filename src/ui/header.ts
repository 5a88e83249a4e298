/**
 * The two header lines: "Viewing: <view> For: <selection>" (with PAUSED in
 * the middle and the status at the right), and "Source: <capture> Filter:
 * <filter>". Returns where the filter text lies, for mouse clicks.
 */
import type { Canvas } from './canvas.js';
import { C } from './colors.js';

export interface HeaderInfo {
  viewName: string;
  selection: string;
  source: string;
  filter: string;
  /** The F4 text filter narrowing the rows ('' when none). */
  textFilter: string;
  /** The CTRL+F search text ('' when none). */
  search: string;
  paused: boolean;
  /** Right-aligned on the first line (events/s, drops, progress, history). */
  status: string;
  /** Left of the status: the alert counts (with rules), in their own colour (flashing on a new critical one). */
  alerts?: { text: string; attr: number } | null;
}

export interface HeaderHit {
  filterStart: number;
  filterEnd: number;
}

export function renderHeader(cv: Canvas, h: HeaderInfo): HeaderHit {
  const w = cv.width;
  cv.fill(0, 0, w, C.label);
  let k = cv.text(0, 0, 'Viewing: ', C.label);
  k = cv.text(k, 0, h.viewName, C.normal) + 1;
  k = cv.text(k, 0, 'For: ', C.label);
  const selEnd = cv.text(k, 0, h.selection, C.normal);
  let sx = w;
  if (h.status !== '') {
    sx = w - h.status.length;
    if (sx > selEnd + 1) cv.text(sx, 0, h.status, C.accent);
    else sx = w;
  }
  if (h.alerts) {
    const ax = sx - h.alerts.text.length - (sx < w ? 2 : 0);
    if (ax > selEnd + 1) cv.text(ax, 0, h.alerts.text, h.alerts.attr);
  }
  if (h.paused) {
    const p = 'PAUSED';
    cv.text(Math.floor(w / 2) - Math.floor(p.length / 2), 0, p, C.large);
  }

  cv.fill(0, 1, w, C.label);
  k = cv.text(0, 1, 'Source: ', C.label);
  cv.text(k, 1, h.source, C.normal, Math.max(0, w - k - 1));
  k += h.source.length + 1;
  const filterStart = k;
  k = cv.text(k, 1, 'Filter: ', C.label);
  const flt = h.filter === '' ? 'none' : h.filter;
  const end = cv.text(k, 1, flt, C.normal, Math.max(0, w - k - 1));
  // The row narrowing a person typed (F4 text, CTRL+F search) stays visible once the prompt is closed.
  let x = end + 1;
  for (const [label, text] of [
    ['Text filter: ', h.textFilter],
    ['Search: ', h.search],
  ] as const) {
    if (text === '' || x >= w) continue;
    x = cv.text(x, 1, label, C.label, Math.max(0, w - x));
    x = cv.text(x, 1, text, C.accent, Math.max(0, w - x)) + 1;
  }
  return { filterStart, filterEnd: k + flt.length };
}
