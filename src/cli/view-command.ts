/**
 * `tsysdig --raw|--json -r FILE -v VIEW [FILTER]`: replays a capture through
 * a view and prints each sample (every interval of capture time, then the
 * whole-capture table csysdig prints for a file). A stream (`-r -`, a FIFO,
 * --ssh) goes through the same path, its tables printed as they are taken.
 */
import { isStream, type CaptureInput } from '../capture/capture-input.js';
import type { ScapEvent } from '../event/scap-event.js';
import { isContainerEvent } from '../format/event-line.js';
import { fieldRegistry } from '../fields/registry.js';
import { StateEngine } from '../state/engine.js';
import { sampleToJson } from '../view/json-output.js';
import { RAW_SEPARATOR, rawTableLines } from '../view/raw-output.js';
import { loadViews } from '../view/view-loader.js';
import { ViewRunner, type SampleInfo } from '../view/view-runner.js';
import type { Sample } from '../view/table.js';
import type { ViewDef } from '../view/view-def.js';
import { UsageError } from './args.js';
import { OutputBuffer } from './output-buffer.js';
import { readInput } from './read-input.js';

export interface ViewReplayRun {
  /** A capture file, or a stream (-r -, --ssh): then each table is printed as it is taken. */
  file: CaptureInput;
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

/** Loads the views (built-in, --views dirs, user dir) and returns the one asked for. */
export function findView(viewId: string, viewsDirs: string[] = []): ViewDef {
  const registry = loadViews(viewsDirs);
  const view = registry.get(viewId);
  if (view === undefined) throw new UsageError(`unknown view '${viewId}' (tsysdig --list-views lists them)`);
  return view;
}

/** Replays `file` through the view; returns the number of events processed. */
export async function runViewReplay(run: ViewReplayRun): Promise<number> {
  const view = findView(run.viewId, run.viewsDirs);
  const engine = new StateEngine();
  const out = run.output === 'none' ? null : (run.out ?? new OutputBuffer());
  const stream = isStream(run.file);
  const runner = new ViewRunner(view, fieldRegistry, engine, {
    intervalNs: (run.intervalMs ?? 2000) * 1e6,
    filter: run.filter ?? '',
    tag: run.tag ?? 'default',
    keepTotals: true,
    finalOnly: run.finalOnly === true,
    onSample: (sample, info) => {
      run.onSample?.(sample, info, runner.grouping);
      if (out === null) return;
      if (run.output === 'raw') for (const l of rawTableLines(sample, info.timeDeltaNs, runner.grouping)) out.line(l);
      else out.line(sampleToJson(view, sample, info, runner.grouping));
      if (stream) void out.flush(); // a stream is watched as it arrives: each table when it is taken
    },
  });
  // csysdig opens a replay with an empty sample: keep its leading separator.
  if (run.output === 'raw') out?.line(RAW_SEPARATOR);
  const count = run.count ?? 0;
  const durationNs = (run.durationS ?? 0) * 1e9;
  let events = 0;
  let inPreamble = true;
  let firstTs = 0;
  const sink = engine.sink((ev: ScapEvent) => {
    if (durationNs > 0) {
      if (firstTs === 0) firstTs = ev.ts;
      else if (ev.ts - firstTs >= durationNs) return false;
    }
    engine.process(ev);
    // Leading container events are consumed while the capture opens (as sysdig does): state only.
    if (inPreamble && isContainerEvent(ev)) return true;
    inPreamble = false;
    runner.onEvent(ev);
    events++;
    return count === 0 || events < count;
  }, run.onWarning);
  try {
    await readInput(run.file, sink);
  } finally {
    runner.finish();
    await out?.flush();
  }
  return events;
}
