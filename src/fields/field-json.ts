/**
 * A field's value as JSON text, typed as `sysdig -j` (and Falco's
 * output_fields) type it: libsinsp's rawval_to_json plus the event class's
 * own rule that time fields are the event time in nanoseconds.
 *
 *  - signed and unsigned integers, relative and absolute times: a JSON
 *    number when printed in decimal (PF_DEC, PF_ID), else the printed text;
 *  - doubles: a number; booleans: true/false;
 *  - everything else (strings, paths, buffers, addresses): the printed text;
 *  - a missing value: null.
 * Numbers are written exactly, beyond 2^53 too.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import { fieldText } from './render.js';
import type { EventContext, FieldExtractor } from './types.js';

/** Time fields whose JSON value is the event timestamp in ns (libsinsp's extract_as_js). */
const TIME_FIELDS: ReadonlySet<string> = new Set(['evt.time', 'evt.time.s', 'evt.time.iso8601', 'evt.datetime', 'evt.datetime.s']);

export function fieldJson(ex: FieldExtractor, ctx: EventContext): string {
  if (TIME_FIELDS.has(ex.name)) return ctx.ev.tsBig().toString();
  const v = ex.get(ctx);
  if (v === undefined) return 'null';
  const { type, printFormat } = ex.info;
  const decimal = printFormat === PrintFormat.DEC || printFormat === PrintFormat.ID;
  switch (type) {
    case ParamType.INT8:
    case ParamType.INT16:
    case ParamType.INT32:
    case ParamType.INT64:
    case ParamType.PID:
    case ParamType.UINT8:
    case ParamType.UINT16:
    case ParamType.UINT32:
    case ParamType.UINT64:
    case ParamType.PORT:
    case ParamType.L4PROTO:
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
      if (decimal && (typeof v === 'number' || typeof v === 'bigint')) return typeof v === 'number' ? numberText(v) : v.toString();
      break;
    case ParamType.DOUBLE:
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      break;
    case ParamType.BOOL:
      return v === true || v === 1 || v === 'true' ? 'true' : 'false';
  }
  return JSON.stringify(fieldText(ex, ctx));
}

/** An integer as exact decimal digits (no exponent for large values). */
function numberText(n: number): string {
  return Number.isSafeInteger(n) || !Number.isInteger(n) ? String(n) : BigInt(n).toString();
}
