/**
 * The monitor's runs with rules (--rules, --default-rules), the history
 * (--history; 10 s live by default) and captures around alerts
 * (--capture-alerts, rules with capture: true): the RunSetup the UI session
 * applies to every run. Capture notices go to the message line.
 */
import type { Options } from '../cli/args.js';
import { alertCaptureHookOf } from '../cli/alert-capture-options.js';
import { buildAlertConsumer } from '../cli/alerts-command.js';
import { defaultRulesFile } from '../rules/default-rules.js';
import { DEFAULT_HISTORY_S } from '../session/alert-capture-hook.js';
import type { RunSetup } from './session.js';

export function alertRunSetup(opts: Options, onNotice: (line: string) => void, onWarning: (line: string) => void): RunSetup {
  const live = opts.readFile === null;
  const history = opts.historySeconds ?? (live ? DEFAULT_HISTORY_S : null);
  const rulesPaths = opts.defaultRules ? [defaultRulesFile(), ...opts.rulesPaths] : opts.rulesPaths;
  if (rulesPaths.length === 0) return { history: { historySeconds: history ?? 0 } };
  const consumer = buildAlertConsumer(
    {
      rulesPaths,
      file: opts.readFile,
      filter: '',
      count: 0,
      durationS: 0,
      json: false,
      timeIso8601: opts.timeIso8601,
      matching: opts.ruleMatching,
      minPriority: opts.minPriority,
      selection: { disabledSubstrings: opts.disabledRules, disabledTags: opts.disabledTags, enabledTags: opts.enabledTags },
      extra: opts.k8sColumns ? 'kubernetes' : opts.containerColumns ? 'container' : null,
      onWarning,
      onAlert: (a) => hook.onAlert(a),
    },
    null,
  );
  const hook = alertCaptureHookOf(opts, onNotice).useRules(consumer.ruleset.rules);
  return {
    history: hook.sessionHistory(history),
    onRun: (run) => {
      hook.attach(run);
      run.add(consumer);
    },
    close: () => hook.close(),
  };
}
