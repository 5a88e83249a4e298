/**
 * CTRL+F in a table: the first row (from the top, or after the selection
 * for "next") whose text columns contain the string, as csysdig's
 * sinsp_table::search_in_sample.
 */
import { fieldValueText } from '../fields/render.js';
import type { SampleRow, TableColumn } from '../view/table.js';
import { isTextSearchable } from './table-widget.js';

export function findRow(rows: readonly SampleRow[], columns: readonly TableColumn[], text: string, from = 0): number {
  if (text === '') return -1;
  const searchable = columns.map((c) => isTextSearchable(c.type));
  const n = rows.length;
  for (let k = 0; k < n; k++) {
    const i = (from + k) % n;
    const r = rows[i]!;
    for (let j = 0; j < columns.length; j++) {
      if (searchable[j] && fieldValueText(columns[j]!.extractor.info, r.values[j]!).includes(text)) return i;
    }
  }
  return -1;
}
