/**
 * Live capture as a UI event source: the eBPF LiveSource (src/live) behind
 * the same EventSource interface as a replay. Loaded lazily, so replaying a
 * file never loads the BPF bindings.
 *
 * Unlike a replay, a live source runs once for the whole session; screens
 * swap their consumer on the same state engine (see session.ts).
 */
import type { Options } from '../cli/args.js';
import type { CaptureSink } from '../capture/records.js';
import type { LiveSource } from '../live/live-source.js';
import type { EventSource, SourceStats } from './source.js';

export class LiveEventSource implements EventSource {
  readonly live = true;
  readonly name = 'Live System';

  constructor(
    private readonly src: LiveSource,
    private readonly defaultSnaplen: number,
  ) {}

  async run(sink: CaptureSink, signal: AbortSignal): Promise<void> {
    this.src.start();
    try {
      await this.src.run(sink, { signal });
    } finally {
      this.src.close();
    }
  }

  progress(): number | null {
    return null;
  }

  stats(): SourceStats {
    try {
      return { drops: this.src.stats().dropsFull };
    } catch {
      return { drops: null };
    }
  }

  /** Echo and dig capture more of each buffer (csysdig uses 2000 bytes); null restores the default. */
  setSnaplen(bytes: number | null): void {
    this.src.setSnaplen(bytes ?? this.defaultSnaplen);
  }
}

export async function openLiveSource(opts: Options): Promise<EventSource> {
  const { LiveSource } = await import('../live/live-source.js');
  const src = LiveSource.open({
    snaplen: opts.snaplen,
    ringBytes: opts.bufferMb * 1024 * 1024,
    excludePid: opts.includeSelf ? null : process.pid,
  });
  return new LiveEventSource(src, opts.snaplen);
}
