/**
 * `--events` as a consumer: one line per event, as `sysdig` prints them
 * (internal events hidden), for a replay or live capture alike.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { formatEventLine, isInternalEvent } from '../format/event-line.js';
import type { StateEngine } from '../state/engine.js';
import type { EventPredicate } from '../cli/event-filter.js';
import type { OutputBuffer } from '../cli/output-buffer.js';
import type { EventConsumer } from './consumer.js';

export class EventPrinter implements EventConsumer {
  constructor(
    private readonly out: OutputBuffer,
    private readonly filter: EventPredicate | null,
  ) {}

  onEvent(ev: ScapEvent, engine: StateEngine): boolean {
    if (!isInternalEvent(ev) && (this.filter === null || this.filter(ev, engine))) this.out.line(formatEventLine(ev, engine));
    // `tsysdig --events | head`: the reader is gone, so is the point of reading on
    return !this.out.isClosed;
  }

  finish(): void {}
}
