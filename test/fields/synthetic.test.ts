/**
 * The synthetic capture (IPv4 sockets, docker and Kubernetes containers, *at()
 * paths …) against sysdig 0.29.3, as golden.test.ts does for the real
 * fixtures. The checked-in .scap must be what synthetic-capture.ts builds;
 * after changing the builder, rebuild it with
 *   UPDATE_SYNTHETIC=1 npx vitest run test/fields/synthetic.test.ts
 * and regenerate the goldens with scripts/make-field-goldens.sh.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVIATIONS, FILTER_DEVIATIONS } from './deviations.js';
import { runFixture, SYNTHETIC_DIR } from './golden-harness.js';
import { buildSyntheticCapture } from './synthetic-capture.js';

const NAME = 'fields-synthetic';
const CAPTURE = join(SYNTHETIC_DIR, `${NAME}.scap`);

describe('synthetic capture', () => {
  it('is what synthetic-capture.ts builds', () => {
    const built = buildSyntheticCapture();
    if (process.env.UPDATE_SYNTHETIC === '1') {
      mkdirSync(SYNTHETIC_DIR, { recursive: true });
      writeFileSync(CAPTURE, built);
    }
    expect(existsSync(CAPTURE)).toBe(true);
    expect(readFileSync(CAPTURE).equals(built)).toBe(true);
  });

  it('fields and filters match sysdig 0.29.3', async () => {
    const run = await runFixture(NAME, DEVIATIONS, { capture: CAPTURE, goldenDir: SYNTHETIC_DIR }, FILTER_DEVIATIONS);
    expect(run.compared).toBeGreaterThan(50);
    expect([...run.errors]).toEqual([]);
    expect(run.mismatches.map((m) => `${m.field} #${m.num}: sysdig=${JSON.stringify(m.sysdig)} ours=${JSON.stringify(m.ours)}`)).toEqual([]);
    expect([...run.filterMismatches].map(([f, d]) => `${f}: missing ${d.missing.join(',')} extra ${d.extra.join(',')}`)).toEqual([]);
  });
});
