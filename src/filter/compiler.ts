/**
 * AST -> evaluator tree. Everything that can be decided once is decided
 * here: fields are resolved, operators checked against the field's kind,
 * literals parsed (numbers, booleans, IP networks, glob patterns, `in` sets,
 * pmatch tries). Per event only `test(ctx)` runs; see evaluators.ts.
 */
import type { CheckNode, FieldRef, FilterAst, Operand, Span, TransformerName, ValueLit } from './ast.js';
import { formatFilter } from './ast.js';
import { FilterError } from './errors.js';
import {
  AndEval,
  CheckEval,
  ContainsCheck,
  EndsWithCheck,
  EqCheck,
  ExistsCheck,
  FieldCompareCheck,
  type FieldCompareOp,
  ListSetCheck,
  RegexCheck,
  GlobCheck,
  GreaterCheck,
  GreaterEqCheck,
  IContainsCheck,
  InSetCheck,
  IpCheck,
  LessCheck,
  LessEqCheck,
  NotEval,
  OrEval,
  PmatchCheck,
  StartsWithCheck,
  type Evaluator,
  type V6Net,
} from './evaluators.js';
import type { BoundField, CompareOp, FieldKind, FieldResolver, FieldValue } from './field-api.js';
import { GlobPattern } from './glob.js';
import { ipv4Mask, parseIPv4, parseIPv6 } from './ip.js';
import type { ParseOptions } from './parser.js';
import { parseFilter } from './parser.js';
import { PathPrefixSet } from './path-prefix.js';
import { compileRegex } from './regex.js';
import { applyTransformers } from './transformers.js';

export interface CompiledFilter<Ctx> {
  /** The filter text it was compiled from. */
  readonly text: string;
  readonly ast: FilterAst;
  /** BoundField.name of every field the filter reads, in order of first use, without duplicates. */
  readonly fieldsUsed: readonly string[];
  /** The evaluator tree (exposed for tools and tests). */
  readonly root: Evaluator<Ctx>;
  /** Does the event in `ctx` pass the filter? Allocation-free. */
  test(ctx: Ctx): boolean;
}

export type CompileOptions = ParseOptions;

/** Parse and compile. Throws FilterError (syntax, unknown field, bad literal, operator not valid for the field). */
export function compileFilter<Ctx>(
  text: string,
  fields: FieldResolver<Ctx>,
  options: CompileOptions = {},
): CompiledFilter<Ctx> {
  return compileAst(parseFilter(text, options), fields, text);
}

/** Compile an already parsed filter (e.g. one built or rewritten by a tool). */
export function compileAst<Ctx>(
  ast: FilterAst,
  fields: FieldResolver<Ctx>,
  text: string = formatFilter(ast),
): CompiledFilter<Ctx> {
  const used: string[] = [];
  const root = compileNode(ast, fields, used);
  return new Compiled(text, ast, root, used);
}

class Compiled<Ctx> implements CompiledFilter<Ctx> {
  constructor(
    readonly text: string,
    readonly ast: FilterAst,
    readonly root: Evaluator<Ctx>,
    readonly fieldsUsed: readonly string[],
  ) {}

  test(ctx: Ctx): boolean {
    return this.root.test(ctx);
  }
}

/**
 * Parse several filters, each alone, and join them with `and` as trees: a
 * view's `filter:` and the command-line filter are combined this way, so
 * neither can close the other's parentheses (`proc.name=a) and (fd.num=1`
 * is an error on its own, and stays one). Empty pieces are skipped; null
 * when all are empty. `text` of the result is the pieces parenthesized.
 */
export function compileFilters<Ctx>(
  texts: readonly string[],
  fields: FieldResolver<Ctx>,
  options: CompileOptions = {},
): CompiledFilter<Ctx> | null {
  const pieces = texts.map((t) => t.trim()).filter((t) => t !== '');
  if (pieces.length === 0) return null;
  if (pieces.length === 1) return compileFilter(pieces[0]!, fields, options);
  const asts = pieces.map((t) => parseFilter(t, options));
  const ast: FilterAst = { kind: 'and', operands: asts, start: 0, end: 0 };
  return compileAst(ast, fields, pieces.map((t) => `(${t})`).join(' and '));
}

function compileNode<Ctx>(node: FilterAst, fields: FieldResolver<Ctx>, used: string[]): Evaluator<Ctx> {
  switch (node.kind) {
    case 'and':
    case 'or': {
      // Flatten (a and b) and c into one list: same result, one node fewer per level.
      const operands: Evaluator<Ctx>[] = [];
      for (const child of node.operands) {
        const e = compileNode(child, fields, used);
        if (node.kind === 'and' && e instanceof AndEval) operands.push(...(e.operands as Evaluator<Ctx>[]));
        else if (node.kind === 'or' && e instanceof OrEval) operands.push(...(e.operands as Evaluator<Ctx>[]));
        else operands.push(e);
      }
      if (operands.length === 1) return operands[0]!;
      return node.kind === 'and' ? new AndEval(operands) : new OrEval(operands);
    }
    case 'not': {
      const inner = compileNode(node.operand, fields, used);
      return inner instanceof NotEval ? (inner.operand as Evaluator<Ctx>) : new NotEval(inner);
    }
    case 'check':
      return compileCheck(node, fields, used);
  }
}

// ---------------------------------------------------------------------------
// Checks

const KIND_NAMES: Record<FieldKind, string> = {
  num: 'numeric',
  float: 'numeric',
  str: 'string',
  bytes: 'buffer',
  bool: 'boolean',
  ipaddr: 'IP address',
  ipnet: 'IP network',
};

const ORDER_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(['<', '<=', '>', '>=']);
const EQ_IN_EXISTS: ReadonlySet<CompareOp> = new Set<CompareOp>(['=', '!=', 'in', 'intersects', 'exists']);

/** Operators each kind supports (sysdig's flt_compare_* tables; see field-api.ts). */
function supports(kind: FieldKind, op: CompareOp): boolean {
  switch (kind) {
    case 'str':
      return op !== 'bcontains' && op !== 'bstartswith';
    case 'num':
    case 'float':
    case 'bool':
      return EQ_IN_EXISTS.has(op) || ORDER_OPS.has(op);
    case 'bytes':
      return EQ_IN_EXISTS.has(op) || op === 'contains' || op === 'startswith' || op === 'endswith' || op === 'bcontains' || op === 'bstartswith';
    case 'ipaddr':
    case 'ipnet':
      return EQ_IN_EXISTS.has(op);
  }
}

function resolveField<Ctx>(f: FieldRef, fields: FieldResolver<Ctx>): BoundField<Ctx> {
  let bound: BoundField<Ctx> | null;
  try {
    bound = fields.resolve(f.name, f.arg);
  } catch (e) {
    throw new FilterError(e instanceof Error ? e.message : String(e), f.start, f.end);
  }
  if (bound === null) throw new FilterError(`unrecognized field '${f.text}'`, f.start, f.end);
  return bound;
}

/** The field of an operand with its transformers applied. */
function resolveOperand<Ctx>(f: FieldRef, transformers: readonly TransformerName[], span: Span, fields: FieldResolver<Ctx>, used: string[]): BoundField<Ctx> {
  const field = resolveField(f, fields);
  if (!used.includes(field.name)) used.push(field.name);
  if (transformers.length === 0) return field;
  if (field.anyOf === true) throw new FilterError(`field '${f.text}' does not support transformers`, f.start, f.end);
  try {
    return applyTransformers(field, transformers);
  } catch (e) {
    throw new FilterError(e instanceof Error ? e.message : String(e), span.start, span.end);
  }
}

const LIST_FIELD_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(['in', 'intersects', 'exists']);

function compileCheck<Ctx>(node: CheckNode, fields: FieldResolver<Ctx>, used: string[]): Evaluator<Ctx> {
  const field = resolveOperand(node.field, node.transformers, node.lhsSpan, fields, used);
  const { op } = node;
  const kind = field.kind;
  if (field.getList !== undefined && !LIST_FIELD_OPS.has(op)) {
    throw new FilterError(`'${op}' is not supported for list fields ('${field.name}'): use 'in', 'intersects' or 'exists'`, node.opSpan.start, node.opSpan.end);
  }
  if (!supports(kind, op)) {
    throw new FilterError(
      `'${op}' is not supported for ${KIND_NAMES[kind]} fields ('${field.name}')`,
      node.opSpan.start,
      node.opSpan.end,
    );
  }
  if (node.rhs !== undefined) return compileFieldCompare(node, field, node.rhs, fields, used);
  if (field.getList !== undefined) {
    const set = new Set<FieldValue>(node.values.map((v) => parseScalar(kind, literalText(field, op, v), v)));
    return new ListSetCheck(field, op as 'in' | 'intersects' | 'exists', set);
  }
  if (op === 'exists') return new ExistsCheck(field, false);

  const texts = node.values.map((v) => literalText(field, op, v));

  if (kind === 'ipaddr' || kind === 'ipnet') {
    const nets = node.values.map((v, i) => (kind === 'ipaddr' ? parseAddrLiteral(texts[i]!, v) : parseNetLiteral(texts[i]!, v)));
    const v4: number[] = [];
    const v6: V6Net[] = [];
    for (const n of nets) {
      if (n.v4 !== undefined) v4.push(n.v4, ipv4Mask(n.bits));
      else v6.push({ addr: n.v6!, bits: n.bits });
    }
    return new IpCheck(field, op === '!=', Int32Array.from(v4), v6);
  }

  switch (op) {
    case 'pmatch':
      return new PmatchCheck(field, new PathPrefixSet(texts));
    case 'in':
    case 'intersects': {
      // `intersects` is `in` for single-valued fields (sysdig says as much).
      const set = new Set<FieldValue>(texts.map((t, i) => parseScalar(kind, t, node.values[i]!)));
      // A bool field may return 0/1 as well as false/true: keep to `==`, which accepts both.
      if (kind === 'bool' && set.size === 2) return new ExistsCheck(field, false);
      return set.size === 1 ? new EqCheck(field, false, set.values().next().value!) : new InSetCheck(field, set);
    }
    case '=':
    case '!=':
      return new EqCheck(field, op === '!=', parseScalar(kind, texts[0]!, node.values[0]!));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const lit = parseScalar(kind, texts[0]!, node.values[0]!);
      // Booleans order as false < true, like sysdig's 0/1 comparison.
      const ordered = typeof lit === 'boolean' ? (lit ? 1 : 0) : lit;
      const f = kind === 'bool' ? new BoolAsNumber(field) : field;
      if (op === '<') return new LessCheck(f, ordered);
      if (op === '<=') return new LessEqCheck(f, ordered);
      if (op === '>') return new GreaterCheck(f, ordered);
      return new GreaterEqCheck(f, ordered);
    }
    case 'contains':
      return new ContainsCheck(field, texts[0]!);
    case 'icontains':
      return new IContainsCheck(field, texts[0]!);
    case 'startswith':
      return new StartsWithCheck(field, texts[0]!);
    case 'endswith':
      return new EndsWithCheck(field, texts[0]!);
    case 'glob':
      return new GlobCheck(field, new GlobPattern(texts[0]!));
    case 'bcontains':
      return new ContainsCheck(field, unhex(texts[0]!, node.values[0]!));
    case 'bstartswith':
      return new StartsWithCheck(field, unhex(texts[0]!, node.values[0]!));
    case 'regex':
      try {
        return new RegexCheck(field, compileRegex(texts[0]!));
      } catch (e) {
        throw at(node.values[0]!, e instanceof Error ? e.message : String(e));
      }
  }
  const unhandled: never = op;
  throw new Error(`filter compiler: unhandled operator ${String(unhandled)}`);
}

/**
 * A comparison with another field (`val(f)` or a transformed field on the
 * right). As in libsinsp: not for pmatch or regex, not with fields that
 * match any of several values, and both sides must be of the same kind.
 */
function compileFieldCompare<Ctx>(node: CheckNode, left: BoundField<Ctx>, rhs: Operand, fields: FieldResolver<Ctx>, used: string[]): Evaluator<Ctx> {
  const op = node.op;
  if (op === 'pmatch' || op === 'regex' || op === 'exists') {
    throw new FilterError(`operator '${op}' doesn't support right-hand side fields`, node.opSpan.start, node.opSpan.end);
  }
  const right = resolveOperand(rhs.field, rhs.transformers, rhs, fields, used);
  for (const [f, ref] of [[left, node.field], [right, rhs.field]] as const) {
    if (f.anyOf === true) throw new FilterError(`field '${ref.text}' can't be compared with another field`, ref.start, ref.end);
  }
  if (left.kind === 'ipnet' || right.kind === 'ipnet') throw new FilterError("field type 'IPNET' doesn't support right-hand side fields", rhs.start, rhs.end);
  const sameKind = left.kind === right.kind || (isNumeric(left.kind) && isNumeric(right.kind));
  if (!sameKind || (left.getList !== undefined) !== (right.getList !== undefined)) {
    throw new FilterError(
      `field '${left.name}' has type '${KIND_NAMES[left.kind]}${left.getList !== undefined ? ' (list)' : ''}' while the right-hand side field '${right.name}' has incompatible type '${KIND_NAMES[right.kind]}${right.getList !== undefined ? ' (list)' : ''}'`,
      rhs.start,
      rhs.end,
    );
  }
  const f = left.kind === 'bool' && ORDER_OPS.has(op) ? new BoolAsNumber(left) : left;
  const r = right.kind === 'bool' && ORDER_OPS.has(op) ? new BoolAsNumber(right) : right;
  return new FieldCompareCheck(f, op as FieldCompareOp, r, (p) => new GlobPattern(p));
}

function isNumeric(k: FieldKind): boolean {
  return k === 'num' || k === 'float';
}

/** bcontains/bstartswith literals: hex digits, two per byte (libsinsp's unhex), as a byte string. */
function unhex(text: string, v: ValueLit): string {
  if (text.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(text)) throw at(v, 'bcontains and bstartswith operator support hex strings only');
  let out = '';
  for (let i = 0; i < text.length; i += 2) out += String.fromCharCode(parseInt(text.slice(i, i + 2), 16));
  return out;
}

/** Adapts a bool field to numeric ordering (false=0, true=1) without changing the check classes. */
class BoolAsNumber<Ctx> implements BoundField<Ctx> {
  readonly name: string;
  readonly kind = 'num' as const;

  constructor(private readonly inner: BoundField<Ctx>) {
    this.name = inner.name;
  }

  get(ctx: Ctx): FieldValue | undefined {
    const v = this.inner.get(ctx);
    return v === undefined ? undefined : v ? 1 : 0;
  }
}

// ---------------------------------------------------------------------------
// Literals

function at(v: Span, detail: string): FilterError {
  return new FilterError(detail, v.start, v.end);
}

/** The literal text after the field's own validation hook. */
function literalText<Ctx>(field: BoundField<Ctx>, op: CompareOp, v: ValueLit): string {
  if (field.normalizeLiteral === undefined) return v.text;
  try {
    return field.normalizeLiteral(v.text, op);
  } catch (e) {
    throw at(v, e instanceof Error ? e.message : String(e));
  }
}

/** sysdig parses integers with sscanf("%ld%c"): leading blanks and a sign, decimal digits, nothing after. */
const INT_RE = /^[ \t\n\r\v\f]*[+-]?[0-9]+$/;
const FLOAT_RE = /^[ \t\n\r\v\f]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** Literal for the scalar kinds (num, float, str, bytes, bool). */
function parseScalar(kind: FieldKind, text: string, v: ValueLit): FieldValue {
  switch (kind) {
    case 'num': {
      if (!INT_RE.test(text)) throw at(v, `'${text}' is not a valid number`);
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text.trim());
    }
    case 'float': {
      if (!FLOAT_RE.test(text)) throw at(v, `'${text}' is not a valid number`);
      return Number(text);
    }
    case 'bool':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw at(v, `unrecognized boolean value '${text}' (expected 'true' or 'false')`);
    default:
      return text;
  }
}

interface NetLiteral {
  v4?: number;
  v6?: Uint16Array;
  bits: number;
}

/** An address literal is a network of one address (/32 or /128). */
function parseAddrLiteral(text: string, v: ValueLit): NetLiteral {
  const a = parseIPv4(text);
  if (a === a) return { v4: a, bits: 32 };
  const a6 = new Uint16Array(8);
  if (parseIPv6(text, a6)) return { v6: a6, bits: 128 };
  throw at(v, `unrecognized IP address '${text}'`);
}

/**
 * Network literals: `a.b.c.d/n` (the prefix is required, as in sysdig), IPv6
 * `addr/n`, or a bare IPv6 address, which sysdig treats as its /64.
 */
function parseNetLiteral(text: string, v: ValueLit): NetLiteral {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefix = slash < 0 ? '' : text.slice(slash + 1);
  const a = parseIPv4(addr);
  if (a === a) {
    if (slash < 0) throw at(v, `unrecognized IP network '${text}' (expected address/prefix-length)`);
    return { v4: a, bits: parsePrefix(prefix, 32, v) };
  }
  const a6 = new Uint16Array(8);
  if (!parseIPv6(addr, a6)) throw at(v, `unrecognized IP network '${text}'`);
  return { v6: a6, bits: slash < 0 ? 64 : parsePrefix(prefix, 128, v) };
}

function parsePrefix(text: string, max: number, v: ValueLit): number {
  const n = /^[0-9]{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= max)) throw at(v, `invalid netmask '${text}'`);
  return n;
}
