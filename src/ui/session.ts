/**
 * Session: runs the event source through the state engine into the
 * consumer of the current screen.
 *
 * Every screen change (view switch, drill-down, drill-up, new filter, echo,
 * dig, spectrogram) calls start() with a factory for the new consumer:
 *
 *  - replay: the read in progress is abandoned (its sink stops accepting
 *    events at once and its AbortSignal ends it between two blocks), and
 *    the capture is read again from its first byte into a fresh state
 *    engine, exactly as csysdig reopens a file: the new screen sees the
 *    whole capture, snapshot blocks included;
 *  - live: the source keeps running on the same engine (the machine's state
 *    is not replayable) and only the consumer is swapped; the new table
 *    starts empty and fills from the next interval.
 *
 * A replay screen that needs no events (a table kept from before, or one
 * prepared during an earlier read: see DrillTables) is shown through
 * settle() instead: no run, nothing read.
 *
 * Each run is a CaptureSession (src/session/), the same assembly the
 * command-line outputs use: limits, container metadata from the engines for
 * live capture, the capture's leading container events.
 */
import { CaptureError } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { CaptureSession, type SessionOptions } from '../session/capture-session.js';
import type { EventConsumer } from '../session/consumer.js';
import type { EventSource } from '../session/event-source.js';
import type { StateEngine } from '../state/engine.js';
import type { MonitorRules } from '../cli/monitor-rules.js';
import { AlertLog } from '../rules/alert-log.js';
import { AlertEvents } from '../session/alert-events.js';
import type { Alert } from '../rules/alert.js';
import type { HistoryRing } from '../session/history-ring.js';
import type { Consumer } from './consumers.js';

export interface RunState {
  /** A replay read (or the live source) is running. */
  running: boolean;
  /** The replay reached the end of the capture. */
  done: boolean;
  /** Events seen by this run. */
  events: number;
  firstTs: number;
  lastTs: number;
  /** What stopped the run, if it failed. */
  error: unknown;
  /** Wall time since the run started (ms): the reading speed shown with the progress. */
  elapsedMs: number;
}

/** The whole capture, learnt from the first complete read (the "Source:" line). */
export interface CaptureInfo {
  events: number;
  firstTs: number;
  lastTs: number;
}

export interface SessionEvents {
  /** The replay ended (state.done) or failed (state.error). */
  onEnd(): void;
  /** A problem worth telling the user that does not stop the run. */
  onWarning?(message: string): void;
}

/**
 * What each run gets besides the screen (the rules, captures around alerts:
 * src/session/alert-capture-hook.ts). A replay makes a new run at every
 * screen change, so this is applied to each.
 */
export interface RunSetup {
  /** The history each run keeps (SessionOptions.historySeconds/historyMaxBytes). */
  history?: Pick<SessionOptions, 'historySeconds' | 'historyMaxBytes'>;
  /** A new run, before the rules and the screen's consumer are added: add consumers to it. */
  onRun?(run: CaptureSession): void;
  /** Each alert of the run's rules. */
  onAlert?(alert: Alert): void;
  /** The session stops: resolves when what the consumers write is on disk. */
  close?(): Promise<void>;
}

/** The current screen's consumer, swappable while a live run goes on. */
class ScreenSlot implements EventConsumer {
  consumer: Consumer | null = null;
  /** The screen ended the read before the capture's end (it is not the whole capture). */
  endedEarly = false;
  /** Live: a screen left for a deeper one that keeps its rows (a list drilled from), still fed. */
  parked: Consumer | null = null;

  onEvent(ev: ScapEvent, engine: StateEngine): boolean | void {
    this.parked?.onEvent(ev, engine);
    const c = this.consumer;
    if (c === null || c.onEvent(ev, engine) !== false) return;
    this.endedEarly = true;
    return false;
  }

  finish(): void {
    this.consumer?.finish();
  }
}

export class Session {
  capture: CaptureInfo | null = null;
  private run: CaptureSession;
  private slot = new ScreenSlot();
  private running = false;
  private done = false;
  private error: unknown = null;
  private abort: AbortController | null = null;
  private runPromise: Promise<void> | null = null;
  private startedAt = 0;
  /** Reads of the capture started so far (replays): what the UI's debug status shows. */
  reads = 0;
  private log: AlertLog | null = null;
  private alertEventStore: AlertEvents | null = null;

  constructor(
    readonly source: EventSource,
    private readonly events: SessionEvents,
    /** Stop a replay after this many events / this much capture time (-n, -M; 0 = no limit). */
    private readonly limits: { count: number; durationNs: number } = { count: 0, durationNs: 0 },
    /** --rules / --default-rules: run before the screen's consumer on every event (null: no rules). */
    private readonly rules: MonitorRules | null = null,
    private readonly setup: RunSetup = {},
  ) {
    this.run = this.newRun();
  }

  /**
   * The alerts of the current run (null without rules): counts by priority,
   * per minute, the newest records. A replay re-reads the capture at every
   * screen change, and its log starts again with the read; live, one run
   * goes on and so does its log.
   */
  get alertLog(): AlertLog | null {
    return this.log;
  }

  /**
   * Live with rules: the events that fired alerts so far, for a screen
   * reading alert.* fields to start from (null in a replay or without rules).
   */
  get alertEvents(): AlertEvents | null {
    return this.alertEventStore;
  }

  /** The current run's last seconds of events (--history), for the status bar; null without history. */
  get history(): HistoryRing | null {
    return this.run.history;
  }

  get live(): boolean {
    return this.source.live;
  }

  get engine(): StateEngine {
    return this.run.engine;
  }


  get state(): RunState {
    const r = this.run;
    return { running: this.running, done: this.done, error: this.error, events: r.events, firstTs: r.firstTs, lastTs: r.lastTs, elapsedMs: performance.now() - this.startedAt };
  }

  private newRun(): CaptureSession {
    const run = new CaptureSession(this.source, { limits: this.limits, onWarning: (m) => this.events.onWarning?.(m), ...this.setup.history });
    this.setup.onRun?.(run);
    this.slot = new ScreenSlot();
    if (this.rules !== null) {
      // the rules see each event before the screen, which reads what fired through the alert.* fields
      const log = (this.log = new AlertLog());
      const setup = this.setup;
      run.add(
        this.rules.consumer((a) => {
          log.add(a);
          setup.onAlert?.(a);
        }),
      );
      // live: an Alerts screen opened later starts from the alerts already fired (AlertEvents)
      this.alertEventStore = this.source.live ? new AlertEvents() : null;
      if (this.alertEventStore !== null) run.add(this.alertEventStore);
    }
    run.add(this.slot);
    return run;
  }

  /** Starts (replay: restarts) the run with a new consumer built by `make`. Throws what `make` throws. */
  start(make: (engine: StateEngine) => Consumer): void {
    if (this.source.live && this.runPromise !== null) {
      this.slot.consumer = null;
      this.slot.consumer = make(this.run.engine);
      return;
    }
    this.cancel();
    if (!this.source.live) this.reads++;
    const run = (this.run = this.newRun());
    const slot = this.slot;
    this.running = true;
    this.startedAt = performance.now();
    this.done = false;
    this.error = null;
    slot.consumer = make(run.engine);
    const ac = new AbortController();
    this.abort = ac;
    this.runPromise = run.run(ac.signal).then(
      () => {
        if (run !== this.run || ac.signal.aborted) return;
        this.running = false;
        if (!this.source.live) {
          this.done = true;
          // A read the screen ended early (a row's event window) is not the whole capture.
          if (!slot.endedEarly && (run.events > 0 || this.capture === null)) this.capture = { events: run.lastEventNum, firstTs: run.firstTs, lastTs: run.lastTs };
        }
        this.events.onEnd();
      },
      (err: unknown) => {
        if (run !== this.run || ac.signal.aborted) return;
        this.running = false;
        this.error = err;
        // A damaged capture: what was read up to the damage is shown (the session finished the screen).
        if (err instanceof CaptureError && !this.source.live) this.done = true;
        this.events.onEnd();
      },
    );
  }

  /**
   * A replay screen whose table is already complete: any read in progress is
   * abandoned and the session stands finished, as at the end of a read.
   */
  settle(): void {
    if (this.source.live) throw new Error('settle() is for replays');
    this.cancel();
    this.running = false;
    this.done = true;
    this.error = null;
  }

  /**
   * Live: keeps `c` (the screen being left) fed with events next to the new
   * screen's consumer, so going back finds it with what happened meanwhile;
   * null stops it. A replay re-reads instead (nothing is parked).
   */
  park(c: Consumer | null): void {
    this.slot.parked = this.source.live ? c : null;
  }

  /** Abandons the current run (its events stop reaching any consumer). */
  cancel(): void {
    // Detach the screen first: an abandoned run must not finish it.
    this.slot.consumer = null;
    this.run.stop();
    this.abort?.abort(new Error('restarted'));
    this.abort = null;
    this.runPromise = null;
  }

  /** Stops everything and waits for the source to let go of its resources. */
  async stop(): Promise<void> {
    const r = this.runPromise;
    this.cancel();
    if (r !== null) await r.catch(() => {});
    await this.setup.close?.();
  }
}
