/**
 * AlertEvents: the events that fired alerts in a live run, kept so that an
 * Alerts screen opened later lists the alerts fired before it opened.
 *
 * Why: a live screen's consumer sees only the events that arrive after it
 * starts, and the rules fire once per event. Without this store a person who
 * sees `alerts: 1 warning` in the status bar and presses A would find an
 * empty Alerts view. (A replay needs none of it: every screen re-reads the
 * capture, and the rules fire again.)
 *
 * Each entry holds the event's bytes, the alerts fired on it (with their
 * running numbers) and copies of its thread and fd as they were then: the thread of an
 * alert has often exited by the time the screen opens (`cat /etc/shadow`
 * lives a millisecond), and its row must still name the process, its pid and
 * its user. Bounded: the newest `maxEntries` alert events are kept.
 *
 * Replaying lends the live engine to the screen's consumer for the duration
 * of the call (current thread, fd, errno and alert slot set to each stored event's),
 * restoring them afterwards; the thread and fd tables are not touched, so the
 * live state stays exactly as it was. Users, containers and parent threads
 * are read as they are now.
 */
import { ScapEvent } from '../event/scap-event.js';
import type { Alert } from '../rules/alert.js';
import type { StateEngine } from '../state/engine.js';
import { FdInfo } from '../state/fd-info.js';
import { ThreadInfo } from '../state/thread-info.js';
import type { EventConsumer } from './consumer.js';

/** Default number of alert events kept. */
export const ALERT_EVENTS_MAX = 5000;

interface AlertEventEntry {
  /** The event's bytes (header and parameters). */
  bytes: Buffer;
  lenSize: 2 | 4;
  hasNparams: boolean;
  num: number;
  cpu: number;
  evtFlags: number;
  /** errno of the event (evt.failed, evt.res read it). */
  errorCode: number;
  /** The event's thread as it was when the alert fired (null: the state did not know it). */
  thread: ThreadInfo | null;
  /** The fd the event used, as it was then (null: none). */
  fd: FdInfo | null;
  alerts: Alert[];
  /** Running number (alert.num) of the first alert; the event's others follow it. */
  firstNum: number;
}

/** A shallow copy: `o`'s own fields as they are now, its class's methods; later changes to `o` do not reach it. */
function frozen<T extends object>(o: T, proto: T): T {
  return Object.assign(Object.create(proto) as T, o);
}

export class AlertEvents implements EventConsumer {
  private entries: AlertEventEntry[] = [];
  private readonly maxEntries: number;
  private readonly scratch = new ScapEvent();

  constructor(maxEntries = ALERT_EVENTS_MAX) {
    this.maxEntries = Math.max(1, maxEntries);
  }

  /** Alert events held now. */
  get size(): number {
    return this.entries.length;
  }

  onEvent(ev: ScapEvent, engine: StateEngine): void {
    const slot = engine.alerts;
    // the one check every event pays: the rules consumer ran before and filled the slot
    if (slot.count === 0) return;
    const alerts: Alert[] = [];
    for (let i = 0; i < slot.count; i++) alerts.push(slot.at(i));
    const t = engine.thread;
    const fd = engine.fd;
    this.entries.push({
      bytes: Buffer.from(ev.buf.subarray(ev.base, ev.base + ev.len)),
      lenSize: ev.lenSize,
      hasNparams: ev.hasNparams,
      num: ev.num,
      cpu: ev.cpu,
      evtFlags: ev.evtFlags,
      errorCode: engine.errorCode,
      thread: t === null ? null : frozen(t, ThreadInfo.prototype),
      fd: fd === null ? null : frozen(fd, FdInfo.prototype),
      alerts,
      firstNum: slot.firstNum,
    });
    // drop a tenth at once when full: one splice per many alerts, not one per alert
    if (this.entries.length > this.maxEntries) this.entries.splice(0, Math.max(1, Math.floor(this.maxEntries / 10)));
  }

  finish(): void {}

  /**
   * Calls `fn` with each stored alert event, oldest first, with `engine`
   * (the live one) describing it as the rules saw it: its thread, fd and
   * errno, and its alerts in the alert slot. The engine's current-event fields and
   * slot are restored afterwards. Returns the number of events passed.
   */
  replay(engine: StateEngine, fn: (ev: ScapEvent, engine: StateEngine) => void): number {
    const savedThread = engine.thread;
    const savedFd = engine.fd;
    const savedError = engine.errorCode;
    const slot = engine.alerts;
    const savedTotal = slot.total;
    const ev = this.scratch;
    let n = 0;
    try {
      for (const e of this.entries) {
        if (ev.decode(e.bytes, 0, e.bytes.length, e.lenSize, e.hasNparams) !== null) continue;
        ev.num = e.num;
        ev.cpu = e.cpu;
        ev.evtFlags = e.evtFlags;
        engine.thread = e.thread;
        engine.fd = e.fd;
        engine.errorCode = e.errorCode;
        slot.clear();
        // AlertSlot numbers alerts by counting: start it where this event's alerts were numbered
        slot.total = e.firstNum - 1;
        for (let i = 0; i < e.alerts.length; i++) slot.add(e.alerts[i]!);
        fn(ev, engine);
        n++;
      }
    } finally {
      slot.clear();
      slot.total = savedTotal;
      engine.thread = savedThread;
      engine.fd = savedFd;
      engine.errorCode = savedError;
    }
    return n;
  }
}
