/**
 * csysdig's --raw text: every row's cells (numbers right-aligned in 10
 * characters, text as is) each followed by a space, one row per line, and a
 * line of dashes after each table. Control characters in a cell print as
 * '.', as the UI shows them, so a row is always one line (csysdig prints a
 * newline in a process name as is, splitting the row: docs/compat.md).
 */
import { escapeControls } from '../format/control-text.js';
import { cellText } from './cell-text.js';
import type { Sample } from './table.js';

export const RAW_SEPARATOR = '----------------------';

export function rawTableLines(sample: Sample, timeDeltaNs: number, grouping: boolean): string[] {
  const lines: string[] = [];
  const cols = sample.columns;
  for (const row of sample.rows) {
    let s = '';
    for (let j = 0; j < cols.length; j++) s += escapeControls(cellText(cols[j]!, row.values[j]!, row.counts[j]!, timeDeltaNs, grouping)) + ' ';
    lines.push(s);
  }
  lines.push(RAW_SEPARATOR);
  return lines;
}
