/**
 * The command-line options of captures around alerts (--capture-alerts,
 * --capture-after, --capture-max-mb, and Falco's `capture:` settings from
 * -c/-o) as the AlertCaptureHook that the text outputs and the monitor both
 * attach to their sessions. DIR is checked (or created, 0700) here, before
 * any capture starts.
 */
import { mkdirSync, statSync } from 'node:fs';
import { outputConfigFromOptions } from '../output/cli-config.js';
import { defaultOutputConfig } from '../output/config.js';
import { AlertCaptureHook, DEFAULT_CAPTURE_AFTER_S } from '../session/alert-capture-hook.js';
import { UsageError, type Options } from './args.js';

export function alertCaptureHookOf(opts: Options, onNotice: (line: string) => void): AlertCaptureHook {
  const dir = opts.captureAlertsDir;
  if (dir !== null) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      // captures hold what users' processes did: a new directory is root's only
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = statSync(dir);
    }
    if (!st.isDirectory()) throw new UsageError(`--capture-alerts needs a directory, and ${dir} is not one`);
  } else if (opts.captureMaxMb > 0) {
    throw new UsageError('--capture-max-mb goes with --capture-alerts DIR');
  }
  // -c/-o were checked in main before anything started
  const cap = (opts.configFile !== null || opts.configOverrides.length > 0 ? outputConfigFromOptions(opts) : defaultOutputConfig()).capture;
  return new AlertCaptureHook({
    dir,
    everyAlert: dir !== null || (cap.enabled === true && cap.mode === 'all_rules'),
    ruleCaptures: cap.enabled !== false,
    pathPrefix: cap.pathPrefix,
    afterS: opts.captureAfterS ?? (cap.defaultDurationMs !== null ? cap.defaultDurationMs / 1000 : DEFAULT_CAPTURE_AFTER_S),
    maxMb: opts.captureMaxMb,
    onNotice,
  });
}
