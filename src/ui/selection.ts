/**
 * The drill-down stack (csysdig's sinsp_ui_selection_hierarchy) and the
 * filters built from it.
 *
 * Every drill-down, view switch, F5/F6 and applied sysdig filter pushes one
 * entry recording where the user came from (view, sort, manual filter,
 * selected row) and, for drill-downs, the selection that narrows the new
 * screen (`field=value`, plus the parent view's filter when that view
 * propagates it). Backspace pops the last entry and restores it.
 */
import type { DrillTables } from '../view/drill-tables.js';
import type { CellValue, Sample } from '../view/table.js';
import type { SampleInfo } from '../view/view-runner.js';

/** What the screen shows besides a view: csysdig's VIEW_ID_SPY (echo) and VIEW_ID_DIG. */
export const ECHO_SCREEN = '@echo';
export const DIG_SCREEN = '@dig';

export interface SelectionEntry {
  /** Field the selection filters on ('' for a plain view switch at top level). */
  field: string;
  /** Value as written in the filter (strings already quoted). */
  val: string;
  /** csysdig filter_in_child_only: only the child screen filters on this selection. */
  filterInChildOnly: boolean;
  /** The parent view's filter when it propagates it (csysdig propagate_filter), else ''. */
  viewFilter: string;
  /** Where to go back to: a view id, ECHO_SCREEN or DIG_SCREEN. */
  prevScreen: string;
  /** Row of the views menu that was selected. */
  prevMenuEntry: number;
  /** Key of the row selected in the parent, restored on the way back. */
  rowKey: CellValue | null;
  /** Sorting of the parent (index into the row values) and its direction. */
  prevSortCol: number;
  prevSortAsc: boolean;
  /** The parent's manual filter (free text or sysdig expression). */
  prevManualFilter: string;
  prevFilterIsSysdig: boolean;
  /** True for a drill-down (Enter, F5, F6, F12), false for a view switch. */
  isDrilldown: boolean;
  /** A replay's finished table the entry left: Backspace shows it again without reading the capture. */
  saved?: ReadyTable | null;
}

/**
 * A replay table screen that needs no read: the whole-capture sample (kept
 * from an earlier read, or a prepared drill-down table) and the drill-down
 * tables prepared with it.
 */
export interface ReadyTable {
  sample: Sample;
  info: SampleInfo;
  grouping: boolean;
  drill: DrillTables | null;
}

/** csysdig's combine_filters. */
export function combineFilters(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `(${a}) and (${b})`;
}

/** sinsp_ui_selection_hierarchy::tofilter(false): the selections as one filter. */
export function hierarchyFilter(h: readonly SelectionEntry[]): string {
  let res = '';
  const hs = h.length;
  for (let j = 0; j < hs; j++) {
    const e = h[j]!;
    const lastSize = res.length;
    const hasFilter = e.viewFilter !== '';
    if (hs > 1) res += '(';
    if (hasFilter) res += `(${e.viewFilter})`;
    if (e.field !== '') {
      const skip = e.filterInChildOnly && j < hs - 1;
      if (!skip) {
        if (hasFilter) res += ' and ';
        res += `${e.field}=${e.val}`;
      }
    }
    if (res.length !== lastSize) {
      if (hs > 1) res += ')';
      res += ' and ';
      if (res.endsWith('() and ')) res = res.slice(0, -7);
    }
  }
  if (res.endsWith(' and ')) res = res.slice(0, -5);
  return res;
}

/** The "For:" text of the header: the selections, or "whole machine". */
export function selectionText(h: readonly SelectionEntry[], isSpectro: (screen: string) => boolean): string {
  const parts: string[] = [];
  for (const e of h) {
    if (e.field === '') continue;
    parts.push(isSpectro(e.prevScreen) ? 'spectrogram area' : `${e.field}=${e.val}`);
  }
  return parts.length === 0 ? 'whole machine' : parts.join(' and ');
}

/** The field the current screen was reached through ('' at the top): picks the views the menu offers. */
export function currentField(h: readonly SelectionEntry[]): string {
  const f = h.length === 0 ? '' : h[h.length - 1]!.field;
  const b = f.indexOf('[');
  return b >= 0 ? f.slice(0, b) : f;
}

/**
 * A drill-down value as written in a filter: numbers as they are, text in
 * double quotes with `"` and `\` escaped.
 */
export function filterValue(text: string, numeric: boolean): string {
  if (numeric) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
