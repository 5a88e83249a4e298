/**
 * `--events` as a consumer: one line per event, as `sysdig` prints them
 * (internal events hidden), for a replay or live capture alike: sysdig's
 * default line, or with a format (-p FORMAT, -j) what `sysdig -p` / `-j` print.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { EventFormatter } from '../format/event-format.js';
import { formatEventLine, isInternalEvent } from '../format/event-line.js';
import type { StateEngine } from '../state/engine.js';
import type { EventPredicate } from '../cli/event-filter.js';
import type { OutputBuffer } from '../cli/output-buffer.js';
import type { EventConsumer } from './consumer.js';

export class EventPrinter implements EventConsumer {
  constructor(
    private readonly out: OutputBuffer,
    private readonly filter: EventPredicate | null,
    private readonly format: EventFormatter | null = null,
  ) {}

  onEvent(ev: ScapEvent, engine: StateEngine): boolean {
    if (!isInternalEvent(ev) && (this.filter === null || this.filter(ev, engine))) {
      if (this.format === null) this.out.line(formatEventLine(ev, engine));
      else {
        const line = this.format.format(ev, engine);
        if (line !== null) this.out.line(line);
      }
    }
    // `tsysdig --events | head`: the reader is gone, so is the point of reading on
    return !this.out.isClosed;
  }

  finish(): void {
    // sysdig resets the terminal colour after the last line when the format used \e
    if (this.format !== null && this.format.trailer !== '') this.out.text(this.format.trailer);
  }
}
