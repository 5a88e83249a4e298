/**
 * The command-line options of captures around alerts (--capture-alerts,
 * --capture-after, --capture-max-mb) as the AlertCaptureHook that the text
 * outputs and the monitor both attach to their sessions. DIR is checked (or
 * created, 0700) here, before any capture starts.
 */
import { mkdirSync, statSync } from 'node:fs';
import { AlertCaptureHook, DEFAULT_CAPTURE_AFTER_S } from '../session/alert-capture-hook.js';
import { UsageError, type Options } from './args.js';

export function alertCaptureHookOf(opts: Options, onNotice: (line: string) => void): AlertCaptureHook {
  const dir = opts.captureAlertsDir;
  if (dir !== null) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      // a directory of captures that may hold what a user's processes did: only root's
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = statSync(dir);
    }
    if (!st.isDirectory()) throw new UsageError(`--capture-alerts needs a directory, and ${dir} is not one`);
  } else if (opts.captureMaxMb > 0) {
    throw new UsageError('--capture-max-mb goes with --capture-alerts DIR');
  }
  return new AlertCaptureHook({ dir, afterS: opts.captureAfterS ?? DEFAULT_CAPTURE_AFTER_S, maxMb: opts.captureMaxMb, onNotice });
}
