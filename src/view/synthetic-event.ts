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
    const b = this.buf;
    b.writeBigUInt64LE(ts < 0n ? 0n : ts, 0);
    b.writeBigInt64LE(BigInt(tid), 8);
    this.event.decode(b, 0, EVENT_HEADER_SIZE, 2, true);
  }
}
