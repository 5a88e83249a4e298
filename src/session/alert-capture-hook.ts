/**
 * Which alerts get a capture written around them, and where: the one piece
 * the command line (runCapture) and the monitor (src/ui/session.ts) both
 * attach to their CaptureSession, so captures on alert behave the same in
 * both.
 *
 *  - `--capture-alerts DIR`: every alert, into DIR;
 *  - Falco's `capture.mode: all_rules` (with `capture.enabled: true`):
 *    every alert, after `capture.path_prefix`;
 *  - a rule with `capture: true` (Falco 0.42's capture feature): its alerts,
 *    into DIR when given, else after `capture.path_prefix` (default
 *    `/tmp/falco`: files `/tmp/falco_<time>_<rule>.scap`), unless
 *    `capture.enabled` is set false;
 *  - a rule's `capture_duration` (ms) is its time after the alert, else
 *    `--capture-after` (else `capture.default_duration`, else 5 s: Falco's default);
 *  - the time before is what the session's history holds (`--history`).
 *
 * A replay in the monitor is read again from its start at each screen
 * change, into a new CaptureSession: the hook outlives those runs and skips
 * the alerts an earlier run already wrote a capture for.
 */
import path from 'node:path';
import type { Alert } from '../rules/alert.js';
import type { CompiledRule } from '../rules/rule-compiler.js';
import { AlertCaptures } from './alert-captures.js';
import type { CaptureSession } from './capture-session.js';

/** Falco's `capture.path_prefix` default. */
export const FALCO_CAPTURE_PATH_PREFIX = '/tmp/falco';
/** Falco's `capture.default_duration` (5000 ms). */
export const DEFAULT_CAPTURE_AFTER_S = 5;
/** History kept for captures when --history is not given (also the live monitor's default). */
export const DEFAULT_HISTORY_S = 10;

export interface AlertCaptureConfig {
  /** --capture-alerts DIR: where captures go (else after pathPrefix). */
  dir: string | null;
  /** Every alert is captured (--capture-alerts, capture.mode all_rules); else only rules with capture: true. */
  everyAlert: boolean;
  /** Rules with capture: true are honoured (false: capture.enabled set false). */
  ruleCaptures: boolean;
  /** Where capture: true rules write without DIR (default FALCO_CAPTURE_PATH_PREFIX). */
  pathPrefix?: string;
  /** Seconds after an alert (a rule's capture_duration wins). */
  afterS: number;
  /** Keep the capture files under this many MiB (0: no limit). */
  maxMb: number;
  /** A file written, an old one removed, a failure: one line each. */
  onNotice: (line: string) => void;
}

export class AlertCaptureHook {
  private captures: AlertCaptures | null = null;
  /** Rule name → seconds after its alerts, for the rules whose alerts are captured. */
  private captured = new Map<string, number>();
  /** Alerts up to this time have a capture (over every run). */
  private capturedUntilNs = 0;
  /** This run skips alerts up to here: an earlier run of the same replay captured them. */
  private skipUntilNs = 0;
  private readonly closing: Promise<void>[] = [];

  constructor(private readonly cfg: AlertCaptureConfig) {}

  /** The rules loaded: which of them capture (all with --capture-alerts). */
  useRules(rules: readonly CompiledRule[]): this {
    this.captured.clear();
    for (const r of rules) {
      if (!this.cfg.everyAlert && !(this.cfg.ruleCaptures && r.capture)) continue;
      this.captured.set(r.name, r.captureDurationMs !== null ? r.captureDurationMs / 1000 : this.cfg.afterS);
    }
    return this;
  }

  /** Whether any alert can be captured (known once useRules ran). */
  get active(): boolean {
    return this.captured.size > 0;
  }

  /** Files written so far (all runs). */
  readonly written: string[] = [];

  /**
   * The history a session needs (SessionOptions): --history, else 10 s when
   * captures are on; with --history 0 a ring of one nanosecond holding the
   * alert's own event, so a capture starts at its alert as Falco's do.
   */
  sessionHistory(historySeconds: number | null): { historySeconds: number; historyMaxBytes?: number } {
    if (!this.active) return { historySeconds: historySeconds ?? 0 };
    if (historySeconds === 0) return { historySeconds: 1e-9, historyMaxBytes: 1 << 20 };
    return { historySeconds: historySeconds ?? DEFAULT_HISTORY_S };
  }

  /** Starts writing this session's alerts' captures (a session made with sessionHistory's options). */
  attach(session: CaptureSession): void {
    if (!this.active) return;
    const ring = session.history;
    if (ring === null) throw new Error('alert captures need a session with history (AlertCaptureHook.sessionHistory)');
    if (this.captures !== null) this.closing.push(this.captures.close());
    const [dir, namePrefix] = this.cfg.dir !== null ? [this.cfg.dir, ''] : splitPrefix(this.cfg.pathPrefix ?? FALCO_CAPTURE_PATH_PREFIX);
    const captures = new AlertCaptures(ring, session.engine, {
      dir,
      namePrefix,
      beforeS: ring.windowNs < 1 ? 0 : ring.windowNs / 1e9,
      afterS: this.cfg.afterS,
      maxMb: this.cfg.maxMb,
      onNotice: this.cfg.onNotice,
      onWritten: (file) => this.written.push(file),
    });
    this.captures = captures;
    this.skipUntilNs = this.capturedUntilNs;
    session.add(captures);
  }

  /** An alert from the rules consumer of the attached session (its onAlert callback). */
  onAlert(alert: Alert): void {
    const afterS = this.captured.get(alert.rule);
    if (afterS === undefined || this.captures === null) return;
    const ts = Number(alert.timeNs);
    if (ts <= this.skipUntilNs) return;
    this.captures.onAlert(ts, alert.rule, afterS, alert.timeNs);
    this.capturedUntilNs = Math.max(this.capturedUntilNs, ts + afterS * 1e9);
  }

  /** Completes the file being written; resolves when every file is on disk (and old ones removed). */
  async close(): Promise<void> {
    if (this.captures !== null) this.closing.push(this.captures.close());
    await Promise.all(this.closing);
  }
}

/** Falco's path_prefix `/tmp/falco` → directory `/tmp`, names starting `falco_`; a prefix ending in `/` is a directory. */
function splitPrefix(prefix: string): [string, string] {
  if (prefix.endsWith('/')) return [prefix, ''];
  return [path.dirname(prefix), `${path.basename(prefix)}_`];
}
