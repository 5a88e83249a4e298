/**
 * csysdig's colour scheme (sinsp_cursesui's m_colors), as canvas attributes.
 */
import { attr, BOLD, DEFAULT } from './canvas.js';

export const BLACK = 0;
export const RED = 1;
export const GREEN = 2;
export const YELLOW = 3;
export const BLUE = 4;
export const MAGENTA = 5;
export const CYAN = 6;
export const WHITE = 7;

export const C = {
  /** Ordinary text (csysdig PROCESS). */
  normal: attr(DEFAULT, DEFAULT),
  /** Labels: "Viewing:", "Source:", section titles (HELP_BOLD). */
  label: attr(CYAN, DEFAULT, BOLD),
  /** Table header row (PANEL_HEADER_FOCUS). */
  header: attr(BLACK, GREEN),
  /** List-view header row (PANEL_HEADER_LIST_FOCUS). */
  listHeader: attr(BLACK, YELLOW),
  /** Selected row, sorted column header, menu labels (PANEL_HIGHLIGHT_FOCUS). */
  highlight: attr(BLACK, CYAN),
  /** The bar above echo / dig text (FUNCTION_BAR). */
  functionBar: attr(BLACK, YELLOW),
  /** "NOT FOUND", "Invalid filter" (FAILED_SEARCH). */
  failed: attr(RED, CYAN),
  /** "PAUSED" (LARGE_NUMBER). */
  large: attr(RED, DEFAULT, BOLD),
  /** Column names in the legend, hotkeys, position info (PROCESS_MEGABYTES). */
  accent: attr(CYAN, DEFAULT),
  /** Echo: data read (SPY_READ) and written (SPY_WRITE). */
  read: attr(RED, DEFAULT),
  write: attr(CYAN, DEFAULT),
  /** Error text in prompts. */
  error: attr(WHITE, RED, BOLD),
  /** Progress bar. */
  barDone: attr(BLACK, CYAN),
  barTodo: attr(DEFAULT, BLUE),
} as const;

const NAMED: Record<string, number> = { black: BLACK, red: RED, green: GREEN, yellow: YELLOW, blue: BLUE, magenta: MAGENTA, cyan: CYAN, white: WHITE };

/** A view column's colour name (`red`, `bold yellow`; docs/views.md) as an attribute on the default background. */
export function namedColor(name: string): number {
  const bold = name.startsWith('bold ');
  return attr(NAMED[bold ? name.slice(5) : name] ?? DEFAULT, DEFAULT, bold ? BOLD : 0);
}

const cellColorCache = new WeakMap<Readonly<Record<string, string>>, Map<string, number>>();

/** A column's `colors` (cell text -> colour name) as text -> attribute, built once per column. */
export function cellColors(colors: Readonly<Record<string, string>> | null | undefined): Map<string, number> | null {
  if (colors === null || colors === undefined) return null;
  let m = cellColorCache.get(colors);
  if (m === undefined) {
    m = new Map(Object.entries(colors).map(([text, name]) => [text, namedColor(name)]));
    cellColorCache.set(colors, m);
  }
  return m;
}
