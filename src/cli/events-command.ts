/**
 * `tsysdig --events -r FILE [FILTER]`: one line per event, as `sysdig -r FILE [FILTER]` prints them;
 * with a format (-p) or --json, as `sysdig -p FORMAT` / `sysdig -j` print them.
 */
import { readCapture } from '../capture/scap-reader.js';
import type { ScapEvent } from '../event/scap-event.js';
import type { EventFormatter } from '../format/event-format.js';
import { formatEventLine, isContainerEvent, isInternalEvent } from '../format/event-line.js';
import { StateEngine } from '../state/engine.js';
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

/**
 * The event printer as a consumer: call after engine.process(ev). Prints the
 * events sysdig prints (not its internal ones, nor the container events it
 * reads while opening a capture) that pass the filter.
 */
export class EventPrinter {
  // Container events before the first other event are consumed while sysdig opens the
  // capture: they shape the state but are never shown (they still take event numbers).
  private inPreamble = true;

  constructor(
    private readonly out: { write(line: string): void },
    private readonly filter: EventPredicate | null,
    private readonly format: EventFormatter | null,
    /** Live captures have no preamble: every event is shown. */
    skipPreamble = true,
  ) {
    this.inPreamble = skipPreamble;
  }

  onEvent(ev: ScapEvent, engine: StateEngine): void {
    if (this.inPreamble && !isContainerEvent(ev)) this.inPreamble = false;
    if (this.inPreamble || isInternalEvent(ev)) return;
    if (this.filter !== null && !this.filter(ev, engine)) return;
    if (this.format === null) {
      this.out.write(formatEventLine(ev, engine));
      return;
    }
    const line = this.format.format(ev, engine);
    if (line !== null) this.out.write(line);
  }

  finish(): void {}
}

export async function runEvents(run: EventsRun): Promise<void> {
  const engine = new StateEngine();
  const printer = new EventPrinter(run.out, run.filter, run.format ?? null);
  let seen = 0;
  const sink = engine.sink((ev: ScapEvent) => {
    engine.process(ev);
    seen++;
    printer.onEvent(ev, engine);
    return run.count === 0 || seen < run.count;
  }, run.onWarning);
  try {
    await readCapture(run.file, sink);
    printer.finish();
    // sysdig's colour reset after the last line when the format used \e
    if (run.format != null && run.format.trailer !== '') run.out.text(run.format.trailer);
  } finally {
    await run.out.flush();
  }
}
