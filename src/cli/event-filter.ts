/**
 * Compiles a sysdig filter for the event listing into a predicate over the
 * event just parsed and the state (the same fields views and the UI use).
 */
import type { ScapEvent } from '../event/scap-event.js';
import { compileFilter } from '../filter/index.js';
import { fieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import type { StateEngine } from '../state/engine.js';

export type EventPredicate = (ev: ScapEvent, engine: StateEngine) => boolean;

export function compileEventFilter(text: string): EventPredicate {
  const filter = compileFilter<EventContext>(text, fieldRegistry);
  // One context object, refilled per event: the predicate allocates nothing.
  const ctx: EventContext = { ev: null as unknown as ScapEvent, engine: null as unknown as StateEngine };
  return (ev, engine) => {
    ctx.ev = ev;
    ctx.engine = engine;
    return filter.test(ctx);
  };
}
