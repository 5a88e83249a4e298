/**
 * The monitor's runs beyond the rules (src/cli/monitor-rules.ts): the
 * history (--history; 10 s live by default) and captures around the rules'
 * alerts (--capture-alerts, rules with capture: true): the RunSetup the UI
 * session applies to every run. Capture notices go to the message line.
 */
import type { Options } from '../cli/args.js';
import { alertCaptureHookOf } from '../cli/alert-capture-options.js';
import type { MonitorRules } from '../cli/monitor-rules.js';
import { DEFAULT_HISTORY_S } from '../session/alert-capture-hook.js';
import type { RunSetup } from './session.js';

export function alertRunSetup(opts: Options, rules: MonitorRules | null, onNotice: (line: string) => void): RunSetup {
  const live = opts.readFile === null;
  const history = opts.historySeconds ?? (live ? DEFAULT_HISTORY_S : null);
  if (rules === null) return { history: { historySeconds: history ?? 0 } };
  const hook = alertCaptureHookOf(opts, onNotice).useRules(rules.ruleset.rules);
  return {
    history: hook.sessionHistory(history),
    onRun: (run) => hook.attach(run),
    onAlert: (a) => hook.onAlert(a),
    close: () => hook.close(),
  };
}
