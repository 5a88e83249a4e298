/**
 * `tsysdig --lifecycle[=net] [--json] [-r FILE] [--namespace NS] [--pod POD] [--process TEXT] [FILTER]`:
 * the process lifecycle stream (src/export/lifecycle.ts) from a capture or
 * live, through the same capture session as the other text outputs.
 */
import { hostname } from 'node:os';
import { LifecycleTracker } from '../export/lifecycle.js';
import { CaptureSession } from '../session/capture-session.js';
import { ReplaySource } from '../session/replay-source.js';
import { hasOutputOptions, type Options } from './args.js';
import { sshTargetOf } from './main.js';
import type { LineSink } from './output-buffer.js';
import { compileEventFilter } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';

export function lifecycleTracker(opts: Options, out: LineSink): LifecycleTracker {
  return new LifecycleTracker(out, {
    json: opts.json,
    net: opts.lifecycle === 'net',
    nodeName: opts.nodeName ?? hostname(),
    namespaces: opts.namespaces,
    pods: opts.pods,
    processes: opts.processes,
    filter: opts.filter.trim() === '' ? null : compileEventFilter(opts.filter),
  });
}

export async function runLifecycleCommand(opts: Options, warn: (m: string) => void, out: OutputBuffer = new OutputBuffer()): Promise<void> {
  // -c/-o/--output-*: the records go to the configured channels (src/output/) instead of stdout.
  let channels: import('../output/index.js').OutputChannels | null = null;
  if (hasOutputOptions(opts)) {
    const { outputConfigFromOptions } = await import('../output/cli-config.js');
    const { openOutputs } = await import('../output/index.js');
    channels = openOutputs(outputConfigFromOptions(opts, warn));
  }
  const tracker = lifecycleTracker(opts, channels ?? out);
  const { runCapture } = await import('./capture-command.js');
  try {
    await runCapture({
      // the tracker applies the filter itself (to starts, ends and sockets only)
      source: { readFile: opts.readFile, ssh: sshTargetOf(opts), snaplen: opts.snaplen, bufferMb: opts.bufferMb, includeSelf: opts.includeSelf, procinfo: false },
      output: 'consumers',
      consumers: [tracker],
      count: opts.count,
      durationS: opts.durationS,
      out,
      onWarning: warn,
    });
  } finally {
    await channels?.close();
  }
}

/** A capture through the state engine into the tracker (tests). */
export async function replayLifecycle(file: string, tracker: LifecycleTracker, count: number, out: OutputBuffer, warn: (m: string) => void): Promise<void> {
  const session = new CaptureSession(new ReplaySource(file), { limits: { count, durationNs: 0 }, onWarning: warn });
  session.add(tracker);
  try {
    await session.run();
  } finally {
    await out.finish(Infinity);
  }
}
