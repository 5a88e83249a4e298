/**
 * A menu in the left columns of the screen (csysdig's curses_table_sidemenu):
 * title on the header colour, entries below, the selected one highlighted.
 * Used for the views (F2), the sort column (F9), the actions (F8) and the
 * echo buffer format (F2 in echo).
 */
import type { Canvas } from './canvas.js';
import { C } from './colors.js';
import { ScrollState } from './table-widget.js';

export interface MenuEntry<T> {
  name: string;
  value: T;
}

export class SideMenu<T> {
  readonly scroll = new ScrollState();
  /** Entry index whose row gets a right-aligned marker (the sort direction in the sort menu). */
  marker: { index: number; text: string } | null = null;

  constructor(
    readonly title: string,
    readonly entries: MenuEntry<T>[],
    readonly width: number,
    selected = 0,
  ) {
    this.scroll.selct = Math.max(0, Math.min(selected, entries.length - 1));
  }

  get selected(): MenuEntry<T> | undefined {
    return this.entries[this.scroll.selct];
  }

  move(how: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end'): void {
    const n = this.entries.length;
    const s = this.scroll;
    if (how === 'up') s.up(n);
    else if (how === 'down') s.down(n);
    else if (how === 'pageup') s.pageUp(n);
    else if (how === 'pagedown') s.pageDown(n);
    else if (how === 'home') s.home(n);
    else s.end(n);
  }

  /** Entry index at screen row y (menu drawn from y0), or -1. */
  entryAt(y: number, y0: number): number {
    const i = this.scroll.firstRow + (y - y0 - 1);
    return y > y0 && i < this.entries.length ? i : -1;
  }

  render(cv: Canvas, y0: number, h: number): void {
    const w = this.width;
    this.scroll.visible = Math.max(1, h - 1);
    this.scroll.sanitize(this.entries.length);
    cv.fill(0, y0, w - 1, C.header);
    cv.fill(w - 1, y0, 1, C.normal);
    cv.text(0, y0, this.title, C.header, w - 1);
    for (let r = 1; r < h; r++) cv.fill(0, y0 + r, w, C.normal);
    const s = this.scroll;
    for (let j = s.firstRow; j < Math.min(s.firstRow + h - 1, this.entries.length); j++) {
      const y = y0 + 1 + j - s.firstRow;
      const a = j === s.selct ? C.highlight : C.normal;
      cv.fill(0, y, w - 1, a);
      cv.text(0, y, this.entries[j]!.name, a, w - 1);
      if (this.marker !== null && this.marker.index === j) cv.text(w - 1 - this.marker.text.length, y, this.marker.text, a);
      cv.fill(w - 1, y, 1, C.normal);
    }
  }
}
