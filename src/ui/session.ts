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
 */
import { CaptureError, type CaptureSink } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { isContainerEvent } from '../format/event-line.js';
import { StateEngine } from '../state/engine.js';
import type { Consumer } from './consumers.js';
import type { EventSource } from './source.js';

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

export class Session {
  engine = new StateEngine();
  state: InternalState = newState();
  capture: CaptureInfo | null = null;
  private consumer: Consumer | null = null;
  private generation = 0;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  /** Container events before the first other event only shape the state (as sysdig opens a capture). */
  private inPreamble = true;

  constructor(
    readonly source: EventSource,
    private readonly events: SessionEvents,
    /** Stop a replay after this many events / this much capture time (-n, -M; 0 = no limit). */
    private readonly limits: { count: number; durationNs: number } = { count: 0, durationNs: 0 },
  ) {}

  get live(): boolean {
    return this.source.live;
  }

  /** Starts (replay: restarts) the run with a new consumer built by `make`. Throws what `make` throws. */
  start(make: (engine: StateEngine) => Consumer): void {
    if (this.source.live && this.running !== null) {
      this.consumer = null;
      this.consumer = make(this.engine);
      return;
    }
    this.cancel();
    const gen = ++this.generation;
    this.engine = new StateEngine();
    this.state = newState();
    this.inPreamble = true;
    this.consumer = make(this.engine);
    this.state.running = true;
    const ac = new AbortController();
    this.abort = ac;
    const sink = this.sink(gen);
    this.running = this.source.run(sink, ac.signal).then(
      () => {
        if (gen !== this.generation) return;
        this.state.running = false;
        if (!this.source.live) {
          this.consumer?.finish();
          this.state.done = true;
          if (this.state.events > 0 || this.capture === null) {
            this.capture = { events: this.state.lastEventNum, firstTs: this.state.firstTs, lastTs: this.state.lastTs };
          }
        }
        this.events.onEnd();
      },
      (err: unknown) => {
        if (gen !== this.generation) return;
        this.state.running = false;
        this.state.error = err;
        // A damaged capture: show what was read up to the damage (the error is reported too).
        if (err instanceof CaptureError && !this.source.live) {
          this.consumer?.finish();
          this.state.done = true;
        }
        this.events.onEnd();
      },
    );
  }

  private sink(gen: number): CaptureSink {
    const engine = this.engine;
    const st = this.state;
    return {
      onMachineInfo: (mi) => engine.onMachineInfo(mi),
      onThread: (t) => engine.onThread(t),
      onFd: (pid, fd) => engine.onFd(pid, fd),
      onInterface: (i) => engine.onInterface(i),
      onUser: (u) => engine.onUser(u),
      onGroup: (g) => engine.onGroup(g),
      onWarning: (m) => this.events.onWarning?.(m),
      onEvent: (ev: ScapEvent) => {
        if (gen !== this.generation) return false;
        const ts = ev.ts;
        const lim = this.limits;
        if (lim.durationNs > 0 && st.firstTs !== 0 && ts - st.firstTs >= lim.durationNs) return false;
        engine.process(ev);
        st.events++;
        st.lastEventNum = ev.num;
        if (st.firstTs === 0) st.firstTs = ts;
        st.lastTs = ts;
        if (this.inPreamble) {
          if (isContainerEvent(ev)) return true;
          this.inPreamble = false;
        }
        this.consumer?.onEvent(ev, engine);
        return lim.count === 0 || st.events < lim.count;
      },
    };
  }

  /** Abandons the current run (its events stop reaching any consumer). */
  cancel(): void {
    this.generation++;
    this.abort?.abort(new Error('restarted'));
    this.abort = null;
    this.running = null;
  }

  /** Stops everything and waits for the source to let go of its resources. */
  async stop(): Promise<void> {
    const r = this.running;
    this.cancel();
    this.consumer = null;
    if (r !== null) await r.catch(() => {});
  }
}

export interface InternalState extends RunState {
  /** Number of the last event read (the capture's event count at the end). */
  lastEventNum: number;
}

function newState(): InternalState {
  return { running: false, done: false, events: 0, firstTs: 0, lastTs: 0, error: null, lastEventNum: 0 };
}
