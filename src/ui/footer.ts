/**
 * The bottom line: the function-key menu (key in the default colour, label
 * on cyan, as csysdig draws it) and the position "N/M(P%)" at the right.
 * Returns the clickable areas so that a mouse click acts as the key.
 */
import { cFixed } from '../view/cell-format.js';
import type { Canvas } from './canvas.js';
import { C } from './colors.js';

export interface MenuItem {
  key: string;
  label: string;
  /** The key name the click stands for (see keys.ts). */
  action: string;
}

export interface MenuHit {
  x0: number;
  x1: number;
  action: string;
}

export const TABLE_MENU: MenuItem[] = [
  { key: 'F1', label: 'Help', action: 'f1' },
  { key: 'F2', label: 'Views', action: 'f2' },
  { key: 'F4', label: 'Filter', action: 'f4' },
  { key: 'F5', label: 'Echo', action: 'f5' },
  { key: 'F6', label: 'Dig', action: 'f6' },
  { key: 'F7', label: 'Legend', action: 'f7' },
  { key: 'F8', label: 'Actions', action: 'f8' },
  { key: 'F9', label: 'Sort', action: 'f9' },
  { key: 'F12', label: 'Spectro', action: 'f12' },
  { key: 'CTRL+F', label: 'Search', action: 'C-f' },
  { key: 'p', label: 'Pause', action: 'p' },
  { key: 'q', label: 'Quit', action: 'q' },
];

/** With rules running (--rules, --default-rules): A jumps to the Alerts view. */
export const TABLE_MENU_WITH_ALERTS: MenuItem[] = [...TABLE_MENU.slice(0, 3), { key: 'A', label: 'Alerts', action: 'A' }, ...TABLE_MENU.slice(3)];

export const TEXT_MENU: MenuItem[] = [
  { key: 'F1', label: 'Help', action: 'f1' },
  { key: 'F2', label: 'View As', action: 'f2' },
  { key: 'CTRL+F', label: 'Search', action: 'C-f' },
  { key: 'p', label: 'Pause', action: 'p' },
  { key: 'Bak', label: 'Back', action: 'backspace' },
  { key: 'c', label: 'Clear', action: 'c' },
  { key: 'CTRL+G', label: 'Goto', action: 'C-g' },
  { key: 'q', label: 'Quit', action: 'q' },
];

export const SPECTRO_MENU: MenuItem[] = [
  { key: 'F1', label: 'Help', action: 'f1' },
  { key: 'F2', label: 'Views', action: 'f2' },
  { key: 'p', label: 'Pause', action: 'p' },
  { key: 'Bak', label: 'Back', action: 'backspace' },
  { key: 'PgUp/PgDn', label: 'Scroll', action: 'pageup' },
  { key: 'q', label: 'Quit', action: 'q' },
];

export function renderMenu(cv: Canvas, y: number, items: readonly MenuItem[]): MenuHit[] {
  cv.fill(0, y, cv.width, C.normal);
  const hits: MenuHit[] = [];
  let k = 0;
  for (const it of items) {
    const x0 = k;
    k = cv.text(k, y, it.key.length < 2 ? it.key.padEnd(2) : it.key, C.normal);
    k = cv.text(k, y, it.label.length < 6 ? it.label.padEnd(6) : it.label, C.highlight);
    hits.push({ x0, x1: k - 1, action: it.action });
  }
  return hits;
}

/** csysdig's position text: N/M(P%), P with one decimal as printf("%.1f") of a float. */
export function positionText(pos: number, total: number, truncated = false): string {
  const pct = total === 0 ? 0 : Math.fround(Math.fround(pos / total) * 100);
  return `${pos}/${total}(${cFixed(pct, 1)}%)${truncated ? '(truncated)' : ''}`;
}

/** Draws the position at the right end of the footer (18 cells cleared first, as csysdig). */
export function renderPosition(cv: Canvas, y: number, text: string): void {
  const w = cv.width;
  cv.fill(Math.max(0, w - 18), y, 18, C.accent);
  cv.text(Math.max(0, w - text.length), y, text, C.accent);
}

export function menuActionAt(hits: readonly MenuHit[], x: number): string | null {
  for (const h of hits) if (x >= h.x0 && x <= h.x1) return h.action;
  return null;
}
