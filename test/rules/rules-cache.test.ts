/**
 * The cached parse of rules files (src/rules/rules-yaml.ts): a run that reads
 * the cache loads exactly what a run that parses the YAML loads (results,
 * warnings and their locations, alerts), a file that changes is parsed again,
 * and a damaged cache is ignored and rewritten.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, fixturePath } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-rules-cache-'));
const STABLE = join(FIXTURES, 'falco-rules', 'falco_rules.yaml');
const CAT = fixturePath('falco_cat_write');
const ENV = { FALCO_HOSTNAME: 'test-host' };

/** A run with its own cache directory. */
function run(cacheHome: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runCli(args, { env: { ...ENV, XDG_CACHE_HOME: cacheHome } });
}

const cacheFiles = (home: string): string[] => readdirSync(join(home, 'tsysdig', 'rules-v1')).map((f) => join(home, 'tsysdig', 'rules-v1', f));

// Scalars of every kind the reader turns into text (numbers as written, yes/no booleans, a null), an override, an unknown item (a warning with a location).
const MIXED = `- required_engine_version: 0.26.0
- list: ports
  items: [80, 8080, 1.0]
- macro: is_cat
  condition: proc.name = cat
- rule: cat_opens
  desc: cat opens something
  condition: evt.type = open and is_cat
  output: "cat opened %fd.name"
  priority: WARNING
  enabled: yes
  tags: [a, 2]
- rule: cat_opens
  condition: and fd.name exists
  override:
    condition: append
- weird: item
- rule: never
  desc: off
  condition: evt.type = open and proc.name in (ports)
  output: x
  priority: INFO
  enabled: no
`;

describe('rules parse cache', () => {
  it('a cached load is the same load: --validate results and alerts, stable rules and a file with every kind of scalar', () => {
    const mixed = join(tmp, 'mixed.yaml');
    writeFileSync(mixed, MIXED);
    const home = join(tmp, 'home-same');
    for (const args of [
      ['--validate', STABLE, '--validate', mixed, '--json'],
      ['--validate', mixed],
      ['--alerts', '--rules', mixed, '-r', CAT],
    ]) {
      const cold = run(home, args);
      const warm = run(home, args);
      expect(warm).toEqual(cold);
      expect(cold.status).toBe(0);
    }
    expect(run(home, ['--alerts', '--rules', mixed, '-r', CAT]).stdout).toMatch(/Warning cat opened /);
    // the warning's location comes from the cached offsets and line starts: item 7 starts on line 16 (0-based)
    expect(run(home, ['--validate', mixed, '--json']).stdout).toMatch(/"code":"LOAD_UNKNOWN_ITEM".*"item_type":"rules content item","item_name":"","position":\{"name":"[^"]*mixed\.yaml","line":16,"column":2,/);
    // one cache file per rules file, private
    const files = cacheFiles(home);
    expect(files).toHaveLength(2);
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('a changed file is parsed again, not read from its stale cache', () => {
    const f = join(tmp, 'changing.yaml');
    const home = join(tmp, 'home-change');
    const rule = (prio: string): string => `- rule: r\n  desc: d\n  condition: evt.type = open and proc.name = cat\n  output: "opened %fd.name"\n  priority: ${prio}\n`;
    writeFileSync(f, rule('WARNING'));
    expect(run(home, ['--alerts', '--rules', f, '-r', CAT]).stdout).toMatch(/: Warning opened /);
    writeFileSync(f, rule('CRITICAL'));
    const r = run(home, ['--alerts', '--rules', f, '-r', CAT]);
    expect(r.stdout).toMatch(/: Critical opened /);
    expect(r.stdout).not.toMatch(/Warning/);
    // a syntax error after a good parse is reported, not hidden by the cache
    writeFileSync(f, '- rule: [unclosed\n');
    const bad = run(home, ['--validate', f]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/LOAD_ERR_YAML_PARSE/);
  });

  it('a damaged cache is ignored and rewritten', () => {
    const mixed = join(tmp, 'mixed2.yaml');
    writeFileSync(mixed, MIXED);
    const home = join(tmp, 'home-damage');
    const want = run(home, ['--validate', mixed, '--json']);
    const [file] = cacheFiles(home);
    const good = readFileSync(file!, 'utf8');
    const parsed = JSON.parse(good) as { text: string; docs: unknown[] };
    for (const damage of ['{"broken', '[]', 'null', JSON.stringify({ ...parsed, docs: [['x', 0]] }), JSON.stringify({ ...parsed, docs: [['q', 'no']] }), JSON.stringify({ ...parsed, lineStarts: ['a'] })]) {
      writeFileSync(file!, damage);
      expect(run(home, ['--validate', mixed, '--json'])).toEqual(want);
      expect(readFileSync(file!, 'utf8')).toBe(good);
    }
  });
});
