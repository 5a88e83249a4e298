/**
 * Replaying a live session's history (HistoryRing) into a screen: the
 * drill-down from a list row to the events around it works live on what the
 * ring holds.
 *
 * The stored events are parsed again, into a scratch state engine, never
 * into the session's own: re-applying past events to the live state would
 * corrupt it (a closed fd reopened, an exited thread brought back). The
 * scratch engine starts from the live state as it is now (threads, fds,
 * users, interfaces, containers): the ring holds only events, and the
 * processes that started inside the window rebuild their own entries from
 * their clone and execve. A process that existed before the window is
 * described as it is now (its name, its fds), which is what a capture
 * written from the history (AlertCaptures) also does.
 */
import { snapshotFds } from '../capture/writer/snapshot.js';
import type { ThreadRecord } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { StateEngine } from '../state/engine.js';
import type { HistoryRing } from './history-ring.js';

/** A fresh state engine holding a copy of `live`'s tables. */
export function scratchEngineFrom(live: StateEngine): StateEngine {
  const e = new StateEngine();
  if (live.machine !== null) e.onMachineInfo(live.machine);
  for (const i of live.interfaces.records) e.onInterface(i);
  for (const u of live.users.allUsers()) e.onUser(u);
  for (const g of live.users.allGroups()) e.onGroup(g);
  // A ThreadInfo carries every field of a process-list record; onThread copies them into a new ThreadInfo.
  for (const t of live.threads.values()) e.onThread(t as unknown as ThreadRecord);
  // Each fd table once, under the thread that owns it, as a capture's fd lists carry them.
  for (const { tid, fds } of snapshotFds(live)) for (const f of fds) e.onFd(tid, f);
  for (const c of live.containers.values()) e.addContainer(c);
  e.firstEventTsHi = live.firstEventTsHi;
  e.firstEventTsLo = live.firstEventTsLo;
  return e;
}

/**
 * Calls `fn` with each event the history holds between `fromNs` and `toNs`
 * (event time, inclusive), oldest first, each after a scratch engine
 * (`scratchEngineFrom(live)`) parsed it. Returns the number of events passed.
 */
export function replayHistory(history: HistoryRing, live: StateEngine, fromNs: number, toNs: number, fn: (ev: ScapEvent, engine: StateEngine) => void): number {
  const engine = scratchEngineFrom(live);
  let n = 0;
  history.forEachSince(fromNs, (ev) => {
    if (ev.ts > toNs) return;
    engine.process(ev);
    fn(ev, engine);
    n++;
  });
  return n;
}
