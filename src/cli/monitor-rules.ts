/**
 * The rules of the monitor: `tsysdig --rules F|DIR` / `--default-rules`
 * without --alerts runs the rules inside the UI's session, and with
 * --raw/--json, on the same event stream as the views. The rules are loaded
 * once (a bad file fails in one line before any screen); each run (a replay
 * re-reads the capture at every screen change) gets its own consumer, which
 * fills the engine's AlertSlot for the alert.* fields and hands each Alert
 * record to the caller (the UI's AlertLog).
 */
import { AlertConsumer, defaultHostname } from '../rules/alert-consumer.js';
import type { Alert } from '../rules/alert.js';
import { defaultRulesFile } from '../rules/default-rules.js';
import type { RuleSet } from '../rules/ruleset.js';
import { loadRuleSet } from './alerts-command.js';
import type { Options } from './args.js';

export interface MonitorRules {
  readonly ruleset: RuleSet;
  /** A rules consumer for one run: fills engine.alerts, gives each alert to onAlert. */
  consumer(onAlert: ((a: Alert) => void) | null): AlertConsumer;
}

/** The rules files the options ask for (--default-rules first), in load order. */
export function rulesPathsOf(opts: Options): string[] {
  return opts.defaultRules ? [defaultRulesFile(), ...opts.rulesPaths] : opts.rulesPaths;
}

/** Loads --rules / --default-rules for the monitor; null when none are asked for. */
export function loadMonitorRules(opts: Options, onWarning: (m: string) => void): MonitorRules | null {
  const rulesPaths = rulesPathsOf(opts);
  if (rulesPaths.length === 0) return null;
  const ruleset = loadRuleSet({
    rulesPaths,
    selection: { disabledSubstrings: opts.disabledRules, disabledTags: opts.disabledTags, enabledTags: opts.enabledTags },
    minPriority: opts.minPriority,
    extra: opts.k8sColumns ? 'kubernetes' : opts.containerColumns ? 'container' : null,
    matching: opts.ruleMatching,
    onWarning,
  });
  const output = { json: false, timeIso8601: false, includeOutput: true, includeTags: true, hostname: defaultHostname() };
  return {
    ruleset,
    consumer: (onAlert) => new AlertConsumer(ruleset, null, output, onAlert, true),
  };
}

/** The one line said when an Alerts view is asked for without rules. */
export const NO_RULES_TEXT = 'the Alerts views show what rules fire: add --rules FILE|DIR or --default-rules';
