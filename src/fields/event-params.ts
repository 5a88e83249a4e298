/**
 * Event parameters looked up by name, as sysdig's get_param_value_raw /
 * get_param_value_str do: the first parameter of the event with that name,
 * among those the event actually carries. Positions are computed once per
 * name (one typed array over the event table) and read per event.
 */
import { EVENT_TABLE } from '../event/event-table.js';
import type { ScapEvent } from '../event/scap-event.js';
import type { ParamInfo } from '../event/types.js';

const slots = new Map<string, Int8Array>();

/** Position of the first parameter called `name`, per event type (-1 when absent). */
export function paramSlot(name: string): Int8Array {
  let s = slots.get(name);
  if (s === undefined) {
    s = new Int8Array(EVENT_TABLE.length).fill(-1);
    for (let t = 0; t < EVENT_TABLE.length; t++) {
      const ps = EVENT_TABLE[t]!.params;
      for (let i = 0; i < ps.length; i++) {
        if (ps[i]!.name === name) {
          s[t] = i;
          break;
        }
      }
    }
    slots.set(name, s);
  }
  return s;
}

/** Index of parameter `slot` in `ev`, or -1 when the event type lacks it or the event does not carry it. */
export function paramIndex(ev: ScapEvent, slot: Int8Array): number {
  const t = ev.type;
  if (t >= slot.length) return -1;
  const i = slot[t]!;
  return i >= 0 && i < ev.nparams ? i : -1;
}

/**
 * The parameter sysdig's `evt.arg.NAME` / `evt.rawarg.NAME` binds to: the
 * first parameter in the event table whose name is NAME (its type decides
 * how evt.rawarg reads the bytes). Null for a name no event has.
 */
export function paramInfoByName(name: string): ParamInfo | null {
  for (const e of EVENT_TABLE) {
    for (const p of e.params) if (p.name === name) return p;
  }
  return null;
}
