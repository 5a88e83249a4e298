/**
 * Falco's own regression suite (falco_tests.yaml + falco_tests_exceptions.yaml
 * of Falco 0.35, as data in test/fixtures/falco-regression/), run by its
 * runner against `node bin/tsysdig.js` on the fixture captures: every case
 * the tsysdig command line can express must pass (117 of 123; the other 6
 * need a falco.yaml output config, gRPC, json_include_* switches, or a
 * capture Falco downloads, and the runner itself skips them).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT } from '../helpers/fixtures.js';

describe("Falco's regression suite", () => {
  it('every representable case passes', () => {
    const r = spawnSync('python3', [join(FIXTURES, 'falco-regression', 'run-cases.py'), '--tsysdig', `${process.execPath} ${join(ROOT, 'bin', 'tsysdig.js')}`, '--shared', FIXTURES, '-j', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    const failures = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(failures).toEqual([]);
    expect(r.stdout).toMatch(/^6 cases not representable with the tsysdig CLI \(skipped\)$/m);
    expect(r.stdout).toMatch(/^117 passed, 0 failed$/m);
    expect(r.status).toBe(0);
  }, 600_000);
});
