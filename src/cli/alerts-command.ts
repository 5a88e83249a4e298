/**
 * `tsysdig --alerts --rules F|DIR ... [-r CAPTURE] [FILTER]`: Falco on a
 * capture or live. The rules load (or the command fails with one line)
 * before any capture starts; each event the filter keeps then runs the rules
 * its type can match, and every alert is printed as Falco prints it.
 *
 * `tsysdig --validate F [--validate F]... [--json]`: Falco's -V.
 */
import { AlertConsumer, defaultHostname, type LineSink } from '../rules/alert-consumer.js';
import type { Alert } from '../rules/alert.js';
import { RulesFileError, RulesLoader, loadRulesFiles } from '../rules/rules-loader.js';
import { RuleSet, selectRules, type RuleMatching, type RuleSelection } from '../rules/ruleset.js';
import { parsePriority } from '../rules/rule-items.js';
import { UsageError } from './args.js';
import type { EventPredicate } from './event-filter.js';
import { compileEventFilter } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';

/** Falco's -pc / -pk output extras. */
const EXTRAS = {
  container: 'container=%container.name (id=%container.id)',
  kubernetes: 'k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name container=%container.id',
} as const;

export interface AlertsRun {
  rulesPaths: string[];
  /** A capture to read; null: live. */
  file: string | null;
  filter: string;
  count: number;
  durationS: number;
  json: boolean;
  timeIso8601: boolean;
  matching: RuleMatching;
  /** Falco priority name (case-insensitive, 'info' accepted), or null for all. */
  minPriority: string | null;
  selection: RuleSelection;
  /** -pc / -pk. */
  extra: keyof typeof EXTRAS | null;
  /** Live-capture settings, passed through. */
  live?: { snaplen: number; bufferMb: number; includeSelf: boolean; ssh?: import('../remote/ssh-source.js').SshTarget };
  sink?: LineSink;
  onAlert?: (a: Alert) => void;
  onWarning: (msg: string) => void;
}

export interface AlertsSummary {
  events: number;
  alerts: number;
  byRule: Map<string, number>;
}

/** What loading rules needs (the rules command's and the monitor's). */
export type RulesSpec = Pick<AlertsRun, 'rulesPaths' | 'selection' | 'minPriority' | 'extra' | 'matching' | 'onWarning'>;

/** Loads and selects the rules; throws (one line) when they do not load. */
export function loadRuleSet(run: RulesSpec): RuleSet {
  const { selection } = run;
  if ((selection.disabledSubstrings.length > 0 || selection.disabledTags.length > 0) && selection.enabledTags.length > 0) {
    throw new RulesFileError('Error: You can not specify both disabled (-D/-T) and enabled (-t) rules');
  }
  let minPriority = 7;
  if (run.minPriority !== null) {
    minPriority = parsePriority(run.minPriority);
    if (minPriority < 0) throw new UsageError(`unknown priority '${run.minPriority}' (emergency, alert, critical, error, warning, notice, info, debug)`);
  }
  const extra = run.extra === null ? '' : EXTRAS[run.extra];
  const rules = loadRulesFiles(run.rulesPaths, { minPriority, outputExtra: extra, replaceContainerInfo: extra !== '' }, run.onWarning);
  return new RuleSet(selectRules(rules, selection), run.matching);
}

/** Loads the rules and builds the consumer; throws before anything is captured when they do not load. */
export function buildAlertConsumer(run: AlertsRun, sink: LineSink): AlertConsumer {
  return new AlertConsumer(
    loadRuleSet(run),
    sink,
    { json: run.json, timeIso8601: run.timeIso8601, includeOutput: true, includeTags: true, hostname: defaultHostname() },
    run.onAlert ?? null,
  );
}

export async function runAlerts(run: AlertsRun): Promise<AlertsSummary> {
  const out = new OutputBuffer();
  const sink: LineSink = run.sink ?? { write: (line) => out.line(line) };
  const consumer = buildAlertConsumer(run, sink);
  const filter: EventPredicate | null = run.filter.trim() === '' ? null : compileEventFilter(run.filter);
  const live = run.live ?? { snaplen: 80, bufferMb: 8, includeSelf: false };
  // Live: alerts reach stdout promptly, not only when the buffer fills.
  const timer = run.file === null ? setInterval(() => void out.flush(), 200) : null;
  let events = 0;
  try {
    const { runCapture } = await import('./capture-command.js');
    const res = await runCapture({
      source: { readFile: run.file, ...live, procinfo: false },
      output: 'none',
      count: run.count,
      durationS: run.durationS,
      // The filter argument restricts the events the rules see.
      consumers: [{ onEvent: (ev, engine) => void ((filter === null || filter(ev, engine)) && consumer.onEvent(ev, engine)), finish: () => consumer.finish() }],
      onWarning: run.onWarning,
    });
    events = res.events;
  } finally {
    if (timer !== null) clearInterval(timer);
    await out.flush();
  }
  return { events, alerts: consumer.alerts, byRule: consumer.counts };
}

/** Falco -V: each file's result (cumulative, as Falco loads them in one engine); returns whether all are valid. */
export function runValidate(files: string[], json: boolean, write: (text: string) => void): boolean {
  const loader = new RulesLoader();
  const results = files.map((f) => loader.load(f));
  if (json) write(JSON.stringify({ falco_load_results: results.map((r) => r.toJSON()) }) + '\n');
  else write(results.map((r) => (r.successful && r.warnings.length > 0 ? `${r.name}: Ok, with warnings` : r.summary(false))).join('\n') + '\n');
  return results.every((r) => r.successful);
}
