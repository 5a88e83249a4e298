/**
 * `tsysdig --raw|--json -r FILE -v VIEW [FILTER]` as a function: replays a
 * capture through a view and prints each sample (every interval of capture
 * time, then the whole-capture table csysdig prints for a file). Tests and
 * benchmarks call it; the CLI reaches the same code through runCapture.
 */
import type { SampleInfo } from '../view/view-runner.js';
import type { Sample } from '../view/table.js';
import { runCapture } from './capture-command.js';
import type { OutputBuffer } from './output-buffer.js';

export { findView } from './capture-command.js';

export interface ViewReplayRun {
  file: string;
  viewId: string;
  output: 'raw' | 'json' | 'none';
  filter?: string;
  intervalMs?: number;
  /** Stop after this many events (0: all). */
  count?: number;
  /** Stop after this much capture time, in seconds (0: all). */
  durationS?: number;
  /** 'containers' adds the container columns (-pc). */
  tag?: string;
  viewsDirs?: string[];
  out?: OutputBuffer;
  onWarning?: (msg: string) => void;
  /** Only the whole-capture table (csysdig's output for a file). */
  finalOnly?: boolean;
  /** Also called with every sample (tests, benchmarks). */
  onSample?: (sample: Sample, info: SampleInfo, grouping: boolean) => void;
}

/** Replays `file` through the view; returns the number of events processed. */
export async function runViewReplay(run: ViewReplayRun): Promise<number> {
  const r = await runCapture({
    ...run,
    source: { readFile: run.file, snaplen: 0, bufferMb: 0, includeSelf: false },
  });
  return r.events;
}
