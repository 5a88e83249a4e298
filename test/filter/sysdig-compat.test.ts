/**
 * Same filters, same events, same answers as sysdig 0.29.3.
 *
 * fixtures/sysdig-cases.json holds the field values sysdig extracts for
 * every event of three captures and, per filter, how many events
 * `sysdig -r CAPTURE FILTER` printed (regenerate with
 * fixtures/make-sysdig-cases.mjs). Here the fake registry serves those
 * values and our compiler must keep the same number of events.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilter, type FieldValue } from '../../src/filter/index.js';
import { resolver, type Row } from './fake-fields.js';

interface Cases {
  sysdig: string;
  fields: [key: string, format: string, kind: string][];
  captures: Record<string, (FieldValue | null)[][]>;
  cases: { capture: string; filter: string; count: number }[];
}

const data = JSON.parse(readFileSync(new URL('./fixtures/sysdig-cases.json', import.meta.url), 'utf8')) as Cases;

const rowsByCapture = new Map<string, Row[]>();
for (const [capture, rows] of Object.entries(data.captures)) {
  rowsByCapture.set(
    capture,
    rows.map((values) => {
      const row: Record<string, FieldValue | undefined> = {};
      data.fields.forEach(([key], i) => {
        row[key] = values[i] ?? undefined;
      });
      return row;
    }),
  );
}

/** Where we deliberately differ from 0.29.3 (see docs/filters.md). */
const DEVIATIONS: Record<string, string> = {
  // sysdig 0.29 reads `==` as `=` followed by the value "=cat"; we read it as `=`, like later sysdig.
  'proc.name==cat': 'all 85 events, sysdig: none',
};

describe(`agrees with ${data.sysdig}`, () => {
  it('has the captures', () => {
    expect(rowsByCapture.get('falco_cat_write')).toHaveLength(85);
  });

  it.each(data.cases.map((c) => [c.capture, c.filter, c.count] as const))('%s: %s -> %i events', (capture, filter, count) => {
    const f = compileFilter(filter, resolver);
    const rows = rowsByCapture.get(capture)!;
    const kept = rows.filter((r) => f.test(r)).length;
    if (filter in DEVIATIONS) expect(kept).not.toBe(count);
    else expect(kept).toBe(count);
  });
});
