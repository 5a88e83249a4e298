/** A selection-stack entry for tests: a drill-down on `field=val` from a view whose filter is `viewFilter`. */
import type { SelectionEntry } from '../../src/ui/selection.js';

export function selectionEntry(field: string, val: string, viewFilter: string, extra: Partial<SelectionEntry> = {}): SelectionEntry {
  return {
    field,
    val,
    filterInChildOnly: false,
    viewFilter,
    prevScreen: 'procs',
    prevMenuEntry: 0,
    rowKey: null,
    prevSortCol: 0,
    prevSortAsc: false,
    prevManualFilter: '',
    prevFilterIsSysdig: false,
    isDrilldown: true,
    ...extra,
  };
}
