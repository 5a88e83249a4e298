/**
 * `tsysdig --events -r FILE [FILTER]`: one line per event, as `sysdig -r FILE [FILTER]` prints them.
 */
import { isStream, type CaptureInput } from '../capture/capture-input.js';
import type { ScapEvent } from '../event/scap-event.js';
import { formatEventLine, isContainerEvent, isInternalEvent } from '../format/event-line.js';
import { StateEngine } from '../state/engine.js';
import type { EventPredicate } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';
import { readInput } from './read-input.js';

/** A stream's event lines are shown this promptly. */
const STREAM_FLUSH_MS = 200;

export interface EventsRun {
  /** A capture file, or a stream (-r -, --ssh), whose lines are printed as they arrive. */
  file: CaptureInput;
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
    // `… --events | head`: the reader is gone, so is the point of reading
    if (run.out.isClosed) return false;
    return run.count === 0 || seen < run.count;
  }, run.onWarning);
  const timer = isStream(run.file) ? setInterval(() => void run.out.flush(), STREAM_FLUSH_MS) : null;
  try {
    await readInput(run.file, sink);
  } finally {
    if (timer !== null) clearInterval(timer);
    await run.out.flush();
  }
}
