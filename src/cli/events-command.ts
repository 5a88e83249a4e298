/**
 * `tsysdig --events -r FILE [FILTER]` as a function: one line per event, as
 * `sysdig -r FILE [FILTER]` prints them (with a format, as `sysdig -p FORMAT`
 * / `sysdig -j` do). Tests call it; the CLI reaches the same code through runCapture.
 */
import type { EventFormatter } from '../format/event-format.js';
import { CaptureSession } from '../session/capture-session.js';
import { EventPrinter } from '../session/event-printer.js';
import { ReplaySource } from '../session/replay-source.js';
import type { EventPredicate } from './event-filter.js';
import type { OutputBuffer } from './output-buffer.js';

export interface EventsRun {
  file: string;
  filter: EventPredicate | null;
  /** -p FORMAT / -j: null prints sysdig's default line. */
  format?: EventFormatter | null;
  /** Stop after this many events read (0: no limit), like sysdig -n. */
  count: number;
  out: OutputBuffer;
  onWarning: (msg: string) => void;
}

export async function runEvents(run: EventsRun): Promise<void> {
  const session = new CaptureSession(new ReplaySource(run.file), { limits: { count: run.count, durationNs: 0 }, onWarning: run.onWarning });
  session.add(new EventPrinter(run.out, run.filter, run.format ?? null));
  try {
    await session.run();
  } finally {
    await run.out.finish(Infinity);
  }
}
