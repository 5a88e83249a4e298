/**
 * Output configuration as Falco reads it: a falco.yaml subset with -o
 * overrides becomes the typed object producers read; Falco's own
 * falco.yaml loads; an unknown key or a bad value is one line naming the
 * file and line (or the -o option) and the key, exit 2 from the CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultOutputConfig, loadOutputConfig } from '../../src/output/index.js';
import { outputConfigFromOptions } from '../../src/output/cli-config.js';
import { hasOutputOptions, parseArgs, UsageError } from '../../src/cli/args.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, fixturePath } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-config-'));
function yamlFile(name: string, text: string): string {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
}

const SUBSET = `# outputs of a node agent
priority: warning
rule_matching: all
json_output: false
json_include_output_property: false
json_include_tags_property: true
output_timeout: 1500
outputs_queue:
  capacity: 500
stdout_output:
  enabled: false
file_output:
  enabled: true
  keep_alive: true
  filename: /var/log/tsysdig/alerts.json
syslog_output:
  enabled: true
program_output:
  enabled: true
  keep_alive: false
  program: "jq '{text: .output}' | logger"
http_output:
  enabled: true
  url: "http://falcosidekick:2801/"
  user_agent: falcosecurity/falco
  headers:
    X-P-Stream: tsysdig
    X-Scope-OrgID: 42
  basic_auth:
    username: admin
    password: secret
  batch:
    enabled: true
    max_lines: 200
grpc:
  enabled: false
`;

describe('output configuration', () => {
  it('reads a falco.yaml subset and applies -o overrides (dotted keys) into the typed object', () => {
    const f = yamlFile('falco.yaml', SUBSET);
    const warnings: string[] = [];
    const cfg = loadOutputConfig(
      { file: f, overrides: ['http_output.url=http://127.0.0.1:8080/', 'json_output=true', 'syslog_output.socket=/run/test/log', 'http_output.batch.max_wait_ms=250', 'stdout_output.enabled=True'] },
      {},
      (w) => warnings.push(w),
    );
    expect(cfg).toEqual({
      source: f,
      jsonOutput: true,
      jsonIncludeOutputProperty: false,
      jsonIncludeTagsProperty: true,
      priority: 4,
      ruleMatching: 'all',
      timeFormatIso8601: false,
      outputTimeoutMs: 1500,
      queueCapacity: 500,
      stdout: { enabled: true },
      file: { enabled: true, filename: '/var/log/tsysdig/alerts.json', keepAlive: true, maxSizeMb: 0, maxBackups: 0 },
      syslog: { enabled: true, socket: '/run/test/log', tag: 'tsysdig' },
      program: { enabled: true, program: "jq '{text: .output}' | logger", keepAlive: false },
      http: {
        enabled: true,
        url: 'http://127.0.0.1:8080/',
        userAgent: 'falcosecurity/falco',
        headers: { 'X-P-Stream': 'tsysdig', 'X-Scope-OrgID': '42' },
        basicAuth: { username: 'admin', password: 'secret' },
        batch: { maxLines: 200, maxWaitMs: 250 },
        insecure: false,
        caCert: null,
      },
      capture: { enabled: null, pathPrefix: '/tmp/falco', mode: 'rules', defaultDurationMs: null },
    });
    expect(warnings).toEqual([`${f}: Falco settings tsysdig does not use: grpc`]);
  });

  it('without -c: stdout only, Falco defaults; the flags come last (--json, --output-file and its rotation)', () => {
    expect(loadOutputConfig({ file: null, overrides: [] })).toEqual(defaultOutputConfig());
    const cfg = loadOutputConfig({ file: null, overrides: ['priority=info'] }, { json: true, outputFile: '/tmp/x.log', outputMaxMb: 1, outputKeep: 3 });
    expect(cfg.priority).toBe(6);
    expect(cfg.jsonOutput).toBe(true);
    expect(cfg.file).toEqual({ enabled: true, filename: '/tmp/x.log', keepAlive: true, maxSizeMb: 1, maxBackups: 3 });
    expect(loadOutputConfig({ file: null, overrides: [] }, { outputFile: '/tmp/y.log' }).file).toMatchObject({ maxSizeMb: 10, maxBackups: 5 });
  });

  it('the command line: -c, repeated -o, --json and the --output-* flags, in that order of precedence', () => {
    const f = yamlFile('cli.yaml', 'json_output: false\nfile_output:\n  enabled: true\n  filename: /tmp/from-file.log\n');
    const opts = parseArgs(['--events', '-c', f, '-o', 'priority=error', '-ohttp_output.headers.X-A=1', '--json', '--output-file', '/tmp/t.log', '--output-max-mb=1', '--output-keep', '2']);
    expect(opts).toMatchObject({ configFile: f, configOverrides: ['priority=error', 'http_output.headers.X-A=1'], outputFile: '/tmp/t.log', outputMaxMb: 1, outputKeep: 2 });
    expect(hasOutputOptions(opts)).toBe(true);
    expect(hasOutputOptions(parseArgs(['--events']))).toBe(false);
    const cfg = outputConfigFromOptions(opts);
    expect(cfg).toMatchObject({ jsonOutput: true, priority: 3, file: { enabled: true, filename: '/tmp/t.log', keepAlive: true, maxSizeMb: 1, maxBackups: 2 } });
    expect(cfg.http.headers).toEqual({ 'X-A': '1' });
    expect(() => parseArgs(['--output-keep', '1.5'])).toThrow(UsageError);
    expect(() => outputConfigFromOptions(parseArgs(['--output-max-mb', '3']))).toThrow('--output-max-mb and --output-keep need --output-file');
  });

  it("reads Falco 0.42's capture: section (captures around alerts)", () => {
    const f = join(tmp, 'capture.yaml');
    writeFileSync(f, 'capture:\n  enabled: true\n  path_prefix: /var/tmp/alerts\n  mode: all_rules\n  default_duration: 2500\n');
    expect(loadOutputConfig({ file: f, overrides: [] }).capture).toEqual({ enabled: true, pathPrefix: '/var/tmp/alerts', mode: 'all_rules', defaultDurationMs: 2500 });
    expect(loadOutputConfig({ file: f, overrides: ['capture.enabled=false'] }).capture.enabled).toBe(false);
    expect(() => loadOutputConfig({ file: null, overrides: ['capture.mode=every'] })).toThrow(/capture\.mode: expected 'rules' or 'all_rules', got "every"/);
    expect(() => loadOutputConfig({ file: null, overrides: ['capture.path_prefix='] })).toThrow(/capture\.path_prefix/);
  });

  it("loads Falco 0.35.1's own falco.yaml, listing the settings it does not use in one warning", () => {
    const warnings: string[] = [];
    const cfg = loadOutputConfig({ file: join(FIXTURES, 'falco-0.35.1.yaml'), overrides: [] }, {}, (w) => warnings.push(w));
    expect(cfg.stdout.enabled).toBe(true);
    expect(cfg.syslog.enabled).toBe(true);
    expect(cfg.file).toMatchObject({ enabled: false, filename: './events.txt' });
    expect(cfg.http).toMatchObject({ enabled: false, userAgent: 'falcosecurity/falco' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Falco settings tsysdig does not use: rules_file, load_plugins, plugins, .*grpc, webserver/);
  });

  const bad: [string, string, string[], RegExp][] = [
    ['unknown top-level key', 'stdout_output:\n  enabled: true\nhttp_outptu:\n  url: x\n', [], /^F:3: unknown key 'http_outptu'$/],
    ['unknown nested key', 'http_output:\n  enabled: true\n  ur: http://x/\n', [], /^F:3: unknown key 'http_output.ur'$/],
    ['bad boolean', 'json_output: yes please\n', [], /^F:1: json_output: expected true or false, got "yes please"$/],
    ['bad priority', 'priority: loud\n', [], /^F:1: priority: expected one of emergency, alert, critical, error, warning, notice, informational, debug, got "loud"$/],
    ['bad rule_matching', 'rule_matching: some\n', [], /^F:1: rule_matching: expected first or all, got "some"$/],
    ['bad number', 'output_timeout: -5\n', [], /^F:1: output_timeout: expected a whole number >= 0, got -5$/],
    ['section expected', 'file_output: true\n', [], /^F:1: file_output must be a section of keys, got true$/],
    ['bad YAML', 'a: [1, 2\nb: c\n', [], /^F:\d+: not valid YAML: /],
    ['http without url', 'http_output:\n  enabled: true\n', [], /^F:2: http_output.url: expected an http:\/\/ or https:\/\/ URL, got ""$/],
    ['program without program', 'program_output:\n  enabled: true\n', [], /^F:2: program_output is enabled but program_output.program is not set$/],
    ['bad header name', 'http_output:\n  headers:\n    "Bad Header": x\n', [], /^F:2: http_output.headers: 'Bad Header' is not a valid header name$/],
    ['-o unknown key', '', ['http_output.ur=http://x/'], /^-o http_output.ur: unknown key 'http_output.ur'$/],
    ['-o bad value', 'json_output: true\n', ['json_output=maybe'], /^-o json_output: json_output: expected true or false, got "maybe"$/],
    ['-o without =', '', ['json_output'], /^-o json_output: expected KEY=VALUE$/],
  ];
  for (const [what, text, overrides, msg] of bad) {
    it(`one clear error: ${what}`, () => {
      const f = yamlFile('bad.yaml', text);
      let err: unknown;
      try {
        loadOutputConfig({ file: f, overrides });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message.replace(f, 'F')).toMatch(msg);
    });
  }

  it('the CLI says it in one line and exits 2, before reading any capture', () => {
    const f = yamlFile('cli-bad.yaml', 'http_output:\n  enabled: true\n  url: http://127.0.0.1:1/\n  headrs:\n    A: b\n');
    const r = runCli(['-c', f, '--events', '-r', fixturePath('falco_cat_write')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tsysdig: ${f}:4: unknown key 'http_output.headrs'\n`);
    expect(r.stdout).toBe('');
    const o = runCli(['-o', 'json_output=sure', '--events', '-r', fixturePath('falco_cat_write')]);
    expect(o.status).toBe(2);
    expect(o.stderr).toBe(`tsysdig: -o json_output: json_output: expected true or false, got "sure"\n`);
    const m = runCli(['-c', join(tmp, 'missing.yaml'), '--events', '-r', fixturePath('falco_cat_write')]);
    expect(m.status).toBe(2);
    expect(m.stderr).toBe(`tsysdig: ${join(tmp, 'missing.yaml')}: cannot read the configuration (no such file)\n`);
  });
});
