/**
 * Filter-only fields that match when *any* of several values does — fd.ip
 * and fd.port (either endpoint), fd.net, proc.aname / proc.apid without an
 * index (any ancestor) — expressed through the single-valued BoundField
 * contract.
 *
 * The filter compiler hands every literal of a check to normalizeLiteral,
 * once, with the operator; an AnyOf remembers them. Per event, `pick`
 * returns the first candidate value that satisfies the check (so the
 * compiler's own comparison then succeeds), or a designated fallback when
 * none does (a value the comparison rejects, or undefined, which fails every
 * check). That reproduces sysdig's "sip matches or dip matches" (and, for
 * `!=`, "neither matches") without the evaluator knowing about it.
 */
import type { CompareOp, FieldValue } from '../filter/field-api.js';
import { GlobPattern } from '../filter/glob.js';
import { ipv4Mask, ipv6PrefixEqual, parseIPv4, parseIPv6 } from '../filter/ip.js';

/**
 * Literal matching for numbers (ports, pids). With `conjunctiveNe` (endpoint
 * fields), `!=` means "no value equals the literal", so the value to pick is
 * one that equals it; otherwise (ancestors) `!=` means "some value differs".
 */
export class AnyOfNumber {
  op: CompareOp = 'exists';
  private readonly lits: number[] = [];

  constructor(private readonly conjunctiveNe: boolean) {}

  record(text: string, op: CompareOp): void {
    this.op = op;
    this.lits.push(Number(text.trim()));
  }

  /** True when `v` is the value to hand to the check (see the class comment). */
  matches(v: number): boolean {
    const l = this.lits;
    if (l.length === 0) return true;
    const op = this.op === '!=' && this.conjunctiveNe ? '=' : this.op;
    for (let i = 0; i < l.length; i++) {
      const x = l[i]!;
      switch (op) {
        case '=':
        case 'in':
        case 'intersects':
          if (v === x) return true;
          break;
        case '!=':
          if (v !== x) return true;
          break;
        case '<':
          if (v < x) return true;
          break;
        case '<=':
          if (v <= x) return true;
          break;
        case '>':
          if (v > x) return true;
          break;
        case '>=':
          if (v >= x) return true;
          break;
        default:
          return true;
      }
    }
    return false;
  }
}

/** Literal matching for strings (ancestor names). */
export class AnyOfString {
  op: CompareOp = 'exists';
  private readonly lits: string[] = [];
  private readonly globs: GlobPattern[] = [];

  record(text: string, op: CompareOp): void {
    if (op === 'pmatch' || op === '<' || op === '<=' || op === '>' || op === '>=') throw new Error(`operator '${op}' is not supported for any-ancestor matching`);
    this.op = op;
    this.lits.push(op === 'icontains' ? text.toLowerCase() : text);
    if (op === 'glob') this.globs.push(new GlobPattern(text));
  }

  matches(v: string): boolean {
    const l = this.lits;
    if (l.length === 0) return true;
    for (let i = 0; i < l.length; i++) {
      const x = l[i]!;
      switch (this.op) {
        case '=':
        case 'in':
        case 'intersects':
          if (v === x) return true;
          break;
        case '!=':
          if (v !== x) return true;
          break;
        case 'contains':
          if (v.includes(x)) return true;
          break;
        case 'icontains':
          if (v.toLowerCase().includes(x)) return true;
          break;
        case 'startswith':
          if (v.startsWith(x)) return true;
          break;
        case 'endswith':
          if (v.endsWith(x)) return true;
          break;
        case 'glob':
          if (this.globs[i]!.matches(v)) return true;
          break;
        default:
          return true;
      }
    }
    return false;
  }
}

/** Literal matching for IP addresses and networks (fd.ip, fd.net). */
export class AnyOfIp {
  op: CompareOp = 'exists';
  private readonly v4: number[] = [];
  private readonly v6: { addr: Uint16Array; bits: number }[] = [];
  private readonly scratch = new Uint16Array(8);

  constructor(private readonly networks: boolean) {}

  record(text: string, op: CompareOp): void {
    this.op = op;
    const slash = text.indexOf('/');
    const addr = slash < 0 ? text : text.slice(0, slash);
    const a = parseIPv4(addr);
    if (a === a) {
      const bits = slash < 0 ? 32 : Number(text.slice(slash + 1));
      this.v4.push(a, ipv4Mask(this.networks ? bits : 32));
      return;
    }
    const a6 = new Uint16Array(8);
    if (parseIPv6(addr, a6)) this.v6.push({ addr: a6, bits: slash < 0 ? (this.networks ? 64 : 128) : Number(text.slice(slash + 1)) });
  }

  private inside(v: FieldValue): boolean {
    if (typeof v === 'number') {
      const a = v | 0;
      for (let i = 0; i < this.v4.length; i += 2) {
        const mask = this.v4[i + 1]!;
        if ((a & mask) === (this.v4[i]! & mask)) return true;
      }
      return false;
    }
    if (typeof v !== 'string' || this.v6.length === 0) return false;
    const a4 = parseIPv4(v);
    if (a4 === a4) return this.inside(a4);
    if (!parseIPv6(v, this.scratch)) return false;
    for (const n of this.v6) if (ipv6PrefixEqual(this.scratch, n.addr, n.bits)) return true;
    return false;
  }

  /** True when `v` is the value to hand to the check: inside a literal network (for `!=` too, so that it fails). */
  matches(v: FieldValue): boolean {
    if (this.v4.length === 0 && this.v6.length === 0) return true;
    return this.inside(v);
  }
}
