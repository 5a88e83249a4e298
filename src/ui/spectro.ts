/**
 * F12: the latency spectrogram (csysdig's curses_spectro). Every slice of
 * capture time (a quarter of the refresh interval, 500 ms by default) is
 * one line; across the line, column x counts the events whose latency falls
 * in the x-th logarithmic bucket between 1 ns and 100 s
 * (evt.latency.quantized: log10(latency) * width / 11 + 1). The count sets
 * the colour, from dark green (few) through yellow to red (many). Newest
 * lines are at the bottom; an axis under them marks the decades.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';
import type { CompiledFilter } from '../filter/index.js';
import { isInternalEvent } from '../format/event-line.js';
import type { StateEngine } from '../state/engine.js';
import { formatDuration } from '../view/cell-format.js';
import { attr, type Canvas } from './canvas.js';
import { C } from './colors.js';
import { compileEventFilter, type Consumer } from './consumers.js';

/** csysdig's palette (xterm-256 colours), few to many. */
export const PALETTE = [22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197, 9, 1];

/** csysdig's mkcol: colour for a count seen in one slice (refresh_per_sec = 2). */
export function countColour(val: number): number {
  let col = Math.trunc(Math.log10(Math.trunc(val) * 2 + 1) / Math.log10(1.6));
  if (col < 1) col = 1;
  if (col > PALETTE.length - 1) col = PALETTE.length - 1;
  return PALETTE[col - 1]!;
}

/** The bucket of a latency for a screen `width` columns wide (sysdig's evt.latency.quantized). */
export function latencyBucket(latencyNs: number, width: number): number {
  let l = Math.log10(latencyNs);
  if (l > 11) l = 11;
  return Math.trunc((l * width) / 11) + 1;
}

export interface SpectroRow {
  /** Capture time at the end of the slice (ns). */
  endNs: number;
  /** Bucket -> count. */
  counts: Map<number, number>;
  /** Width the buckets were computed for. */
  width: number;
}

export const SPECTRO_MAX_ROWS = 10_000;

export class SpectroConsumer implements Consumer {
  readonly rows: SpectroRow[] = [];
  private current = new Map<number, number>();
  private nextFlushNs = 0;
  private readonly filter: CompiledFilter<EventContext> | null;
  private readonly latency: FieldExtractor | null;
  private readonly ctx: EventContext;
  paused = false;

  constructor(
    filter: string,
    registry: FieldRegistry,
    engine: StateEngine,
    private readonly intervalNs: number,
    /** Current screen width (buckets follow resizes). */
    private readonly width: () => number,
    private readonly onRow: () => void,
  ) {
    this.filter = compileEventFilter(filter, registry);
    const ex = registry.resolve('evt.latency', undefined);
    this.latency = ex === null ? null : (ex as FieldExtractor);
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
  }

  onEvent(ev: ScapEvent): void {
    const ts = ev.ts;
    if (ts > this.nextFlushNs) {
      if (this.nextFlushNs !== 0) this.flush(this.nextFlushNs);
      this.nextFlushNs = ts - (ts % this.intervalNs) + this.intervalNs;
    }
    if (this.paused || this.latency === null || isInternalEvent(ev)) return;
    this.ctx.ev = ev;
    if (this.filter !== null && !this.filter.test(this.ctx)) return;
    const lat = this.latency.get(this.ctx);
    if (typeof lat !== 'number' || lat <= 0) return;
    const b = latencyBucket(lat, this.width());
    this.current.set(b, (this.current.get(b) ?? 0) + 1);
  }

  private flush(endNs: number): void {
    this.rows.push({ endNs, counts: this.current, width: this.width() });
    if (this.rows.length > SPECTRO_MAX_ROWS) this.rows.splice(0, SPECTRO_MAX_ROWS / 10);
    this.current = new Map();
    this.onRow();
  }

  finish(): void {
    if (this.nextFlushNs !== 0) this.flush(this.nextFlushNs);
  }
}

/** The axis line: "|1ns" at bucket 0, then each power of ten where it starts (csysdig's draw_axis). */
export function axisText(width: number): string {
  let s = '';
  let x = 0;
  while (x < width) {
    const cur = Math.trunc((x * 11) / width);
    const prev = Math.trunc(((x - 1) * 11) / width);
    if (x === 0 || cur !== prev) {
      const t = `|${formatDuration(10 ** cur, 0)}`;
      s += t;
      x += t.length;
    } else {
      s += ' ';
      x++;
    }
  }
  return s.slice(0, width);
}

export class SpectroWidget {
  /** First history row shown; null = follow the newest. */
  top: number | null = null;
  private visible = 1;

  scroll(how: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end', total: number): void {
    const maxTop = Math.max(0, total - this.visible);
    let t = this.top ?? maxTop;
    if (how === 'up') t--;
    else if (how === 'down') t++;
    else if (how === 'pageup') t -= this.visible;
    else if (how === 'pagedown') t += this.visible;
    else if (how === 'home') t = 0;
    else t = maxTop;
    t = Math.max(0, Math.min(t, maxTop));
    this.top = t >= maxTop ? null : t;
  }

  /** Draws the history in rows y0..y0+h-2 and the axis on the last row. */
  render(cv: Canvas, rows: readonly SpectroRow[], y0: number, h: number, emptyText: string): void {
    const w = cv.width;
    this.visible = Math.max(1, h - 1);
    const maxTop = Math.max(0, rows.length - this.visible);
    const top = this.top === null ? maxTop : Math.min(this.top, maxTop);
    for (let r = 0; r < h - 1; r++) {
      const y = y0 + r;
      cv.fill(0, y, w, C.normal);
      const row = rows[top + r];
      if (row === undefined) continue;
      for (const [b, n] of row.counts) {
        const x = b - 1;
        if (x >= 0 && x < w - 1) cv.fill(x, y, 1, attr(0, countColour(n)));
      }
    }
    if (rows.length === 0 && emptyText !== '') {
      cv.text(Math.max(0, Math.floor(w / 2) - Math.floor(emptyText.length / 2)), y0 + Math.floor(h / 2), emptyText, C.normal);
    }
    cv.fill(0, y0 + h - 1, w, C.normal);
    cv.text(0, y0 + h - 1, axisText(w), C.accent);
  }
}
