/**
 * F6 "Dig": the sysdig event lines (sysdig's default -p format) of the
 * selection, i.e. of the events passing the screen's filter.
 *
 * Opened from a list row (row-drill.ts), it shows only a time window around
 * the row's event and highlights that event's line: a replay's read ends
 * once past the window, a live screen stops adding lines after it.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import type { CompiledFilter } from '../filter/index.js';
import { formatEventLine, isInternalEvent } from '../format/event-line.js';
import type { StateEngine } from '../state/engine.js';
import { C } from './colors.js';
import { compileEventFilter, type Consumer } from './consumers.js';
import { ROW_WINDOW_STOP_SLACK_NS, type EventWindow } from './row-drill.js';
import { plain, TextBuffer } from './text-view.js';

export class DigConsumer implements Consumer {
  private readonly filter: CompiledFilter<EventContext> | null;
  private readonly ctx: EventContext;
  /** Lines written (for "No Data For This Selection"). */
  count = 0;
  /** Live: 'p' stops adding lines. */
  paused = false;
  /** Index in the buffer of the window's event line (-1: not seen, or no window). */
  anchorLine = -1;

  constructor(
    filter: string,
    registry: FieldRegistry,
    engine: StateEngine,
    readonly buffer: TextBuffer,
    private readonly onDone: () => void = () => {},
    private readonly window: EventWindow | null = null,
    /** Replays: end the read once past the window (a live run must never be ended by a screen). */
    private readonly endRunPastWindow = false,
  ) {
    this.filter = compileEventFilter(filter, registry);
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
  }

  /** Returns false to end a replay's read once past the window. */
  onEvent(ev: ScapEvent, engine: StateEngine): boolean | void {
    if (this.paused || isInternalEvent(ev)) return;
    const w = this.window;
    if (w !== null) {
      const ts = ev.ts;
      if (ts < w.fromNs) return;
      if (ts > w.toNs) return !(this.endRunPastWindow && ts > w.toNs + ROW_WINDOW_STOP_SLACK_NS);
    }
    const ctx = this.ctx;
    ctx.ev = ev;
    // History replays parse past events into a scratch engine: the filter reads the engine the line is made with.
    ctx.engine = engine;
    if (this.filter !== null && !this.filter.test(ctx)) return;
    const anchor = w !== null && ev.num === w.anchor.evtNum;
    if (anchor) this.anchorLine = this.buffer.lines.length;
    this.buffer.push(plain(formatEventLine(ev, engine), anchor ? C.highlight : C.normal));
    this.count++;
  }

  finish(): void {
    this.onDone();
  }
}
