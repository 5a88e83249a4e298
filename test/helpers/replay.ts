/**
 * Replays a capture through a StateEngine, calling `visit` for each event
 * after the engine parsed it (the context the fields read).
 */
import type { CaptureSink } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import type { ScapEvent } from '../../src/event/scap-event.js';
import type { EventContext } from '../../src/fields/types.js';
import { StateEngine } from '../../src/state/engine.js';

export async function replay(path: string, visit: (ctx: EventContext) => void, engine = new StateEngine()): Promise<StateEngine> {
  const ctx: EventContext = { ev: null as unknown as ScapEvent, engine };
  const sink: CaptureSink = {
    onMachineInfo: (mi) => engine.onMachineInfo(mi),
    onThread: (t) => engine.onThread(t),
    onFd: (pid, fd) => engine.onFd(pid, fd),
    onInterface: (i) => engine.onInterface(i),
    onUser: (u) => engine.onUser(u),
    onGroup: (g) => engine.onGroup(g),
    onEvent: (ev) => {
      engine.process(ev);
      ctx.ev = ev;
      visit(ctx);
    },
  };
  await readCapture(path, sink);
  return engine;
}
