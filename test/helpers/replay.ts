/**
 * Replays a capture through a StateEngine, calling `visit` for each event
 * after the engine parsed it (the context the fields read).
 */
import { readCapture } from '../../src/capture/scap-reader.js';
import type { ScapEvent } from '../../src/event/scap-event.js';
import type { EventContext } from '../../src/fields/types.js';
import { StateEngine } from '../../src/state/engine.js';

export async function replay(path: string, visit: (ctx: EventContext) => void, engine = new StateEngine()): Promise<StateEngine> {
  const ctx: EventContext = { ev: null as unknown as ScapEvent, engine };
  await readCapture(
    path,
    engine.sink((ev) => {
      engine.process(ev);
      ctx.ev = ev;
      visit(ctx);
    }),
  );
  return engine;
}
