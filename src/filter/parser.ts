/**
 * Recursive-descent parser: filter text -> FilterAst.
 *
 *   filter  := expr                      (empty text is an error, as in sysdig's compiler)
 *   expr    := unary (('and' unary)* | ('or' unary)*)
 *   unary   := 'not' unary | '(' expr ')' | check
 *   check   := operand 'exists'
 *            | operand ('in' | 'intersects' | 'pmatch') ('(' value (',' value)* ')' | rhs)
 *            | operand binop (value | rhs)
 *   operand := field | transformer '(' operand ')'
 *   rhs     := 'val' '(' field ')' | transformer '(' operand ')'
 *   transformer := 'tolower' | 'toupper' | 'b64' | 'basename' | 'len'
 *
 * Transformers and `val()` are libsinsp's (Falco's) additions: a word that
 * names one is a transformer only when '(' follows it directly, as in
 * libsinsp's lexer ("tolower(").
 *
 * sysdig 0.29 has no precedence between `and` and `or`: a group that mixes
 * them is rejected ("expression mixes 'and' and 'or' in an ambiguous way").
 * `not` applies to the single check or parenthesized group after it. Parsing
 * with the precedence of later sysdig versions (`and` binds tighter than
 * `or`) is available as an option for filters written for newer tools.
 */
import type { AndNode, CheckNode, FieldRef, FilterAst, Operand, OrNode, Span, TransformerName, ValueLit } from './ast.js';
import { isListOp, TRANSFORMER_NAMES } from './ast.js';
import { FilterError, describeTail } from './errors.js';
import { Scanner } from './lexer.js';

export interface ParseOptions {
  /**
   * What to do with `a and b or c` at one nesting level.
   * 'reject' (default): error, like sysdig 0.29.
   * 'precedence': `and` binds tighter than `or`, like libsinsp >= 0.30.
   */
  readonly andOrMixing?: 'reject' | 'precedence';
  /**
   * Falco's macro references: with this hook, a bare identifier (a word
   * without a dot, not followed by '(') where a check would be is a macro
   * name, and the hook returns the tree that stands for it (or throws).
   * Without it, such a word is read as a field name, as sysdig does.
   */
  readonly macro?: (name: string, span: Span) => FilterAst;
  /** Unquoted values take backslashes literally, as Falco's parser does (default: sysdig's escapes). */
  readonly rawUnquoted?: boolean;
}

/** What Falco's parser takes for an identifier (a macro name) rather than a field. */
const IDENTIFIER_RE = /^[a-zA-Z][a-zA-Z0-9_]*$/;

const MAX_DEPTH = 1000;

export const MIXED_AND_OR_MESSAGE = "expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.";

/** Parse filter text. Throws FilterError with the position of the first problem. */
export function parseFilter(text: string, options: ParseOptions = {}): FilterAst {
  const p = new Parser(text, options.andOrMixing ?? 'reject', options.macro);
  p.rawUnquoted(options.rawUnquoted === true);
  return p.parse();
}

class Parser {
  private readonly s: Scanner;
  /** Offsets of the '(' currently open, innermost last, for "missing ')'" messages. */
  private readonly open: number[] = [];
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly mixing: 'reject' | 'precedence',
    private readonly macro?: (name: string, span: Span) => FilterAst,
  ) {
    this.s = new Scanner(text);
  }

  rawUnquoted(on: boolean): void {
    this.s.rawUnquoted = on;
  }

  parse(): FilterAst {
    const node = this.parseExpr();
    this.s.skipBlanks();
    if (!this.s.atEnd()) {
      // parseExpr only stops early at ')'.
      throw new FilterError("unexpected ')' without a matching '('", this.s.pos, this.s.pos + 1);
    }
    return node;
  }

  private parseExpr(): FilterAst {
    const operands: FilterAst[] = [this.parseUnary()];
    const ops: { op: 'and' | 'or'; start: number; end: number }[] = [];
    for (;;) {
      this.s.skipBlanks();
      if (this.s.atEnd() || this.s.peek() === ')') break;
      const w = this.s.peekWord();
      if (w.text === 'and' || w.text === 'or') {
        this.s.pos = w.end;
        ops.push({ op: w.text, start: w.start, end: w.end });
        operands.push(this.parseUnary());
        continue;
      }
      const before = describeTail(this.text.slice(0, this.s.pos).trimEnd());
      if (this.s.peek() === '(') {
        throw new FilterError(
          `unexpected '(' after ${before} (only 'in', 'intersects' and 'pmatch' take a list)`,
          this.s.pos,
          this.s.pos + 1,
        );
      }
      const expected = this.open.length > 0 ? "'and', 'or' or ')'" : "'and', 'or' or end of filter";
      throw new FilterError(
        `expected ${expected} after ${before}, found ${this.s.describeHere()}`,
        this.s.pos,
        w.text.length > 0 ? w.end : this.s.pos + 1,
      );
    }
    if (ops.length === 0) return operands[0]!;

    const first = ops[0]!.op;
    const mixedAt = ops.find((o) => o.op !== first);
    if (mixedAt === undefined) return boolNode(first, operands);
    if (this.mixing === 'reject') throw new FilterError(MIXED_AND_OR_MESSAGE, mixedAt.start, mixedAt.end);

    // Precedence mode: split on 'or', each piece is an 'and' chain.
    const ors: FilterAst[] = [];
    let chain: FilterAst[] = [operands[0]!];
    for (let i = 0; i < ops.length; i++) {
      if (ops[i]!.op === 'or') {
        ors.push(chain.length === 1 ? chain[0]! : boolNode('and', chain));
        chain = [];
      }
      chain.push(operands[i + 1]!);
    }
    ors.push(chain.length === 1 ? chain[0]! : boolNode('and', chain));
    return boolNode('or', ors);
  }

  private parseUnary(): FilterAst {
    const s = this.s;
    s.skipBlanks();
    if (s.atEnd()) throw this.endError("expected a field name, '(' or 'not'");
    // The parser recurses on '(' and 'not': bound it so hostile input gets a FilterError, not a stack overflow.
    if (++this.depth > MAX_DEPTH) throw new FilterError(`filter nested too deeply (more than ${MAX_DEPTH} levels)`, s.pos, s.pos + 1);
    try {
      return this.parseUnaryInner();
    } finally {
      this.depth--;
    }
  }

  private parseUnaryInner(): FilterAst {
    const s = this.s;
    const c = s.peek();
    if (c === '(') {
      const start = s.pos;
      s.pos++;
      this.open.push(start);
      const inner = this.parseExpr();
      s.skipBlanks();
      if (s.atEnd()) throw this.endError("expected ')'");
      // parseExpr only returns at end or at ')'.
      s.pos++;
      this.open.pop();
      return inner;
    }
    const w = s.peekWord();
    if (w.text === 'not') {
      s.pos = w.end;
      const operand = this.parseUnary();
      return { kind: 'not', operand, start: w.start, end: operand.end };
    }
    if (w.text.length === 0 || w.text === 'and' || w.text === 'or') {
      throw new FilterError(
        `expected a field name, '(' or 'not', found ${s.describeHere()}`,
        s.pos,
        w.text.length > 0 ? w.end : s.pos + 1,
      );
    }
    if (this.macro !== undefined && IDENTIFIER_RE.test(w.text)) {
      let after = w.end;
      while (after < this.text.length && (this.text[after] === ' ' || this.text[after] === '\t' || this.text[after] === '\n' || this.text[after] === '\r')) after++;
      if (this.text[after] !== '(') {
        s.pos = w.end;
        return this.macro(w.text, { start: w.start, end: w.end });
      }
    }
    return this.parseCheck();
  }

  private parseCheck(): CheckNode {
    const s = this.s;
    const lhs = this.parseOperand(false);
    const lhsText = this.text.slice(lhs.start, lhs.end);
    const op = s.readOperator(lhsText);
    if (op === null) throw this.endError(`expected a comparison operator after '${lhsText}'`);

    const values: ValueLit[] = [];
    let rhs: Operand | undefined;
    let end = op.end;
    if (op.op === 'exists') {
      // no value
    } else if (this.atFunction(true)) {
      rhs = this.parseOperand(true);
      end = rhs.end;
    } else if (isListOp(op.op)) {
      s.skipBlanks();
      if (s.atEnd()) throw this.endError(`expected '(' after '${op.text}'`);
      if (s.peek() !== '(') {
        const w = s.peekWord();
        throw new FilterError(
          `expected '(' after '${op.text}', found ${s.describeHere()}`,
          s.pos,
          w.text.length > 0 ? w.end : s.pos + 1,
        );
      }
      s.pos++;
      for (;;) {
        values.push(s.readValue(true));
        s.skipBlanks();
        if (s.atEnd()) throw this.endError(`expected ',' or ')' in the '${op.text}' list`);
        const c = s.peek();
        s.pos++;
        if (c === ')') break;
        if (c !== ',') {
          s.pos--;
          throw new FilterError(
            `expected ',' or ')' after a value in the '${op.text}' list, found ${s.describeHere()}`,
            s.pos,
            s.pos + 1,
          );
        }
      }
      end = s.pos;
    } else {
      const v = s.readValue(false);
      values.push(v);
      end = v.end;
    }
    return {
      kind: 'check',
      field: lhs.field,
      transformers: lhs.transformers,
      lhsSpan: { start: lhs.start, end: lhs.end },
      op: op.op,
      opSpan: { start: op.start, end: op.end },
      values,
      ...(rhs !== undefined ? { rhs } : {}),
      start: lhs.start,
      end,
    };
  }

  /** Is a transformer (or, on the right-hand side, `val`) followed by '(' next? */
  private atFunction(allowVal: boolean): boolean {
    this.s.skipBlanks();
    const w = this.s.peekWord();
    return (TRANSFORMER_NAMES.has(w.text) || (allowVal && w.text === 'val')) && this.text[w.end] === '(';
  }

  /**
   * A field, or transformers around a field (`tolower(basename(fd.name))`);
   * on the right-hand side also `val(field)`. `val` takes a plain field and
   * cannot be nested in a transformer, as in libsinsp's grammar.
   */
  private parseOperand(allowVal: boolean): Operand {
    const s = this.s;
    s.skipBlanks();
    if (this.atFunction(allowVal)) {
      const w = s.peekWord();
      const open = w.end;
      s.pos = open + 1;
      if (++this.depth > MAX_DEPTH) throw new FilterError(`filter nested too deeply (more than ${MAX_DEPTH} levels)`, w.start, w.end);
      try {
        s.skipBlanks();
        if (s.atEnd()) throw this.endError(`expected a field name after '${w.text}('`);
        let inner: Operand;
        if (w.text === 'val') {
          const f = this.parseField();
          inner = { field: f, transformers: [], start: f.start, end: f.end };
        } else {
          inner = this.parseOperand(false);
        }
        s.skipBlanks();
        if (s.peek() !== ')') {
          if (s.atEnd()) throw this.endError(`expected ')' to close '${w.text}(' at position ${w.start}`);
          throw new FilterError(`expected ')' to close '${w.text}(', found ${s.describeHere()}`, s.pos, s.peekWord().end || s.pos + 1);
        }
        s.pos++;
        const transformers: TransformerName[] = w.text === 'val' ? [] : [...inner.transformers, w.text as TransformerName];
        return { field: inner.field, transformers, start: w.start, end: s.pos };
      } finally {
        this.depth--;
      }
    }
    const f = this.parseField();
    return { field: f, transformers: [], start: f.start, end: f.end };
  }

  private parseField(): FieldRef {
    const s = this.s;
    const w = s.peekWord();
    if (w.text === 'val' && this.text[w.end] === '(') {
      throw new FilterError("'val()' can only be the right-hand side of a comparison, around a plain field", w.start, w.end);
    }
    const field = s.readField();
    if (field === null) {
      // A word that starts with '[' (no field name before the argument), or a bracket.
      throw new FilterError(`expected a field name, found ${s.describeHere()}`, s.pos, w.text.length > 0 ? w.end : s.pos + 1);
    }
    return { name: field.name, arg: field.arg, text: field.text, start: field.start, end: field.end };
  }

  /** "unexpected end of filter" at the end of the text, naming what was expected. */
  private endError(expected: string): FilterError {
    const open = this.open.length > 0 ? ` (the '(' at position ${this.open[this.open.length - 1]} is not closed)` : '';
    return new FilterError(`unexpected end of filter: ${expected}${open}`, this.text.length);
  }
}

function boolNode(kind: 'and' | 'or', operands: FilterAst[]): AndNode | OrNode {
  return { kind, operands, start: operands[0]!.start, end: operands[operands.length - 1]!.end };
}
