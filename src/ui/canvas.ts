/**
 * The drawing surface every widget paints on: a grid of cells, each with a
 * character and an attribute. The terminal implementation writes straight
 * into blessed's screen buffer (blessed then sends only what changed); the
 * text implementation keeps the grid in memory so that rendering can be
 * unit-tested without a terminal.
 *
 * Attributes use blessed's packing: (flags << 18) | (fg << 9) | bg, colours
 * 0-255 and 0x1ff for the terminal's default.
 */

/** Attribute flags (blessed's). */
export const BOLD = 1;
export const UNDERLINE = 2;
export const INVERSE = 8;

/** The terminal's default colour. */
export const DEFAULT = 0x1ff;

export function attr(fg: number, bg: number = DEFAULT, flags = 0): number {
  return (flags << 18) | (fg << 9) | bg;
}

export interface Canvas {
  readonly width: number;
  readonly height: number;
  /** Blanks the whole grid with the default attribute. */
  clear(): void;
  /**
   * Writes `s` at (x, y), clipped to the grid and to `max` cells. Returns
   * the column after the last cell written (x + cells used).
   */
  text(x: number, y: number, s: string, a: number, max?: number): number;
  /** Fills `w` cells from (x, y) with `ch`. */
  fill(x: number, y: number, w: number, a: number, ch?: string): void;
}

/**
 * Text from a capture as it should appear on screen: capture strings are
 * latin1 (one char per byte), so valid UTF-8 is decoded; control characters
 * become '.', and characters that may take two cells or combine with the
 * previous one become '?', so that one character is always one cell.
 */
export function displayText(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f-\uffff]/.test(s)) return s;
  let t = s;
  // eslint-disable-next-line no-control-regex
  if (/[\u0080-\u00ff]/.test(t) && !/[\u0100-\uffff]/.test(t)) {
    const decoded = Buffer.from(t, 'latin1').toString('utf8');
    if (!decoded.includes('\ufffd')) t = decoded;
  }
  let out = '';
  for (const ch of t) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) out += '.';
    else if (c >= 0x300 && !isNarrow(c)) out += '?';
    else out += ch;
  }
  return out;
}

/** Code points at or above U+0300 known to take exactly one cell (the rest are shown as '?'); braille (U+2800..) draws the overview's charts. */
function isNarrow(c: number): boolean {
  if (c < 0x1100) return !(c >= 0x300 && c <= 0x36f) && !(c >= 0x483 && c <= 0x489) && !(c >= 0x591 && c <= 0x5c7);
  return (c >= 0x1e00 && c <= 0x1fff) || (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e) || (c >= 0x2070 && c <= 0x20cf) || (c >= 0x2100 && c <= 0x27bf) || (c >= 0x2800 && c <= 0x28ff);
}

/** Pads or cuts `s` to exactly `w` characters. */
export function fit(s: string, w: number): string {
  if (w <= 0) return '';
  return s.length >= w ? s.slice(0, w) : s + ' '.repeat(w - s.length);
}

/** An in-memory canvas: used by tests and for golden screens. */
export class TextCanvas implements Canvas {
  private chars: string[][] = [];
  private attrs: number[][] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.clear();
  }

  clear(): void {
    const d = attr(DEFAULT, DEFAULT);
    this.chars = Array.from({ length: this.height }, () => new Array<string>(this.width).fill(' '));
    this.attrs = Array.from({ length: this.height }, () => new Array<number>(this.width).fill(d));
  }

  text(x: number, y: number, s: string, a: number, max = Infinity): number {
    if (y < 0 || y >= this.height) return x;
    const t = displayText(s);
    const n = Math.min(t.length, max);
    let col = x;
    for (let i = 0; i < n; i++, col++) {
      if (col < 0) continue;
      if (col >= this.width) break;
      this.chars[y]![col] = t[i]!;
      this.attrs[y]![col] = a;
    }
    return x + n;
  }

  fill(x: number, y: number, w: number, a: number, ch = ' '): void {
    if (y < 0 || y >= this.height) return;
    for (let col = Math.max(0, x); col < Math.min(this.width, x + w); col++) {
      this.chars[y]![col] = ch;
      this.attrs[y]![col] = a;
    }
  }

  /** The grid as text lines, trailing blanks removed. */
  lines(): string[] {
    return this.chars.map((r) => r.join('').replace(/\s+$/, ''));
  }

  attrAt(x: number, y: number): number {
    return this.attrs[y]?.[x] ?? attr(DEFAULT, DEFAULT);
  }
}
