/**
 * Reads one rules file's YAML into the collector, item by item, with
 * Falco 0.35's structural checks and messages (rule_loader::reader), plus
 * the `override:` form of later Falco versions. Stops at the first error.
 */
import type { Collector, PluginRequirement } from './collector.js';
import { parseVersion } from './collector.js';
import { LoadContext, RuleLoadError, type ItemType, type LoadResult } from './load-result.js';
import type { ExceptionEntry, ExceptionInfo, RuleInfo } from './rule-items.js';
import { parsePriority } from './rule-items.js';
import { RulesYamlError, YMap as YAMLMap, YScalar as Scalar, YSeq as YAMLSeq, isMap, isScalar, isSeq, parseRulesYaml, type RulesYaml, type YNode } from './rules-yaml.js';

const invalid = (msg: string, ctx: LoadContext): never => {
  throw new RuleLoadError('LOAD_ERR_YAML_VALIDATE', msg, ctx);
};

/** yaml-cpp's booleans. */
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

class FileReader {
  constructor(
    private readonly collector: Collector,
    private readonly fileCtx: LoadContext,
    private readonly lines: Pick<RulesYaml, 'linePos'>,
  ) {}

  ctx(parent: LoadContext, node: YNode, type: ItemType, name: string): LoadContext {
    const offset = node?.range?.[0] ?? 0;
    const p = this.lines.linePos(offset);
    return parent.child(type, name, { line: p.line - 1, column: p.col - 1, offset });
  }

  readItem(item: YNode): void {
    const tmp = this.ctx(this.fileCtx, item, 'rules content item', '');
    if (!isMap(item)) invalid('Unexpected element type. Each element should be a yaml associative array.', tmp);
    const m = item as YAMLMap;
    if (m.has('required_engine_version')) {
      const ctx = this.ctx(this.fileCtx, m, 'required_engine_version', '');
      const v = this.scalar(m, 'required_engine_version', ctx, false)!;
      if (parseVersion(v) === null) invalid("Can't decode YAML scalar value", this.ctx(ctx, node(m, 'required_engine_version'), 'value for', 'required_engine_version'));
      this.collector.requireEngineVersion(v, ctx);
    } else if (m.has('required_plugin_versions')) {
      this.readPluginVersions(m);
    } else if (m.has('list')) {
      this.readList(m);
    } else if (m.has('macro')) {
      this.readMacro(m);
    } else if (m.has('rule')) {
      this.readRule(m);
    } else {
      // Falco warns and goes on; the warning is added by the caller's result.
      this.unknown.push(this.ctx(this.fileCtx, m, 'rules content item', ''));
    }
  }

  /** Items that are none of the known kinds (LOAD_UNKNOWN_ITEM warnings). */
  readonly unknown: LoadContext[] = [];

  private readPluginVersions(m: YAMLMap): void {
    const seq = node(m, 'required_plugin_versions');
    const ctx = this.ctx(this.fileCtx, seq, 'required plugin versions', '');
    if (!isSeq(seq)) invalid('Value of required_plugin_versions must be a sequence', ctx);
    for (const p of (seq as YAMLSeq).items as YNode[]) {
      const tmp = this.ctx(ctx, p, 'required plugin versions entry', '');
      if (!isMap(p)) invalid('Plugin version must be a mapping', tmp);
      const pm = p as YAMLMap;
      const name = this.scalar(pm, 'name', tmp, false)!;
      const pctx = this.ctx(ctx, pm, 'required plugin versions entry', name);
      const alts: PluginRequirement[] = [{ name, version: this.scalar(pm, 'version', pctx, false)! }];
      const more = node(pm, 'alternatives');
      if (more !== undefined) {
        if (!isSeq(more)) invalid('Value of plugin version alternatives must be a sequence', pctx);
        for (const a of (more as YAMLSeq).items as YNode[]) {
          const actx = this.ctx(pctx, a, 'required plugin versions alternative', '');
          if (!isMap(a)) invalid('Plugin version alternative must be a mapping', actx);
          const an = this.scalar(a as YAMLMap, 'name', actx, false)!;
          alts.push({ name: an, version: this.scalar(a as YAMLMap, 'version', this.ctx(pctx, a, 'required plugin versions alternative', an), false)! });
        }
      }
      this.collector.requirePlugin(alts, pctx);
    }
  }

  private readList(m: YAMLMap): void {
    const name = this.scalar(m, 'list', this.ctx(this.fileCtx, m, 'list', ''), false)!;
    const ctx = this.ctx(this.fileCtx, m, 'list', name);
    const items = this.stringSeq(m, 'items', ctx, false)!;
    const mode = this.overrides(m, ctx, ['items'], ['items']);
    const v = { name, items, ctx, index: 0, visibility: 0 };
    if (mode.append) this.collector.appendList(v);
    else if (mode.keys.get('items') === 'append') this.collector.appendList(v);
    else if (mode.keys.get('items') === 'replace') {
      const prev = this.collector.lists.get(name)!;
      prev.items = items;
      prev.visibility = this.collector.nextIndex();
    } else this.collector.defineList(v);
  }

  private readMacro(m: YAMLMap): void {
    const name = this.scalar(m, 'macro', this.ctx(this.fileCtx, m, 'macro', ''), false)!;
    const ctx = this.ctx(this.fileCtx, m, 'macro', name);
    const cond = this.scalar(m, 'condition', ctx, false)!;
    const condCtx = this.ctx(ctx, node(m, 'condition'), 'macro condition', '');
    const mode = this.overrides(m, ctx, ['condition'], ['condition']);
    const v = { name, cond, condCtx, ctx, index: 0, visibility: 0 };
    if (mode.append || mode.keys.get('condition') === 'append') this.collector.appendMacro(v);
    else if (mode.keys.get('condition') === 'replace') {
      const prev = this.collector.macros.get(name)!;
      prev.cond = cond;
      prev.condCtx = condCtx;
      prev.visibility = this.collector.nextIndex();
    } else this.collector.defineMacro(v);
  }

  private readRule(m: YAMLMap): void {
    const name = this.scalar(m, 'rule', this.ctx(this.fileCtx, m, 'rule', ''), false)!;
    const ctx = this.ctx(this.fileCtx, m, 'rule', name);
    const mode = this.overrides(m, ctx, ['condition', 'output', 'desc', 'tags', 'exceptions'], ['condition', 'output', 'desc', 'priority', 'tags', 'exceptions', 'enabled', 'warn_evttypes', 'skip-if-unknown-filter', 'capture', 'capture_duration']);
    if (mode.append) {
      const cond = this.scalar(m, 'condition', ctx, true) ?? '';
      this.collector.appendRule({ name, cond, exceptions: this.exceptions(m, ctx, true), ctx });
      return;
    }
    if (mode.keys.size > 0) {
      this.overrideRule(m, name, ctx, mode.keys);
      return;
    }
    if (!m.has('condition') && !m.has('output') && !m.has('desc') && !m.has('priority')) {
      this.collector.enableRule(name, this.bool(m, 'enabled', ctx, false)!, ctx);
      return;
    }
    const cond = this.scalar(m, 'condition', ctx, false)!;
    const condCtx = this.ctx(ctx, node(m, 'condition'), 'rule condition', '');
    const output = this.scalar(m, 'output', ctx, false)!.trim();
    const outputCtx = this.ctx(ctx, node(m, 'output'), 'rule output', '');
    const desc = this.scalar(m, 'desc', ctx, false)!;
    const priority = this.priority(m, ctx, false)!;
    const rule: RuleInfo = {
      name,
      cond,
      condCtx,
      output,
      outputCtx,
      desc,
      priority,
      source: this.scalar(m, 'source', ctx, true) ?? 'syscall',
      enabled: this.bool(m, 'enabled', ctx, true) ?? true,
      warnEvttypes: this.bool(m, 'warn_evttypes', ctx, true) ?? true,
      skipIfUnknownFilter: this.bool(m, 'skip-if-unknown-filter', ctx, true) ?? false,
      tags: new Set(this.stringSeq(m, 'tags', ctx, true) ?? []),
      exceptions: this.exceptions(m, ctx, false),
      capture: this.bool(m, 'capture', ctx, true) ?? false,
      captureDurationMs: this.durationMs(m, ctx, true) ?? null,
      ctx,
      index: 0,
      visibility: 0,
    };
    if (rule.source !== 'syscall') {
      // Falco without the source's plugin: the rule is skipped with a warning.
      this.skippedSources.push({ ctx, source: rule.source });
      return;
    }
    this.collector.defineRule(rule);
  }

  /** Rules of sources tsysdig has no events for (LOAD_UNKNOWN_SOURCE warnings). */
  readonly skippedSources: { ctx: LoadContext; source: string }[] = [];

  /** `override: {key: append|replace}` on an existing rule. */
  private overrideRule(m: YAMLMap, name: string, ctx: LoadContext, keys: Map<string, string>): void {
    const prev = this.collector.rules.get(name)!;
    for (const [key, how] of keys) {
      const append = how === 'append';
      switch (key) {
        case 'condition':
        case 'output':
        case 'desc': {
          const v = this.scalar(m, key, ctx, false)!;
          const k = key === 'condition' ? 'cond' : key;
          prev[k] = append ? `${prev[k]} ${v}` : key === 'output' ? v.trim() : v;
          if (key === 'condition') prev.condCtx = this.ctx(ctx, node(m, key), 'rule condition', '');
          if (key === 'output') prev.outputCtx = this.ctx(ctx, node(m, key), 'rule output', '');
          break;
        }
        case 'tags': {
          const tags = this.stringSeq(m, 'tags', ctx, false)!;
          if (!append) prev.tags.clear();
          for (const t of tags) prev.tags.add(t);
          break;
        }
        case 'exceptions': {
          const exs = this.exceptions(m, ctx, append);
          if (append) this.collector.appendExceptions(prev, exs);
          else prev.exceptions = exs;
          break;
        }
        case 'priority':
          prev.priority = this.priority(m, ctx, false)!;
          break;
        case 'enabled':
          prev.enabled = this.bool(m, 'enabled', ctx, false)!;
          break;
        case 'warn_evttypes':
          prev.warnEvttypes = this.bool(m, key, ctx, false)!;
          break;
        case 'skip-if-unknown-filter':
          prev.skipIfUnknownFilter = this.bool(m, key, ctx, false)!;
          break;
        case 'capture':
          prev.capture = this.bool(m, key, ctx, false)!;
          break;
        case 'capture_duration':
          prev.captureDurationMs = this.durationMs(m, ctx, false)!;
          break;
      }
    }
    prev.visibility = this.collector.nextIndex();
  }

  /**
   * `append: true`, or the `override:` mapping (Falco >= 0.37): which keys
   * are appended and which replaced. The item must exist for either.
   */
  private overrides(m: YAMLMap, ctx: LoadContext, appendable: readonly string[], replaceable: readonly string[]): { append: boolean; keys: Map<string, string> } {
    const append = this.bool(m, 'append', ctx, true) ?? false;
    const keys = new Map<string, string>();
    const ov = node(m, 'override');
    if (ov === undefined) return { append, keys };
    const octx = this.ctx(ctx, ov, 'value for', 'override');
    if (append) invalid("Keys 'override' and 'append: true' cannot be used together", ctx);
    if (!isMap(ov)) invalid("The 'override' key must be a mapping", octx);
    for (const pair of (ov as YAMLMap).items) {
      const key = String(isScalar(pair.key) ? (pair.key as Scalar).value : pair.key);
      const how = isScalar(pair.value) ? String((pair.value as Scalar).value) : '';
      if (how !== 'append' && how !== 'replace') invalid(`Invalid override value for key '${key}': must be 'append' or 'replace'`, octx);
      const allowed = how === 'append' ? appendable : replaceable;
      if (!allowed.includes(key)) invalid(`Key '${key}' cannot be overridden with '${how}'`, octx);
      if (!m.has(key)) invalid(`Key '${key}' is in 'override' but not in the item`, octx);
      keys.set(key, how);
    }
    const kind = ctx.locations[ctx.locations.length - 1]!;
    const exists =
      kind.itemType === 'list' ? this.collector.lists.get(kind.itemName) : kind.itemType === 'macro' ? this.collector.macros.get(kind.itemName) : this.collector.rules.get(kind.itemName);
    if (exists === undefined) {
      const what = kind.itemType === 'list' ? 'List' : kind.itemType === 'macro' ? 'Macro' : 'Rule';
      throw new RuleLoadError('LOAD_ERR_VALIDATE', `${what} has 'override' key but no ${kind.itemType} by that name already exists`, ctx);
    }
    return { append, keys };
  }

  private priority(m: YAMLMap, ctx: LoadContext, optional: boolean): number | undefined {
    const text = this.scalar(m, 'priority', ctx, optional);
    if (text === undefined) return undefined;
    const p = parsePriority(text);
    if (p < 0) invalid('Invalid priority', this.ctx(ctx, node(m, 'priority'), 'rule priority', ''));
    return p;
  }

  /** A required or optional non-empty scalar, as text. */
  scalar(m: YAMLMap, key: string, ctx: LoadContext, optional: boolean): string | undefined {
    if (!m.has(key)) {
      if (optional) return undefined;
      invalid(`Item has no mapping for key '${key}'`, ctx);
    }
    const v = node(m, key);
    if (isNull(v)) invalid(`Mapping for key '${key}' is empty`, ctx);
    const vctx = this.ctx(ctx, v, 'value for', key);
    if (!isScalar(v)) invalid('Value is not a scalar value', vctx);
    const text = scalarText(v as Scalar);
    if (text === '') invalid('Value must be non-empty', vctx);
    return text;
  }

  /** `capture_duration`: milliseconds, a non-negative integer. */
  private durationMs(m: YAMLMap, ctx: LoadContext, optional: boolean): number | undefined {
    const text = this.scalar(m, 'capture_duration', ctx, optional);
    if (text === undefined) return undefined;
    if (!/^\d{1,12}$/.test(text)) invalid("Can't decode YAML scalar value", this.ctx(ctx, node(m, 'capture_duration'), 'value for', 'capture_duration'));
    return Number(text);
  }

  private bool(m: YAMLMap, key: string, ctx: LoadContext, optional: boolean): boolean | undefined {
    const text = this.scalar(m, key, ctx, optional);
    if (text === undefined) return undefined;
    if (TRUE_WORDS.has(text)) return true;
    if (FALSE_WORDS.has(text)) return false;
    return invalid("Can't decode YAML scalar value", this.ctx(ctx, node(m, key), 'value for', key));
  }

  private stringSeq(m: YAMLMap, key: string, ctx: LoadContext, optional: boolean): string[] | undefined {
    if (!m.has(key)) {
      if (optional) return undefined;
      invalid(`Item has no mapping for key '${key}'`, ctx);
    }
    const v = node(m, key);
    const vctx = this.ctx(ctx, v, 'value for', key);
    if (!isSeq(v)) invalid('Value is not a sequence', vctx);
    const out: string[] = [];
    for (const it of (v as YAMLSeq).items as YNode[]) {
      if (!isScalar(it)) invalid('sequence value is not scalar', this.ctx(vctx, it, 'list item', ''));
      out.push(scalarText(it as Scalar));
    }
    return out;
  }

  private exceptions(m: YAMLMap, parent: LoadContext, append: boolean): ExceptionInfo[] {
    const exs = node(m, 'exceptions');
    if (exs === undefined || isNull(exs)) return [];
    const exsCtx = this.ctx(parent, exs, 'exceptions', '');
    if (!isSeq(exs)) invalid('Rule exceptions must be a sequence', exsCtx);
    const out: ExceptionInfo[] = [];
    for (const ex of (exs as YAMLSeq).items as YNode[]) {
      const tmp = this.ctx(exsCtx, ex, 'exception', '');
      if (!isMap(ex)) invalid('Rule exception must be a mapping', tmp);
      const em = ex as YAMLMap;
      const name = this.scalar(em, 'name', tmp, false)!;
      const ctx = this.ctx(parent, em, 'exception', name);
      const info: ExceptionInfo = {
        name,
        fields: this.entry(node(em, 'fields'), 'fields', ctx, append),
        comps: this.entry(node(em, 'comps'), 'comps', ctx, true),
        values: [],
        ctx,
      };
      const vals = node(em, 'values');
      if (vals !== undefined) {
        const vctx = this.ctx(ctx, vals, 'exception values', '');
        if (!isSeq(vals)) invalid('Rule exception values must be a sequence', vctx);
        for (const v of (vals as YAMLSeq).items as YNode[]) info.values.push(this.entry(v, null, this.ctx(vctx, v, 'exception value', ''), false));
      }
      out.push(info);
    }
    return out;
  }

  /** An exception's fields/comps/value: a scalar or a list of them (nested). */
  private entry(v: YNode, key: string | null, ctx: LoadContext, optional: boolean): ExceptionEntry {
    const e: ExceptionEntry = { isList: false, item: '', items: [], valid: false };
    if (v === undefined) {
      if (optional) return e;
      invalid(`Item has no mapping for key '${key}'`, ctx);
    }
    const vctx = this.ctx(ctx, v, 'value for', key ?? '');
    if (isScalar(v)) {
      const text = scalarText(v as Scalar);
      if (text === '') invalid('Value must be non-empty', vctx);
      e.item = text;
      e.valid = true;
    } else if (isSeq(v)) {
      e.isList = true;
      e.valid = true;
      for (const it of (v as YAMLSeq).items as YNode[]) e.items.push(this.entry(it, null, this.ctx(vctx, it, 'exception', ''), false));
    }
    return e;
  }
}

function node(m: YAMLMap, key: string): YNode {
  return m.get(key, true) as YNode;
}

function isNull(v: YNode): boolean {
  return v === null || v === undefined || (isScalar(v) && (v as Scalar).value === null);
}

/** A scalar as yaml-cpp gives it: the text as written for plain scalars (1.0 stays "1.0"), the decoded string for quoted ones. */
function scalarText(s: Scalar): string {
  if (s.value === null) return '';
  if (typeof s.value === 'string') return s.value;
  return s.source ?? String(s.value);
}

/**
 * Reads `content` (the text of the rules file named `name`) into the
 * collector; errors and warnings go to `result`. Returns false when the
 * file could not be read completely (Falco then skips compiling).
 * `fromFile`: the text is that file's, so its parse may be cached.
 */
export function readRules(content: string, name: string, collector: Collector, result: LoadResult, fromFile?: string): boolean {
  const fileCtx = LoadContext.file(name);
  const parsed = parseRulesYaml(content, fromFile);
  if (parsed instanceof RulesYamlError) {
    result.addError('LOAD_ERR_YAML_PARSE', parsed.message, fileCtx);
    return false;
  }
  const reader = new FileReader(collector, fileCtx, parsed);
  for (const root of parsed.docs) {
    if (isNull(root)) continue;
    try {
      if (!isMap(root) && !isSeq(root)) invalid('Rules content is not yaml', fileCtx);
      if (!isSeq(root)) invalid('Rules content is not yaml array of objects', fileCtx);
      for (const item of (root as YAMLSeq).items as YNode[]) if (!isNull(item)) reader.readItem(item);
    } catch (e) {
      if (!(e instanceof RuleLoadError)) throw e;
      result.addError(e.code, e.message, e.context);
      return false;
    } finally {
      for (const u of reader.unknown.splice(0)) result.addWarning('LOAD_UNKNOWN_ITEM', 'Unknown top level item', u);
      for (const u of reader.skippedSources.splice(0)) result.addWarning('LOAD_UNKNOWN_SOURCE', `Unknown source ${u.source}, skipping`, u.ctx);
    }
  }
  return true;
}
