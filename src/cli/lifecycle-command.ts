/**
 * `tsysdig --lifecycle[=net] [--json] [-r FILE] [--namespace NS] [--pod POD] [--process TEXT] [FILTER]`:
 * the process lifecycle stream (src/export/lifecycle.ts) from a capture or live.
 */
import { hostname } from 'node:os';
import { readCapture } from '../capture/scap-reader.js';
import type { ScapEvent } from '../event/scap-event.js';
import { LifecycleTracker } from '../export/lifecycle.js';
import { StateEngine } from '../state/engine.js';
import type { Options } from './args.js';
import { compileEventFilter } from './event-filter.js';
import { OutputBuffer, type LineSink } from './output-buffer.js';

export async function runLifecycleCommand(opts: Options, warn: (m: string) => void, out: OutputBuffer = new OutputBuffer()): Promise<void> {
  const tracker = new LifecycleTracker(out as LineSink, {
    json: opts.json,
    net: opts.lifecycle === 'net',
    nodeName: opts.nodeName ?? hostname(),
    namespaces: opts.namespaces,
    pods: opts.pods,
    processes: opts.processes,
    filter: opts.filter.trim() === '' ? null : compileEventFilter(opts.filter),
  });
  if (opts.readFile === null) {
    const { runLive } = await import('./live-command.js');
    await runLive({
      output: 'consumers',
      consumers: [tracker],
      count: opts.count,
      durationS: opts.durationS,
      snaplen: opts.snaplen,
      bufferMb: opts.bufferMb,
      includeSelf: opts.includeSelf,
      out,
      onWarning: warn,
    });
    return;
  }
  await replayLifecycle(opts.readFile, tracker, opts.count, out, warn);
}

/** A capture through the state engine into the tracker. */
export async function replayLifecycle(file: string, tracker: LifecycleTracker, count: number, out: OutputBuffer, warn: (m: string) => void): Promise<void> {
  const engine = new StateEngine();
  let seen = 0;
  const sink = engine.sink((ev: ScapEvent) => {
    engine.process(ev);
    seen++;
    tracker.onEvent(ev, engine);
    return count === 0 || seen < count;
  }, warn);
  try {
    await readCapture(file, sink);
    tracker.finish();
  } finally {
    await out.flush();
  }
}
