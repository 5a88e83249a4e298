/**
 * F6 "Dig": the sysdig event lines (sysdig's default -p format) of the
 * selection, i.e. of the events passing the screen's filter.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import type { CompiledFilter } from '../filter/index.js';
import { formatEventLine, isInternalEvent } from '../format/event-line.js';
import type { StateEngine } from '../state/engine.js';
import { compileEventFilter, type Consumer } from './consumers.js';
import { plain, TextBuffer } from './text-view.js';

export class DigConsumer implements Consumer {
  private readonly filter: CompiledFilter<EventContext> | null;
  private readonly ctx: EventContext;
  /** Lines written (for "No Data For This Selection"). */
  count = 0;
  /** Live: 'p' stops adding lines. */
  paused = false;

  constructor(
    filter: string,
    registry: FieldRegistry,
    engine: StateEngine,
    readonly buffer: TextBuffer,
    private readonly onDone: () => void = () => {},
  ) {
    this.filter = compileEventFilter(filter, registry);
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
  }

  onEvent(ev: ScapEvent, engine: StateEngine): void {
    if (this.paused || isInternalEvent(ev)) return;
    this.ctx.ev = ev;
    if (this.filter !== null && !this.filter.test(this.ctx)) return;
    this.buffer.push(plain(formatEventLine(ev, engine)));
    this.count++;
  }

  finish(): void {
    this.onDone();
  }
}
