/**
 * `tsysdig --alerts` and `--validate` as a user runs them: Falco's alert
 * lines on real captures, the selection and matching options, the filter
 * argument and -n, and bad rules files giving one clear line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-rules-'));
const CAT = fixturePath('falco_cat_write');
const ENV = { FALCO_HOSTNAME: 'test-host' };

function rulesFile(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const OPEN_RULE = rulesFile(
  'open.yaml',
  `- list: cat_binaries
  items: [cat]
- macro: is_cat
  condition: proc.name in (cat_binaries)
- rule: open_from_cat
  desc: A process named cat does an open
  condition: evt.type=open and is_cat
  output: "An open was seen (command=%proc.cmdline fd=%fd.name cport=%fd.cport %container.info)"
  priority: WARNING
  tags: [testing, filesystem]
- rule: any_from_cat
  desc: anything cat does
  condition: is_cat and evt.dir=<
  output: "cat did %evt.type"
  priority: INFO
`,
);

/** The eight open events of cat in falco_cat_write.scap (enter and exit), as sysdig -r shows them. */
const OPEN_TIMES = ['16:17:57.881781397', '16:17:57.881785348', '16:17:57.881796705', '16:17:57.881799840', '16:17:57.882003104', '16:17:57.882008208', '16:17:57.882045694', '16:17:57.882054739'];

function expectOneLineError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^tsysdig: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('--alerts text lines', () => {
  it("prints Falco's line per matching event, first match in load order", () => {
    const r = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT], { env: ENV });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const opens = lines.filter((l) => l.includes('An open was seen'));
    expect(opens.map((l) => l.slice(0, 18))).toEqual(OPEN_TIMES);
    expect(opens[0]).toBe('16:17:57.881781397: Warning An open was seen (command=cat /dev/null fd=<NA> cport=<NA> host (id=host))');
    expect(opens[7]).toBe('16:17:57.882054739: Warning An open was seen (command=cat /dev/null fd=/dev/null cport=<NA> host (id=host))');
    // an open exit matches both rules: only the first (in load order) alerts
    expect(lines.filter((l) => l.includes('cat did open'))).toEqual([]);
    expect(lines.some((l) => /^\d\d:\d\d:\d\d\.\d{9}: Informational cat did close$/.test(l))).toBe(true);
  });

  it('--rule-matching all alerts for every matching rule', () => {
    const first = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT], { env: ENV }).stdout.trim().split('\n');
    const all = runCli(['--alerts', '--rules', OPEN_RULE, '--rule-matching', 'all', '-r', CAT], { env: ENV }).stdout.trim().split('\n');
    expect(all.filter((l) => l.includes('cat did open'))).toHaveLength(4);
    expect(all.length).toBe(first.length + 4);
  });

  it('the filter argument restricts the events the rules see; -n stops early', () => {
    const r = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, 'evt.dir=<'], { env: ENV });
    expect(r.stdout.split('\n').filter((l) => l.includes('An open was seen'))).toHaveLength(4);
    const n = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '-n', '145'], { env: ENV });
    expect(n.stdout.split('\n').filter((l) => l.includes('An open was seen'))).toHaveLength(2);
  });

  it('--min-priority, -D, -T and -t select rules as Falco does', () => {
    const warn = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '--min-priority', 'warning'], { env: ENV }).stdout;
    expect(warn).not.toMatch(/Informational/);
    expect(warn).toMatch(/Warning An open/);
    expect(runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '-D', 'open_from'], { env: ENV }).stdout).not.toMatch(/An open/);
    expect(runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '-T', 'testing'], { env: ENV }).stdout).not.toMatch(/An open/);
    const t = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '-t', 'filesystem'], { env: ENV }).stdout;
    expect(t).toMatch(/An open/);
    expect(t).not.toMatch(/cat did/);
    const both = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '-D', 'x', '-t', 'y'], { env: ENV });
    expectOneLineError(both, /You can not specify both disabled \(-D\/-T\) and enabled \(-t\) rules/);
  });

  it('-pc replaces %container.info with the container fields, as Falco does', () => {
    const r = runCli(['--alerts', '--rules', OPEN_RULE, '-r', CAT, '-pc', '--min-priority', 'warning'], { env: ENV });
    expect(r.stdout.trim().split('\n')[0]).toBe('16:17:57.881781397: Warning An open was seen (command=cat /dev/null fd=<NA> cport=<NA> container=host (id=host))');
  });
});

describe('--alerts --json', () => {
  it("prints Falco's JSON objects, keys in order, output_fields typed, null when missing", () => {
    const r = runCli(['--alerts', '--json', '--rules', OPEN_RULE, '-r', CAT, '--min-priority', 'warning'], { env: ENV });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    const last = JSON.parse(lines[7]!);
    expect(Object.keys(last)).toEqual(['time', 'priority', 'rule', 'output', 'output_fields', 'tags', 'source', 'hostname']);
    expect(last.time).toBe('2016-08-04T16:17:57.882054739Z');
    expect(last.priority).toBe('Warning');
    expect(last.tags).toEqual(['filesystem', 'testing']);
    expect(last.hostname).toBe('test-host');
    expect(last.source).toBe('syscall');
    expect(last.output_fields['fd.name']).toBe('/dev/null');
    expect(last.output_fields['fd.cport']).toBeNull();
    expect(last.output_fields['container.id']).toBe('host');
    // the event time in ns, exactly (beyond 2^53)
    expect(lines[7]).toContain('"evt.time":1470327477882054739');
  });
});

describe('--validate', () => {
  it("prints Falco's load results and exits 1 when a file is invalid", () => {
    const bad = rulesFile('unknown-macro.yaml', '- rule: r\n  desc: d\n  condition: evt.type=open and nosuchmacro\n  output: o\n  priority: INFO\n');
    const r = runCli(['--validate', OPEN_RULE, '--validate', bad, '--json']);
    expect(r.status).toBe(1);
    const res = JSON.parse(r.stdout.split('\n')[0]!).falco_load_results;
    expect(res.map((x: { successful: boolean }) => x.successful)).toEqual([true, false]);
    expect(res[1].errors[0].code).toBe('LOAD_ERR_VALIDATE');
    expect(res[1].errors[0].message).toBe("Undefined macro 'nosuchmacro' used in filter.");
    expect(res[1].errors[0].context.locations.map((l: { item_type: string; item_name: string }) => [l.item_type, l.item_name])).toEqual([
      ['rules content', ''],
      ['rule', 'r'],
    ]);
    // any_from_cat can match every event type: Falco's LOAD_NO_EVTTYPE warning
    expect(res[0].warnings.map((w: { code: string; context: { locations: { item_name: string }[] } }) => [w.code, w.context.locations[1]!.item_name])).toEqual([['LOAD_NO_EVTTYPE', 'any_from_cat']]);
    const ok = runCli(['--validate', OPEN_RULE]);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(`${OPEN_RULE}: Ok, with warnings`);
  });
});

describe('bad rules files: one line, non-zero exit, no stack trace, before any capture', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed YAML', 'this : is : not : yaml\n', /LOAD_ERR_YAML_PARSE: yaml-cpp: error at line 1, column 11: illegal map value/],
    ['an unknown field', '- rule: r\n  desc: d\n  condition: proc.nosuchfield = 1\n  output: o\n  priority: INFO\n', /LOAD_ERR_COMPILE_CONDITION: filter_check called with nonexistent field proc.nosuchfield \(in rule 'r'/],
    ['an unknown macro', '- rule: r\n  desc: d\n  condition: spawned_process\n  output: o\n  priority: INFO\n', /Undefined macro 'spawned_process' used in filter/],
    ['a loop between macros', '- macro: a\n  condition: evt.type=open\n- macro: b\n  condition: a\n- macro: a\n  condition: b\n- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n', /reference loop in macro/],
    ['a wrong type', '- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n  enabled: maybe\n', /LOAD_ERR_YAML_VALIDATE: Can't decode YAML scalar value/],
    ['a list that is not a sequence', '- list: l\n  items: 3\n', /Value is not a sequence \(in list 'l'/],
    ['a bad priority', '- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n', /Invalid priority/],
    ['an unknown output field', '- rule: r\n  desc: d\n  condition: evt.type=open\n  output: x %nosuch.field\n  priority: INFO\n', /LOAD_ERR_COMPILE_OUTPUT: invalid formatting token nosuch.field/],
    ['an unmet plugin requirement', '- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n', /Rules require plugin 'k8saudit' version 0.1.0, which tsysdig does not provide/],
  ];
  for (const [what, text, msg] of cases) {
    it(what, () => {
      const f = rulesFile(`bad-${what.replace(/\W+/g, '-')}.yaml`, text);
      const r = runCli(['--alerts', '--rules', f, '-r', CAT]);
      expectOneLineError(r, msg);
      expect(r.stdout).toBe('');
    });
  }

  it('a missing rules file or directory', () => {
    expectOneLineError(runCli(['--alerts', '--rules', join(tmp, 'nope.yaml'), '-r', CAT]), /nope\.yaml: no such file or directory/);
  });

  it('a 10 MB rules file', () => {
    // 10 MB of one long (valid YAML) list, then a rule using an undefined macro
    const items = Array.from({ length: 1_200_000 }, (_, i) => `i${i}`).join(', ');
    const text = `- list: big\n  items: [${items}]\n- rule: r\n  desc: d\n  condition: evt.type=open and undefined_macro\n  output: o\n  priority: INFO\n`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const f = rulesFile('big.yaml', text);
    const r = runCli(['--alerts', '--rules', f, '-r', CAT], { timeoutMs: 120_000 });
    expectOneLineError(r, /Undefined macro 'undefined_macro' used in filter/);
  }, 150_000);
});
