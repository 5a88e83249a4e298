/**
 * The parsed form of a filter. Plain data with source spans, so tools can
 * highlight parts of the filter and the compiler can report errors in place.
 */
import type { CompareOp } from './lexer.js';

export type { CompareOp } from './lexer.js';

/** Source span [start, end) in the filter text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface FieldRef extends Span {
  /** Name as written, without the bracket argument: 'proc.aname', 'evt.arg.fd'. */
  readonly name: string;
  /** Bracket argument: '2' for `proc.aname[2]`; undefined without brackets. */
  readonly arg: string | undefined;
  /** The field exactly as written: 'proc.aname[2]'. */
  readonly text: string;
}

export interface ValueLit extends Span {
  /** The value after quote removal and escape processing. */
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * Field transformers (libsinsp's FieldTransformerType): functions applied to
 * a field's value before the comparison, `tolower(proc.name) = bash`.
 */
export type TransformerName = 'tolower' | 'toupper' | 'b64' | 'basename' | 'len';

export const TRANSFORMER_NAMES: ReadonlySet<string> = new Set<TransformerName>(['tolower', 'toupper', 'b64', 'basename', 'len']);

/** A field with the transformers applied to it, innermost first: `len(basename(fd.name))` -> ['basename', 'len']. */
export interface Operand extends Span {
  readonly field: FieldRef;
  readonly transformers: readonly TransformerName[];
}

export interface CheckNode extends Span {
  readonly kind: 'check';
  /** The field read (for a transformed operand, the innermost field). */
  readonly field: FieldRef;
  /** Transformers applied to the field, innermost first (empty for a plain field). */
  readonly transformers: readonly TransformerName[];
  /** Span of the whole left-hand side, transformers included. */
  readonly lhsSpan: Span;
  readonly op: CompareOp;
  /** Span of the operator token. */
  readonly opSpan: Span;
  /** None for `exists` and for a field on the right, one for binary operators, one or more for in/intersects/pmatch. */
  readonly values: readonly ValueLit[];
  /** The right-hand side when it is a field, `val(proc.pname)` or `tolower(proc.pname)`, instead of literals. */
  readonly rhs?: Operand;
}

export interface AndNode extends Span {
  readonly kind: 'and';
  readonly operands: readonly FilterAst[];
}

export interface OrNode extends Span {
  readonly kind: 'or';
  readonly operands: readonly FilterAst[];
}

export interface NotNode extends Span {
  readonly kind: 'not';
  readonly operand: FilterAst;
}

export type FilterAst = CheckNode | AndNode | OrNode | NotNode;

const LIST_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(['in', 'intersects', 'pmatch']);

/** An operand as filter text: `tolower(basename(fd.name))`. */
export function formatOperand(field: FieldRef, transformers: readonly TransformerName[]): string {
  let out = field.text;
  for (const t of transformers) out = `${t}(${out})`;
  return out;
}

export function isListOp(op: CompareOp): boolean {
  return LIST_OPS.has(op);
}

/**
 * Quote a value so that it parses back to the same text: double quotes,
 * with `\` and `"` escaped and control characters as \xHH.
 */
export function quoteValue(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += c;
  }
  return out + '"';
}

/**
 * Render an AST back to filter text. Every and/or below the top is
 * parenthesized, so the result is unambiguous for sysdig 0.29 as well,
 * and parsing it again gives an equivalent tree.
 */
export function formatFilter(ast: FilterAst): string {
  return format(ast, true);
}

function format(node: FilterAst, top: boolean): string {
  switch (node.kind) {
    case 'check': {
      const field = formatOperand(node.field, node.transformers);
      if (node.op === 'exists') return `${field} exists`;
      if (node.rhs !== undefined) {
        const r = node.rhs.transformers.length === 0 ? `val(${node.rhs.field.text})` : formatOperand(node.rhs.field, node.rhs.transformers);
        return `${field} ${node.op} ${r}`;
      }
      if (isListOp(node.op)) return `${field} ${node.op} (${node.values.map((v) => quoteValue(v.text)).join(', ')})`;
      return `${field} ${node.op} ${quoteValue(node.values[0]!.text)}`;
    }
    case 'not':
      return `not ${format(node.operand, false)}`;
    case 'and':
    case 'or': {
      const inner = node.operands.map((o) => format(o, false)).join(` ${node.kind} `);
      return top ? inner : `(${inner})`;
    }
  }
}
