/**
 * Where a capture session's events come from. Anything that can feed a
 * CaptureSink fits: a .scap file (ReplaySource), the eBPF probe
 * (LiveEventSource), and later streams. The CLI outputs and the UI open
 * sources through `openSource` (open-source.ts) and run them through one
 * CaptureSession (capture-session.ts), so a source kind added there works
 * in every output mode.
 */
import type { CaptureSink } from '../capture/records.js';

export interface SourceStats {
  /** Events lost by the source (live ring full), null when not applicable. */
  drops: number | null;
  /** Streams (--ssh, -r -): bytes received per second, on the wire. */
  bytesPerSec?: number;
}

/** Called by a source while it runs (not per event). */
export interface SourceHooks {
  /** Live: the /proc snapshot has been delivered (containers can be looked up). */
  onBootstrap?(): void;
}

export interface EventSource {
  /**
   * True for a source whose events happen now (the probe, a stream): screens
   * restart their tables, not the source, and container metadata is looked
   * up from the engines.
   */
  readonly live: boolean;
  /** True when the events are another machine's (--ssh, a stream): container metadata comes with them, not from local engines. */
  readonly remote?: boolean;
  /** Shown on the "Source:" line: the file name, "Live System", or a stream with its rate. */
  readonly name: string;
  /**
   * Feeds `sink` until the capture ends (replay) or `signal` aborts.
   * Rejects with the abort reason when aborted, with CaptureError on damage.
   */
  run(sink: CaptureSink, signal: AbortSignal, hooks?: SourceHooks): Promise<void>;
  /** Fraction of the capture read so far, 0..1 (replays; null when unknown). */
  progress(): number | null;
  stats(): SourceStats;
  /** Events received but not yet delivered (live: batches waiting in the worker queue). */
  readonly backlog?: number;
  /** Live: bytes of I/O buffers to capture (echo/dig want more); null restores the default. */
  setSnaplen?(bytes: number | null): void;
  /** Live JSON documents carry the probe's drop counters. */
  drops?(): { total: number; perCpu: number[] };
}
