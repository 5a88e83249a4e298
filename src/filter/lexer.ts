/**
 * Scanner for the sysdig filter language.
 *
 * The language is context sensitive, exactly like sysdig's hand-written
 * compiler: what ends a token depends on what the parser expects next.
 *   - a field name or keyword ends at a blank or one of `( ) ! = < >`;
 *   - an unquoted value ends only at a blank or a bracket (and at `,` inside
 *     an `in (...)` list), so `proc.name=a=b` compares with "a=b" and
 *     `proc.name = and` compares with "and";
 *   - alphabetic operators (`contains`, `in`, ...) need a word boundary.
 * So instead of a token stream the scanner offers one read function per
 * context and the parser calls the one it needs.
 */
import { FilterError, describeText } from './errors.js';

/** Blanks as sysdig defines them (isblank in filter.cpp): no \v or \f. */
export function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Characters that end a field name or keyword (sysdig's is_special_char). */
export function isSpecial(c: string): boolean {
  return c === '(' || c === ')' || c === '!' || c === '=' || c === '<' || c === '>';
}

function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
}

function hexValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
}

/** Comparison operators. `==` is accepted as a spelling of `=` (see docs). */
export type CompareOp =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'bstartswith'
  | 'regex'
  | 'startswith'
  | 'endswith'
  | 'glob'
  | 'in'
  | 'intersects'
  | 'pmatch'
  | 'exists';

const WORD_OPS: ReadonlySet<string> = new Set([
  'contains',
  'icontains',
  'bcontains',
  'bstartswith',
  'regex',
  'startswith',
  'endswith',
  'glob',
  'in',
  'intersects',
  'pmatch',
  'exists',
]);

/** A piece of source text with its span [start, end). */
export interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A field reference as written: `name` or `name[arg]`. */
export interface FieldWord extends Word {
  readonly name: string;
  readonly arg: string | undefined;
}

export interface OperatorWord extends Word {
  readonly op: CompareOp;
}

/** A value after escape processing; `start`/`end` cover the source including quotes. */
export interface ValueWord extends Word {
  readonly quoted: boolean;
}

export class Scanner {
  /** Current offset into `src`. */
  pos = 0;
  /** Falco's parser: unquoted values take backslashes literally (`proc.args endswith \`). */
  rawUnquoted = false;

  constructor(readonly src: string) {}

  skipBlanks(): void {
    while (this.pos < this.src.length && isBlank(this.src[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** Character at the current offset, '' at end. */
  peek(): string {
    return this.pos < this.src.length ? this.src[this.pos]! : '';
  }

  /**
   * The word at the current offset: the longest run of characters that are
   * neither blanks nor special. Empty when the current character is special
   * (or at end). Does not consume.
   */
  peekWord(): Word {
    const start = this.pos;
    let i = start;
    while (i < this.src.length && !isBlank(this.src[i]!) && !isSpecial(this.src[i]!)) i++;
    return { text: this.src.slice(start, i), start, end: i };
  }

  /** What the offending text at the current offset looks like, for messages. */
  describeHere(): string {
    if (this.atEnd()) return 'end of filter';
    const w = this.peekWord();
    return w.text.length > 0 ? describeText(w.text) : describeText(this.peek());
  }

  /**
   * A field reference: a word, optionally ending in a `[argument]`. Like the
   * rest of the word, the argument cannot hold blanks or special characters.
   * Splitting the dotted form `evt.arg.fd` is left to the field resolver,
   * because only it knows which fields take a dotted argument.
   * Returns null when there is no word here.
   */
  readField(): FieldWord | null {
    const src = this.src;
    const start = this.pos;
    let i = start;
    while (i < src.length && !isBlank(src[i]!) && !isSpecial(src[i]!) && src[i] !== '[') i++;
    if (i === start) return null;
    const name = src.slice(start, i);
    let arg: string | undefined;
    if (src[i] === '[') {
      const open = i;
      let close = open + 1;
      while (close < src.length && src[close] !== ']' && !isBlank(src[close]!) && !isSpecial(src[close]!)) close++;
      if (src[close] !== ']') {
        throw new FilterError(`missing ']' after the argument of field '${name}'`, open, close);
      }
      arg = src.slice(open + 1, close);
      i = close + 1;
      if (i < src.length && !isBlank(src[i]!) && !isSpecial(src[i]!)) {
        throw new FilterError(`unexpected ${describeText(src[i]!)} after the field '${src.slice(start, i)}'`, i, i + 1);
      }
    }
    this.pos = i;
    return { text: src.slice(start, i), start, end: i, name, arg };
  }

  /**
   * A comparison operator, or null at end of input. Throws when the text here
   * is not an operator. `afterField` only feeds the message.
   */
  readOperator(afterField: string): OperatorWord | null {
    this.skipBlanks();
    const src = this.src;
    const start = this.pos;
    if (start >= src.length) return null;
    const c = src[start]!;
    const c2 = start + 1 < src.length ? src[start + 1]! : '';
    let op: CompareOp | undefined;
    let len = 1;
    if (c === '=') {
      op = '=';
      if (c2 === '=') len = 2;
    } else if (c === '!' && c2 === '=') {
      op = '!=';
      len = 2;
    } else if (c === '<') {
      op = c2 === '=' ? '<=' : '<';
      len = op.length;
    } else if (c === '>') {
      op = c2 === '=' ? '>=' : '>';
      len = op.length;
    } else if (c >= 'a' && c <= 'z') {
      let i = start;
      while (i < src.length && isWordChar(src[i]!)) i++;
      const word = src.slice(start, i);
      if (WORD_OPS.has(word)) {
        op = word as CompareOp;
        len = word.length;
      }
    }
    if (op === undefined) {
      const found = this.describeHere();
      const w = this.peekWord();
      throw new FilterError(
        `expected a comparison operator after '${afterField}', found ${found}`,
        start,
        w.text.length > 0 ? w.end : start + 1,
      );
    }
    this.pos = start + len;
    return { text: src.slice(start, start + len), start, end: start + len, op };
  }

  /**
   * A value. Quoted values run to the matching quote; unquoted ones to the
   * next blank or bracket (or `,` in a list). At end of input, or right
   * before a bracket, the value is empty, as in sysdig (`proc.name=` compares
   * with the empty string).
   *
   * Escapes (sysdig's set): `\\` -> `\`, `\"` -> `"`, `\xHH` -> the character
   * with code HH; any other backslash is kept literally with the character
   * after it (so glob patterns keep their own escapes).
   */
  readValue(inList: boolean): ValueWord {
    this.skipBlanks();
    const src = this.src;
    const start = this.pos;
    const q = this.peek();
    if (q === '"' || q === "'") return this.readQuoted(q, start);

    let out = '';
    let i = start;
    let runStart = i;
    while (i < src.length) {
      const c = src[i]!;
      if (isBlank(c) || c === '(' || c === ')' || (inList && c === ',')) break;
      if (c === '\\' && !this.rawUnquoted) {
        out += src.slice(runStart, i);
        const [text, next] = this.readEscape(i, (ch) => isBlank(ch) || ch === '(' || ch === ')' || (inList && ch === ','));
        out += text;
        i = next;
        runStart = i;
        continue;
      }
      i++;
    }
    out += src.slice(runStart, i);
    this.pos = i;
    return { text: out, start, end: i, quoted: false };
  }

  private readQuoted(quote: string, start: number): ValueWord {
    const src = this.src;
    let out = '';
    let i = start + 1;
    let runStart = i;
    while (i < src.length) {
      const c = src[i]!;
      if (c === quote) {
        out += src.slice(runStart, i);
        this.pos = i + 1;
        return { text: out, start, end: i + 1, quoted: true };
      }
      if (c === '\\') {
        out += src.slice(runStart, i);
        const [text, next] = this.readEscape(i, () => false);
        out += text;
        i = next;
        runStart = i;
        continue;
      }
      i++;
    }
    throw new FilterError('unclosed quotes', start, src.length);
  }

  /**
   * The escape sequence at `at` (a backslash): its text and the offset after
   * it. `endsWord` says which characters would end the value, because a
   * backslash (or \x) cut short by them is an error in sysdig too.
   */
  private readEscape(at: number, endsWord: (c: string) => boolean): [string, number] {
    const src = this.src;
    const bad = (end: number): FilterError =>
      new FilterError(`unrecognized escape sequence ${describeText(src.slice(at, end))}`, at, end);
    const c = at + 1 < src.length ? src[at + 1]! : '';
    if (c === '' || endsWord(c)) throw bad(at + 1);
    if (c === '\\' || c === '"') return [c, at + 2];
    if (c === 'x') {
      const h1 = at + 2 < src.length ? hexValue(src[at + 2]!) : -1;
      const h2 = at + 3 < src.length ? hexValue(src[at + 3]!) : -1;
      if (h1 < 0 || h2 < 0) throw bad(Math.min(src.length, at + (h1 < 0 ? 3 : 4)));
      return [String.fromCharCode(h1 * 16 + h2), at + 4];
    }
    // Unknown escape: keep both characters, as sysdig does.
    return ['\\' + c, at + 2];
  }
}
