/**
 * Live capture as a UI event source: LiveCapture (src/live: the probe
 * drained by a worker thread, the /proc bootstrap, per-thread CPU events)
 * behind the same EventSource interface as a replay. Loaded lazily, so
 * replaying a file never loads the BPF bindings.
 *
 * Unlike a replay, a live source runs once for the whole session; screens
 * swap their consumer on the same state engine (see session.ts).
 */
import type { Options } from '../cli/args.js';
import type { CaptureSink } from '../capture/records.js';
import type { LiveCapture } from '../live/live-capture.js';
import type { EventSource, SourceStats } from './source.js';

export class LiveEventSource implements EventSource {
  readonly live = true;
  readonly name = 'Live System';

  constructor(
    private readonly cap: LiveCapture,
    private readonly defaultSnaplen: number,
  ) {}

  async run(sink: CaptureSink, signal: AbortSignal): Promise<void> {
    try {
      await this.cap.run(sink, { signal });
    } finally {
      await this.cap.close();
    }
  }

  progress(): number | null {
    return null;
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
}

export async function openLiveSource(opts: Options): Promise<EventSource> {
  const { LiveCapture } = await import('../live/live-capture.js');
  const cap = await LiveCapture.open({
    snaplen: opts.snaplen,
    ringBytes: opts.bufferMb * 1024 * 1024,
    excludePid: opts.includeSelf ? null : process.pid,
  });
  return new LiveEventSource(cap, opts.snaplen);
}
