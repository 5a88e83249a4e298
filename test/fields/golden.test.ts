/**
 * Every field in test/golden/fields/FIELDS, on every event of every fixture,
 * prints what sysdig 0.29.3 prints (`sysdig -D -r FIXTURE -p "%evt.num %FIELD"`),
 * and every filter in FILTERS accepts the events sysdig accepts, except for
 * the documented deviations (deviations.ts, docs/compat.md "Fields").
 * Regenerate the goldens with scripts/make-field-goldens.sh.
 */
import { describe, expect, it } from 'vitest';
import { fixtureNames } from '../helpers/fixtures.js';
import { DEVIATIONS, FILTER_DEVIATIONS } from './deviations.js';
import { runFixture } from './golden-harness.js';

describe('fields match sysdig 0.29.3 on every fixture', () => {
  for (const name of fixtureNames()) {
    it(name, async () => {
      const run = await runFixture(name, DEVIATIONS, undefined, FILTER_DEVIATIONS);
      expect(run.compared).toBeGreaterThan(0);
      expect([...run.errors]).toEqual([]);
      expect(run.mismatches.map((m) => `${m.field} #${m.num}: sysdig=${JSON.stringify(m.sysdig)} ours=${JSON.stringify(m.ours)}`)).toEqual([]);
      expect([...run.filterMismatches].map(([f, d]) => `${f}: missing ${d.missing.join(',')} extra ${d.extra.join(',')}`)).toEqual([]);
    });
  }
});
