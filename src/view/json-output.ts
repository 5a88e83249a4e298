/**
 * --json: one JSON document per sample, on one line: the view, its columns,
 * the interval, and every row with raw numbers and the text csysdig shows.
 *
 * Each row carries its cells twice: `cells`, in the order of `columns`
 * (value, raw, text), and `byColumn`, an object keyed by column name holding
 * what the cell shows (the number for numeric cells, the text otherwise), so
 * `jq '.rows[].byColumn.Command'` selects by name. A name used by two columns
 * keys the later ones by their field (`fd.name`). The format against
 * csysdig's is in docs/compat.md.
 */
import { fieldValueText } from '../fields/render.js';
import { cellNumber, cellText } from './cell-text.js';
import type { Sample } from './table.js';
import type { SampleInfo } from './view-runner.js';
import type { ViewDef } from './view-def.js';

export interface JsonCell {
  /** The number after averaging / rate division (absent for text cells). */
  value?: number;
  /** The aggregated value before division (absent for text cells). */
  raw?: number;
  text: string;
}

/** The key each column has in a row's `byColumn`: its name, or its field when an earlier column has that name. */
export function byColumnKeys(names: readonly { name: string; field: string }[]): string[] {
  const seen = new Set<string>();
  return names.map(({ name, field }) => {
    const k = seen.has(name) ? field : name;
    seen.add(k);
    return k;
  });
}

export function sampleToJson(view: ViewDef, sample: Sample, info: SampleInfo, grouping: boolean, extra: Record<string, unknown> = {}): string {
  const cols = sample.columns;
  const names = byColumnKeys(cols.map((c) => ({ name: c.column.name, field: c.extractor.info.name })));
  const totals: Record<string, number> = {};
  const rows = sample.rows.map((r) => {
    const cells: JsonCell[] = cols.map((c, j) => {
      const v = r.values[j]!;
      const text = cellText(c, v, r.counts[j]!, info.timeDeltaNs, grouping).trim();
      if (typeof v !== 'number' || Number.isNaN(cellNumber(c, v, r.counts[j]!, info.timeDeltaNs, grouping))) return { text };
      const value = cellNumber(c, v, r.counts[j]!, info.timeDeltaNs, grouping);
      const agg = grouping ? c.groupbyAggregation : c.aggregation;
      if (agg === 'SUM' || agg === 'TIME_AVG' || c.aggregation === 'TIME_AVG') totals[c.column.name] = (totals[c.column.name] ?? 0) + value;
      return { value, raw: v, text };
    });
    const byColumn: Record<string, number | string> = {};
    cells.forEach((c, j) => (byColumn[names[j]!] = c.value ?? c.text));
    return { key: r.key, keyText: fieldValueText(sample.keyColumn.extractor.info, r.key), cells, byColumn };
  });
  return JSON.stringify({
    view: view.id,
    final: info.final,
    interval: { startNs: info.startNs, endNs: info.endNs, durationNs: info.timeDeltaNs },
    events: info.events,
    key: { name: sample.keyColumn.column.name, field: sample.keyColumn.extractor.info.name },
    columns: cols.map((c) => ({ name: c.column.name, field: c.extractor.info.name, aggregation: grouping ? c.groupbyAggregation : c.aggregation })),
    rows,
    totals: { rows: rows.length, ...totals },
    ...extra,
  });
}
