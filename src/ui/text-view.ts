/**
 * A scrollable page of styled lines (csysdig's ctext): the echo and dig
 * screens, the legend, the help page and the view information next to the
 * views menu all use it. Lines can wrap at the window's width (echo, help)
 * or run off to the right and scroll horizontally (dig).
 */
import type { Canvas } from './canvas.js';
import { displayText } from './canvas.js';
import { C } from './colors.js';

export interface Segment {
  text: string;
  attr: number;
}

export type StyledLine = Segment[];

export function plain(text: string, a: number = C.normal): StyledLine {
  return [{ text, attr: a }];
}

/** Splits styled lines at `width` characters (no word breaking, as ctext does). */
export function wrapLines(lines: readonly StyledLine[], width: number): StyledLine[] {
  if (width <= 0) return [];
  const out: StyledLine[] = [];
  for (const line of lines) {
    let cur: StyledLine = [];
    let used = 0;
    for (const seg of line) {
      let t = displayText(seg.text);
      while (t.length > 0) {
        const room = width - used;
        if (t.length <= room) {
          cur.push({ text: t, attr: seg.attr });
          used += t.length;
          t = '';
        } else {
          cur.push({ text: t.slice(0, room), attr: seg.attr });
          t = t.slice(room);
          out.push(cur);
          cur = [];
          used = 0;
        }
      }
    }
    out.push(cur);
  }
  return out;
}

/** A bounded buffer of lines for echo/dig (csysdig keeps 500,000). */
export class TextBuffer {
  lines: StyledLine[] = [];
  /** Lines dropped from the front because the buffer was full. */
  dropped = 0;
  /** Bumped whenever lines are removed (views re-wrap from scratch). */
  generation = 0;

  constructor(readonly max = 500_000) {}

  push(line: StyledLine): void {
    this.lines.push(line);
    if (this.lines.length > this.max) {
      const cut = Math.floor(this.max / 10);
      this.lines.splice(0, cut);
      this.dropped += cut;
      this.generation++;
    }
  }

  clear(): void {
    this.lines = [];
    this.dropped = 0;
    this.generation++;
  }
}

export class TextView {
  /** First line shown (index into the displayed lines). */
  top = 0;
  left = 0;
  /** Stay on the last line as lines arrive (live dig/echo). */
  follow = false;
  private height = 1;
  private width = 1;
  private wrapped: StyledLine[] | null = null;
  private wrappedFrom: StyledLine[] | null = null;
  private wrappedCount = 0;
  private wrappedWidth = 0;
  private wrappedGen = -1;
  /** A line to bring into view at the next render (the height is known only then); -1: none. */
  private revealLine = -1;
  /** Last search, for F3 / next. */
  search = '';
  private searchLine = -1;

  constructor(
    public source: () => StyledLine[],
    readonly wrap: boolean,
    private readonly generation: () => number = () => 0,
  ) {}

  /** The lines as displayed (wrapped when the view wraps; cached until lines are added or the width changes). */
  displayLines(): StyledLine[] {
    const src = this.source();
    if (!this.wrap) return src;
    const gen = this.generation();
    if (this.wrapped === null || this.wrappedFrom !== src || this.wrappedWidth !== this.width || this.wrappedGen !== gen || src.length < this.wrappedCount) {
      this.wrapped = wrapLines(src, this.width);
      this.wrappedGen = gen;
      this.wrappedFrom = src;
      this.wrappedCount = src.length;
      this.wrappedWidth = this.width;
    } else if (src.length > this.wrappedCount) {
      this.wrapped.push(...wrapLines(src.slice(this.wrappedCount), this.width));
      this.wrappedCount = src.length;
    }
    return this.wrapped;
  }

  invalidate(): void {
    this.wrapped = null;
  }

  private clamp(n: number): void {
    this.top = Math.max(0, Math.min(this.top, n - this.height));
    if (this.top < 0) this.top = 0;
  }

  scroll(how: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end' | 'left' | 'right'): void {
    const n = this.displayLines().length;
    switch (how) {
      case 'up':
        this.top--;
        break;
      case 'down':
        this.top++;
        break;
      case 'pageup':
        this.top -= this.height;
        break;
      case 'pagedown':
        this.top += this.height;
        break;
      case 'home':
        this.top = 0;
        this.left = 0;
        break;
      case 'end':
        this.top = n;
        break;
      case 'left':
        this.left = Math.max(0, this.left - 4);
        break;
      case 'right':
        if (!this.wrap) this.left += 4;
        break;
    }
    this.clamp(n);
    this.follow = this.top >= n - this.height;
  }

  /**
   * Shows line `line` (0-based, in the source lines) a third of the way down
   * the window at the next render, and stops following the end.
   */
  reveal(line: number): void {
    this.revealLine = line;
    this.follow = false;
  }

  gotoLine(line: number): boolean {
    const n = this.displayLines().length;
    if (line < 1 || line > n) return false;
    this.top = line - 1;
    this.clamp(n);
    return true;
  }

  /** Finds `text` from the line after the last match (or the top); true when found. */
  find(text: string, next: boolean): boolean {
    if (text === '') return false;
    const lines = this.displayLines();
    if (!next || text !== this.search) this.searchLine = this.top - 1;
    this.search = text;
    for (let i = this.searchLine + 1; i < lines.length; i++) {
      if (lines[i]!.some((s) => s.text.includes(text)) || lines[i]!.map((s) => s.text).join('').includes(text)) {
        this.searchLine = i;
        this.top = i;
        this.clamp(lines.length);
        return true;
      }
    }
    return false;
  }

  render(cv: Canvas, x0: number, y0: number, w: number, h: number): void {
    this.height = Math.max(1, h);
    this.width = Math.max(1, w);
    const lines = this.displayLines();
    if (this.revealLine >= 0) {
      // Unwrapped views show source lines one to a row; wrapped ones (echo) are not revealed into.
      this.top = Math.max(0, this.revealLine - Math.floor(this.height / 3));
      this.revealLine = -1;
    }
    if (this.follow) this.top = Math.max(0, lines.length - this.height);
    this.clamp(lines.length);
    for (let r = 0; r < h; r++) {
      const line = lines[this.top + r];
      cv.fill(x0, y0 + r, w, C.normal);
      if (line === undefined) continue;
      let col = 0;
      for (const seg of line) {
        const t = this.wrap ? seg.text : displayText(seg.text);
        const start = col;
        col += t.length;
        if (col <= this.left) continue;
        const from = Math.max(0, this.left - start);
        const x = start + from - this.left;
        if (x >= w) break;
        cv.text(x0 + x, y0 + r, t.slice(from), seg.attr, w - x);
      }
    }
  }

  /** 1-based index of the first line shown, and the total, for the footer. */
  position(): { pos: number; total: number } {
    return { pos: this.top, total: this.displayLines().length };
  }
}
