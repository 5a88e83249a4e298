/**
 * The current falcosecurity/rules files (test/fixtures/falco-rules/, commit
 * c72713e): stable, incubating and sandbox validate with zero errors, every
 * rule compiles (none skipped for an unknown field), and the stable and
 * incubating rules run over every fixture capture without error.
 *
 * Many of these rules use fields and operators added by the filter-language
 * work (proc.aexe, thread.cap_*, fd.nameraw, bcontains, ...): this passes
 * once that work is merged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RulesLoader } from '../../src/rules/rules-loader.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';

const DIR = join(FIXTURES, 'falco-rules');
const FILES = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'];

describe('falcosecurity/rules', () => {
  for (const f of FILES) {
    it(`${f} validates with zero errors and every rule compiled`, () => {
      const r = runCli(['--validate', join(DIR, f), '--json']);
      const res = JSON.parse(r.stdout.split('\n')[0]!).falco_load_results[0];
      expect(res.errors.map((e: { message: string }) => e.message)).toEqual([]);
      expect(res.successful).toBe(true);
      expect(res.warnings.filter((w: { code: string }) => w.code === 'LOAD_UNKNOWN_FIELD')).toEqual([]);
      expect(r.status).toBe(0);
      const loader = new RulesLoader();
      loader.load(join(DIR, f));
      const defined = (readFileSync(join(DIR, f), 'utf8').match(/^- rule: /gm) ?? []).length;
      expect(loader.rules).toHaveLength(defined);
    });
  }

  const captures = readdirSync(FIXTURES).filter((f) => f.endsWith('.scap'));
  for (const c of captures) {
    it(`stable + incubating rules run over ${c} without error`, () => {
      const r = runCli(['--alerts', '--json', '--rules', join(DIR, FILES[0]!), '--rules', join(DIR, FILES[1]!), '-r', join(FIXTURES, c)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      for (const line of r.stdout.split('\n').filter((l) => l !== '')) expect(JSON.parse(line).source).toBe('syscall');
    });
  }
});
