/**
 * Comparing a tsysdig table with csysdig's `--raw` output (the references in
 * test/golden/): the last table of the output, and row equality up to the
 * order of rows whose sorting value ties (csysdig sorts with an unstable sort).
 */
import { expect } from 'vitest';
import { cellNumber } from '../../src/view/cell-text.js';
import { rawTableLines, RAW_SEPARATOR } from '../../src/view/raw-output.js';
import type { Sample } from '../../src/view/table.js';

/** The rows of the last table in a `--raw` output. */
export function lastRawTable(text: string): string[] {
  const lines = text.split('\n');
  const seps = lines.flatMap((l, i) => (l === RAW_SEPARATOR ? [i] : []));
  expect(seps.length).toBeGreaterThanOrEqual(2);
  return lines.slice(seps[seps.length - 2]! + 1, seps[seps.length - 1]);
}

/** A final sample as `--raw` rows, and each row's sorting value (what ties are judged by). */
export function rawRows(sample: Sample, timeDeltaNs: number, grouping: boolean): { lines: string[]; sortKeys: string[] } {
  const lines = rawTableLines(sample, timeDeltaNs, grouping).slice(0, -1);
  const i = sample.sortColumn;
  const col = sample.columns[i]!;
  const sortKeys = sample.rows.map((r) => {
    const v = r.values[i]!;
    return typeof v === 'number' ? String(cellNumber(col, v, r.counts[i]!, timeDeltaNs, grouping)) : v;
  });
  return { lines, sortKeys };
}

/** Same rows, in the same order up to permutations inside runs of equal sorting value. */
export function expectSameRawTable(got: { lines: string[]; sortKeys: string[] }, want: string[]): void {
  const { lines, sortKeys } = got;
  expect([...lines].sort()).toEqual([...want].sort());
  let start = 0;
  for (let k = 1; k <= lines.length; k++) {
    if (k === lines.length || sortKeys[k] !== sortKeys[start]) {
      expect(new Set(lines.slice(start, k))).toEqual(new Set(want.slice(start, k)));
      start = k;
    }
  }
}
