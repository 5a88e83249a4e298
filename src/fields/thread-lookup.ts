/**
 * Thread-table navigation the process fields share, with sysdig's rules:
 * a thread is a main thread when tid == pid or it carries the main-thread
 * flag; a thread's parent is the thread whose tid is its ptid; walking up
 * the parents stops at a missing parent, at tid -1, or at a loop.
 */
import type { StateEngine } from '../state/engine.js';
import type { EventContext } from './types.js';
import { CloneFlag, type ThreadInfo } from '../state/thread-info.js';

/**
 * The thread the event's fields describe: the one the state engine attached
 * to the event, else the thread table's entry for the event's tid (sysdig's
 * get_thread_info(): e.g. a clone's child-side exit, whose thread the
 * parser created while handling it).
 */
export function threadOf(ctx: EventContext): ThreadInfo | null {
  const t = ctx.engine.thread;
  if (t !== null) return t;
  return ctx.engine.threads.get(ctx.ev.tid) ?? null;
}

export function isMainThread(t: ThreadInfo): boolean {
  return t.tid === t.pid || (t.flags & CloneFlag.IS_MAIN_THREAD) !== 0;
}

/** The process's main thread (the thread itself for a main thread), or null when it is not in the table. */
export function mainThreadOf(engine: StateEngine, t: ThreadInfo): ThreadInfo | null {
  if (isMainThread(t)) return t;
  return engine.threads.get(t.pid) ?? null;
}

export function parentOf(engine: StateEngine, t: ThreadInfo): ThreadInfo | null {
  return engine.threads.get(t.ptid) ?? null;
}

/**
 * Calls `visit` for each ancestor of `t` (parent first), until it returns
 * false, an ancestor is missing or has tid -1, or the chain loops
 * (sysdig's traverse_parent_state, with its two-speed loop detection).
 */
export function forEachAncestor(engine: StateEngine, t: ThreadInfo, visit: (a: ThreadInfo) => boolean): void {
  let slow = parentOf(engine, t);
  let fast = slow !== null ? parentOf(engine, slow) : null;
  while (slow !== null && slow.tid !== -1) {
    if (!visit(slow)) return;
    slow = parentOf(engine, slow);
    for (let i = 0; i < 2; i++) {
      fast = fast !== null ? parentOf(engine, fast) : null;
      if (slow !== null && (slow === fast || slow.tid === slow.ptid)) return;
    }
  }
}

/** The process's working directory (kept on the main thread, as the kernel shares it). */
export function cwdOf(engine: StateEngine, t: ThreadInfo): string | undefined {
  const m = mainThreadOf(engine, t);
  return m === null ? undefined : m.cwd;
}

/**
 * The leader of the group `key` names (session: sid, process group: vpgid):
 * the process whose pid is the group id, else the eldest ancestor in the
 * same group (libsinsp's get_ancestor_field_as_string). Null without a main thread.
 */
export function groupLeader(engine: StateEngine, t: ThreadInfo, key: (t: ThreadInfo) => number): ThreadInfo | null {
  const id = key(t);
  const leader = engine.threads.get(id);
  if (leader !== undefined) return leader;
  let m = mainThreadOf(engine, t);
  if (m === null) return null;
  forEachAncestor(engine, m, (a) => {
    if (key(a) !== id) return false;
    m = a;
    return true;
  });
  return m;
}
