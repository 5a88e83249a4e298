/**
 * `glob` matching with the semantics sysdig gets from fnmatch(pattern, s, 0):
 *   `*` any run of characters (including '/', there is no FNM_PATHNAME),
 *   `?` any one character, `[...]` a set (`[!...]` or `[^...]` negated, ranges
 *   `a-z`, classes `[:alpha:]`...), `\c` the character c literally.
 * An unterminated `[` is an ordinary character; a pattern ending in a lone
 * backslash matches nothing (glibc: "trailing \ loses").
 *
 * The pattern is compiled once into flat arrays; matching is the classic
 * iterative star-backtracking loop, with no allocation.
 */

const LIT = 0;
const ANY = 1;
const STAR = 2;
const SET = 3;
const NEVER = 4;

const NAMED_CLASSES = ['alnum', 'alpha', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'xdigit'];

function inNamedClass(cls: number, c: number): boolean {
  const isUpper = c >= 65 && c <= 90;
  const isLower = c >= 97 && c <= 122;
  const isDigit = c >= 48 && c <= 57;
  switch (NAMED_CLASSES[cls]) {
    case 'alnum':
      return isUpper || isLower || isDigit;
    case 'alpha':
      return isUpper || isLower;
    case 'blank':
      return c === 32 || c === 9;
    case 'cntrl':
      return c < 32 || c === 127;
    case 'digit':
      return isDigit;
    case 'graph':
      return c > 32 && c < 127;
    case 'lower':
      return isLower;
    case 'print':
      return c >= 32 && c < 127;
    case 'punct':
      return c > 32 && c < 127 && !(isUpper || isLower || isDigit);
    case 'space':
      return c === 32 || (c >= 9 && c <= 13);
    case 'upper':
      return isUpper;
    case 'xdigit':
      return isDigit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    default:
      return false;
  }
}

/** One bracket expression: inclusive ranges (pairs) plus named classes. */
class CharSet {
  constructor(
    readonly negated: boolean,
    readonly ranges: Int32Array,
    readonly classes: Int32Array,
  ) {}

  has(c: number): boolean {
    const r = this.ranges;
    let found = false;
    for (let i = 0; i < r.length; i += 2) {
      if (c >= r[i]! && c <= r[i + 1]!) {
        found = true;
        break;
      }
    }
    if (!found) {
      const k = this.classes;
      for (let i = 0; i < k.length; i++) {
        if (inNamedClass(k[i]!, c)) {
          found = true;
          break;
        }
      }
    }
    return found !== this.negated;
  }
}

export class GlobPattern {
  private readonly kinds: Uint8Array;
  /** Character code for LIT, index into `sets` for SET. */
  private readonly args: Int32Array;
  private readonly sets: CharSet[];

  constructor(readonly source: string) {
    const kinds: number[] = [];
    const args: number[] = [];
    const sets: CharSet[] = [];
    const p = source;
    let i = 0;
    while (i < p.length) {
      const c = p[i]!;
      if (c === '*') {
        kinds.push(STAR);
        args.push(0);
        i++;
      } else if (c === '?') {
        kinds.push(ANY);
        args.push(0);
        i++;
      } else if (c === '\\') {
        if (i + 1 >= p.length) {
          kinds.push(NEVER);
          args.push(0);
          i++;
        } else {
          kinds.push(LIT);
          args.push(p.charCodeAt(i + 1));
          i += 2;
        }
      } else if (c === '[') {
        const parsed = parseSet(p, i);
        if (parsed === null) {
          kinds.push(LIT);
          args.push(91);
          i++;
        } else {
          kinds.push(SET);
          args.push(sets.length);
          sets.push(parsed.set);
          i = parsed.next;
        }
      } else {
        kinds.push(LIT);
        args.push(p.charCodeAt(i));
        i++;
      }
    }
    this.kinds = Uint8Array.from(kinds);
    this.args = Int32Array.from(args);
    this.sets = sets;
  }

  matches(s: string): boolean {
    const kinds = this.kinds;
    const args = this.args;
    const m = kinds.length;
    const n = s.length;
    let p = 0;
    let i = 0;
    let starP = -1;
    let starI = 0;
    while (i < n) {
      if (p < m) {
        const k = kinds[p]!;
        if (k === STAR) {
          starP = p++;
          starI = i;
          continue;
        }
        const c = s.charCodeAt(i);
        if (k === ANY || (k === LIT && args[p] === c) || (k === SET && this.sets[args[p]!]!.has(c))) {
          p++;
          i++;
          continue;
        }
      }
      if (starP >= 0) {
        p = starP + 1;
        i = ++starI;
        continue;
      }
      return false;
    }
    while (p < m && kinds[p] === STAR) p++;
    return p === m;
  }
}

/** Parse `[...]` starting at p[at] === '['; null when it is not a complete bracket expression. */
function parseSet(p: string, at: number): { set: CharSet; next: number } | null {
  let i = at + 1;
  let negated = false;
  if (p[i] === '!' || p[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: number[] = [];
  const classes: number[] = [];
  let first = true;
  while (i < p.length) {
    let c = p[i]!;
    if (c === ']' && !first) {
      return { set: new CharSet(negated, Int32Array.from(ranges), Int32Array.from(classes)), next: i + 1 };
    }
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close >= 0) {
        const cls = NAMED_CLASSES.indexOf(p.slice(i + 2, close));
        if (cls >= 0) {
          classes.push(cls);
          i = close + 2;
          continue;
        }
      }
    }
    if (c === '\\' && i + 1 < p.length) {
      i++;
      c = p[i]!;
    }
    const lo = c.charCodeAt(0);
    i++;
    let hi = lo;
    if (p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']') {
      let h = p[i + 1]!;
      i += 2;
      if (h === '\\' && i < p.length) {
        h = p[i]!;
        i++;
      }
      hi = h.charCodeAt(0);
    }
    ranges.push(lo, hi);
  }
  return null;
}
