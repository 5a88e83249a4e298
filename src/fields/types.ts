/**
 * The field registry's contract: sysdig fields (proc.name, fd.sport,
 * evt.buflen.file …) bound once and read per event by filters and views.
 *
 * A field has sysdig's value type (ParamType) and print format, because the
 * tables' aggregation, sorting and number formatting all follow the type,
 * exactly as in csysdig.
 */
import type { BoundField, FieldValue } from '../filter/field-api.js';
import type { ScapEvent } from '../event/scap-event.js';
import type { ParamType, PrintFormat } from '../event/types.js';
import type { StateEngine } from '../state/engine.js';

/**
 * What a field reads: the current event and the state right after it was
 * parsed (engine.thread / engine.fd describe the event's thread and fd).
 * One context object is reused for every event.
 */
export interface EventContext {
  ev: ScapEvent;
  engine: StateEngine;
}

export interface FieldInfo {
  /** Full name, e.g. 'fd.sport'. */
  name: string;
  /** sysdig's type for the value (decides aggregation and formatting). */
  type: ParamType;
  /** sysdig's print format (PF_DEC, PF_ID, …). */
  printFormat: PrintFormat;
  description: string;
  /** Whether the field takes an argument: proc.aname[2], evt.arg.fd. */
  arg: 'none' | 'optional' | 'required';
  /** Field class shown in `tsysdig -l` ('evt', 'proc', 'thread', 'fd', 'container', 'user', 'group', …). */
  category: string;
  /** sysdig's EPF_FILTER_ONLY: usable in filters, not as a display field (fd.ip, fd.port, evt.around …). */
  filterOnly?: boolean;
  /** sysdig's EPF_TABLE_ONLY: meant for views (thread.vmsize.b, evt.buflen.file …); hidden from `-l`. */
  tableOnly?: boolean;
}

/**
 * A bound field. `get` returns a number for the integer/double/reltime/bool
 * types, a string for text types, undefined when the field does not apply
 * to this event. It never allocates for numeric fields.
 */
export interface FieldExtractor extends BoundField<EventContext> {
  readonly info: FieldInfo;
  get(ctx: EventContext): FieldValue | undefined;
  /**
   * The text sysdig prints for this field, when it is not simply
   * fieldValueText(info, get(ctx)): evt.buffer prints the formatted buffer
   * while filters compare its raw bytes, fd.name drops unprintable
   * characters. Use fieldText() (render.ts), which falls back to the value.
   */
  readonly text?: ((ctx: EventContext) => string | undefined) | undefined;
}
