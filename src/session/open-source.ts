/**
 * The one place that turns the command line into an event source: `-r FILE`
 * is a replay, `-r -` (a pipe, a FIFO) and `--ssh HOST` are streams, no `-r`
 * is the live probe. The UI and every text output
 * open their source here, so a new kind of source (a stream, a remote node)
 * added here is available to all of them.
 */
import type { EventSource } from './event-source.js';
import { ReplaySource } from './replay-source.js';
import { streamOfPath } from '../capture/capture-input.js';
import type { SshTarget } from '../remote/ssh-source.js';

export interface SourceSpec {
  /** A capture file to replay; null for live capture. */
  readFile: string | null;
  snaplen: number;
  bufferMb: number;
  includeSelf: boolean;
  /** Live: per-thread CPU events (views and capture files need them; event lines don't). */
  procinfo?: boolean;
  /** --ssh: the remote node whose live capture is streamed in (readFile is then null). */
  ssh?: SshTarget;
}

/** Builds the live source (default: the eBPF probe); tests and other sources can replace it. */
export type LiveSourceFactory = (spec: SourceSpec) => Promise<EventSource>;

let liveFactory: LiveSourceFactory | null = null;

/** Replaces the live source opened when no -r FILE is given (tests). */
export function registerLiveSource(f: LiveSourceFactory | null): void {
  liveFactory = f;
}

/** Opens the source `spec` names; live capture loads the probe (LiveError when unavailable). */
export async function openSource(spec: SourceSpec): Promise<EventSource> {
  // Streams: -r -, a pipe or a FIFO, and --ssh HOST; shown as they arrive, like live capture.
  const stream = spec.ssh !== undefined ? (await import('../remote/ssh-source.js')).sshInput(spec.ssh) : spec.readFile !== null ? streamOfPath(spec.readFile) : null;
  if (stream !== null) {
    const { StreamEventSource } = await import('./stream-event-source.js');
    return new StreamEventSource(stream);
  }
  if (spec.readFile !== null) return new ReplaySource(spec.readFile);
  if (liveFactory !== null) return liveFactory(spec);
  const { openLiveSource } = await import('./live-event-source.js');
  return openLiveSource(spec);
}
