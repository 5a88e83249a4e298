/**
 * The enabled rules, indexed by event type, and their evaluation: an event
 * runs only the rules whose condition can match its type, in load order;
 * the first match wins unless every match is wanted (Falco's
 * `rule_matching: first|all`). Allocation-free while no rule fires.
 */
import type { EventContext } from '../fields/types.js';
import { EVENT_TYPE_COUNT } from './evttypes.js';
import type { CompiledRule } from './rule-compiler.js';

/** Falco's -D / -T / -t. */
export interface RuleSelection {
  /** Rules whose name contains one of these are disabled (-D). */
  disabledSubstrings: readonly string[];
  /** Rules with one of these tags are disabled (-T). */
  disabledTags: readonly string[];
  /** When not empty: only rules with one of these tags run, even those disabled in the file (-t). */
  enabledTags: readonly string[];
}

export const NO_SELECTION: RuleSelection = { disabledSubstrings: [], disabledTags: [], enabledTags: [] };

export type RuleMatching = 'first' | 'all';

/** Whether each rule runs, after the file's `enabled` and the command line's selection (in Falco's order). */
export function selectRules(rules: readonly CompiledRule[], sel: RuleSelection): CompiledRule[] {
  const on = rules.map((r) => r.enabled);
  rules.forEach((r, i) => {
    if (sel.disabledSubstrings.some((s) => r.name.includes(s))) on[i] = false;
    if (sel.disabledTags.some((t) => r.tags.includes(t))) on[i] = false;
    if (sel.enabledTags.length > 0) on[i] = sel.enabledTags.some((t) => r.tags.includes(t));
  });
  return rules.filter((_, i) => on[i]);
}

export class RuleSet {
  /** Rules per event type, in load order; a shared empty list for types no rule can match. */
  private readonly byType: (readonly CompiledRule[])[];

  constructor(
    readonly rules: readonly CompiledRule[],
    readonly matching: RuleMatching,
  ) {
    const empty: CompiledRule[] = [];
    const lists: CompiledRule[][] = Array.from({ length: EVENT_TYPE_COUNT }, () => empty);
    for (const r of rules) {
      for (const t of r.eventTypes) {
        if (lists[t] === empty) lists[t] = [];
        lists[t]!.push(r);
      }
    }
    this.byType = lists;
  }

  /** The rules an event of this type runs. */
  candidates(type: number): readonly CompiledRule[] {
    return this.byType[type] ?? [];
  }

  /**
   * Runs the candidate rules on the event in `ctx`; calls `fire` for the
   * first match (or each, with 'all'). Returns the number of matches.
   */
  evaluate(ctx: EventContext, fire: (rule: CompiledRule) => void): number {
    const list = this.byType[ctx.ev.type];
    if (list === undefined) return 0;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (!r.filter.test(ctx)) continue;
      n++;
      fire(r);
      if (this.matching === 'first') break;
    }
    return n;
  }
}
