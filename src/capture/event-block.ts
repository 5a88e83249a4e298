/**
 * Event blocks: the hot path. One block holds one event:
 *
 *   block header (8) | u16 cpu id | [EVF: u32 dump flags] | event | padding | trailer (4)
 *
 * The event itself is in scap layout (see src/event/types.ts); v1 blocks
 * (EV 0x204, EVF 0x208, EV_INT) lack the header's nparams field, v2 blocks
 * have it, and the v2 "large" blocks use u32 parameter lengths instead of
 * u16. The event may be followed by up to 3 padding bytes, so the bytes
 * handed to ScapEvent.decode run to the trailer, and the event's own length
 * field says where it ends.
 *
 * Everything here reuses one ScapEvent and allocates nothing per event.
 */
import { EVENT_TABLE } from '../event/event-table.js';
import { ScapEvent } from '../event/scap-event.js';
import { EVENT_HEADER_SIZE_V1 } from '../event/types.js';
import { BLOCK_HEADER_SIZE, BLOCK_TRAILER_SIZE, type EventBlockLayout } from './block-types.js';

/** Offset of the type field in the event header (after ts u64, tid u64, len u32). */
const EVENT_TYPE_OFFSET = 20;
/** Offset of the len field in the event header. */
const EVENT_LEN_OFFSET = 16;

/**
 * Event types whose length field old (v1) writers got wrong by 3 bytes: the
 * notification and infrastructure events. libscap subtracts 3 before
 * inferring their parameter count; so do we, when the stored length fails.
 */
const NOTIFICATION_E = 280;
const INFRASTRUCTURE_EVENT_E = 286;
const V1_LENGTH_SLACK = 3;

/** What decodeEventBlock made of a block. */
export const enum EventBlockResult {
  /** `ev` holds the event. */
  OK,
  /** An event type this build's table does not know: skip it, as libscap does. */
  UNKNOWN_TYPE,
  /** Malformed: `error` says why. */
  DAMAGED,
}

export class EventBlockDecoder {
  /** The one event instance handed to every onEvent. */
  readonly ev = new ScapEvent();
  /** Why the last block was DAMAGED. */
  error = '';
  /** Event type of the last UNKNOWN_TYPE block. */
  unknownType = 0;
  /** Scratch copy for the v1 length fix-up (rare; grown on demand, reused). */
  private scratch = Buffer.alloc(0);

  /**
   * Decodes the event block at buf[blockStart .. blockStart+blockLen) into
   * `ev` (cpu and flags included; `num` is the caller's).
   */
  decode(buf: Buffer, blockStart: number, blockLen: number, layout: EventBlockLayout): EventBlockResult {
    const bodyStart = blockStart + BLOCK_HEADER_SIZE;
    const prefix = layout.hasFlags ? 6 : 2;
    const evStart = bodyStart + prefix;
    const avail = blockStart + blockLen - BLOCK_TRAILER_SIZE - evStart;
    if (avail < EVENT_HEADER_SIZE_V1) {
      this.error = `event block of ${blockLen} bytes is too short to hold an event header`;
      return EventBlockResult.DAMAGED;
    }
    const type = buf[evStart + EVENT_TYPE_OFFSET]! | (buf[evStart + EVENT_TYPE_OFFSET + 1]! << 8);
    if (type >= EVENT_TABLE.length) {
      this.unknownType = type;
      return EventBlockResult.UNKNOWN_TYPE;
    }
    const ev = this.ev;
    let err = ev.decode(buf, evStart, avail, layout.lenSize, layout.hasNparams);
    if (err !== null && !layout.hasNparams && (type === NOTIFICATION_E || type === INFRASTRUCTURE_EVENT_E)) {
      if (this.decodeWithV1LengthFix(buf, evStart, avail)) err = null;
    }
    if (err !== null) {
      this.error = err;
      return EventBlockResult.DAMAGED;
    }
    ev.cpu = buf[bodyStart]! | (buf[bodyStart + 1]! << 8);
    ev.evtFlags = layout.hasFlags ? buf.readUInt32LE(bodyStart + 2) : 0;
    return EventBlockResult.OK;
  }

  /**
   * Retries a v1 notification/infrastructure event with its length reduced by
   * the known writer error. Works on a copy, since the window must not be
   * modified (and the stored bytes are what the file says).
   */
  private decodeWithV1LengthFix(buf: Buffer, evStart: number, avail: number): boolean {
    const storedLen = buf.readUInt32LE(evStart + EVENT_LEN_OFFSET);
    const len = storedLen - V1_LENGTH_SLACK;
    if (len < EVENT_HEADER_SIZE_V1 || storedLen > avail) return false;
    if (this.scratch.length < len) this.scratch = Buffer.alloc(len);
    buf.copy(this.scratch, 0, evStart, evStart + len);
    this.scratch.writeUInt32LE(len, EVENT_LEN_OFFSET);
    return this.ev.decode(this.scratch, 0, len, 2, false) === null;
  }
}
