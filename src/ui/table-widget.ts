/**
 * The table on screen (csysdig's curses_table): a header row with the sort
 * column highlighted, one line per sample row with each cell rendered by
 * cellText at its column's width, the selected row highlighted, vertical
 * and horizontal scrolling.
 *
 * Only the visible slice is rendered, so a 10,000-row sample costs the same
 * to draw as a 40-row one; sorting and the free-text filter run once per
 * sample (or per key press), not per frame.
 */
import { ParamType } from '../event/types.js';
import { fieldValueText } from '../fields/render.js';
import { cellText } from '../view/cell-text.js';
import { isIntegerType, isNumericType, sortsDescending, type CellValue, type Sample, type SampleRow, type TableColumn } from '../view/table.js';
import type { SampleInfo } from '../view/view-runner.js';
import type { Canvas } from './canvas.js';
import { fit } from './canvas.js';
import { C, cellColors } from './colors.js';
import { positionText } from './footer.js';

/** csysdig's default column widths by type, for columns without a colsize. */
export function defaultColumnSize(t: ParamType): number {
  switch (t) {
    case ParamType.CHARBUF:
    case ParamType.BYTEBUF:
    case ParamType.FD:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
    case ParamType.FLAGS8:
    case ParamType.FLAGS16:
    case ParamType.FLAGS32:
    case ParamType.MODE:
    case ParamType.SIGSET:
      return 32;
    case ParamType.SOCKADDR:
    case ParamType.SOCKTUPLE:
    case ParamType.PID:
    case ParamType.FDLIST:
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
    case ParamType.IPV6ADDR:
      return 16;
    case ParamType.UID:
    case ParamType.GID:
      return 12;
    case ParamType.NONE:
      return 0;
    default:
      return 8;
  }
}

/** Right-aligned types (curses_table::get_field_alignment): the numeric types that sort biggest-first, booleans aside. */
export function isRightAligned(t: ParamType): boolean {
  return t !== ParamType.BOOL && sortsDescending(t);
}

/** Types whose text the free-text filter and the search look at (sinsp_table::filter_sample). */
export function isTextSearchable(t: ParamType): boolean {
  switch (t) {
    case ParamType.CHARBUF:
    case ParamType.BYTEBUF:
    case ParamType.SYSCALLID:
    case ParamType.PORT:
    case ParamType.L4PROTO:
    case ParamType.SOCKFAMILY:
    case ParamType.IPV4ADDR:
    case ParamType.IPV6ADDR:
    case ParamType.UID:
    case ParamType.GID:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
      return true;
    default:
      return false;
  }
}

export interface ColumnLayout {
  column: TableColumn;
  /** Start column, relative to the table's left edge (before horizontal scroll). */
  start: number;
  /** Width including the separating blank; 0 = the rest of the line. */
  size: number;
  right: boolean;
}

export function layoutColumns(cols: readonly TableColumn[]): ColumnLayout[] {
  const out: ColumnLayout[] = [];
  let k = 0;
  for (const c of cols) {
    const size = c.column.colsize < 0 ? defaultColumnSize(c.type) : c.column.colsize;
    out.push({ column: c, start: k, size, right: isRightAligned(c.type) });
    k += size;
  }
  return out;
}

/** Sorts like ViewTable does (averages compared after division, text byte-wise), stable. */
export function sortRows(rows: SampleRow[], col: TableColumn, ci: number, ascending: boolean): SampleRow[] {
  const numeric = isNumericType(col.type);
  const integer = isIntegerType(col.type);
  const sign = ascending ? 1 : -1;
  return rows.sort((a, b) => {
    const av = a.values[ci]!;
    const bv = b.values[ci]!;
    if (numeric && typeof av === 'number' && typeof bv === 'number') {
      let x = av;
      let y = bv;
      const ac = a.counts[ci]!;
      const bc = b.counts[ci]!;
      if (ac > 1 || bc > 1) {
        const d1 = ac === 0 ? 1 : ac;
        const d2 = bc === 0 ? 1 : bc;
        x = integer ? Math.trunc(x / d1) : x / d1;
        y = integer ? Math.trunc(y / d2) : y / d2;
      }
      return x < y ? -sign : x > y ? sign : 0;
    }
    const s1 = String(av);
    const s2 = String(bv);
    return s1 < s2 ? -sign : s1 > s2 ? sign : 0;
  });
}

/** Selection + scrolling over a list of `size` items with `visible` lines (csysdig's curses_scrollable_list). */
export class ScrollState {
  selct = 0;
  firstRow = 0;
  visible = 1;

  sanitize(size: number): void {
    if (this.firstRow > size - this.visible) this.firstRow = size - this.visible;
    if (this.firstRow < 0) this.firstRow = 0;
    if (this.selct > size - 1) this.selct = size - 1;
    if (this.selct < 0) this.selct = 0;
    if (this.firstRow > this.selct) this.firstRow = this.selct;
    if (this.selct >= this.firstRow + this.visible) this.firstRow = this.selct - this.visible + 1;
  }
  up(size: number): void {
    if (this.selct > 0) this.selct--;
    this.sanitize(size);
  }
  down(size: number): void {
    if (this.selct < size - 1) this.selct++;
    this.sanitize(size);
  }
  pageUp(size: number): void {
    this.firstRow -= this.visible;
    this.selct -= this.visible;
    this.sanitize(size);
  }
  pageDown(size: number): void {
    this.firstRow += this.visible;
    this.selct += this.visible;
    this.sanitize(size);
  }
  home(size: number): void {
    this.firstRow = 0;
    this.selct = 0;
    this.sanitize(size);
  }
  end(size: number): void {
    this.firstRow = size - 1;
    this.selct = size - 1;
    this.sanitize(size);
  }
  /** Selects `row`, scrolled to the middle of the window when possible. */
  goto(size: number, row: number): void {
    if (row < 0 || row >= size) return;
    this.firstRow = row - Math.floor(this.visible / 2);
    this.selct = row;
    this.sanitize(size);
  }
}

export interface TableRenderOptions {
  /** Text shown in the middle when there are no rows (e.g. "No Data For This View"). */
  emptyText: string;
  /** Shown in the middle over the rows (e.g. " NOT FOUND "). */
  errorText?: string;
  /** Header colours: table views use green, list views yellow. */
  list?: boolean;
}

export class TableWidget {
  sample: Sample | null = null;
  info: SampleInfo | null = null;
  grouping = false;
  /** Rows as shown: free-text filtered and sorted. */
  rows: SampleRow[] = [];
  layout: ColumnLayout[] = [];
  /** Sorting: index into the row values, and direction. */
  sortCol = 0;
  sortAsc = false;
  /** csysdig's free-text filter (F4 in text mode). */
  freeText = '';
  readonly scroll = new ScrollState();
  scrollX = 0;
  /** Key of the selected row. */
  selectedKey: CellValue | null = null;
  /** Once the user moved the selection, it follows its row's key across samples. */
  followKey = false;

  /** Sets the view's default sorting (before the first sample). */
  resetSort(col: number, cols: readonly TableColumn[]): void {
    this.sortCol = col;
    const c = cols[col];
    this.sortAsc = c !== undefined ? !sortsDescending(c.type) : false;
  }

  setSample(sample: Sample, info: SampleInfo, grouping: boolean): void {
    this.sample = sample;
    this.info = info;
    this.grouping = grouping;
    this.layout = layoutColumns(sample.columns);
    this.rebuild();
  }

  clear(): void {
    this.sample = null;
    this.info = null;
    this.rows = [];
    this.layout = [];
  }

  /** Re-applies the free-text filter and the sorting to the current sample, keeping the selection. */
  rebuild(): void {
    const s = this.sample;
    if (s === null) {
      this.rows = [];
      return;
    }
    let rows = s.rows;
    if (this.freeText !== '') {
      const text = this.freeText;
      const searchable = s.columns.map((c) => isTextSearchable(c.type));
      rows = rows.filter((r) => {
        for (let j = 0; j < s.columns.length; j++) {
          if (searchable[j] && fieldValueText(s.columns[j]!.extractor.info, r.values[j]!).includes(text)) return true;
        }
        return false;
      });
    }
    // The table engine already sorted the sample; sort again only for another order.
    const col = s.columns[this.sortCol];
    if (col !== undefined && (this.sortCol !== s.sortColumn || this.sortAsc !== s.ascending)) {
      if (rows === s.rows) rows = rows.slice();
      sortRows(rows, col, this.sortCol, this.sortAsc);
    }
    this.rows = rows;
    this.restoreSelection();
  }

  private restoreSelection(): void {
    const n = this.rows.length;
    if (this.followKey && this.selectedKey !== null) {
      const i = this.indexOfKey(this.selectedKey);
      if (i >= 0) {
        if (i !== this.scroll.selct) this.scroll.goto(n, i);
      } else {
        this.scroll.selct--;
        this.followKey = false;
      }
    }
    this.scroll.sanitize(n);
    this.selectedKey = n > 0 ? this.rows[this.scroll.selct]!.key : null;
  }

  indexOfKey(key: CellValue): number {
    return this.rows.findIndex((r) => r.key === key);
  }

  /** Selects the row with `key` (after a drill-up), centred. */
  selectKey(key: CellValue): void {
    this.selectedKey = key;
    this.followKey = true;
    const i = this.indexOfKey(key);
    if (i >= 0) this.scroll.goto(this.rows.length, i);
  }

  selectedRow(): SampleRow | null {
    return this.rows[this.scroll.selct] ?? null;
  }

  /** Selection moves: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end'. */
  move(how: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end'): void {
    const n = this.rows.length;
    const s = this.scroll;
    if (how === 'up') s.up(n);
    else if (how === 'down') s.down(n);
    else if (how === 'pageup') s.pageUp(n);
    else if (how === 'pagedown') s.pageDown(n);
    else if (how === 'home') s.home(n);
    else s.end(n);
    this.selectedKey = this.rows[s.selct]?.key ?? null;
    this.followKey = true;
  }

  gotoRow(i: number): void {
    this.scroll.goto(this.rows.length, i);
    this.selectedKey = this.rows[this.scroll.selct]?.key ?? null;
    this.followKey = true;
  }

  /** Sorts by column `col` (index into the values); the same column again flips the direction. */
  sortBy(col: number): void {
    const s = this.sample;
    if (s === null || col < 0 || col >= s.columns.length) return;
    if (col === this.sortCol) this.sortAsc = !this.sortAsc;
    else {
      this.sortCol = col;
      this.sortAsc = !sortsDescending(s.columns[col]!.type);
    }
    this.followKey = true;
    this.rebuild();
  }

  scrollLeft(): void {
    this.scrollX = Math.max(0, this.scrollX - 4);
  }

  scrollRight(width: number): void {
    if (this.scrollX + 4 <= Math.max(0, this.lineWidth() - width)) this.scrollX += 4;
  }

  /** Width of the widest visible line (fixed columns plus the longest text of an open-ended one). */
  private lineWidth(): number {
    const last = this.layout[this.layout.length - 1];
    if (last === undefined) return 0;
    if (last.size !== 0) return last.start + last.size;
    let w = 0;
    const s = this.scroll;
    for (let i = s.firstRow; i < Math.min(this.rows.length, s.firstRow + s.visible); i++) {
      w = Math.max(w, this.cellString(this.rows[i]!, this.layout.length - 1, 0).length);
    }
    return last.start + w;
  }

  /** Column index under table-relative x (for header clicks), -1 if none. */
  columnAt(x: number): number {
    const xx = x + this.scrollX;
    for (let j = 0; j < this.layout.length; j++) {
      const l = this.layout[j]!;
      if (xx >= l.start && (l.size === 0 || xx < l.start + l.size)) return j;
    }
    return this.layout.length - 1;
  }

  /** The text of cell j of `row` as drawn in a cell of `width` characters (0 = unbounded). */
  cellString(row: SampleRow, j: number, width: number): string {
    const l = this.layout[j]!;
    const td = this.info?.timeDeltaNs ?? 0;
    const text = cellText(l.column, row.values[j]!, row.counts[j]!, td, this.grouping, width);
    return width > 0 && text.length > width ? text.slice(0, width) : text;
  }

  /** Draws the table in the rectangle (x0, y0, w, h): header on the first line, rows below. */
  render(cv: Canvas, x0: number, y0: number, w: number, h: number, opts: TableRenderOptions): void {
    const headerAttr = opts.list ? C.listHeader : C.header;
    const sortAttr = opts.list ? C.header : C.highlight;
    this.scroll.visible = Math.max(1, h - 1);
    this.scroll.sanitize(this.rows.length);
    const sx = this.scrollX;
    const put = (x: number, y: number, s: string, a: number, max: number): void => {
      // Horizontal scroll: cut what falls left of the table's edge.
      let xx = x - sx;
      let t = s.length > max ? s.slice(0, max) : s;
      if (xx < 0) {
        t = t.slice(-xx);
        xx = 0;
      }
      if (xx >= w || t === '') return;
      cv.text(x0 + xx, y, t, a, w - xx);
    };

    cv.fill(x0, y0, w, headerAttr);
    for (let j = 0; j < this.layout.length; j++) {
      const l = this.layout[j]!;
      const name = l.column.column.name;
      const cw = l.size === 0 ? Math.max(name.length, w + sx - l.start) : l.size;
      let text = l.size === 0 ? name : name.slice(0, Math.max(0, l.size - 1));
      if (l.right && l.size > 0) text = text.padStart(l.size - 1);
      put(l.start, y0, fit(text, cw), j === this.sortCol ? sortAttr : headerAttr, cw);
    }

    if (this.rows.length === 0) {
      if (opts.emptyText !== '') centre(cv, x0, y0 + Math.floor(h / 2), w, opts.emptyText, C.normal);
      if (opts.errorText !== undefined) centre(cv, x0, y0 + Math.floor(h / 2), w, opts.errorText, C.failed);
      return;
    }
    const s = this.scroll;
    const n = Math.min(this.rows.length - s.firstRow, h - 1);
    for (let l = 0; l < n; l++) {
      const i = s.firstRow + l;
      const row = this.rows[i]!;
      const y = y0 + 1 + l;
      const selected = i === s.selct;
      const a = selected ? C.highlight : C.normal;
      cv.fill(x0, y, w, a);
      for (let j = 0; j < this.layout.length; j++) {
        const lay = this.layout[j]!;
        const width = lay.size === 0 ? 0 : Math.max(0, lay.size - 1);
        if (lay.size !== 0 && lay.start + lay.size <= sx) continue;
        if (lay.start - sx >= w) break;
        const text = this.cellString(row, j, width);
        // a column colouring its cells by value (the view's `colors`), except on the selected row
        const colors = selected ? null : cellColors(lay.column.column.colors);
        put(lay.start, y, text, colors?.get(text.trim()) ?? a, width === 0 ? Infinity : width);
      }
    }
    if (opts.errorText !== undefined) centre(cv, x0, y0 + Math.floor(h / 2), w, opts.errorText, C.failed);
  }

  /** "N/M(P%)" for the footer (csysdig's get_position), null without rows. */
  position(): string | null {
    const n = this.rows.length;
    if (n === 0) return null;
    return positionText(this.scroll.selct + 1, n);
  }
}

/** Writes `s` centred on line y of the rectangle starting at x0 with width w. */
export function centre(cv: Canvas, x0: number, y: number, w: number, s: string, a: number): void {
  const x = x0 + Math.max(0, Math.floor(w / 2) - Math.floor(s.length / 2));
  cv.text(x, y, s, a, w);
}
