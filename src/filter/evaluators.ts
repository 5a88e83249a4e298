/**
 * The compiled form of a filter: a tree of small objects, built once by the
 * compiler, whose `test(ctx)` runs per event.
 *
 * Rules that keep the per-event path allocation-free:
 *   - every node is a class instance; `test`/`matches` live on prototypes
 *     (no closures are created, at compile time or per event);
 *   - literals are parsed at compile time (numbers, IP addresses, glob
 *     patterns, `in` sets, pmatch tries);
 *   - string operations use methods that return booleans (includes,
 *     startsWith...) or charCodeAt loops, never slicing or case-folding
 *     copies of the field value;
 *   - IP text values are parsed into a scratch buffer owned by the node.
 */
import type { BoundField, FieldValue } from './field-api.js';
import type { GlobPattern } from './glob.js';
import { ipv6PrefixEqual, parseIPv4, parseIPv6 } from './ip.js';
import type { PathPrefixSet } from './path-prefix.js';

export interface Evaluator<Ctx> {
  test(ctx: Ctx): boolean;
}

// ---------------------------------------------------------------------------
// Boolean structure

export class AndEval<Ctx> implements Evaluator<Ctx> {
  constructor(readonly operands: readonly Evaluator<Ctx>[]) {}

  test(ctx: Ctx): boolean {
    const ops = this.operands;
    for (let i = 0; i < ops.length; i++) if (!ops[i]!.test(ctx)) return false;
    return true;
  }
}

export class OrEval<Ctx> implements Evaluator<Ctx> {
  constructor(readonly operands: readonly Evaluator<Ctx>[]) {}

  test(ctx: Ctx): boolean {
    const ops = this.operands;
    for (let i = 0; i < ops.length; i++) if (ops[i]!.test(ctx)) return true;
    return false;
  }
}

export class NotEval<Ctx> implements Evaluator<Ctx> {
  constructor(readonly operand: Evaluator<Ctx>) {}

  test(ctx: Ctx): boolean {
    return !this.operand.test(ctx);
  }
}

// ---------------------------------------------------------------------------
// Field checks

/**
 * A check of one field. Undefined values fail the check for every operator
 * (sysdig: `fd.name != x` is false on events without an fd); `negated`
 * implements `!=` as "defined and not equal".
 */
export abstract class CheckEval<Ctx> implements Evaluator<Ctx> {
  constructor(
    readonly field: BoundField<Ctx>,
    readonly negated: boolean,
  ) {}

  test(ctx: Ctx): boolean {
    const v = this.field.get(ctx);
    if (v === undefined) return false;
    return this.matches(v) !== this.negated;
  }

  /** The comparison on a defined value. */
  abstract matches(v: FieldValue): boolean;
}

export class ExistsCheck<Ctx> extends CheckEval<Ctx> {
  matches(): boolean {
    return true;
  }
}

/** Equality for every kind whose values compare with `==`: numbers (number/bigint mix exactly), strings, booleans. */
export class EqCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    negated: boolean,
    readonly literal: FieldValue,
  ) {
    super(field, negated);
  }

  matches(v: FieldValue): boolean {
    // Loose equality on purpose: 5n == 5 is true; the kinds never mix strings with numbers.
    return v == this.literal;
  }
}

/** Membership in a set of strings or numbers built at compile time. */
export class InSetCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly set: ReadonlySet<FieldValue>,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    // Sets compare bigints and numbers as different keys: bring safe bigints to numbers.
    if (typeof v === 'bigint' && v <= MAX_SAFE && v >= MIN_SAFE) return this.set.has(Number(v));
    return this.set.has(v);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** `<` `<=` `>` `>=` on numbers (number/bigint), strings (code-unit order, like strcmp on ASCII) or booleans (false < true). */
export class LessCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: number | bigint | string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as number) < (this.literal as number);
  }
}

export class LessEqCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: number | bigint | string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as number) <= (this.literal as number);
  }
}

export class GreaterCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: number | bigint | string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as number) > (this.literal as number);
  }
}

export class GreaterEqCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: number | bigint | string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as number) >= (this.literal as number);
  }
}

export class ContainsCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as string).includes(this.literal);
  }
}

/**
 * ASCII case-insensitive substring search (sysdig uses strcasestr in the C
 * locale). Folds character by character instead of lowercasing the value,
 * which would allocate a string per event.
 */
export class IContainsCheck<Ctx> extends CheckEval<Ctx> {
  /** The literal, ASCII-lowercased once. */
  readonly folded: string;

  constructor(field: BoundField<Ctx>, literal: string) {
    super(field, false);
    let folded = '';
    for (let i = 0; i < literal.length; i++) {
      const c = literal.charCodeAt(i);
      folded += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
    }
    this.folded = folded;
  }

  matches(v: FieldValue): boolean {
    return asciiFoldIncludes(v as string, this.folded);
  }
}

export class StartsWithCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as string).startsWith(this.literal);
  }
}

export class EndsWithCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly literal: string,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return (v as string).endsWith(this.literal);
  }
}

export class GlobCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly pattern: GlobPattern,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return this.pattern.matches(v as string);
  }
}

export class PmatchCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly paths: PathPrefixSet,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return this.paths.matches(v as string);
  }
}

/** An IPv6 network: the address groups and how many leading bits must match. */
export interface V6Net {
  readonly addr: Uint16Array;
  readonly bits: number;
}

/**
 * Address-in-any-of-these-networks, used for ipaddr `=`/`in` (networks of
 * /32 and /128) and ipnet `=`/`in`. IPv4 and IPv6 never match each other.
 */
export class IpCheck<Ctx> extends CheckEval<Ctx> {
  /** Scratch for parsing IPv6 text values; owned by this node, reused per event. */
  private readonly scratch = new Uint16Array(8);

  constructor(
    field: BoundField<Ctx>,
    negated: boolean,
    /** IPv4 networks as (address, mask) pairs of signed int32. */
    readonly v4: Int32Array,
    readonly v6: readonly V6Net[],
  ) {
    super(field, negated);
  }

  matches(v: FieldValue): boolean {
    if (typeof v === 'number') return this.matchV4(v | 0);
    if (typeof v !== 'string') return false;
    const a = parseIPv4(v);
    if (a === a) return this.matchV4(a);
    if (this.v6.length === 0 || !parseIPv6(v, this.scratch)) return false;
    const nets = this.v6;
    for (let i = 0; i < nets.length; i++) if (ipv6PrefixEqual(this.scratch, nets[i]!.addr, nets[i]!.bits)) return true;
    return false;
  }

  private matchV4(a: number): boolean {
    const nets = this.v4;
    for (let i = 0; i < nets.length; i += 2) {
      const mask = nets[i + 1]!;
      if ((a & mask) === (nets[i]! & mask)) return true;
    }
    return false;
  }
}

/** `regex`: the compiled pattern must match the whole value (see regex.ts). */
export class RegexCheck<Ctx> extends CheckEval<Ctx> {
  constructor(
    field: BoundField<Ctx>,
    readonly re: RegExp,
  ) {
    super(field, false);
  }

  matches(v: FieldValue): boolean {
    return this.re.test(v as string);
  }
}

/**
 * `in` / `intersects` / `exists` on a list-valued field (libsinsp's
 * EPF_IS_LIST): `in` holds when every value of the list is in the set (an
 * empty list is in every set), `intersects` when at least one is.
 */
export class ListSetCheck<Ctx> implements Evaluator<Ctx> {
  /** Reused per event: the values of the list. */
  private readonly values: FieldValue[] = [];

  constructor(
    readonly field: BoundField<Ctx>,
    readonly op: 'in' | 'intersects' | 'exists',
    readonly set: ReadonlySet<FieldValue>,
  ) {}

  test(ctx: Ctx): boolean {
    const vals = this.values;
    if (!this.field.getList!(ctx, vals)) return false;
    if (this.op === 'exists') return true;
    if (this.op === 'in') {
      for (let i = 0; i < vals.length; i++) if (!this.set.has(vals[i]!)) return false;
      return true;
    }
    for (let i = 0; i < vals.length; i++) if (this.set.has(vals[i]!)) return true;
    return false;
  }
}

/** The comparisons a field can make with another field's value (`proc.name = val(proc.pname)`). */
export type FieldCompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'icontains' | 'bcontains' | 'startswith' | 'bstartswith' | 'endswith' | 'glob' | 'in' | 'intersects';

/**
 * A comparison whose right-hand side is another field, read on the same
 * event. Either side undefined fails the check, as with literals. With
 * `in`/`intersects` a list on the right is the set; a single value is
 * compared for equality, as libsinsp does.
 */
export class FieldCompareCheck<Ctx> implements Evaluator<Ctx> {
  private readonly lhsValues: FieldValue[] = [];
  private readonly rhsValues: FieldValue[] = [];
  /** One-entry cache for `glob` with a field pattern: most events repeat the previous pattern. */
  private globSource: string | null = null;
  private glob: GlobPattern | null = null;

  constructor(
    readonly left: BoundField<Ctx>,
    readonly op: FieldCompareOp,
    readonly right: BoundField<Ctx>,
    private readonly makeGlob: (pattern: string) => GlobPattern,
  ) {}

  test(ctx: Ctx): boolean {
    const op = this.op;
    if (op === 'in' || op === 'intersects') return this.testMembership(ctx);
    const a = this.left.get(ctx);
    if (a === undefined) return false;
    const b = this.right.get(ctx);
    if (b === undefined) return false;
    switch (op) {
      case '=':
        return a == b;
      case '!=':
        return a != b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      case 'contains':
      case 'bcontains':
        return (a as string).includes(b as string);
      case 'icontains':
        return asciiFoldIncludes(a as string, b as string);
      case 'startswith':
      case 'bstartswith':
        return (a as string).startsWith(b as string);
      case 'endswith':
        return (a as string).endsWith(b as string);
      case 'glob': {
        const p = b as string;
        if (this.globSource !== p) {
          this.glob = this.makeGlob(p);
          this.globSource = p;
        }
        return this.glob!.matches(a as string);
      }
    }
  }

  private testMembership(ctx: Ctx): boolean {
    const lv = this.lhsValues;
    const rv = this.rhsValues;
    if (!readValues(this.left, ctx, lv) || !readValues(this.right, ctx, rv)) return false;
    if (this.op === 'in') {
      outer: for (let i = 0; i < lv.length; i++) {
        for (let j = 0; j < rv.length; j++) if (lv[i] == rv[j]) continue outer;
        return false;
      }
      return true;
    }
    for (let i = 0; i < lv.length; i++) for (let j = 0; j < rv.length; j++) if (lv[i] == rv[j]) return true;
    return false;
  }
}

/** The values of a field, list or not, into `out`; false when undefined. */
function readValues<Ctx>(f: BoundField<Ctx>, ctx: Ctx, out: FieldValue[]): boolean {
  if (f.getList !== undefined) return f.getList(ctx, out);
  const v = f.get(ctx);
  if (v === undefined) return false;
  out.length = 1;
  out[0] = v;
  return true;
}

/** ASCII case-insensitive `includes` without copying either string. */
export function asciiFoldIncludes(s: string, lit: string): boolean {
  const m = lit.length;
  const last = s.length - m;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < m; j++) {
      let c = s.charCodeAt(i + j);
      let d = lit.charCodeAt(j);
      if (c >= 65 && c <= 90) c += 32;
      if (d >= 65 && d <= 90) d += 32;
      if (c !== d) continue outer;
    }
    return true;
  }
  return false;
}
