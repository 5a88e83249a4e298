/**
 * Gathers the items of every rules file loaded so far, in load order, as
 * Falco's rule_loader::collector does: a redefinition replaces an item but
 * keeps its place (`index`), `append` extends it, and every change records
 * how far in the load order the item can see (`visibility`), which decides
 * which lists and macros its references expand to.
 */
import { RuleLoadError, type LoadContext } from './load-result.js';
import type { ExceptionInfo, ListInfo, MacroInfo, RuleInfo } from './rule-items.js';
import { fieldRegistry } from '../fields/registry.js';

/** The engine version tsysdig's rules engine claims: what the falcosecurity/rules files it runs require. */
export const ENGINE_VERSION = '0.57.0';

/** Plugins whose fields tsysdig provides itself, with the version it stands in for. */
export const BUILTIN_PLUGINS: ReadonlyMap<string, string> = new Map([['container', '0.4.0']]);

/** Operators Falco's parser knows (libsinsp's supported_operators), and those that take a list. */
export const OPERATORS: ReadonlySet<string> = new Set([
  '=', '==', '!=', '<=', '>=', '<', '>', 'contains', 'bcontains', 'icontains', 'glob', 'iglob', 'pmatch', 'exists',
  'in', 'intersects', 'startswith', 'bstartswith', 'endswith', 'regex',
]);
export const LIST_OPERATORS: ReadonlySet<string> = new Set(['in', 'intersects', 'pmatch']);

const fail = (msg: string, ctx: LoadContext): never => {
  throw new RuleLoadError('LOAD_ERR_VALIDATE', msg, ctx);
};

/** Is `name` a field the filter language knows (with its argument, if any)? */
export function isFieldDefined(name: string): boolean {
  try {
    return fieldRegistry.resolveText(name) !== null;
  } catch {
    return false;
  }
}

/** A version as Falco compares them: "0.31.0", or a bare integer N meaning 0.N.0. */
export function parseVersion(text: string): [number, number, number] | null {
  if (/^[0-9]+$/.test(text)) return [0, Number(text), 0];
  const m = /^([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(text);
  return m === null ? null : [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export interface PluginRequirement {
  name: string;
  version: string;
}

/** Items in name order of first definition, as Falco's indexed_vector. */
class Indexed<T extends { name: string }> {
  readonly items: T[] = [];
  private readonly byName = new Map<string, T>();
  get(name: string): T | undefined {
    return this.byName.get(name);
  }
  put(v: T): void {
    const prev = this.byName.get(v.name);
    if (prev !== undefined) this.items[this.items.indexOf(prev)] = v;
    else this.items.push(v);
    this.byName.set(v.name, v);
  }
}

export class Collector {
  readonly lists = new Indexed<ListInfo>();
  readonly macros = new Indexed<MacroInfo>();
  readonly rules = new Indexed<RuleInfo>();
  private counter = 0;

  nextIndex(): number {
    return this.counter++;
  }

  requireEngineVersion(text: string, ctx: LoadContext): void {
    const want = parseVersion(text)!;
    if (compareVersions(want, parseVersion(ENGINE_VERSION)!) > 0) {
      fail(`Rules require engine version ${text}, but engine version is ${ENGINE_VERSION}`, ctx);
    }
  }

  /** One requirement and its alternatives: met when any of them is a plugin tsysdig provides at a compatible version. */
  requirePlugin(alternatives: readonly PluginRequirement[], ctx: LoadContext): void {
    const seen = new Set<string>();
    for (const r of alternatives) {
      if (parseVersion(r.version) === null) fail(`Invalid required version '${r.version}' for plugin '${r.name}'`, ctx);
      if (seen.has(r.name)) fail(`Defined multiple alternative version requirements for plugin '${r.name}'`, ctx);
      seen.add(r.name);
    }
    for (const r of alternatives) {
      const have = BUILTIN_PLUGINS.get(r.name);
      if (have === undefined) continue;
      const h = parseVersion(have)!;
      const w = parseVersion(r.version)!;
      if (h[0] === w[0] && compareVersions(h, w) >= 0) return;
    }
    const names = alternatives.map((r) => `'${r.name}' version ${r.version}`).join(' or ');
    const provided = [...BUILTIN_PLUGINS].map(([n, v]) => `${n} ${v}`).join(', ');
    fail(`Rules require plugin ${names}, which tsysdig does not provide (it provides: ${provided})`, ctx);
  }

  defineList(v: ListInfo): void {
    this.define(this.lists, v);
  }

  appendList(v: ListInfo): void {
    const prev = this.lists.get(v.name) ?? fail("List has 'append' key but no list by that name already exists", v.ctx);
    prev.items.push(...v.items);
    prev.visibility = this.nextIndex();
  }

  defineMacro(v: MacroInfo): void {
    this.define(this.macros, v);
  }

  appendMacro(v: MacroInfo): void {
    const prev = this.macros.get(v.name) ?? fail("Macro has 'append' key but no macro by that name already exists", v.ctx);
    prev.cond += ' ' + v.cond;
    prev.visibility = this.nextIndex();
  }

  defineRule(v: RuleInfo): void {
    const prev = this.rules.get(v.name);
    if (prev !== undefined && prev.source !== v.source) fail('Rule has been re-defined with a different source', v.ctx);
    for (const ex of v.exceptions) {
      if (!ex.fields.valid) fail('Rule exception item must have fields property with a list of fields', ex.ctx);
      validateException(ex);
    }
    this.define(this.rules, v);
  }

  /** `append: true` on a rule: its condition and exceptions extend the earlier rule's. */
  appendRule(v: Pick<RuleInfo, 'name' | 'cond' | 'exceptions' | 'ctx'>): void {
    const prev = this.rules.get(v.name) ?? fail("Rule has 'append' key but no rule by that name already exists", v.ctx);
    if (v.cond === '' && v.exceptions.length === 0) fail('Appended rule must have exceptions or condition property', v.ctx);
    if (v.cond !== '') prev.cond += ' ' + v.cond;
    this.appendExceptions(prev, v.exceptions);
    prev.visibility = this.nextIndex();
  }

  appendExceptions(prev: RuleInfo, exceptions: readonly ExceptionInfo[]): void {
    for (const ex of exceptions) {
      const old = prev.exceptions.find((e) => e.name === ex.name);
      if (old === undefined) {
        if (!ex.fields.valid) fail('Rule exception must have fields property with a list of fields', ex.ctx);
        if (ex.values.length === 0) fail('Rule exception must have values property with a list of values', ex.ctx);
        validateException(ex);
        prev.exceptions.push(ex);
      } else {
        if (ex.fields.valid) fail('Can not append exception fields to existing exception, only values', ex.ctx);
        if (ex.comps.valid) fail('Can not append exception comps to existing exception, only values', ex.ctx);
        old.values.push(...ex.values);
      }
    }
  }

  /** A rule item with only `enabled`: switches an earlier rule on or off. */
  enableRule(name: string, enabled: boolean, ctx: LoadContext): void {
    const prev = this.rules.get(name) ?? fail("Rule has 'enabled' key but no rule by that name already exists", ctx);
    prev.enabled = enabled;
  }

  private define<T extends { name: string; index: number; visibility: number }>(where: Indexed<T>, v: T): void {
    const id = this.nextIndex();
    const prev = where.get(v.name);
    v.index = prev !== undefined ? prev.index : id;
    v.visibility = id;
    where.put(v);
  }
}

/** Falco's checks of an exception's fields and comps (fills in the default comps). */
export function validateException(ex: ExceptionInfo): void {
  if (ex.fields.isList) {
    if (!ex.comps.valid) {
      ex.comps = { isList: true, item: '', items: ex.fields.items.map(() => ({ isList: false, item: '=', items: [], valid: true })), valid: true };
    }
    if (ex.fields.items.length !== ex.comps.items.length) fail('Fields and comps lists must have equal length', ex.ctx);
    for (const c of ex.comps.items) if (!OPERATORS.has(c.item)) fail(`'${c.item}' is not a supported comparison operator`, ex.ctx);
    for (const f of ex.fields.items) if (!isFieldDefined(f.item)) fail(`'${f.item}' is not a supported filter field`, ex.ctx);
  } else {
    if (!ex.comps.valid) ex.comps = { isList: false, item: 'in', items: [], valid: true };
    if (ex.comps.isList) fail('Fields and comps must both be strings', ex.ctx);
    if (!LIST_OPERATORS.has(ex.comps.item)) fail('When fields is a single value, comps must be one of (in, pmatch, intersects)', ex.ctx);
    if (!isFieldDefined(ex.fields.item)) fail(`'${ex.fields.item}' is not a supported filter field`, ex.ctx);
  }
}
