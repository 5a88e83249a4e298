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

  /**
   * Compiles in time linear in the pattern's length: where each bracket
   * expression closes is precomputed right to left (BracketScan), so an
   * unterminated `[` costs O(1) instead of a scan to the end of the pattern
   * (hostile patterns like "[[:" repeated thousands of times were cubic).
   */
  constructor(readonly source: string) {
    const kinds: number[] = [];
    const args: number[] = [];
    const sets: CharSet[] = [];
    const p = source;
    let scan: BracketScan | null = null;
    let i = 0;
    while (i < p.length) {
      const c = p[i]!;
      if (c === '*') {
        // `**` matches what `*` matches: one STAR keeps matching at O(n*m).
        if (kinds.length === 0 || kinds[kinds.length - 1] !== STAR) {
          kinds.push(STAR);
          args.push(0);
        }
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
        scan ??= new BracketScan(p);
        const parsed = scan.parseSet(i);
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

  /**
   * The classic iterative matcher that backtracks only to the last `*`:
   * O(value length x pattern length) in the worst case, never exponential,
   * no allocation.
   */
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

/** Longest class name in NAMED_CLASSES ('alnum', 'xdigit' ...). */
const MAX_CLASS_NAME = 6;

/**
 * Bracket-expression parsing with precomputed tables, so that finding where
 * a `[...]` closes is O(1) per `[`.
 *
 * Inside brackets the text is a sequence of tokens (a `[:class:]`, an
 * escaped or plain character, or a range `a-z`), and a token's length depends
 * only on the text at its position. So "where does the bracket close when
 * scanning tokens from position j" is a function of j alone, computed once
 * for every j from the right: `closeFrom[j]` is j itself at a `]`, else
 * closeFrom[j + tokenLength(j)].
 */
class BracketScan {
  /** Index of the `]` closing a bracket scanned from j, or -1 (length n + 1). */
  private readonly closeFrom: Int32Array;
  /** Smallest k >= j with p[k] p[k+1] = ':]', or -1 (length n + 1). */
  private readonly colonClose: Int32Array;

  constructor(private readonly p: string) {
    const n = p.length;
    this.colonClose = new Int32Array(n + 2).fill(-1);
    for (let j = n - 2; j >= 0; j--) this.colonClose[j] = p.charCodeAt(j) === 58 && p.charCodeAt(j + 1) === 93 ? j : this.colonClose[j + 1]!;
    this.closeFrom = new Int32Array(n + 1).fill(-1);
    for (let j = n - 1; j >= 0; j--) this.closeFrom[j] = p.charCodeAt(j) === 93 ? j : this.closeFrom[j + this.tokenLength(j)]!;
  }

  /** Index of the named class of a `[:name:]` token at j, or -1 when there is none. */
  private classAt(j: number): number {
    const p = this.p;
    if (p.charCodeAt(j) !== 91 || p.charCodeAt(j + 1) !== 58) return -1;
    const close = this.colonClose[j + 2] ?? -1;
    if (close < 0 || close - (j + 2) > MAX_CLASS_NAME) return -1;
    return NAMED_CLASSES.indexOf(p.slice(j + 2, close));
  }

  /** Length of the token at j (j < n), `]` counting as a plain character. */
  private tokenLength(j: number): number {
    const p = this.p;
    const n = p.length;
    if (this.classAt(j) >= 0) return this.colonClose[j + 2]! + 2 - j;
    const len = p.charCodeAt(j) === 92 && j + 1 < n ? 2 : 1;
    const k = j + len;
    if (p.charCodeAt(k) === 45 && k + 1 < n && p.charCodeAt(k + 1) !== 93) return len + 1 + (p.charCodeAt(k + 1) === 92 && k + 2 < n ? 2 : 1);
    return len;
  }

  /** Parse `[...]` starting at p[at] === '['; null when it is not a complete bracket expression. */
  parseSet(at: number): { set: CharSet; next: number } | null {
    const p = this.p;
    const n = p.length;
    let i = at + 1;
    let negated = false;
    if (p[i] === '!' || p[i] === '^') {
      negated = true;
      i++;
    }
    if (i >= n) return null;
    // The first token may be a `]`, taken literally.
    const close = this.closeFrom[i + this.tokenLength(i)]!;
    if (close < 0) return null;
    const ranges: number[] = [];
    const classes: number[] = [];
    while (i < close) {
      const cls = this.classAt(i);
      if (cls >= 0) {
        classes.push(cls);
        i = this.colonClose[i + 2]! + 2;
        continue;
      }
      let c = p[i]!;
      if (c === '\\' && i + 1 < n) {
        i++;
        c = p[i]!;
      }
      const lo = c.charCodeAt(0);
      i++;
      let hi = lo;
      if (p[i] === '-' && i + 1 < n && p[i + 1] !== ']') {
        let h = p[i + 1]!;
        i += 2;
        if (h === '\\' && i < n) {
          h = p[i]!;
          i++;
        }
        hi = h.charCodeAt(0);
      }
      ranges.push(lo, hi);
    }
    return { set: new CharSet(negated, Int32Array.from(ranges), Int32Array.from(classes)), next: close + 1 };
  }
}
