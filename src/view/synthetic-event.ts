/**
 * The "sysdigevent" that csysdig's tables feed once per thread when a sample
 * is taken: a header-only scap event (type SYSDIGEVENT_X, no parameters)
 * decoded into its own ScapEvent, rewritten in place for each thread.
 */
import { ScapEvent } from '../event/scap-event.js';
import { EV } from '../event/event-ids.js';
import { EVENT_HEADER_SIZE } from '../event/types.js';

export class SyntheticEvent {
  readonly event = new ScapEvent();
  private readonly buf = Buffer.alloc(EVENT_HEADER_SIZE);

  constructor() {
    this.buf.writeUInt32LE(EVENT_HEADER_SIZE, 16);
    this.buf.writeUInt16LE(EV.SYSDIGEVENT_X, 20);
    this.buf.writeUInt32LE(0, 22);
    this.set(0n, 0);
  }

  /** Re-targets the event: timestamp (ns) and thread id. */
  set(ts: bigint, tid: number): void {
    this.buf.writeBigUInt64LE(ts < 0n ? 0n : ts, 0);
    this.setTid(tid);
  }

  /** Changes only the thread id (once per thread in a sample pass: no BigInt, no re-decode). */
  setTid(tid: number): void {
    const b = this.buf;
    b.writeInt32LE(tid | 0, 8);
    b.writeInt32LE(tid < 0 ? -1 : Math.floor(tid / 4294967296), 12);
    this.event.decode(b, 0, EVENT_HEADER_SIZE, 2, true);
  }
}
