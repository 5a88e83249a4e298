/**
 * The items of a rules file as read (before lists and macros are expanded):
 * what the reader hands to the collector. Mirrors Falco's rule_loader
 * *_info structures.
 */
import type { LoadContext } from './load-result.js';

/** One of exception `fields`, `comps` or a value entry: a scalar or a (nested) list. */
export interface ExceptionEntry {
  isList: boolean;
  item: string;
  items: ExceptionEntry[];
  /** Present in the item at all (Falco's is_valid()). */
  valid: boolean;
}

export interface ExceptionInfo {
  name: string;
  fields: ExceptionEntry;
  comps: ExceptionEntry;
  values: ExceptionEntry[];
  ctx: LoadContext;
}

export interface ListInfo {
  name: string;
  items: string[];
  ctx: LoadContext;
  /** Load order of the first definition (a redefinition keeps the place). */
  index: number;
  /** Load order of the last definition or append: what it can see. */
  visibility: number;
}

export interface MacroInfo {
  name: string;
  cond: string;
  condCtx: LoadContext;
  ctx: LoadContext;
  index: number;
  visibility: number;
}

/** Falco's priorities, most severe first (the index is Falco's numeric priority). */
export const PRIORITY_NAMES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type PriorityName = (typeof PRIORITY_NAMES)[number];

/** Falco's parse_priority: case-insensitive, "info" accepted. Returns the numeric priority or -1. */
export function parsePriority(text: string): number {
  const t = text.toLowerCase();
  if (t === 'info') return 6;
  return PRIORITY_NAMES.findIndex((p) => p.toLowerCase() === t);
}

export interface RuleInfo {
  name: string;
  cond: string;
  condCtx: LoadContext;
  output: string;
  outputCtx: LoadContext;
  desc: string;
  /** 0 (Emergency) .. 7 (Debug). */
  priority: number;
  source: string;
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  /** Falco 0.42's `capture: true`: write a capture around this rule's alerts. */
  capture: boolean;
  /** Falco's `capture_duration` (ms after the alert), or null for the default. */
  captureDurationMs: number | null;
  ctx: LoadContext;
  index: number;
  visibility: number;
}
