/**
 * Turns the collected items into compiled rules, as Falco's
 * rule_loader::compiler does: lists expand (one level of nested lists),
 * are substituted into conditions as text, conditions parse with `and`
 * binding tighter than `or`, macros expand in place (a macro sees the macros
 * defined before its last change), exceptions become `and not (...)`, and
 * each condition compiles onto the filter engine. The first error stops.
 */
import { compileAst, FilterError, parseFilter, type CompiledFilter, type FilterAst, type Span } from '../filter/index.js';
import { fieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import type { Collector } from './collector.js';
import { LIST_OPERATORS } from './collector.js';
import { eventTypesOf } from './evttypes.js';
import { RuleLoadError, type LoadContext, type LoadResult } from './load-result.js';
import { OutputFormat, OutputFormatError } from './output-format.js';
import type { ExceptionInfo, ListInfo, MacroInfo, RuleInfo } from './rule-items.js';
import { PRIORITY_NAMES, type PriorityName } from './rule-items.js';

export interface CompiledRule {
  /** Position in load order. */
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** 0 (Emergency) .. 7 (Debug). */
  readonly priority: number;
  readonly priorityName: PriorityName;
  readonly source: string;
  /** Sorted, as Falco prints them. */
  readonly tags: readonly string[];
  readonly condition: string;
  readonly filter: CompiledFilter<EventContext>;
  readonly output: OutputFormat;
  /** Event ids the condition can match. */
  readonly eventTypes: readonly number[];
  /** Enabled by the rules file (enabled: false turns it off). */
  readonly enabled: boolean;
  /** `capture: true`: a capture is written around this rule's alerts (src/session/alert-capture-hook.ts). */
  readonly capture: boolean;
  /** `capture_duration` in ms, or null for the configured default. */
  readonly captureDurationMs: number | null;
}

export interface CompileConfig {
  /** Rules less severe than this (a larger number) are left out. */
  minPriority: number;
  /** Falco's output "extra" (-pc / -pk), appended to every output; '' for none. */
  outputExtra: string;
  /** With -pc/-pk: %container.info becomes the extra instead of being appended. */
  replaceContainerInfo: boolean;
}

export const DEFAULT_COMPILE_CONFIG: CompileConfig = { minPriority: 7, outputExtra: '', replaceContainerInfo: false };

const CONTAINER_INFO = '%container.info';
const DEFAULT_CONTAINER_INFO = '%container.name (id=%container.id)';

/** Rules with more event types than this get Falco's LOAD_NO_EVTTYPE warning. */
const MANY_EVENT_TYPES = 100;

/** What a macro reference stands for while only the syntax is checked. */
const PLACEHOLDER: FilterAst = parseFilter('evt.num exists');

/** Falco quotes list items and exception values that hold a blank. */
function quoteItem(e: string): string {
  return e.includes(' ') && e[0] !== '"' && e[0] !== "'" ? `"${e}"` : e;
}

const BLANKS = ' \t\n\r';
const DELIMS = BLANKS + '(),=';

/**
 * Substitutes the list's items for each whole-word occurrence of its name
 * (delimited by blanks, brackets, ',' or '='), Falco's textual list
 * expansion, blanks around the name included. Returns the new text, or null when unused.
 */
export function substituteList(cond: string, name: string, items: readonly string[]): string | null {
  let used = false;
  let start = cond.indexOf(name);
  while (start >= 0) {
    let end = start + name.length;
    if ((start === 0 || DELIMS.includes(cond[start - 1]!)) && (end >= cond.length || DELIMS.includes(cond[end]!))) {
      while (start > 0 && BLANKS.includes(cond[start - 1]!)) start--;
      while (end < cond.length && BLANKS.includes(cond[end]!)) end++;
      const sub = items.join(', ');
      if (sub === '') {
        if (start > 0 && cond[start - 1] === ',') start--;
        else if (end < cond.length && cond[end] === ',') end++;
      }
      cond = (start > 0 ? cond.slice(0, start) + ' ' : '') + sub + ' ' + cond.slice(end);
      start += sub.length + 1;
      used = true;
    }
    start = cond.indexOf(name, start + 1);
  }
  return used ? cond : null;
}

/** An exception's `and not (...)` text (Falco's build_rule_exception_infos). */
function exceptionConditions(exceptions: readonly ExceptionInfo[]): string {
  let out = '';
  for (const ex of exceptions) {
    let icond = '';
    if (!ex.fields.isList) {
      for (const val of ex.values) {
        if (val.isList) throw new RuleLoadError('LOAD_ERR_VALIDATE', 'Expected values array to contain a list of strings', ex.ctx);
        icond += icond === '' ? `(${ex.fields.item} ${ex.comps.item} (` : ', ';
        icond += quoteItem(val.item);
      }
      if (icond !== '') icond += '))';
    } else {
      icond = '(';
      for (const values of ex.values) {
        if (ex.fields.items.length !== values.items.length) throw new RuleLoadError('LOAD_ERR_VALIDATE', 'Fields and values lists must have equal length', ex.ctx);
        icond += icond === '(' ? '(' : ' or (';
        ex.fields.items.forEach((field, k) => {
          const v = values.items[k]!;
          const comp = ex.comps.items[k]!.item;
          let istr: string;
          if (v.isList) istr = '(' + v.items.map((x) => quoteItem(x.item)).join(', ') + ')';
          else if (LIST_OPERATORS.has(comp)) istr = v.item[0] === '(' ? v.item : `(${v.item})`;
          else istr = quoteItem(v.item);
          icond += `${k === 0 ? '' : ' and '} ${field.item} ${comp} ${istr}`;
        });
        icond += ')';
      }
      icond += ')';
      if (icond === '()') icond = '';
    }
    if (icond !== '') out += ' and not ' + icond;
  }
  return out;
}

interface MacroState {
  info: MacroInfo;
  /** The condition with lists substituted. */
  text: string;
  expanded: FilterAst | null;
  used: boolean;
}

interface ListState {
  info: ListInfo;
  items: string[];
  used: boolean;
}

export class RuleCompiler {
  private readonly lists: ListState[] = [];
  private readonly macros = new Map<string, MacroState>();

  constructor(
    private readonly col: Collector,
    private readonly cfg: CompileConfig,
    private readonly result: LoadResult,
  ) {}

  /** Compiles everything collected; errors and warnings go to the result. */
  compile(): CompiledRule[] {
    const out: CompiledRule[] = [];
    try {
      this.compileLists();
      this.compileMacros();
      this.compileRules(out);
    } catch (e) {
      if (!(e instanceof RuleLoadError)) throw e;
      this.result.addError(e.code, e.message, e.context);
      return [];
    }
    for (const m of this.macros.values()) if (!m.used) this.result.addWarning('LOAD_UNUSED_MACRO', 'Macro not referred to by any other rule/macro', m.info.ctx);
    for (const l of this.lists) if (!l.used) this.result.addWarning('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', l.info.ctx);
    return out;
  }

  private compileLists(): void {
    const used: string[] = [];
    for (const list of this.col.lists.items) {
      const items: string[] = [];
      for (const item of list.items) {
        const ref = this.col.lists.get(item);
        if (ref !== undefined && ref.index < list.visibility) {
          used.push(ref.name);
          for (const v of ref.items) items.push(quoteItem(v));
        } else items.push(quoteItem(item));
      }
      this.lists.push({ info: list, items, used: false });
    }
    for (const l of this.lists) if (used.includes(l.info.name)) l.used = true;
  }

  private withLists(cond: string): string {
    for (const l of this.lists) {
      const next = substituteList(cond, l.info.name, l.items);
      if (next !== null) {
        cond = next;
        l.used = true;
      }
    }
    return cond;
  }

  private compileMacros(): void {
    // Every macro parses first (syntax errors come before unknown macros), then expands.
    for (const m of this.col.macros.items) {
      const text = this.withLists(m.cond);
      syntaxCheck(text, m.condCtx);
      this.macros.set(m.name, { info: m, text, expanded: null, used: false });
    }
    for (const m of this.macros.values()) this.expandMacro(m, [], m.info.ctx);
  }

  /** `ctx` is the item whose expansion this is: errors are reported there, as Falco does. */
  private expandMacro(m: MacroState, path: string[], ctx: LoadContext): FilterAst {
    if (m.expanded !== null) return m.expanded;
    const ast = this.parseWithMacros(m.text, m.info.visibility, [...path, m.info.name], ctx);
    m.expanded = ast;
    return ast;
  }

  /** Parses with macro references expanded; `visibility` limits which macros are seen. */
  private parseWithMacros(text: string, visibility: number, path: string[], ctx: LoadContext): FilterAst {
    const macro = (name: string, _span: Span): FilterAst => {
      const m = this.macros.get(name);
      if (m === undefined || m.info.index >= visibility) throw new RuleLoadError('LOAD_ERR_VALIDATE', `Undefined macro '${name}' used in filter.`, ctx);
      if (path.includes(name)) throw new RuleLoadError('LOAD_ERR_VALIDATE', `reference loop in macro '${name}'`, ctx);
      m.used = true;
      return this.expandMacro(m, path, ctx);
    };
    return parseFilter(text, { andOrMixing: 'precedence', macro, rawUnquoted: true });
  }

  /**
   * A rule's condition, parsed once with its macros expanded. Only when that
   * fails is it parsed the careful way, syntax first, so the error reported
   * is the one Falco reports first (a syntax error before an unknown macro);
   * a failure stops the compile, so the macros the first attempt marked as
   * used do not matter.
   */
  private parseRule(condition: string, r: RuleInfo): FilterAst {
    try {
      return this.parseWithMacros(condition, Number.MAX_SAFE_INTEGER, [], r.ctx);
    } catch {
      syntaxCheck(condition, r.condCtx);
      return this.parseWithMacros(condition, Number.MAX_SAFE_INTEGER, [], r.ctx);
    }
  }

  private compileRules(out: CompiledRule[]): void {
    for (const r of this.col.rules.items) {
      if (r.priority > this.cfg.minPriority) continue;
      const condition = this.withLists(r.cond + exceptionConditions(r.exceptions));
      const ast = this.parseRule(condition, r);
      if (hasNaComparison(ast)) this.result.addWarning('LOAD_UNSAFE_NA_CHECK', '', r.ctx);
      let output: OutputFormat;
      try {
        output = new OutputFormat(this.outputText(r.output, r.source));
      } catch (e) {
        if (e instanceof OutputFormatError) throw new RuleLoadError('LOAD_ERR_COMPILE_OUTPUT', e.message, r.outputCtx);
        throw e;
      }
      const unknown = unknownField(ast);
      if (unknown !== null) {
        const msg = `filter_check called with nonexistent field ${unknown}`;
        if (r.skipIfUnknownFilter) {
          this.result.addWarning('LOAD_UNKNOWN_FIELD', msg, r.condCtx);
          continue;
        }
        throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', msg, r.condCtx);
      }
      let filter: CompiledFilter<EventContext>;
      try {
        filter = compileAst(ast, fieldRegistry, condition);
      } catch (e) {
        if (e instanceof FilterError) throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', e.detail, r.condCtx);
        throw e;
      }
      const eventTypes = r.source === 'syscall' ? eventTypesOf(ast) : [];
      if (r.source === 'syscall' && r.warnEvttypes && (eventTypes.length === 0 || eventTypes.length > MANY_EVENT_TYPES)) {
        this.result.addWarning('LOAD_NO_EVTTYPE', 'Rule matches too many evt.type values. This has a significant performance penalty.', r.ctx);
      }
      out.push({
        id: out.length,
        name: r.name,
        description: r.desc,
        priority: r.priority,
        priorityName: PRIORITY_NAMES[r.priority]!,
        source: r.source,
        tags: [...r.tags].sort(),
        condition,
        filter,
        output,
        eventTypes,
        enabled: r.enabled,
        capture: r.capture,
        captureDurationMs: r.captureDurationMs,
      });
    }
  }

  /** %container.info and the -pc/-pk extra (Falco's apply_output_substitutions). */
  private outputText(out: string, source: string): string {
    if (source !== 'syscall') return out;
    const extra = this.cfg.outputExtra;
    if (out.includes(CONTAINER_INFO)) {
      if (this.cfg.replaceContainerInfo) return out.split(CONTAINER_INFO).join(extra);
      out = out.split(CONTAINER_INFO).join(DEFAULT_CONTAINER_INFO);
    }
    return extra === '' ? out : `${out} ${extra}`;
  }
}

/** Parses once with every macro reference accepted, so syntax errors are reported before unknown macros. */
function syntaxCheck(text: string, ctx: LoadContext): void {
  try {
    parseFilter(text, { andOrMixing: 'precedence', macro: () => PLACEHOLDER, rawUnquoted: true });
  } catch (e) {
    if (e instanceof FilterError) throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', falcoParseMessage(text, e), ctx);
    throw e;
  }
}

/** libsinsp's words for "something follows a complete check": "unexpected token after 'X', expecting 'or', 'and'". */
function falcoParseMessage(text: string, e: FilterError): string {
  if (!e.detail.startsWith("expected 'and', 'or'")) return e.detail;
  const before = text.slice(0, e.position).trimEnd();
  const m = /[^\s()=<>!,]+$/.exec(before);
  const last = m === null ? before.slice(-1) : m[0].replace(/^["']|["']$/g, '');
  return `unexpected token after '${last}', expecting 'or', 'and'`;
}

/** The first field of the tree the registry does not know, or null. */
function unknownField(ast: FilterAst): string | null {
  switch (ast.kind) {
    case 'check': {
      try {
        return fieldRegistry.resolve(ast.field.name, ast.field.arg) === null ? ast.field.text : null;
      } catch {
        return null; // a bad argument: the compiler reports it with its own message
      }
    }
    case 'not':
      return unknownField(ast.operand);
    case 'and':
    case 'or':
      for (const o of ast.operands) {
        const u = unknownField(o);
        if (u !== null) return u;
      }
      return null;
  }
}

/** `field = <NA>` or `!= <NA>` somewhere (Falco's LOAD_UNSAFE_NA_CHECK). */
function hasNaComparison(ast: FilterAst): boolean {
  switch (ast.kind) {
    case 'check':
      return (ast.op === '=' || ast.op === '!=') && ast.values.some((v) => v.text === '<NA>');
    case 'not':
      return hasNaComparison(ast.operand);
    default:
      return ast.operands.some(hasNaComparison);
  }
}
