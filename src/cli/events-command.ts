/**
 * `tsysdig --events -r FILE [FILTER]`: one line per event, as `sysdig -r FILE [FILTER]` prints them.
 */
import { readCapture } from '../capture/scap-reader.js';
import type { ScapEvent } from '../event/scap-event.js';
import { formatEventLine, isContainerEvent, isInternalEvent } from '../format/event-line.js';
import { StateEngine } from '../state/engine.js';
import type { EventPredicate } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';

export interface EventsRun {
  file: string;
  filter: EventPredicate | null;
  /** Stop after this many events read (0: no limit), like sysdig -n. */
  count: number;
  out: OutputBuffer;
  onWarning: (msg: string) => void;
}

export async function runEvents(run: EventsRun): Promise<void> {
  const engine = new StateEngine();
  let seen = 0;
  // Container events before the first other event are consumed while sysdig opens the
  // capture: they shape the state but are never shown (they still take event numbers).
  let inPreamble = true;
  const sink = engine.sink((ev: ScapEvent) => {
    engine.process(ev);
    seen++;
    if (inPreamble && !isContainerEvent(ev)) inPreamble = false;
    if (!inPreamble && !isInternalEvent(ev) && (run.filter === null || run.filter(ev, engine))) {
      run.out.line(formatEventLine(ev, engine));
    }
    return run.count === 0 || seen < run.count;
  }, run.onWarning);
  try {
    await readCapture(run.file, sink);
  } finally {
    await run.out.flush();
  }
}
