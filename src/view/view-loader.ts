/**
 * Loads and validates view files (views/*.yaml, one view per file) into
 * ViewDef objects, and keeps them in a ViewRegistry.
 *
 * Validation is strict: every problem (YAML syntax, unknown key, wrong type,
 * missing key, bad enum value, key-column layout, duplicate id, dangling
 * drill-down target) is a ViewFileError whose message is one line,
 * `FILE:LINE: KEY.PATH: what is wrong`, e.g.
 * `views/foo.yaml:12: columns[3].aggregation: expected one of NONE, SUM, AVG, TIME_AVG, MAX, MIN, got 'SOM'`.
 * Column and action indexes in key paths are 0-based.
 *
 * Defaults are the ones csysdig 0.29.3 applies when a property is absent
 * (libs chisel.cpp parse_view_info / parse_view_column / parse_view_action).
 * The file format is documented in docs/views.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { yaml } from '../yaml/lazy-yaml.js';
import { readCacheJson, textHash, userCacheDir, writeCacheJson } from '../cache/user-cache.js';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { Aggregation, RowEvents, ViewAction, ViewColumn, ViewDef } from './view-def.js';

export const AGGREGATIONS: readonly Aggregation[] = ['NONE', 'SUM', 'AVG', 'TIME_AVG', 'MAX', 'MIN', 'DISTINCT'];
export const VIEW_TYPES: readonly ViewDef['viewType'][] = ['table', 'list', 'spectrogram'];
/** What Enter on a list-view row opens: the events of the row's process or of its thread. */
export const ROW_EVENTS: readonly RowEvents[] = ['process', 'thread'];

/** The views shipped with tsysdig (<package>/views; same relative place from src/view and dist/view). */
export const BUILTIN_VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url)).replace(/\/$/, '');

/** `$XDG_CONFIG_HOME/tsysdig/views`, by default `~/.config/tsysdig/views`. */
export function userViewsDir(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'tsysdig', 'views');
}

/** A view file problem; `message` is one line: `file:line: key.path: detail`. */
export class ViewFileError extends Error {
  constructor(
    /** File (or directory) as shown to the user. */
    readonly file: string,
    /** 1-based line, 0 when the problem is not about a line (unreadable directory). */
    readonly line: number,
    /** Key path inside the file (`columns[3].aggregation`), '' for the file as a whole. */
    readonly keyPath: string,
    readonly detail: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${keyPath ? `${keyPath}: ` : ''}${detail}`);
    this.name = 'ViewFileError';
  }
}

export interface ParseViewOptions {
  /**
   * Checks a column's field (and filterfield) name, e.g. against the field
   * registry: returns an error text ("unknown field 'proc.nam'") or null.
   * Called with the field exactly as written (arguments, %depth included).
   */
  validateField?: (name: string) => string | null;
}

export interface LoadViewsOptions extends ParseViewOptions {
  /** Built-in views directory; default BUILTIN_VIEWS_DIR, null = none. */
  builtinDir?: string | null;
  /** User views directory, loaded last when it exists; default userViewsDir(), null = none. */
  userDir?: string | null;
}

/** A view file that replaced an earlier one with the same id. */
export interface ViewOverride {
  id: string;
  /** The file now in effect. */
  source: string;
  /** The file it replaced. */
  overridden: string;
}

export interface ListViewsOptions {
  /**
   * Include views tagged 'nocsysdig' (port_bindings, spy_users_wsysdig,
   * docker_events, notifications): csysdig lists them only when its output
   * is JSON (-j).
   */
  includeNoCsysdig?: boolean;
}

/** Compares like C++ std::string operator< (byte order for ASCII names; not locale order). */
function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ViewRegistry {
  private readonly byId = new Map<string, ViewDef>();
  private readonly ordered: ViewDef[];

  constructor(
    views: Iterable<ViewDef>,
    /** Files replaced by a later file with the same id, in load order. */
    readonly overrides: readonly ViewOverride[] = [],
    /** Directories the views were loaded from, in load order (later wins). */
    readonly dirs: readonly string[] = [],
  ) {
    for (const v of views) this.byId.set(v.id, v);
    // csysdig's sinsp_view_manager sorts the views by name (std::sort, std::string <).
    this.ordered = [...this.byId.values()].sort((a, b) => byteCompare(a.name, b.name) || byteCompare(a.id, b.id));
  }

  /** Any loaded view, hidden or not. */
  get(id: string): ViewDef | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * The views menu, in csysdig's order (sorted by name). Leaves out hidden
   * views, views whose first tag is 'Containers' (csysdig skips them) and,
   * unless asked, views tagged 'nocsysdig'.
   */
  list(options: ListViewsOptions = {}): ViewDef[] {
    return this.ordered.filter((v) => {
      if (v.isHidden) return false;
      if (v.tags[0] === 'Containers') return false;
      if (!options.includeNoCsysdig && v.tags.includes('nocsysdig')) return false;
      return true;
    });
  }

  /** Every loaded view in menu order, hidden ones included. */
  all(): ViewDef[] {
    return [...this.ordered];
  }

  /** The view csysdig starts in without -v: the first is_root view of the menu (procs). */
  defaultView(): ViewDef | undefined {
    return this.list().find((v) => v.isRoot);
  }

  /** Where a view was loaded from. */
  source(id: string): string | undefined {
    return this.byId.get(id)?.source;
  }
}

// ---------------------------------------------------------------------------
// Parsing one file
// ---------------------------------------------------------------------------

type Kind = 'string' | 'text' | 'boolean' | 'colsize' | 'strings' | 'enum' | 'id' | 'hotkey' | 'columns' | 'actions' | 'colors';

/** Colour names a column's `colors` may use (each optionally prefixed by `bold `). */
export const CELL_COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;

interface KeySpec {
  kind: Kind;
  required?: boolean;
  values?: readonly string[];
}

/** Keys of a view, in the order they are documented (docs/views.md). */
const VIEW_KEYS: Record<string, KeySpec> = {
  id: { kind: 'id', required: true },
  name: { kind: 'string', required: true },
  description: { kind: 'text' },
  tips: { kind: 'strings' },
  tags: { kind: 'strings' },
  view_type: { kind: 'enum', values: VIEW_TYPES },
  filter: { kind: 'text' },
  applies_to: { kind: 'strings' },
  is_root: { kind: 'boolean' },
  drilldown_target: { kind: 'text' },
  use_defaults: { kind: 'boolean' },
  is_hidden: { kind: 'boolean' },
  drilldown_increase_depth: { kind: 'boolean' },
  propagate_filter: { kind: 'boolean' },
  newest_first: { kind: 'boolean' },
  cumulative: { kind: 'boolean' },
  spectro_type: { kind: 'text' },
  row_events: { kind: 'enum', values: ROW_EVENTS },
  columns: { kind: 'columns', required: true },
  actions: { kind: 'actions' },
};

const COLUMN_KEYS: Record<string, KeySpec> = {
  name: { kind: 'text', required: true },
  field: { kind: 'string', required: true },
  description: { kind: 'text' },
  colsize: { kind: 'colsize' },
  aggregation: { kind: 'enum', values: AGGREGATIONS },
  groupby_aggregation: { kind: 'enum', values: AGGREGATIONS },
  is_key: { kind: 'boolean' },
  is_groupby_key: { kind: 'boolean' },
  is_sorting: { kind: 'boolean' },
  filterfield: { kind: 'string' },
  filter_in_child_only: { kind: 'boolean' },
  tags: { kind: 'strings' },
  colors: { kind: 'colors' },
};

const ACTION_KEYS: Record<string, KeySpec> = {
  hotkey: { kind: 'hotkey', required: true },
  command: { kind: 'string', required: true },
  description: { kind: 'text' },
  ask_confirmation: { kind: 'boolean' },
  wait_finish: { kind: 'boolean' },
};

/** Where things are in the file, for checks made after parsing (ids, drill-down targets). */
interface ViewLocations {
  idLine: number;
  drilldownTargetLine: number;
}

const locations = new WeakMap<ViewDef, ViewLocations>();

/** Widest column a view may ask for (wider than any terminal). */
export const MAX_COLSIZE = 4096;

type Value = string | number | boolean | null | Record<string, unknown>[] | string[];

class FileParser {
  readonly lc = new (yaml().LineCounter)();
  doc!: Document.Parsed;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly options: ParseViewOptions,
  ) {}

  line(node: Node | null | undefined, fallback = 1): number {
    const start = node?.range?.[0];
    return start === undefined ? fallback : this.lc.linePos(start).line;
  }

  fail(line: number, keyPath: string, detail: string): never {
    throw new ViewFileError(this.file, line, keyPath, detail);
  }

  deref(node: unknown, keyPath: string, line: number): Node | null {
    if (yaml().isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) this.fail(this.line(node, line), keyPath, `unknown YAML alias '*${node.source}'`);
      return target as Node;
    }
    return (node as Node | null) ?? null;
  }

  describe(node: Node | null): string {
    if (node === null) return 'nothing';
    if (yaml().isMap(node)) return 'a mapping';
    if (yaml().isSeq(node)) return 'a list';
    if (yaml().isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') return `'${v}'`;
      if (v === null) return 'nothing';
      return String(v);
    }
    return 'something else';
  }

  parse(): ViewDef {
    // uniqueKeys: false — the yaml package checks duplicates pairwise (50,000 keys took 23 s);
    // readMap finds them with a set, and stops at the first unknown key anyway.
    this.doc = yaml().parseDocument(this.text, { lineCounter: this.lc, prettyErrors: false, uniqueKeys: false });
    const err = this.doc.errors[0];
    if (err) {
      const line = this.lc.linePos(err.pos[0]).line;
      if (err.code === 'MULTIPLE_DOCS') this.fail(line, '', 'YAML syntax error: a view file holds one YAML document (one view)');
      if (err.code === 'DUPLICATE_KEY') {
        const key = /^[\w.-]+/.exec(this.text.slice(err.pos[0]))?.[0];
        this.fail(line, '', `YAML syntax error: duplicate key${key ? ` '${key}'` : ''}`);
      }
      const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
      this.fail(line, '', `YAML syntax error: ${msg}`);
    }
    const root = this.deref(this.doc.contents, '', 1);
    if (!yaml().isMap(root)) this.fail(this.line(root), '', `expected a mapping (the view's keys), got ${this.describe(root)}`);

    const raw = this.readMap(root, '', VIEW_KEYS);
    const v = raw.values;
    const columns = (v.columns as Record<string, unknown>[]).map((c) => this.column(c));
    const actions = ((v.actions ?? []) as Record<string, unknown>[]).map((a) => this.action(a));
    const emptyToNull = (s: unknown): string | null => (typeof s === 'string' && s !== '' ? s : null);

    const view: ViewDef = {
      id: v.id as string,
      name: v.name as string,
      description: (v.description as string | undefined) ?? '',
      tips: (v.tips as string[] | undefined) ?? [],
      tags: (v.tags as string[] | undefined) ?? [],
      viewType: (v.view_type as ViewDef['viewType'] | undefined) ?? 'table',
      filter: (v.filter as string | undefined) ?? '',
      appliesTo: (v.applies_to as string[] | undefined) ?? [],
      isRoot: (v.is_root as boolean | undefined) ?? false,
      drilldownTarget: emptyToNull(v.drilldown_target),
      useDefaults: (v.use_defaults as boolean | undefined) ?? false,
      isHidden: (v.is_hidden as boolean | undefined) ?? false,
      drilldownIncreaseDepth: (v.drilldown_increase_depth as boolean | undefined) ?? false,
      spectroType: emptyToNull(v.spectro_type),
      propagateFilter: (v.propagate_filter as boolean | undefined) ?? true,
      rowEvents: (v.row_events as RowEvents | undefined) ?? 'process',
      newestFirst: (v.newest_first as boolean | undefined) ?? false,
      cumulative: (v.cumulative as boolean | undefined) ?? false,
      columns,
      actions,
      source: this.file,
    };
    this.checkColumns(view, raw);
    locations.set(view, { idLine: raw.lines.id ?? 1, drilldownTargetLine: raw.lines.drilldown_target ?? 1 });
    return view;
  }

  /**
   * Reads a mapping against its key specs: unknown keys, types and missing
   * required keys. Nested columns/actions come back as objects carrying their
   * own `__lines` (key -> line) and `__path`.
   */
  readMap(
    map: YAMLMap,
    keyPath: string,
    specs: Record<string, KeySpec>,
  ): { values: Record<string, Value>; lines: Record<string, number>; mapLine: number } {
    const values: Record<string, Value> = {};
    const lines: Record<string, number> = {};
    const mapLine = this.line(map);
    const at = (k: string) => (keyPath ? `${keyPath}.${k}` : k);
    const seen = new Set<string>();
    for (const pair of map.items as Pair<unknown, unknown>[]) {
      const keyNode = this.deref(pair.key, keyPath, mapLine);
      const keyLine = this.line(keyNode, mapLine);
      if (!yaml().isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.fail(keyLine, keyPath, `keys must be plain names, got ${this.describe(keyNode)}`);
      }
      const key = keyNode.value;
      if (seen.has(key)) this.fail(keyLine, '', `YAML syntax error: duplicate key '${key}'`);
      seen.add(key);
      const spec = specs[key];
      if (!spec) {
        const hint = closest(key, Object.keys(specs));
        this.fail(keyLine, at(key), `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}; known keys: ${Object.keys(specs).join(', ')}`);
      }
      const valueNode = this.deref(pair.value, at(key), keyLine);
      lines[key] = this.line(valueNode, keyLine);
      values[key] = this.readValue(valueNode, at(key), spec, keyLine);
    }
    for (const [key, spec] of Object.entries(specs)) {
      if (spec.required && !(key in values)) {
        this.fail(mapLine, keyPath, `missing required key '${key}'`);
      }
    }
    return { values, lines, mapLine };
  }

  readValue(node: Node | null, keyPath: string, spec: KeySpec, keyLine: number): Value {
    const line = this.line(node, keyLine);
    const scalar = yaml().isScalar(node) ? node.value : undefined;
    const bad = (expected: string): never => this.fail(line, keyPath, `expected ${expected}, got ${this.describe(node)}`);
    switch (spec.kind) {
      case 'string':
      case 'text':
      case 'id': {
        if (typeof scalar !== 'string') bad('a string');
        const s = scalar as string;
        if (spec.kind === 'string' && s.trim() === '') this.fail(line, keyPath, 'must not be empty');
        if (spec.kind === 'id' && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s)) {
          this.fail(line, keyPath, `expected a view id (letters, digits, '_', '.', '-'), got '${s}'`);
        }
        return s;
      }
      case 'boolean':
        if (typeof scalar !== 'boolean') bad('true or false');
        return scalar as boolean;
      case 'colsize':
        // A width the screen can hold: 2147483648 or 1e308 made the UI die building the row text.
        if (typeof scalar !== 'number' || !Number.isInteger(scalar) || scalar < 0 || scalar > MAX_COLSIZE) bad(`a column width (an integer from 0 to ${MAX_COLSIZE})`);
        return scalar as number;
      case 'enum':
        if (typeof scalar !== 'string' || !spec.values!.includes(scalar)) {
          this.fail(line, keyPath, `expected one of ${spec.values!.join(', ')}, got ${this.describe(node)}`);
        }
        return scalar as string;
      case 'hotkey': {
        // `hotkey: 9` reads as a number in YAML; a single digit is what was meant.
        if (typeof scalar === 'number' && Number.isInteger(scalar) && scalar >= 0 && scalar <= 9) return String(scalar);
        if (typeof scalar !== 'string' || [...scalar].length !== 1) bad('a single character');
        return scalar as string;
      }
      case 'strings': {
        if (!yaml().isSeq(node)) bad('a list of strings');
        return (node as unknown as { items: unknown[] }).items.map((item, i) => {
          const n = this.deref(item, `${keyPath}[${i}]`, line);
          if (!yaml().isScalar(n) || typeof n.value !== 'string') {
            this.fail(this.line(n, line), `${keyPath}[${i}]`, `expected a string, got ${this.describe(n)}`);
          }
          return n.value as string;
        });
      }
      case 'colors': {
        // value text -> colour name: a mapping of plain scalars
        if (!yaml().isMap(node)) bad('a mapping of cell texts to colour names');
        const out: Record<string, string> = {};
        for (const pair of (node as YAMLMap).items) {
          const k = pair.key as Node | null;
          const vNode = pair.value as Node | null;
          const kv = yaml().isScalar(k) ? k.value : undefined;
          const vv = yaml().isScalar(vNode) ? vNode.value : undefined;
          const l = this.line(vNode ?? k, line);
          if (typeof kv !== 'string' && typeof kv !== 'number') this.fail(l, keyPath, `expected a cell text as key, got ${this.describe(k)}`);
          if (typeof vv !== 'string' || !CELL_COLORS.includes(vv.replace(/^bold /, '') as (typeof CELL_COLORS)[number])) {
            this.fail(l, `${keyPath}.${String(kv)}`, `expected a colour (${CELL_COLORS.join(', ')}, optionally 'bold COLOUR'), got ${this.describe(vNode)}`);
          }
          out[String(kv)] = vv as string;
        }
        return out as unknown as Value;
      }
      case 'columns':
      case 'actions': {
        const what = spec.kind === 'columns' ? 'column' : 'action';
        if (!yaml().isSeq(node)) bad(`a list of ${what}s`);
        const items = (node as unknown as { items: unknown[] }).items;
        if (spec.kind === 'columns' && items.length === 0) this.fail(line, keyPath, 'a view needs at least one column');
        return items.map((item, i) => {
          const p = `${keyPath}[${i}]`;
          const n = this.deref(item, p, line);
          if (!yaml().isMap(n)) this.fail(this.line(n, line), p, `expected a mapping (one ${what}), got ${this.describe(n)}`);
          const r = this.readMap(n, p, spec.kind === 'columns' ? COLUMN_KEYS : ACTION_KEYS);
          return { ...r.values, __lines: r.lines, __line: r.mapLine, __path: p };
        });
      }
    }
  }

  column(c: Record<string, unknown>): ViewColumn {
    const lines = c.__lines as Record<string, number>;
    const p = c.__path as string;
    const col: ViewColumn = {
      name: c.name as string,
      field: c.field as string,
      description: (c.description as string | undefined) ?? '',
      colsize: (c.colsize as number | undefined) ?? -1,
      aggregation: (c.aggregation as Aggregation | undefined) ?? 'NONE',
      groupbyAggregation: (c.groupby_aggregation as Aggregation | undefined) ?? 'NONE',
      isKey: (c.is_key as boolean | undefined) ?? false,
      isGroupbyKey: (c.is_groupby_key as boolean | undefined) ?? false,
      isSorting: (c.is_sorting as boolean | undefined) ?? false,
      tags: (c.tags as string[] | undefined) ?? [],
      filterField: (c.filterfield as string | undefined) ?? null,
      filterInChildOnly: (c.filter_in_child_only as boolean | undefined) ?? false,
      colors: (c.colors as Record<string, string> | undefined) ?? null,
    };
    columnMeta.set(col, { path: p, line: c.__line as number, lines });
    const validate = this.options.validateField;
    if (validate) {
      for (const key of ['field', 'filterfield'] as const) {
        const name = key === 'field' ? col.field : col.filterField;
        if (name === null) continue;
        const problem = validate(name);
        if (problem) this.fail(lines[key]!, `${p}.${key}`, problem);
      }
    }
    return col;
  }

  action(a: Record<string, unknown>): ViewAction {
    return {
      hotkey: a.hotkey as string,
      command: a.command as string,
      description: (a.description as string | undefined) ?? '',
      askConfirmation: (a.ask_confirmation as boolean | undefined) ?? false,
      waitFinish: (a.wait_finish as boolean | undefined) ?? true,
    };
  }

  /**
   * Key-column layout, as csysdig's sinsp_view_info and sinsp_table check it.
   * Keys are counted per column set: csysdig first drops the columns whose
   * tags don't include 'default' (or 'containers' with -pc), so connections
   * and files can have one key column tagged 'default' and one tagged
   * 'containers'.
   */
  checkColumns(view: ViewDef, raw: { lines: Record<string, number> }): void {
    const meta = (c: ViewColumn) => columnMeta.get(c)!;
    const flagLine = (c: ViewColumn, key: string) => meta(c).lines[key] ?? meta(c).line;

    for (const c of view.columns) {
      if (c.isKey && c.isGroupbyKey) {
        this.fail(flagLine(c, 'is_groupby_key'), `${meta(c).path}.is_groupby_key`, 'a column cannot be both is_key and is_groupby_key');
      }
      if (c.filterField !== null && !c.isKey && !c.isGroupbyKey) {
        this.fail(flagLine(c, 'filterfield'), `${meta(c).path}.filterfield`, 'only a key column (is_key or is_groupby_key) can have a filterfield');
      }
    }
    // csysdig checks the sorting flag on all columns, before tags are applied.
    const sorting = view.columns.filter((c) => c.isSorting);
    if (sorting.length > 1) {
      const c = sorting[1]!;
      this.fail(flagLine(c, 'is_sorting'), `${meta(c).path}.is_sorting`, `more than one is_sorting column (${meta(sorting[0]!).path} is one already)`);
    }

    const columnsLine = raw.lines.columns ?? 1;
    const isTable = view.viewType !== 'list';
    const modes = ['default', 'containers'] as const;
    const shown = (mode: string) => view.columns.filter((c) => c.tags.length === 0 || c.tags.includes(mode));
    const keyCounts = modes.map((m) => shown(m).filter((c) => c.isKey).length);
    for (const mode of modes) {
      const cols = shown(mode);
      const suffix = keyCounts[0] !== keyCounts[1] || cols.length !== view.columns.length
        ? mode === 'default' ? ' (columns shown without -pc)' : ' (columns shown with -pc)'
        : '';
      const keys = cols.filter((c) => c.isKey);
      const gby = cols.filter((c) => c.isGroupbyKey);
      if (isTable) {
        if (keys.length === 0) {
          this.fail(columnsLine, 'columns', `a ${view.viewType} view needs exactly one is_key column, found none${suffix}`);
        }
        if (keys.length > 1) {
          const c = keys[1]!;
          this.fail(flagLine(c, 'is_key'), `${meta(c).path}.is_key`,
            `a ${view.viewType} view needs exactly one is_key column, found ${keys.length} (${keys.map((k) => meta(k).path).join(', ')})${suffix}`);
        }
        if (gby.length > 1) {
          const c = gby[1]!;
          this.fail(flagLine(c, 'is_groupby_key'), `${meta(c).path}.is_groupby_key`,
            `more than one is_groupby_key column (${gby.map((k) => meta(k).path).join(', ')})${suffix}`);
        }
        const values = cols.filter((c) => !c.isKey && !c.isGroupbyKey);
        if (values.length === 0) {
          this.fail(columnsLine, 'columns', `a ${view.viewType} view needs at least one column besides its key${gby.length ? 's' : ''}${suffix}`);
        }
      } else {
        if (keys.length > 0) {
          const c = keys[0]!;
          this.fail(flagLine(c, 'is_key'), `${meta(c).path}.is_key`, 'a list view has no key column (each event is a row)');
        }
        if (gby.length > 0) {
          const c = gby[0]!;
          this.fail(flagLine(c, 'is_groupby_key'), `${meta(c).path}.is_groupby_key`, 'a list view cannot group rows (no is_groupby_key)');
        }
        if (cols.length === 0) this.fail(columnsLine, 'columns', `no column left to show${suffix}`);
      }
    }
  }
}

const columnMeta = new WeakMap<ViewColumn, { path: string; line: number; lines: Record<string, number> }>();

/** The known key closest to a misspelt one (edit distance <= 2), for hints. */
function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * Parses and validates one view file. `file` is used as given in error
 * messages and as the view's `source`. Cross-file checks (duplicate ids,
 * drill-down targets) are loadViews' job.
 */
export function parseViewFile(file: string, text: string, options: ParseViewOptions = {}): ViewDef {
  return new FileParser(file, text, options).parse();
}

// ---------------------------------------------------------------------------
// Loading directories
// ---------------------------------------------------------------------------

/** A path as shown to the user: relative to the working directory when inside it. */
function displayPath(p: string): string {
  const abs = path.resolve(p);
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

function viewFilesIn(dir: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new ViewFileError(displayPath(dir), 0, '', 'cannot read views directory: no such directory');
  }
  if (!st.isDirectory()) throw new ViewFileError(displayPath(dir), 0, '', 'cannot read views directory: not a directory');
  return fs
    .readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.'))
    .sort(byteCompare)
    .map((n) => path.join(dir, n))
    .filter((p) => fs.statSync(p).isFile());
}

/**
 * Loads the built-in views, then the user views directory
 * (~/.config/tsysdig/views) if it exists, then each `--views DIR` in order, so
 * the command line has the last word. A view whose id was
 * already loaded from an earlier directory replaces it (registry.overrides
 * says which file replaced which); the same id twice in one directory is an
 * error. Drill-down targets are checked once everything is loaded.
 *
 * `dirs` are the --views directories. Listing the built-in or user directory
 * in `dirs` as well is harmless: a directory is loaded once, at its first
 * place, and the user directory is skipped wherever it appears when it
 * doesn't exist. Any other missing directory is an error.
 */
export function loadViews(dirs: string[], options: LoadViewsOptions = {}): ViewRegistry {
  const cache = new ParsedViewCache();
  let loaded = false;
  try {
    const registry = loadViewsWith(cache, dirs, options);
    loaded = true;
    return registry;
  } finally {
    cache.save(loaded);
  }
}

/**
 * Parsed views cached by file path, size and mtime, in the user's cache
 * directory: parsing YAML with line tracking costs ~5 ms a file, and the
 * command line loads every view to check drill-down targets. A stale or
 * unreadable cache is simply ignored; a file that changed is parsed again.
 */
const isStr = (x: unknown): x is string => typeof x === 'string';
const isStrs = (x: unknown): boolean => Array.isArray(x) && x.every(isStr);
const isBool = (x: unknown): boolean => typeof x === 'boolean';
const isNum = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Whether a cache entry has the shape parseViewFile produces (anything else is parsed again). */
function isCachedEntry(e: unknown): boolean {
  if (!isObj(e) || !isNum(e.size) || !isNum(e.mtimeMs) || !isObj(e.loc) || !isNum(e.loc.idLine) || !isNum(e.loc.drilldownTargetLine)) return false;
  const v = e.view;
  if (!isObj(v)) return false;
  if (![v.id, v.name, v.description, v.filter, v.source].every(isStr) || ![v.tips, v.tags, v.appliesTo].every(isStrs)) return false;
  if (!VIEW_TYPES.includes(v.viewType as ViewDef['viewType']) || ![v.isRoot, v.useDefaults, v.isHidden, v.drilldownIncreaseDepth].every(isBool)) return false;
  if (!(v.drilldownTarget === null || isStr(v.drilldownTarget)) || !(v.spectroType === null || isStr(v.spectroType))) return false;
  // Entries written before row_events existed are parsed again (the key's default is the parser's business).
  if (!ROW_EVENTS.includes(v.rowEvents as RowEvents)) return false;
  if (!Array.isArray(v.columns) || v.columns.length === 0 || !Array.isArray(v.actions)) return false;
  for (const c of v.columns as unknown[]) {
    if (!isObj(c) || ![c.name, c.field, c.description].every(isStr) || !isStrs(c.tags) || ![c.isKey, c.isGroupbyKey, c.isSorting].every(isBool)) return false;
    if (!Number.isInteger(c.colsize) || (c.colsize as number) < -1 || (c.colsize as number) > MAX_COLSIZE) return false;
    if (!AGGREGATIONS.includes(c.aggregation as Aggregation) || !AGGREGATIONS.includes(c.groupbyAggregation as Aggregation)) return false;
    if (!(c.filterField === null || isStr(c.filterField))) return false;
  }
  for (const a of v.actions as unknown[]) {
    if (!isObj(a) || ![a.hotkey, a.command, a.description].every(isStr) || ![a.askConfirmation, a.waitFinish].every(isBool)) return false;
  }
  return true;
}

type CacheEntry = { size: number; mtimeMs: number; view: ViewDef; loc: ViewLocations };

/** One directory's cached views, keyed by absolute file path; `used` are the files loaded this run. */
interface DirCache {
  file: string;
  entries: Record<string, CacheEntry>;
  used: Set<string>;
  dirty: boolean;
}

/**
 * One cache file per views directory (`tsysdig/views-v2/HASH.json`), holding
 * only that directory's files: a run reads the caches of the directories it
 * loads, and each is rewritten with only the files it still has. (One file
 * for every directory ever loaded grew with every worktree and test
 * directory: 1.8 MB, ~30 ms to read on every run.)
 */
class ParsedViewCache {
  private readonly root = userCacheDir('views-v2');
  private readonly dirs = new Map<string, DirCache>();

  private dirCache(dir: string): DirCache {
    let d = this.dirs.get(dir);
    if (d !== undefined) return d;
    d = { file: path.join(this.root, `${textHash(dir)}.json`), entries: {}, used: new Set(), dirty: false };
    this.dirs.set(dir, d);
    if (!fs.existsSync(d.file)) return d; // no cache yet
    const parsed = readCacheJson(d.file);
    // A cache that does not parse is rewritten from the view files.
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) d.entries = parsed as Record<string, CacheEntry>;
    else d.dirty = true;
    return d;
  }

  parse(file: string, shown: string): ViewDef {
    const abs = path.resolve(file);
    const d = this.dirCache(path.dirname(abs));
    d.used.add(abs);
    const st = fs.statSync(abs);
    const hit = d.entries[abs];
    if (hit !== undefined && !isCachedEntry(hit)) {
      // A damaged entry (edited by hand, written by another version) is parsed again and rewritten.
      delete d.entries[abs];
      d.dirty = true;
    } else if (hit !== undefined && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      const view: ViewDef = { ...hit.view, source: shown };
      locations.set(view, hit.loc);
      return view;
    }
    const view = parseViewFile(shown, fs.readFileSync(abs, 'utf8'));
    d.entries[abs] = { size: st.size, mtimeMs: st.mtimeMs, view, loc: locations.get(view)! };
    d.dirty = true;
    return view;
  }

  /** `complete`: every directory was loaded to the end (not stopped by a bad view), so unused entries are gone files. */
  save(complete: boolean): void {
    for (const d of this.dirs.values()) {
      for (const k of complete ? Object.keys(d.entries) : []) {
        if (d.used.has(k)) continue;
        delete d.entries[k];
        d.dirty = true;
      }
      if (!d.dirty) continue;
      writeCacheJson(d.file, d.entries);
      try {
        fs.rmSync(path.join(this.root, '..', 'views-v1.json'), { force: true }); // the single file this replaces
      } catch {
        // not ours to worry about
      }
    }
  }
}

function loadViewsWith(cache: ParsedViewCache, dirs: string[], options: LoadViewsOptions): ViewRegistry {
  const builtin = options.builtinDir === undefined ? BUILTIN_VIEWS_DIR : options.builtinDir;
  const user = options.userDir === undefined ? userViewsDir() : options.userDir;
  const ordered = [...(builtin !== null ? [builtin] : []), ...(user !== null ? [user] : []), ...dirs];

  const seen = new Set<string>();
  const unique = ordered.filter((d) => {
    const key = path.resolve(d);
    if (seen.has(key)) return false;
    if (user !== null && key === path.resolve(user) && !isDirectory(d)) return false;
    seen.add(key);
    return true;
  });

  const byId = new Map<string, { view: ViewDef; dirIndex: number }>();
  const overrides: ViewOverride[] = [];
  unique.forEach((dir, dirIndex) => {
    for (const file of viewFilesIn(dir)) {
      const shown = displayPath(file);
      const view = options.validateField === undefined ? cache.parse(file, shown) : parseViewFile(shown, fs.readFileSync(file, 'utf8'), options);
      const prev = byId.get(view.id);
      if (prev && prev.dirIndex === dirIndex) {
        const prevLine = locations.get(prev.view)!.idLine;
        throw new ViewFileError(shown, locations.get(view)!.idLine, 'id',
          `duplicate view id '${view.id}' (also in ${prev.view.source}:${prevLine})`);
      }
      if (prev) overrides.push({ id: view.id, source: shown, overridden: prev.view.source });
      byId.set(view.id, { view, dirIndex });
    }
  });

  for (const { view } of byId.values()) {
    if (view.drilldownTarget !== null && !byId.has(view.drilldownTarget)) {
      throw new ViewFileError(view.source, locations.get(view)!.drilldownTargetLine, 'drilldown_target',
        `no view with id '${view.drilldownTarget}'`);
    }
  }

  return new ViewRegistry([...byId.values()].map((e) => e.view), overrides, unique.map(displayPath));
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
