/**
 * LiveCapture: everything a live session needs, behind one CaptureSink —
 * the probe drained by a worker thread, the /proc bootstrap, and the
 * userspace PROCINFO events — so a consumer sees exactly what a .scap
 * replay gives it: machine info, interfaces, users, groups, threads and
 * fds first, then events (the probe's and procinfo, in one stream).
 *
 *   const cap = await LiveCapture.open({ snaplen: 80 });  // loads the probe (LiveError on failure)
 *   await cap.run(sink, { signal });                      // attach, bootstrap, deliver until aborted
 *   const stats = await cap.close();                      // detach; final counters
 *
 * Order: the probe is attached *before* /proc is read, so nothing that
 * happens during the scan is lost: events of that window wait in the ring
 * (and in the worker's batches) and are applied on top of the snapshot,
 * which leaves the state as it is at the end of the window. tsysdig's own
 * process is excluded from the events (and from procinfo) unless
 * `excludePid: null`.
 */
import type { CaptureSink } from '../capture/records.js';
import { WorkerLiveSource, type WorkerLiveOptions } from './live-worker.js';
import type { LiveStats } from './live-source.js';
import { MAX_EVENT_LEN } from './probe-abi.js';
import { bootstrapFromProc, liveMachineInfo, type BootstrapStats } from './proc-bootstrap.js';

export interface LiveCaptureOptions extends WorkerLiveOptions {
  /** Read /proc before the first event (default true). */
  bootstrap?: boolean;
  /** PROCINFO period in ms (default 1000; 0: none). */
  procinfoMs?: number;
}

export class LiveCapture {
  /** What the /proc bootstrap found (after run() started). */
  bootstrapStats: BootstrapStats | null = null;
  private closing: Promise<LiveStats> | null = null;

  private constructor(
    readonly source: WorkerLiveSource,
    private readonly opts: LiveCaptureOptions,
  ) {}

  /** Loads the probe in its worker thread. Rejects with a LiveError (errors.ts) when live capture is unavailable. */
  static async open(opts: LiveCaptureOptions = {}): Promise<LiveCapture> {
    const source = await WorkerLiveSource.open({ ...opts, procinfoMs: opts.procinfoMs ?? 1000 });
    return new LiveCapture(source, opts);
  }

  get ncpus(): number {
    return this.source.ncpus;
  }

  /**
   * Attaches the probe, sends machine info and the /proc snapshot to the
   * sink, then every event until the signal aborts, sink.onEvent returns
   * false, or stop() is called.
   */
  async run(sink: CaptureSink, opts: { signal?: AbortSignal; onBootstrap?: (s: BootstrapStats) => void } = {}): Promise<void> {
    this.source.start();
    await this.source.whenStarted();
    sink.onMachineInfo?.(liveMachineInfo(this.source.ncpus, MAX_EVENT_LEN, this.opts.hostRoot));
    if (this.opts.bootstrap !== false) {
      const excludePid = this.opts.excludePid === undefined ? process.pid : this.opts.excludePid;
      this.bootstrapStats = bootstrapFromProc(sink, { hostRoot: this.opts.hostRoot, excludePid, onWarning: sink.onWarning?.bind(sink) });
      opts.onBootstrap?.(this.bootstrapStats);
    }
    if (opts.signal?.aborted) return;
    await this.source.run(sink, { signal: opts.signal, machineInfo: false });
  }

  /** Batches copied from the ring and not yet delivered to the sink. */
  get backlog(): number {
    return this.source.backlog;
  }

  /** Makes run() return after the current batch. */
  stop(): void {
    this.source.stop();
  }

  /** Probe counters as of the latest batch (synchronous; for per-sample drop reports). */
  stats(): LiveStats {
    return this.source.latestStats();
  }

  /** Detaches the probe and stops the worker; resolves with the final counters. Idempotent. */
  close(): Promise<LiveStats> {
    this.closing ??= this.source.close();
    return this.closing;
  }
}

/** The drop report of a JSON document: total ring-full drops and the same per CPU. */
export function dropsOf(s: LiveStats): { total: number; perCpu: number[] } {
  return { total: s.dropsFull, perCpu: s.perCpu.map((c) => c.dropsFull) };
}
