/**
 * The `regex` operator: libsinsp compiles the literal with RE2 in POSIX mode
 * (re2::RE2::POSIX) and requires the *whole* value to match
 * (RE2::ANCHOR_BOTH). JavaScript has no RE2, so the pattern is translated
 * into an equivalent JS RegExp after checking that it stays inside what
 * RE2's POSIX syntax accepts:
 *
 *   accepted: literals, `.`, `[...]` sets with ranges, negation and
 *   `[:class:]` names, `( )`, `|`, `* + ?`, `{n}` `{n,}` `{n,m}` (n, m <= 1000),
 *   `^` `$` (at line boundaries, RE2's default without one_line),
 *   escapes `\` + punctuation, `\a \f \t \n \r \v`, `\xHH`, `\x{H...}`;
 *   rejected as RE2 POSIX rejects them: Perl classes `\d \s \w`, `\b \B`,
 *   `(?...)` groups and flags, non-greedy or doubled repetition (`*?`, `**`),
 *   back-references, `\p{...}`, `\A \z \Q \E \C`.
 *
 * The translation makes `.`, `^` and `$` mean exactly what they mean in RE2
 * (`.` is any character but newline; `^`/`$` match at the text's ends and at
 * newlines), which JS's own `.`, `^`, `$` do not (they also treat \r and
 * U+2028/9 as line ends). Known differences, in docs/filters.md: JS's
 * engine backtracks (a pathological pattern such as `(a*)*b` can take
 * exponential time, where RE2 is linear), and values are matched per byte
 * (tsysdig keeps event strings as bytes), where RE2 decodes UTF-8, so `.`
 * matches one byte of a multi-byte character.
 */

const NAMED_CLASS_RANGES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@\\[-`{-~',
  space: '\\t-\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

const MAX_REPEAT = 1000;

/** A character as a JS regex atom that means only itself, in or out of a set. */
function lit(code: number): string {
  if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return String.fromCharCode(code);
  return '\\u' + code.toString(16).padStart(4, '0');
}

function isPunct(c: string): boolean {
  const k = c.charCodeAt(0);
  return k < 128 && !/[0-9A-Za-z]/.test(c);
}

class RegexSyntaxError extends Error {}

/** Reads the escape at p[i] === '\\' (outside or inside a set): the character code and the next index. */
function readEscape(p: string, i: number): [number, number] {
  const c = p[i + 1];
  if (c === undefined) throw new RegexSyntaxError('trailing \\');
  if (isPunct(c)) return [c.charCodeAt(0), i + 2];
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return [simple, i + 2];
  if (c === 'x') {
    if (p[i + 2] === '{') {
      const close = p.indexOf('}', i + 3);
      const hex = close < 0 ? '' : p.slice(i + 3, close);
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RegexSyntaxError(`invalid escape sequence: ${p.slice(i, close < 0 ? i + 3 : close + 1)}`);
      return [parseInt(hex, 16), close + 1];
    }
    const hex = p.slice(i + 2, i + 4);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RegexSyntaxError(`invalid escape sequence: ${p.slice(i, i + 4)}`);
    return [parseInt(hex, 16), i + 4];
  }
  if (/[dDsSwW]/.test(c)) throw new RegexSyntaxError(`invalid escape sequence: \\${c} (Perl classes are not part of RE2's POSIX syntax)`);
  if (c === 'b' || c === 'B') throw new RegexSyntaxError(`invalid escape sequence: \\${c} (word boundaries are not part of RE2's POSIX syntax)`);
  throw new RegexSyntaxError(`invalid escape sequence: \\${c}`);
}

/** Translates the bracket expression at p[at] === '['; returns the JS set and the index after it. */
function translateSet(p: string, at: number): [string, number] {
  let i = at + 1;
  let out = '[';
  if (p[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  for (;;) {
    if (i >= p.length) throw new RegexSyntaxError(`missing closing ]: ${p.slice(at)}`);
    const c = p[i]!;
    if (c === ']' && !first) return [out + ']', i + 1];
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close >= 0) {
        let name = p.slice(i + 2, close);
        const negated = name.startsWith('^');
        if (negated) name = name.slice(1);
        const ranges = NAMED_CLASS_RANGES[name];
        if (ranges === undefined) throw new RegexSyntaxError(`invalid character class range: ${p.slice(i, close + 2)}`);
        // A negated class inside a set has no JS spelling without the v flag: refuse rather than approximate.
        if (negated) throw new RegexSyntaxError(`negated class ${p.slice(i, close + 2)} is not supported`);
        out += ranges;
        i = close + 2;
        continue;
      }
    }
    let lo: number;
    if (c === '\\') [lo, i] = readEscape(p, i);
    else {
      lo = c.charCodeAt(0);
      i++;
    }
    if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
      let hi: number;
      if (p[i + 1] === '\\') [hi, i] = readEscape(p, i + 1);
      else {
        hi = p.charCodeAt(i + 1);
        i += 2;
      }
      if (hi < lo) throw new RegexSyntaxError(`invalid character class range: ${String.fromCharCode(lo)}-${String.fromCharCode(hi)}`);
      out += lit(lo) + '-' + lit(hi);
    } else {
      out += lit(lo);
    }
  }
}

/**
 * Compiles a `regex` literal: a RegExp that tests whole values. Throws an
 * Error ("invalid regex pattern: ...") for what RE2's POSIX syntax rejects.
 */
export function compileRegex(pattern: string): RegExp {
  let out = '';
  /** Whether the last thing emitted can take a repetition operator. */
  let repeatable = false;
  /** Whether the last thing emitted is a repetition (RE2 POSIX rejects `a**`, `a*?`). */
  let repeated = false;
  let depth = 0;
  try {
    let i = 0;
    while (i < pattern.length) {
      const c = pattern[i]!;
      if (c === '*' || c === '+' || c === '?') {
        if (repeated) throw new RegexSyntaxError(`bad repetition operator: ${pattern.slice(i - 1, i + 1)}`);
        if (!repeatable) throw new RegexSyntaxError(`missing argument to repetition operator: ${c}`);
        out += c;
        repeated = true;
        i++;
        continue;
      }
      if (c === '{') {
        const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(pattern.slice(i, i + 16));
        if (m !== null) {
          const lo = Number(m[1]);
          const hi = m[3] === undefined || m[3] === '' ? lo : Number(m[3]);
          if (lo > MAX_REPEAT || hi > MAX_REPEAT || hi < lo) throw new RegexSyntaxError(`bad repetition operator: ${m[0]}`);
          if (repeated) throw new RegexSyntaxError(`bad repetition operator: ${m[0]}`);
          if (!repeatable) throw new RegexSyntaxError(`missing argument to repetition operator: ${m[0]}`);
          out += m[0];
          repeated = true;
          i += m[0].length;
          continue;
        }
        // Not a repetition: a literal brace, as in RE2.
      }
      repeated = false;
      repeatable = true;
      if (c === '\\') {
        const [code, next] = readEscape(pattern, i);
        out += lit(code);
        i = next;
      } else if (c === '[') {
        const [set, next] = translateSet(pattern, i);
        out += set;
        i = next;
      } else if (c === '(') {
        if (pattern[i + 1] === '?') throw new RegexSyntaxError('missing argument to repetition operator: ? ("(?" groups and flags are not part of RE2\'s POSIX syntax)');
        out += '(?:';
        depth++;
        repeatable = false;
        i++;
      } else if (c === ')') {
        if (depth === 0) throw new RegexSyntaxError(`unexpected ): ${pattern}`);
        depth--;
        out += ')';
        i++;
      } else if (c === '|') {
        out += '|';
        repeatable = false;
        i++;
      } else if (c === '.') {
        out += '[^\\n]';
        i++;
      } else if (c === '^') {
        out += '(?<![^\\n])';
        i++;
      } else if (c === '$') {
        out += '(?![^\\n])';
        i++;
      } else {
        out += lit(c.charCodeAt(0));
        i++;
      }
    }
    if (depth > 0) throw new RegexSyntaxError(`missing ): ${pattern}`);
    return new RegExp(`^(?:${out})$`);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`invalid regex pattern: ${msg}`);
  }
}
