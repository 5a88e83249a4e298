/**
 * The agent's counters, read when /metrics is scraped (nothing here runs per
 * event): events from the capture session, drops from the probe's ring,
 * alerts by priority, output queue drops, and what the rotated capture wrote.
 * A one-second sampler keeps the last few event counts, for events/s and for
 * /healthz ("events are still arriving": live capture emits per-thread CPU
 * events every second, so a silent source means a stuck capture).
 */
import type { CaptureSession } from '../session/capture-session.js';
import type { CaptureFileConsumer } from '../session/capture-file-consumer.js';
import { RotatingWriter } from '../capture/writer/rotating-writer.js';
import type { MetricFamily } from './prometheus.js';

/** Lines an output channel dropped (the output channels' stats, src/output). */
export interface OutputDrops {
  channel: string;
  target: string;
  /** Lines dropped because the channel's queue was full. */
  droppedQueueFull: number;
  /** Lines the far end refused, or unsent at exit. */
  droppedOther: number;
}

/** Seconds of event counts the events/s gauge averages over. */
const RATE_WINDOW_S = 10;
/** No event for this long: /healthz says the capture is stuck. */
export const STALL_MS = 10_000;

export interface AgentInfo {
  version: string;
  node: string;
}

export class AgentMetrics {
  private session: CaptureSession | null = null;
  private writer: CaptureFileConsumer | null = null;
  private readonly alerts = new Map<string, number>();
  private outputs: () => OutputDrops[] = () => [];
  /** Event counts, one per second, newest last (at most RATE_WINDOW_S + 1). */
  private readonly counts: { ms: number; events: number }[] = [];
  private lastChangeMs = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly startedMs: number;

  constructor(
    private readonly info: AgentInfo,
    private readonly now: () => number = Date.now,
  ) {
    this.startedMs = now();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** The capture is running: its session and capture writer (if any). */
  attach(session: CaptureSession, writer: CaptureFileConsumer | null): void {
    this.session = session;
    this.writer = writer;
    this.sample();
  }

  /** One alert of this priority was emitted (the rules engine's alert consumer calls this). */
  countAlert(priority: string): void {
    this.alerts.set(priority, (this.alerts.get(priority) ?? 0) + 1);
  }

  /** Where output queue drops come from (the output channels' stats). */
  setOutputs(f: () => OutputDrops[]): void {
    this.outputs = f;
  }

  private sample(): void {
    if (this.session === null) return;
    const ms = this.now();
    const events = this.session.events;
    const last = this.counts[this.counts.length - 1];
    if (last === undefined || events !== last.events) this.lastChangeMs = ms;
    this.counts.push({ ms, events });
    if (this.counts.length > RATE_WINDOW_S + 1) this.counts.shift();
  }

  /** Events per second over the last RATE_WINDOW_S seconds. */
  eventRate(): number {
    const first = this.counts[0];
    const last = this.counts[this.counts.length - 1];
    if (first === undefined || last === undefined || last.ms <= first.ms) return 0;
    return ((last.events - first.events) * 1000) / (last.ms - first.ms);
  }

  /** Null when healthy, else why not (for /healthz). */
  unhealthy(): string | null {
    if (this.session === null) return 'starting: the probe is not attached yet';
    if (this.session.events === 0) return 'starting: no event yet';
    const quiet = this.now() - this.lastChangeMs;
    if (quiet > STALL_MS) return `no event for ${Math.round(quiet / 1000)} s`;
    return null;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  families(): MetricFamily[] {
    const s = this.session;
    const drops = s?.source.drops?.();
    const w = this.writer?.writer;
    const outs = this.outputs();
    const cpu = process.cpuUsage();
    const f: MetricFamily[] = [
      { name: 'tsysdig_info', help: 'The agent: version and node.', type: 'gauge', samples: [{ labels: { version: this.info.version, node: this.info.node }, value: 1 }] },
      { name: 'tsysdig_up', help: '1 when /healthz reports healthy.', type: 'gauge', samples: [{ value: this.unhealthy() === null ? 1 : 0 }] },
      { name: 'tsysdig_events_total', help: 'Events processed (system calls and internal events).', type: 'counter', samples: [{ value: s?.events ?? 0 }] },
      { name: 'tsysdig_events_per_second', help: `Events processed per second, over the last ${RATE_WINDOW_S} s.`, type: 'gauge', samples: [{ value: round3(this.eventRate()) }] },
      {
        name: 'tsysdig_drops_total',
        help: 'Events the probe lost because the ring buffer was full, per CPU.',
        type: 'counter',
        samples: (drops?.perCpu ?? []).map((n, cpu) => ({ labels: { cpu: String(cpu) }, value: n })),
      },
      {
        name: 'tsysdig_alerts_total',
        help: 'Alerts emitted, by rule priority.',
        type: 'counter',
        samples: [...this.alerts].sort(([a], [b]) => a.localeCompare(b)).map(([priority, n]) => ({ labels: { priority }, value: n })),
      },
      {
        name: 'tsysdig_output_queue_drops_total',
        help: 'Output lines dropped because the channel queue was full, by channel.',
        type: 'counter',
        samples: outs.map((o) => ({ labels: { channel: o.channel, target: o.target }, value: o.droppedQueueFull })),
      },
      {
        name: 'tsysdig_output_drops_other_total',
        help: 'Output lines refused by the far end or unsent at exit, by channel.',
        type: 'counter',
        samples: outs.map((o) => ({ labels: { channel: o.channel, target: o.target }, value: o.droppedOther })),
      },
    ];
    if (w !== undefined) {
      f.push(
        { name: 'tsysdig_capture_events_total', help: 'Events written to the capture.', type: 'counter', samples: [{ value: w.events }] },
        { name: 'tsysdig_capture_bytes_total', help: 'Bytes written to the capture files (compressed size with -z).', type: 'counter', samples: [{ value: w.fileBytes }] },
      );
      if (w instanceof RotatingWriter) {
        f.push(
          { name: 'tsysdig_capture_files_closed_total', help: 'Rotated capture files completed.', type: 'counter', samples: [{ value: w.filesClosed }] },
          { name: 'tsysdig_capture_files_deleted_total', help: 'Rotated capture files deleted to keep the newest K.', type: 'counter', samples: [{ value: w.filesDeleted }] },
        );
      }
    }
    f.push(
      { name: 'process_cpu_seconds_total', help: 'User and system CPU time of the agent process.', type: 'counter', samples: [{ value: (cpu.user + cpu.system) / 1e6 }] },
      { name: 'process_resident_memory_bytes', help: 'Resident memory of the agent process.', type: 'gauge', samples: [{ value: process.memoryUsage.rss() }] },
      { name: 'process_start_time_seconds', help: 'Start time of the agent, seconds since the epoch.', type: 'gauge', samples: [{ value: Math.floor(this.startedMs / 1000) }] },
    );
    return f;
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
