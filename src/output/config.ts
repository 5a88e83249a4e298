/**
 * Output configuration as Falco reads it: a falco.yaml subset (`-c FILE`)
 * with `-o key=value` overrides (dotted keys, as Falco spells them), then
 * tsysdig's own flags (--json, --output-file...). The result is one typed
 * object: the channels read their sections, the rules engine reads
 * priority, rule_matching and the json_* switches.
 *
 * Every key is checked against a schema: an unknown key or a bad value is
 * one ConfigError naming the file (and line) or the -o option, and the key.
 * Falco settings that tsysdig does not use (grpc, plugins, ...) are
 * accepted and listed in one warning, so a real falco.yaml loads.
 */
import { readFileSync } from 'node:fs';
import type { Document, LineCounter } from 'yaml';
import { yaml } from '../yaml/lazy-yaml.js';
import { parsePriority, PRIORITY_NAMES, type Priority } from './line-sink.js';

/** A bad configuration key or value; main.ts knows it by name (this module loads only when used). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface HttpOutputConfig {
  enabled: boolean;
  url: string;
  userAgent: string;
  /** Extension: extra request headers (a log store's stream or tenant header, ...). */
  headers: Record<string, string>;
  /** Extension: HTTP basic auth. */
  basicAuth: { username: string; password: string } | null;
  /** Extension: JSON arrays by count and time, for export streams; null posts each line (Falco). */
  batch: { maxLines: number; maxWaitMs: number } | null;
  insecure: boolean;
  caCert: string | null;
}

export interface OutputConfig {
  /** Where the configuration came from, for messages ('' without -c). */
  source: string;
  jsonOutput: boolean;
  jsonIncludeOutputProperty: boolean;
  jsonIncludeTagsProperty: boolean;
  /** Minimum rule priority loaded (Falco's `priority`), 0..7. */
  priority: Priority;
  ruleMatching: 'first' | 'all';
  timeFormatIso8601: boolean;
  /** Falco's output_timeout: how long one delivery may take (HTTP request, a program not reading), and how long close() waits. */
  outputTimeoutMs: number;
  /** Lines each channel queues at most (Falco's outputs_queue.capacity; 0 there means unbounded, here the default). */
  queueCapacity: number;
  stdout: { enabled: boolean };
  file: { enabled: boolean; filename: string; keepAlive: boolean; maxSizeMb: number; maxBackups: number };
  syslog: { enabled: boolean; socket: string; tag: string };
  program: { enabled: boolean; program: string; keepAlive: boolean };
  http: HttpOutputConfig;
  /** Falco 0.42's `capture:` section (captures around alerts, src/session/alert-capture-hook.ts). */
  capture: CaptureConfig;
}

export interface CaptureConfig {
  /** capture.enabled; null when not set (tsysdig then honours `capture: true` rules: docs/compat.md). */
  enabled: boolean | null;
  /** capture.path_prefix (Falco's default /tmp/falco). */
  pathPrefix: string;
  /** capture.mode: `rules` (rules with capture: true) or `all_rules` (every alert). */
  mode: 'rules' | 'all_rules';
  /** capture.default_duration in ms, or null when not set. */
  defaultDurationMs: number | null;
}

export const DEFAULT_QUEUE_CAPACITY = 10_000;

/** Falco's defaults, except syslog (off: tsysdig prints to stdout unless told otherwise; docs/compat.md). */
export function defaultOutputConfig(): OutputConfig {
  return {
    source: '',
    jsonOutput: false,
    jsonIncludeOutputProperty: true,
    jsonIncludeTagsProperty: true,
    priority: 7,
    ruleMatching: 'first',
    timeFormatIso8601: false,
    outputTimeoutMs: 2000,
    queueCapacity: DEFAULT_QUEUE_CAPACITY,
    stdout: { enabled: true },
    file: { enabled: false, filename: '', keepAlive: false, maxSizeMb: 0, maxBackups: 0 },
    syslog: { enabled: false, socket: '/dev/log', tag: 'tsysdig' },
    program: { enabled: false, program: '', keepAlive: false },
    http: { enabled: false, url: '', userAgent: 'tsysdig', headers: {}, basicAuth: null, batch: null, insecure: false, caCert: null },
    capture: { enabled: null, pathPrefix: '/tmp/falco', mode: 'rules', defaultDurationMs: null },
  };
}

// ---- the schema -----------------------------------------------------------

type Scalar = string | number | boolean;
type Leaf = 'bool' | 'string' | 'uint' | 'priority' | 'rule_matching' | 'headers' | 'capture_mode';
interface Section {
  keys: Record<string, Leaf | Section>;
  /** Falco's keys here that tsysdig accepts and does not use. */
  unused?: readonly string[];
}

const SCHEMA: Section = {
  keys: {
    json_output: 'bool',
    json_include_output_property: 'bool',
    json_include_tags_property: 'bool',
    priority: 'priority',
    rule_matching: 'rule_matching',
    time_format_iso_8601: 'bool',
    output_timeout: 'uint',
    outputs_queue: { keys: { capacity: 'uint' } },
    stdout_output: { keys: { enabled: 'bool' } },
    file_output: { keys: { enabled: 'bool', keep_alive: 'bool', filename: 'string', max_size_mb: 'uint', max_backups: 'uint' } },
    syslog_output: { keys: { enabled: 'bool', socket: 'string', tag: 'string' } },
    program_output: { keys: { enabled: 'bool', keep_alive: 'bool', program: 'string' } },
    http_output: {
      keys: {
        enabled: 'bool',
        url: 'string',
        user_agent: 'string',
        insecure: 'bool',
        ca_cert: 'string',
        headers: 'headers',
        basic_auth: { keys: { username: 'string', password: 'string' } },
        batch: { keys: { enabled: 'bool', max_lines: 'uint', max_wait_ms: 'uint' } },
      },
      unused: ['ca_bundle', 'ca_path', 'mtls', 'client_cert', 'client_key', 'echo', 'compress_uploads', 'keep_alive', 'max_consecutive_timeouts'],
    },
    // Falco 0.42's captures around alerts.
    capture: { keys: { enabled: 'bool', path_prefix: 'string', mode: 'capture_mode', default_duration: 'uint' } },
  },
  // Falco 0.35-0.39 settings outside outputs.
  unused: [
    'rules_file', 'rules_files', 'config_files', 'watch_config_files', 'plugins', 'load_plugins', 'log_stderr', 'log_syslog', 'log_level', 'libs_logger',
    'buffered_outputs', 'outputs', 'append_output', 'static_fields', 'json_include_message_property', 'json_include_output_fields_property',
    'syscall_event_drops', 'syscall_event_timeouts', 'syscall_buf_size_preset', 'syscall_drop_failed_exit', 'base_syscalls', 'modern_bpf', 'engine',
    'grpc', 'grpc_output', 'webserver', 'metrics', 'metadata_download', 'falco_libs', 'container_engines', 'plugins_hostinfo', 'buffer_format_base64',
  ],
};

// ---- reading --------------------------------------------------------------

export interface ConfigInputs {
  /** -c FILE, or null. */
  file: string | null;
  /** -o key=value, in order. */
  overrides: readonly string[];
}

/** The flags that feed outputs directly (after -c and -o). */
export interface OutputFlags {
  json?: boolean;
  outputFile?: string | null;
  outputMaxMb?: number | null;
  outputKeep?: number | null;
}

/** Tetragon's export file defaults: --export-file-max-size-mb 10, --export-file-max-backups 5. */
export const ROTATE_DEFAULT_MB = 10;
export const ROTATE_DEFAULT_KEEP = 5;

export function loadOutputConfig(inputs: ConfigInputs, flags: OutputFlags = {}, warn: (msg: string) => void = () => {}): OutputConfig {
  const tree: Record<string, unknown> = {};
  const where = new Map<string, string>();
  let doc: Document | null = null;
  let lines: LineCounter | null = null;
  if (inputs.file !== null) {
    let text: string;
    try {
      text = readFileSync(inputs.file, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ConfigError(`${inputs.file}: cannot read the configuration (${e.code === 'ENOENT' ? 'no such file' : e.message})`);
    }
    const { LineCounter, parseDocument } = yaml();
    lines = new LineCounter();
    doc = parseDocument(text, { lineCounter: lines });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new ConfigError(`${inputs.file}:${e.linePos?.[0].line ?? 1}: not valid YAML: ${e.message.split('\n')[0]}`);
    }
    const js = doc.toJS() as unknown;
    if (js !== null && js !== undefined) {
      if (!isPlainObject(js)) throw new ConfigError(`${inputs.file}: the configuration must be a mapping of keys`);
      Object.assign(tree, js);
    }
  }
  const fileWhere = (path: string[]): string => {
    if (doc === null || lines === null) return inputs.file ?? '';
    const line = keyLine(doc, lines, path);
    return line === null ? inputs.file! : `${inputs.file}:${line}`;
  };
  for (const o of inputs.overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(`-o ${o}: expected KEY=VALUE`);
    const key = o.slice(0, eq);
    const path = key.split('.');
    if (path.some((p) => p === '')) throw new ConfigError(`-o ${o}: bad key '${key}'`);
    setPath(tree, path, o.slice(eq + 1), key);
    where.set(key, `-o ${key}`);
  }
  const locate = (path: string[]): string => {
    // The most specific -o that set this key or a section above it.
    for (let n = path.length; n > 0; n--) {
      const w = where.get(path.slice(0, n).join('.'));
      if (w !== undefined) return w;
    }
    return fileWhere(path);
  };
  const unused: string[] = [];
  const clean = checkSection(tree, SCHEMA, [], locate, unused);
  if (unused.length > 0) warn(`${inputs.file ?? '-o'}: Falco settings tsysdig does not use: ${unused.join(', ')}`);
  const cfg = buildConfig(clean, locate);
  cfg.source = inputs.file ?? '';
  applyFlags(cfg, flags);
  return cfg;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(tree: Record<string, unknown>, path: string[], value: string, key: string): void {
  let node = tree;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (next === undefined || next === null) node = node[path[i]!] = {};
    else if (isPlainObject(next)) node = next;
    else throw new ConfigError(`-o ${key}: ${path.slice(0, i + 1).join('.')} is not a section`);
  }
  node[path[path.length - 1]!] = value;
}

/** The line of the deepest key of `path` present in the document. */
function keyLine(doc: Document, lines: LineCounter, path: string[]): number | null {
  const { isMap, isScalar } = yaml();
  let node: unknown = doc.contents;
  let line: number | null = null;
  for (const seg of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
    if (pair === undefined) break;
    const range = (pair.key as { range?: [number, number, number] }).range;
    if (range !== undefined) line = lines.linePos(range[0]).line;
    node = pair.value;
  }
  return line;
}

type Clean = { [k: string]: Scalar | Record<string, string> | Clean };

function checkSection(node: Record<string, unknown>, schema: Section, at: string[], locate: (p: string[]) => string, unused: string[]): Clean {
  const out: Clean = {};
  for (const [k, v] of Object.entries(node)) {
    const path = [...at, k];
    const name = path.join('.');
    const kind = schema.keys[k];
    if (kind === undefined) {
      if (schema.unused?.includes(k)) {
        unused.push(name);
        continue;
      }
      throw new ConfigError(`${locate(path)}: unknown key '${name}'`);
    }
    if (v === null || v === undefined) continue;
    if (typeof kind === 'object') {
      if (!isPlainObject(v)) throw new ConfigError(`${locate(path)}: ${name} must be a section of keys, got ${show(v)}`);
      out[k] = checkSection(v, kind, path, locate, unused);
    } else {
      out[k] = checkLeaf(kind, v, name, () => locate(path));
    }
  }
  return out;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : isPlainObject(v) ? 'a section' : String(v);
}

function checkLeaf(kind: Leaf, v: unknown, name: string, loc: () => string): Scalar | Record<string, string> {
  const bad = (want: string): never => {
    throw new ConfigError(`${loc()}: ${name}: expected ${want}, got ${show(v)}`);
  };
  switch (kind) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      return bad('true or false');
    case 'uint': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) return bad('a whole number >= 0');
      return n;
    }
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return bad('a string');
    case 'priority': {
      if (typeof v !== 'string' || parsePriority(v) === null) return bad(`one of ${PRIORITY_NAMES.join(', ')}`);
      return v;
    }
    case 'capture_mode':
      if (v === 'rules' || v === 'all_rules') return v;
      return bad("'rules' or 'all_rules'");
    case 'rule_matching':
      if (v !== 'first' && v !== 'all') return bad('first or all');
      return v;
    case 'headers': {
      if (!isPlainObject(v)) return bad('a section of header names and values');
      const h: Record<string, string> = {};
      for (const [hk, hv] of Object.entries(v)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(hk)) throw new ConfigError(`${loc()}: ${name}: '${hk}' is not a valid header name`);
        if (typeof hv !== 'string' && typeof hv !== 'number') throw new ConfigError(`${loc()}: ${name}.${hk}: expected a string, got ${show(hv)}`);
        if (/[\r\n]/.test(String(hv))) throw new ConfigError(`${loc()}: ${name}.${hk}: a header value cannot contain a line break`);
        h[hk] = String(hv);
      }
      return h;
    }
  }
}

function sec(c: Clean, k: string): Clean {
  return (c[k] as Clean | undefined) ?? {};
}

function buildConfig(c: Clean, locate: (p: string[]) => string): OutputConfig {
  const cfg = defaultOutputConfig();
  const b = (s: Clean, k: string, d: boolean): boolean => (s[k] === undefined ? d : (s[k] as boolean));
  const n = (s: Clean, k: string, d: number): number => (s[k] === undefined ? d : (s[k] as number));
  const str = (s: Clean, k: string, d: string): string => (s[k] === undefined ? d : (s[k] as string));
  cfg.jsonOutput = b(c, 'json_output', cfg.jsonOutput);
  cfg.jsonIncludeOutputProperty = b(c, 'json_include_output_property', cfg.jsonIncludeOutputProperty);
  cfg.jsonIncludeTagsProperty = b(c, 'json_include_tags_property', cfg.jsonIncludeTagsProperty);
  if (c.priority !== undefined) cfg.priority = parsePriority(c.priority as string)!;
  cfg.ruleMatching = (c.rule_matching as 'first' | 'all' | undefined) ?? cfg.ruleMatching;
  cfg.timeFormatIso8601 = b(c, 'time_format_iso_8601', cfg.timeFormatIso8601);
  cfg.outputTimeoutMs = n(c, 'output_timeout', cfg.outputTimeoutMs);
  const cap = n(sec(c, 'outputs_queue'), 'capacity', 0);
  cfg.queueCapacity = cap === 0 ? DEFAULT_QUEUE_CAPACITY : cap;
  cfg.stdout.enabled = b(sec(c, 'stdout_output'), 'enabled', cfg.stdout.enabled);

  const f = sec(c, 'file_output');
  cfg.file = {
    enabled: b(f, 'enabled', false),
    filename: str(f, 'filename', ''),
    keepAlive: b(f, 'keep_alive', false),
    maxSizeMb: n(f, 'max_size_mb', 0),
    maxBackups: n(f, 'max_backups', 0),
  };
  if (cfg.file.enabled && cfg.file.filename === '') throw new ConfigError(`${locate(['file_output', 'enabled'])}: file_output is enabled but file_output.filename is not set`);

  const s = sec(c, 'syslog_output');
  cfg.syslog = { enabled: b(s, 'enabled', false), socket: str(s, 'socket', cfg.syslog.socket), tag: str(s, 'tag', cfg.syslog.tag) };
  if (cfg.syslog.enabled && Buffer.byteLength(cfg.syslog.socket) > 107) throw new ConfigError(`${locate(['syslog_output', 'socket'])}: syslog_output.socket: a unix socket path has at most 107 bytes`);

  const p = sec(c, 'program_output');
  cfg.program = { enabled: b(p, 'enabled', false), program: str(p, 'program', ''), keepAlive: b(p, 'keep_alive', false) };
  if (cfg.program.enabled && cfg.program.program === '') throw new ConfigError(`${locate(['program_output', 'enabled'])}: program_output is enabled but program_output.program is not set`);

  const cp = sec(c, 'capture');
  cfg.capture = {
    enabled: cp.enabled === undefined ? null : (cp.enabled as boolean),
    pathPrefix: str(cp, 'path_prefix', cfg.capture.pathPrefix),
    mode: (cp.mode as 'rules' | 'all_rules' | undefined) ?? 'rules',
    defaultDurationMs: cp.default_duration === undefined ? null : (cp.default_duration as number),
  };
  if (cfg.capture.pathPrefix === '') throw new ConfigError(`${locate(['capture', 'path_prefix'])}: capture.path_prefix must not be empty`);

  const h = sec(c, 'http_output');
  const auth = h.basic_auth as Clean | undefined;
  const batch = sec(h, 'batch');
  cfg.http = {
    enabled: b(h, 'enabled', false),
    url: unquote(str(h, 'url', '')),
    userAgent: str(h, 'user_agent', cfg.http.userAgent),
    headers: (h.headers as Record<string, string> | undefined) ?? {},
    basicAuth: auth === undefined ? null : { username: str(auth, 'username', ''), password: str(auth, 'password', '') },
    batch: b(batch, 'enabled', false) ? { maxLines: Math.max(1, n(batch, 'max_lines', 500)), maxWaitMs: n(batch, 'max_wait_ms', 1000) } : null,
    insecure: b(h, 'insecure', false),
    caCert: h.ca_cert === undefined || h.ca_cert === '' ? null : (h.ca_cert as string),
  };
  if (cfg.http.enabled) {
    let url: URL | null = null;
    try {
      url = new URL(cfg.http.url);
    } catch {
      /* reported below */
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`${locate(['http_output', h.url === undefined ? 'enabled' : 'url'])}: http_output.url: expected an http:// or https:// URL, got ${JSON.stringify(cfg.http.url)}`);
    }
  }
  return cfg;
}

/** Falco strips one pair of quotes around the URL. */
function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.slice(1, -1) : s;
}

function applyFlags(cfg: OutputConfig, flags: OutputFlags): void {
  if (flags.json === true) cfg.jsonOutput = true;
  if (flags.outputFile !== undefined && flags.outputFile !== null) {
    cfg.file.enabled = true;
    cfg.file.filename = flags.outputFile;
    cfg.file.keepAlive = true;
    cfg.file.maxSizeMb = ROTATE_DEFAULT_MB;
    cfg.file.maxBackups = ROTATE_DEFAULT_KEEP;
  }
  if (flags.outputMaxMb !== undefined && flags.outputMaxMb !== null) cfg.file.maxSizeMb = flags.outputMaxMb;
  if (flags.outputKeep !== undefined && flags.outputKeep !== null) cfg.file.maxBackups = flags.outputKeep;
  if ((flags.outputMaxMb != null || flags.outputKeep != null) && !cfg.file.enabled) {
    throw new ConfigError('--output-max-mb and --output-keep need --output-file (or file_output in the configuration)');
  }
}
