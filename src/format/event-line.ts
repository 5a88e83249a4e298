/**
 * The default sysdig event line:
 *   %evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info
 * built from the event and the state right after the event was parsed.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { EventCategory } from '../event/types.js';
import { EV } from '../event/event-ids.js';
import { SYSCALL_NAMES } from '../event/syscall-names.js';
import type { StateEngine } from '../state/engine.js';
import { paramText, type ParamText, DEFAULT_BUFFER_LEN } from './param-text.js';

const NS_PER_S = 1_000_000_000n;

/** Seconds east of UTC, fixed once per run like sysdig (it asks the zone at startup, not per event). */
const TZ_OFFSET_S = -new Date().getTimezoneOffset() * 60;

/** "HH:MM:SS.nnnnnnnnn" in local time (evt.time / evt.outputtime). */
export function formatTimeOfDay(ev: ScapEvent): string {
  const ts = ev.tsBig();
  const sec = Number(ts / NS_PER_S);
  const nsec = Number(ts % NS_PER_S);
  const s = (((sec + TZ_OFFSET_S) % 86400) + 86400) % 86400;
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}.${String(nsec).padStart(9, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** evt.type: the syscall's name for generic events, the event name otherwise. */
export function eventTypeName(ev: ScapEvent): string {
  if ((ev.type === EV.GENERIC_E || ev.type === EV.GENERIC_X) && ev.nparams > 0) return SYSCALL_NAMES[ev.u16(0)] ?? '<unknown>';
  return ev.info.name;
}

/** True for events sysdig does not print (internal bookkeeping: procinfo, drops, …). */
export function isInternalEvent(ev: ScapEvent): boolean {
  return (ev.info.category & EventCategory.INTERNAL) !== 0;
}

/** Container metadata events (any version). */
export function isContainerEvent(ev: ScapEvent): boolean {
  const t = ev.type;
  return t === EV.CONTAINER_E || t === EV.CONTAINER_JSON_E || t === EV.CONTAINER_JSON_2_E;
}

const scratch: ParamText = { value: '', resolved: '' };

/** evt.info / evt.args: "name=value(resolved) " for every parameter; empty for generic events. */
export function eventInfoText(ev: ScapEvent, engine: StateEngine, bufferLen = DEFAULT_BUFFER_LEN): string {
  if (ev.type === EV.GENERIC_E || ev.type === EV.GENERIC_X) return '';
  let s = '';
  const params = ev.info.params;
  for (let i = 0; i < ev.nparams; i++) {
    paramText(ev, i, engine, scratch, bufferLen);
    const name = params[i]?.name ?? `arg${i}`;
    s += scratch.resolved === '' ? `${name}=${scratch.value} ` : `${name}=${scratch.value}(${scratch.resolved}) `;
  }
  return s;
}

/** The whole default line for one event (latin1 text: write it with 'latin1' encoding). */
export function formatEventLine(ev: ScapEvent, engine: StateEngine): string {
  // An event with no thread at parse time (a clone child whose parent's return was not
  // seen) still shows the thread the parser created for it, as sysdig looks it up on demand.
  const t = engine.thread ?? engine.threads.get(ev.tid) ?? null;
  const proc = t !== null ? t.comm : '<NA>';
  // Without a thread (context switches of the idle task or of threads never seen, page
  // faults, hot-plug, notifications) sysdig still prints the event header's thread id.
  const tid = t !== null ? String(t.tid) : String(ev.tid);
  const dir = (ev.type & 1) === 0 ? '>' : '<';
  return `${ev.num} ${formatTimeOfDay(ev)} ${ev.cpu} ${proc} (${tid}) ${dir} ${eventTypeName(ev)} ${eventInfoText(ev, engine)}`;
}
