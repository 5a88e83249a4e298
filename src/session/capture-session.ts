/**
 * CaptureSession: the one place where a capture is assembled, for the
 * command-line outputs and the full-screen UI alike:
 *
 *   source (file, probe, stream) → state engine → consumers
 *                 ↑
 *   container metadata from the engines (sources whose events happen now)
 *
 *   const session = new CaptureSession(source, { limits, onWarning });
 *   session.add(viewRunner).add(writer);
 *   await session.run(signal);     // resolves when the capture ends or is stopped
 *
 * What it does around each event, the same for every consumer:
 *  - -n/-M limits (-M is capture time; a live run whose events stop coming
 *    is still stopped by the wall clock, once the backlog is drained);
 *  - the capture's leading container events only shape the state, as
 *    sysdig opens a capture: consumers see events from the first other one,
 *    and get `onSnapshot` just before it;
 *  - live sources: container names/images looked up from docker, CRI and
 *    podman, put into the state and handed to consumers (`onContainer`) as
 *    they arrive; threads that exited while their exit event was dropped
 *    leave the state (the machine's /proc no longer has them), so a long
 *    session's thread table follows the machine's;
 *  - at the end (the capture ended, a limit, a consumer said stop, the
 *    signal aborted, or damage after which what was read still counts)
 *    every consumer's `finish()` runs once.
 */
import { existsSync } from 'node:fs';
import { CaptureError, type CaptureSink } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { isContainerEvent } from '../format/event-line.js';
import { StateEngine } from '../state/engine.js';
import type { EventConsumer } from './consumer.js';
import type { EventSource } from './event-source.js';
import { HistoryRing } from './history-ring.js';

export interface SessionLimits {
  /** Stop after this many events (0: no limit), leading container events not counted. */
  count: number;
  /** Stop after this much capture time in ns (0: no limit). */
  durationNs: number;
}

export interface SessionOptions {
  limits?: SessionLimits;
  /** A recoverable problem worth telling the user (said by the caller, once per message). */
  onWarning?: (message: string) => void;
  /** Look up container metadata from the engines (default: when the source is live). */
  containerMetadata?: boolean;
  /**
   * Keep the last N seconds of events in memory (`--history`): for captures
   * around alerts and for drilling into an event's surroundings live. 0 or
   * absent: no history.
   */
  historySeconds?: number;
  /** Most bytes the history holds (default: HistoryRing's). */
  historyMaxBytes?: number;
}

/**
 * Live: how often threads whose exit event was lost are looked for, and how
 * long (event time) a thread must have been silent to be looked at.
 */
const PRUNE_PERIOD_MS = 5000;
const PRUNE_IDLE_NS = 5e9;

/** How often live metadata for newly seen containers is requested. */
const METADATA_PERIOD_MS = 1000;
/** After -M of wall time, how long a live run may keep draining its backlog. */
const DRAIN_GRACE_MS = 30_000;

export class CaptureSession {
  readonly engine = new StateEngine();
  /** Events processed (leading container events included). */
  events = 0;
  /** Events past the leading container events (what -n counts). */
  counted = 0;
  firstTs = 0;
  lastTs = 0;
  /** Number of the last event (the capture's event count at the end of a replay). */
  lastEventNum = 0;
  /** The last `historySeconds` of events (null without --history); it sees each event before the other consumers. */
  readonly history: HistoryRing | null;
  /** Consumers in the order they see each event. */
  private consumers: EventConsumer[] = [];
  private inPreamble = true;
  private finished = false;
  private stopRequested = false;
  private readonly limits: SessionLimits;
  private readonly warn: (message: string) => void;

  constructor(
    readonly source: EventSource,
    private readonly opts: SessionOptions = {},
  ) {
    this.limits = opts.limits ?? { count: 0, durationNs: 0 };
    this.warn = opts.onWarning ?? (() => {});
    const hs = opts.historySeconds ?? 0;
    this.history = hs > 0 ? new HistoryRing({ seconds: hs, maxBytes: opts.historyMaxBytes }) : null;
    if (this.history !== null) this.consumers.push(this.history);
  }

  get live(): boolean {
    return this.source.live;
  }

  add(c: EventConsumer): this {
    this.consumers.push(c);
    return this;
  }

  remove(c: EventConsumer): void {
    if (c === this.history) return;
    this.consumers = this.consumers.filter((x) => x !== c);
  }

  /** Makes run() end after the current event, as a limit would. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs the source into the state and the consumers. Resolves when the
   * capture ends, a limit or consumer stops it, or `signal` aborts; rejects
   * with the source's error (consumers still finish after damage to a
   * capture, so what was read before it is shown).
   */
  async run(signal?: AbortSignal): Promise<void> {
    const ac = new AbortController();
    const onOuterAbort = (): void => ac.abort(signal?.reason);
    if (signal?.aborted) ac.abort(signal.reason);
    signal?.addEventListener('abort', onOuterAbort);
    const timers: NodeJS.Timeout[] = [];
    let failure: unknown = null;
    // The engines' API clients (http, http2, net: ~50 ms of module loading) are loaded only when asked for.
    const metadata = (this.opts.containerMetadata ?? (this.source.live && this.source.remote !== true)) ? this.startMetadata(await import('../containers/manager.js'), timers) : null;
    // a stream's events come when its writer sends them (an ssh login, a remote probe loading): -M counts from the first
    if (this.source.live && this.source.remote !== true && this.limits.durationNs > 0) this.startWallStop(ac, timers);
    if (this.source.live && this.source.remote !== true) timers.push(setInterval(() => this.pruneExitedThreads(), PRUNE_PERIOD_MS));
    try {
      await this.source.run(this.sink(), ac.signal, { onBootstrap: () => metadata?.request() });
    } catch (err) {
      // Aborting is how a run is stopped; the source rejects with the reason.
      if (!(ac.signal.aborted && err === ac.signal.reason)) failure = err;
    } finally {
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onOuterAbort);
      metadata?.close();
    }
    // A live run stopped before any event has no table to show.
    if ((failure === null || failure instanceof CaptureError) && (this.events > 0 || !this.source.live)) this.finish();
    if (failure !== null) throw failure;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const c of this.consumers) c.finish();
  }

  /** The snapshot records go to the engine; events through onEvent. */
  private sink(): CaptureSink {
    return this.engine.sink(
      (ev) => this.onEvent(ev),
      (m) => this.warn(m),
    );
  }

  /** The per-event path: limits, state, consumers. Allocates nothing. */
  private onEvent(ev: ScapEvent): boolean {
    const ts = ev.ts;
    const lim = this.limits;
    if (lim.durationNs > 0 && this.firstTs !== 0 && ts - this.firstTs >= lim.durationNs) return false;
    if (this.inPreamble) {
      if (isContainerEvent(ev)) {
        this.engine.process(ev);
        this.note(ev, ts);
        return true;
      }
      this.inPreamble = false;
      for (const c of this.consumers) c.onSnapshot?.(this.engine, ev);
    }
    this.engine.process(ev);
    this.note(ev, ts);
    this.counted++;
    let go = !this.stopRequested;
    const cs = this.consumers;
    for (let i = 0; i < cs.length; i++) if (cs[i]!.onEvent(ev, this.engine) === false) go = false;
    return go && (lim.count === 0 || this.counted < lim.count);
  }

  private note(ev: ScapEvent, ts: number): void {
    this.events++;
    this.lastEventNum = ev.num;
    if (this.firstTs === 0) this.firstTs = ts;
    this.lastTs = ts;
  }

  /** Names, images and labels of the containers the state finds, from the engines' APIs. */
  private startMetadata(
    { ContainerMetadataManager, requestMissingMetadata }: typeof import('../containers/manager.js'),
    timers: NodeJS.Timeout[],
  ): { request(): void; close(): void } {
    const manager = new ContainerMetadataManager({
      onUpdate: (info) => {
        this.engine.addContainer(info);
        for (const c of this.consumers) c.onContainer?.(info);
      },
      onReason: (why) => this.warn(why),
    });
    const request = (): void => requestMissingMetadata(this.engine.containers, manager);
    timers.push(setInterval(request, METADATA_PERIOD_MS));
    return { request, close: () => manager.close() };
  }

  /** Threads removed because the machine no longer has them (their exit event was lost). */
  prunedThreads = 0;

  /** Live: threads silent for a while whose /proc entry is gone leave the state (see StateEngine.pruneExitedThreads). */
  private pruneExitedThreads(): void {
    if (this.lastTs === 0) return;
    const proc = `${process.env.HOST_ROOT ?? ''}/proc/`;
    this.prunedThreads += this.engine.pruneExitedThreads(this.lastTs - PRUNE_IDLE_NS, (tid) => existsSync(proc + tid));
  }

  /** -M is event time; this also ends a live capture whose events stop coming. Events already received are processed first. */
  private startWallStop(ac: AbortController, timers: NodeJS.Timeout[]): void {
    const budgetMs = this.limits.durationNs / 1e6;
    const hardStop = Date.now() + budgetMs + DRAIN_GRACE_MS;
    const wallStop = (): void => {
      if ((this.source.backlog ?? 0) > 0 && Date.now() < hardStop) timers.push(setTimeout(wallStop, 200));
      else ac.abort();
    };
    timers.push(setTimeout(wallStop, budgetMs + 1500));
  }
}
