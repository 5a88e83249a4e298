/**
 * Live capture as an event source: LiveCapture (src/live: the probe drained
 * by a worker thread, the /proc bootstrap, per-thread CPU events) behind the
 * same EventSource interface as a replay. Loaded lazily, so replaying a file
 * never loads the BPF bindings.
 *
 * A live source runs once for the whole session; UI screens swap their
 * consumer on the same state engine.
 */
import type { CaptureSink } from '../capture/records.js';
import type { LiveCapture } from '../live/live-capture.js';
import { dropsOf } from '../live/live-capture.js';
import type { EventSource, SourceHooks, SourceStats } from './event-source.js';

export class LiveEventSource implements EventSource {
  readonly live = true;
  readonly name = 'Live System';

  constructor(
    private readonly cap: LiveCapture,
    private readonly defaultSnaplen: number,
  ) {}

  async run(sink: CaptureSink, signal: AbortSignal, hooks?: SourceHooks): Promise<void> {
    try {
      await this.cap.run(sink, { signal, onBootstrap: () => hooks?.onBootstrap?.() });
    } finally {
      await this.cap.close();
    }
  }

  progress(): number | null {
    return null;
  }

  get backlog(): number {
    return this.cap.backlog;
  }

  /** Echo and dig capture more of each buffer (csysdig uses 2000 bytes); null restores the default. */
  setSnaplen(bytes: number | null): void {
    this.cap.source.setSnaplen(bytes ?? this.defaultSnaplen);
  }

  stats(): SourceStats {
    try {
      return { drops: this.cap.source.latestStats().dropsFull };
    } catch {
      return { drops: null };
    }
  }

  drops(): { total: number; perCpu: number[] } {
    return dropsOf(this.cap.stats());
  }

  /** Detaches the probe (also done when run() ends); resolves with the final counters. */
  close(): ReturnType<LiveCapture['close']> {
    return this.cap.close();
  }
}

export interface LiveSourceOptions {
  snaplen: number;
  bufferMb: number;
  includeSelf: boolean;
  /** Per-thread CPU events every second (views and captures need them; event lines don't). */
  procinfo?: boolean;
}

/** Loads the probe (LiveError when live capture is unavailable). */
export async function openLiveSource(opts: LiveSourceOptions): Promise<LiveEventSource> {
  const { LiveCapture } = await import('../live/live-capture.js');
  const cap = await LiveCapture.open({
    snaplen: opts.snaplen,
    ringBytes: opts.bufferMb * 1024 * 1024,
    excludePid: opts.includeSelf ? null : process.pid,
    procinfoMs: opts.procinfo === false ? 0 : 1000,
  });
  return new LiveEventSource(cap, opts.snaplen);
}
