/**
 * The event types a condition can be true for, from its tree: what lets the
 * rule set run a rule only on the events that can fire it (Falco's evttype
 * index). Computed as a pair of sets — types for which the expression can be
 * true, and for which it can be false — so `not` stays exact:
 *   evt.type = X / in (...)   true: X        false: all but X
 *   evt.type != X             true: all but X false: X
 *   any other check           true: all      false: all
 *   not e                     swaps the pair
 *   a and b                   true: ∩        false: ∪
 *   a or b                    true: ∪        false: ∩
 */
import type { FilterAst } from '../filter/index.js';
import { EVENT_TABLE } from '../event/event-table.js';
import { EV } from '../event/event-ids.js';

export const EVENT_TYPE_COUNT = EVENT_TABLE.length;

let idsByName: Map<string, number[]> | null = null;
const GENERIC_IDS: readonly number[] = [EV.GENERIC_E, EV.GENERIC_X];

/** Event ids named `name` (enter and exit, every version); syscalls without their own event are generic events. */
export function eventIdsOf(name: string): readonly number[] {
  if (idsByName === null) {
    // built once: a rules file names event types thousands of times (macros are expanded into every rule)
    idsByName = new Map();
    for (let i = 0; i < EVENT_TABLE.length; i++) {
      const n = EVENT_TABLE[i]!.name;
      const ids = idsByName.get(n);
      if (ids === undefined) idsByName.set(n, [i]);
      else ids.push(i);
    }
  }
  return idsByName.get(name) ?? GENERIC_IDS;
}

type Bits = Uint8Array;

const all = (): Bits => new Uint8Array(EVENT_TYPE_COUNT).fill(1);

function named(values: readonly { text: string }[]): Bits {
  const b = new Uint8Array(EVENT_TYPE_COUNT);
  for (const v of values) for (const id of eventIdsOf(v.text)) b[id] = 1;
  return b;
}

function complement(b: Bits): Bits {
  return b.map((x) => 1 - x);
}

function combine(sets: Bits[], op: 'and' | 'or'): Bits {
  const out = sets[0]!.slice();
  for (const s of sets.slice(1)) for (let i = 0; i < out.length; i++) out[i] = op === 'and' ? out[i]! & s[i]! : out[i]! | s[i]!;
  return out;
}

/**
 * Macros are expanded into every rule that uses them as the same subtrees:
 * their pairs are computed once. (Pairs are never modified, only combined
 * into new sets.)
 */
const pairs = new WeakMap<FilterAst, [Bits, Bits]>();

function pair(ast: FilterAst): [Bits, Bits] {
  let p = pairs.get(ast);
  if (p === undefined) {
    p = computePair(ast);
    pairs.set(ast, p);
  }
  return p;
}

function computePair(ast: FilterAst): [Bits, Bits] {
  switch (ast.kind) {
    case 'check': {
      if (ast.field.name !== 'evt.type' || ast.field.arg !== undefined) return [all(), all()];
      if (ast.op === '=' || ast.op === 'in') {
        const t = named(ast.values);
        return [t, complement(t)];
      }
      if (ast.op === '!=') {
        const t = named(ast.values);
        return [complement(t), t];
      }
      return [all(), all()];
    }
    case 'not': {
      const [t, f] = pair(ast.operand);
      return [f, t];
    }
    case 'and':
    case 'or': {
      const parts = ast.operands.map(pair);
      const other = ast.kind === 'and' ? 'or' : 'and';
      return [combine(parts.map((p) => p[0]), ast.kind), combine(parts.map((p) => p[1]), other)];
    }
  }
}

/** The event ids for which `ast` can be true. */
export function eventTypesOf(ast: FilterAst): number[] {
  const [t] = pair(ast);
  const ids: number[] = [];
  for (let i = 0; i < t.length; i++) if (t[i] === 1) ids.push(i);
  return ids;
}
