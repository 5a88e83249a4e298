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
