/**
 * Text of one table cell, as csysdig's tostring_nice renders it: numeric
 * cells scaled and right-aligned (rates divided by the sample's duration for
 * TIME_AVG columns, averages by their count), durations humanised, other
 * values in their field's own text form.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import { fieldValueText } from '../fields/render.js';
import { formatBytes, formatDouble2, formatDuration, formatIntId } from './cell-format.js';
import { isIntegerType, type CellValue, type TableColumn } from './table.js';

/** Default numeric cell width in raw output (csysdig prints with width 10). */
export const RAW_CELL_WIDTH = 10;

/**
 * The divisor sysdig applies to a cell: the sample duration in seconds for
 * TIME_AVG columns, else the value's own count (averages).
 */
export function cellDivisor(col: TableColumn, count: number, timeDeltaNs: number, grouping: boolean): number {
  const timeAvg = col.aggregation === 'TIME_AVG' || (grouping && col.groupbyAggregation === 'TIME_AVG');
  return timeAvg && timeDeltaNs !== 0 ? timeDeltaNs / 1e9 : count;
}

/** The numeric value a cell shows (after the average / rate division), for JSON and sorting displays. */
export function cellNumber(col: TableColumn, value: CellValue, count: number, timeDeltaNs: number, grouping: boolean): number {
  if (typeof value !== 'number') return NaN;
  const cnt = cellDivisor(col, count, timeDeltaNs, grouping);
  if (isIntegerType(col.type)) {
    if (col.printFormat === PrintFormat.ID || cnt === 1 || cnt === 0) return cnt > 1 ? Math.trunc(value / Math.trunc(cnt)) : value;
    return cnt > 1 ? value / cnt : value;
  }
  return cnt > 1 ? value / cnt : value;
}

export function cellText(col: TableColumn, value: CellValue, count: number, timeDeltaNs: number, grouping: boolean, width = RAW_CELL_WIDTH): string {
  const cnt = cellDivisor(col, count, timeDeltaNs, grouping);
  const t = col.type;
  if (isIntegerType(t) && typeof value === 'number') {
    if (col.printFormat === PrintFormat.ID || cnt === 1 || cnt === 0) {
      let v = Math.trunc(value);
      if (cnt > 1) v = Math.trunc(v / Math.trunc(cnt));
      return col.printFormat === PrintFormat.ID ? formatIntId(v, width) : formatBytes(v, width, true);
    }
    // (PF_ID values always take the integer path above, so this is sysdig's print_double without PF_ID.)
    let d = value;
    if (cnt > 1) d /= cnt;
    return formatBytes(d, width, false);
  }
  if (t === ParamType.RELTIME && typeof value === 'number') {
    let d = value;
    if (cnt > 1) d /= cnt;
    return formatDuration(d, width);
  }
  if (t === ParamType.DOUBLE && typeof value === 'number') {
    let d = value;
    if (cnt > 1) d /= cnt;
    return formatDouble2(d, width);
  }
  return fieldValueText(col.extractor.info, value);
}
