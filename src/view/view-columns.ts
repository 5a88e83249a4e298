/**
 * From a view definition to the table's columns: drops columns whose tags
 * are not enabled, puts the key and group-by key first (as csysdig does),
 * binds every field, and works out the initial sorting column.
 */
import type { FieldRegistry } from '../fields/registry.js';
import type { TableColumn } from './table.js';
import type { ViewColumn, ViewDef } from './view-def.js';

export class ViewConfigError extends Error {}

/** Columns visible with `tag` enabled: untagged ones, and those carrying the tag. */
export function visibleColumns(view: ViewDef, tag: string): ViewColumn[] {
  const kept = view.columns.filter((c) => c.tags.length === 0 || c.tags.includes(tag));
  const gb = kept.filter((c) => c.isGroupbyKey);
  const key = kept.filter((c) => c.isKey);
  const rest = kept.filter((c) => !c.isKey && !c.isGroupbyKey);
  return [...key, ...gb, ...rest];
}

/** Replaces %depth in a field name (csysdig's drill-depth substitution). */
export function fieldAtDepth(field: string, depth: number): string {
  return field.replace(/%depth\+1/g, String(depth + 1)).replace(/%depth/g, String(depth));
}

export function viewColumns(view: ViewDef, registry: FieldRegistry, tag: string, depth = 0): TableColumn[] {
  return visibleColumns(view, tag).map((c) => {
    const name = fieldAtDepth(c.field, depth);
    const m = /^([^[\]]+)(?:\[(.*)\])?$/.exec(name);
    let ex;
    try {
      ex = m === null ? null : registry.resolve(m[1]!, m[2]);
    } catch (err) {
      throw new ViewConfigError(`${view.source}: column '${c.name}': ${(err as Error).message}`);
    }
    if (ex === null) throw new ViewConfigError(`${view.source}: column '${c.name}': unknown field '${name}'`);
    return {
      column: c,
      extractor: ex,
      type: ex.info.type,
      printFormat: ex.info.printFormat,
      aggregation: c.aggregation,
      groupbyAggregation: c.groupbyAggregation,
    };
  });
}

/**
 * The initial sorting column as an index into a row's values (after the key),
 * following csysdig: the column flagged is_sorting, else the first value
 * column (the second when grouping).
 */
export function viewSortingColumn(view: ViewDef, columns: TableColumn[]): number {
  const grouping = columns.some((c) => c.column.isGroupbyKey);
  let idx = columns.findIndex((c) => c.column.isSorting);
  if (idx < 0) idx = grouping ? 2 : 1;
  else if (grouping) idx--;
  void view;
  return idx - 1;
}

/**
 * Whether a view reads alert.* fields (in a column or its filter): such a
 * view is fed each event once per alert the rules fired on it, so that it
 * has one row per alert (src/state/alert-slot.ts).
 */
export function viewReadsAlerts(view: ViewDef, extraFilter = ''): boolean {
  const re = /(^|[^\w.])alert\./;
  return view.columns.some((c) => re.test(c.field)) || re.test(view.filter) || re.test(extraFilter);
}
