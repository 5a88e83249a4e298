/**
 * `sysdig -p FORMAT` and `sysdig -j [-p FORMAT]`: event lines built from a
 * format string of literal text and %fields (sinsp_evt_formatter).
 *
 *  - A leading `*` prints every event; without it an event is printed only
 *    when every field of the format has a value.
 *  - `%field`, `%field[arg]`, `%field.arg`; `%N field` (digits right after
 *    '%') pads or cuts the value to N characters. The field name is the
 *    longest known name at that point, so `%proc.name)` and `%evt.num.`
 *    end where the name ends.
 *  - Escapes, read left to right: `\n`, `\t`, `\\`, `\e` (ESC); any other
 *    backslash stays as written. When `\e` was used sysdig resets the
 *    terminal colour (`ESC[00m`) once output ends (see `trailer`).
 *  - JSON (-j): one object per event, keys are the fields as written,
 *    sorted, literal text left out, numbers as numbers, times as
 *    nanoseconds, a missing value as null (with `*`); argument texts are
 *    not cut at 80 characters.
 *
 * Values come from the field registry and render.ts, so they are the same
 * text filters, views and the field goldens use.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { ParamType, PrintFormat } from '../event/types.js';
import { FieldRegistry, fieldRegistry } from '../fields/registry.js';
import { fieldValueText } from '../fields/render.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';
import type { StateEngine } from '../state/engine.js';
import { jsonQuote } from './json-text.js';

/** sysdig's default line, as a format (what `sysdig -j` prints without -p). */
export const DEFAULT_EVENT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';
/** `sysdig -pc` / `-pcontainer`. */
export const CONTAINER_EVENT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info';
/** `sysdig -pk` / `-pkubernetes`. */
export const K8S_EVENT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %k8s.pod.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info';

export class FormatError extends Error {
  override name = 'FormatError';
}

/** How a field's value is written in JSON (sinsp_filter_check::tojson). */
const enum JsonKind {
  /** evt.time and the other clock texts: the timestamp in ns. */
  Timestamp,
  /** Durations and raw times (evt.latency, evt.rawtime.s …): the number itself. */
  Raw,
  Number,
  Bool,
  String,
}

interface Token {
  /** Literal text, or the field as written (the JSON key). */
  readonly text: string;
  readonly field: FieldExtractor | null;
  /** Pad or cut the value to this many characters (0: as is). */
  readonly width: number;
  readonly json: JsonKind;
  /** JSON: the key's position in the sorted object. */
  readonly slot: number;
}

const TIMESTAMP_FIELDS = new Set(['evt.time', 'evt.time.s', 'evt.time.iso8601', 'evt.datetime', 'evt.datetime.s', 'evt.outputtime']);
const RAW_FIELDS = new Set([
  'evt.rawtime', 'evt.rawtime.s', 'evt.rawtime.ns',
  'evt.reltime', 'evt.reltime.s', 'evt.reltime.ns',
  'evt.latency', 'evt.latency.s', 'evt.latency.ns',
  'evt.deltatime', 'evt.deltatime.s', 'evt.deltatime.ns',
]);

/** Integer types sysdig writes as JSON numbers when printed in decimal (rawval_to_json). */
const INTEGER_TYPES: ReadonlySet<ParamType> = new Set([
  ParamType.INT8, ParamType.INT16, ParamType.INT32, ParamType.INT64, ParamType.PID, ParamType.PID32, ParamType.ERRNO, ParamType.FD,
  ParamType.FD32, ParamType.UINT8, ParamType.UINT16, ParamType.UINT32, ParamType.UINT64, ParamType.RELTIME, ParamType.PORT,
]);

function jsonKind(ex: FieldExtractor): JsonKind {
  const name = ex.info.name;
  if (TIMESTAMP_FIELDS.has(name)) return JsonKind.Timestamp;
  if (RAW_FIELDS.has(name)) return JsonKind.Raw;
  const t = ex.info.type;
  if (INTEGER_TYPES.has(t)) return ex.info.printFormat === PrintFormat.DEC || ex.info.printFormat === PrintFormat.ID ? JsonKind.Number : JsonKind.String;
  if (t === ParamType.DOUBLE) return JsonKind.Number;
  return t === ParamType.BOOL ? JsonKind.Bool : JsonKind.String;
}

/** Registries per output: JSON's argument texts are not cut (sysdig -j prints whole buffers). */
let jsonRegistry: FieldRegistry | null = null;

function registryFor(json: boolean): FieldRegistry {
  if (!json) return fieldRegistry;
  jsonRegistry ??= new FieldRegistry({ bufferLen: 0 });
  return jsonRegistry;
}

/** `\n`, `\t`, `\\`, `\e` as sysdig reads them in -p; reports whether `\e` was used. */
function unescape(fmt: string): { text: string; usedEscape: boolean } {
  let out = '';
  let usedEscape = false;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '\\' && i + 1 < fmt.length) {
      const n = fmt[i + 1]!;
      const rep = n === 'n' ? '\n' : n === 't' ? '\t' : n === '\\' ? '\\' : n === 'e' ? '\x1b' : null;
      if (rep !== null) {
        if (n === 'e') usedEscape = true;
        out += rep;
        i++;
        continue;
      }
    }
    out += c;
  }
  return { text: out, usedEscape };
}

const isWordChar = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isArgChar = (c: string): boolean => /[A-Za-z0-9_.:/-]/.test(c);

export class EventFormatter {
  private readonly tokens: Token[];
  private readonly keys: string[];
  private readonly values: string[];
  private readonly ctx: EventContext = { ev: null as unknown as ScapEvent, engine: null as unknown as StateEngine };
  /** Whether an event is printed even when some field has no value (leading `*`). */
  readonly printAll: boolean;
  /** Written once after the last line (sysdig's colour reset when the format used `\e`), or ''. */
  readonly trailer: string;

  constructor(
    format: string,
    readonly json: boolean,
  ) {
    const registry = registryFor(json);
    const { text, usedEscape } = unescape(format);
    this.trailer = usedEscape ? '\x1b[00m' : '';
    this.printAll = text.startsWith('*');
    const body = this.printAll ? text.slice(1) : text;
    const names = registry
      .list()
      .map((f) => f.name)
      .sort((a, b) => b.length - a.length);
    const raw: { text: string; field: FieldExtractor | null; width: number }[] = [];
    let lit = '';
    for (let j = 0; j < body.length; j++) {
      if (body[j] !== '%') {
        lit += body[j];
        continue;
      }
      if (lit !== '') raw.push({ text: lit, field: null, width: 0 });
      lit = '';
      if (j === body.length - 1) throw new FormatError('invalid formatting syntax: formatting cannot end with a %');
      let k = j + 1;
      while (k < body.length && body[k]! >= '0' && body[k]! <= '9') k++;
      const width = k > j + 1 ? Number(body.slice(j + 1, k)) : 0;
      if (k === body.length) throw new FormatError('invalid formatting syntax: formatting cannot end with a number');
      const rest = body.slice(k);
      const base = names.find((n) => rest.startsWith(n));
      if (base === undefined) throw new FormatError(`invalid formatting token ${rest}`);
      const info = registry.info(base)!;
      let len = base.length;
      let field: FieldExtractor | null;
      try {
        if (info.arg !== 'none' && rest[len] === '[' && rest.indexOf(']', len) > 0) {
          const close = rest.indexOf(']', len);
          field = registry.resolve(base, rest.slice(len + 1, close));
          len = close + 1;
        } else if (info.arg !== 'none' && rest[len] === '.') {
          // Event arguments are words; other arguments (labels, annotations) may hold '.', '/', ':', '-'.
          const accept = base.startsWith('evt.') ? isWordChar : isArgChar;
          let e = len + 1;
          while (e < rest.length && accept(rest[e]!)) e++;
          while (e > len + 1 && rest[e - 1] === '.') e--;
          field = registry.resolve(rest.slice(0, e), undefined);
          len = e;
        } else {
          field = registry.resolve(base, undefined);
        }
      } catch (err) {
        throw new FormatError((err as Error).message);
      }
      if (field === null) throw new FormatError(`invalid formatting token ${rest}`);
      raw.push({ text: rest.slice(0, len), field, width });
      j = k + len - 1;
    }
    if (lit !== '') raw.push({ text: lit, field: null, width: 0 });
    // JSON keys in jsoncpp's (std::map) order: byte order of the key text.
    this.keys = [...new Set(raw.filter((t) => t.field !== null).map((t) => t.text))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.values = this.keys.map(() => 'null');
    this.tokens = raw.map((t) => ({ ...t, json: t.field !== null ? jsonKind(t.field) : JsonKind.String, slot: t.field !== null ? this.keys.indexOf(t.text) : -1 }));
  }

  /** The line for this event, or null when it is not printed (a field without value and no `*`). */
  format(ev: ScapEvent, engine: StateEngine): string | null {
    this.ctx.ev = ev;
    this.ctx.engine = engine;
    return this.json ? this.formatJson() : this.formatText();
  }

  private formatText(): string | null {
    let s = '';
    for (const t of this.tokens) {
      if (t.field === null) {
        s += t.text;
        continue;
      }
      let v = valueText(t.field, this.ctx);
      if (v === null) {
        if (!this.printAll) return null;
        v = '<NA>';
      }
      if (t.width !== 0) v = v.length >= t.width ? v.slice(0, t.width) : v.padEnd(t.width, ' ');
      s += v;
    }
    return s;
  }

  private formatJson(): string | null {
    const values = this.values;
    for (const t of this.tokens) {
      if (t.field === null) continue;
      const v = jsonValue(t, this.ctx);
      if (v === null && !this.printAll) return null;
      values[t.slot] = v ?? 'null';
    }
    let s = '{';
    for (let i = 0; i < values.length; i++) s += (i === 0 ? '' : ',') + jsonQuote(this.keys[i]!) + ':' + values[i];
    return s + '}';
  }
}

/** The field's text, or null when it has no value for this event. */
function valueText(ex: FieldExtractor, ctx: EventContext): string | null {
  if (ex.text !== undefined) return ex.text(ctx) ?? null;
  const v = ex.get(ctx);
  return v === undefined ? null : fieldValueText(ex.info, v);
}

const DEC_INFO = { type: ParamType.INT64, printFormat: PrintFormat.DEC };

function jsonValue(t: Token, ctx: EventContext): string | null {
  const ex = t.field!;
  switch (t.json) {
    case JsonKind.Timestamp:
      return ctx.ev.tsBig().toString();
    case JsonKind.Raw: {
      const v = ex.get(ctx);
      return v === undefined ? null : fieldValueText(DEC_INFO, v);
    }
    case JsonKind.Number: {
      const v = ex.get(ctx);
      if (v === undefined) return null;
      if (typeof v === 'string') return jsonQuote(v);
      if (ex.info.type === ParamType.DOUBLE) return jsonDouble(typeof v === 'number' ? v : Number(v));
      return fieldValueText({ type: ex.info.type, printFormat: PrintFormat.DEC }, v);
    }
    case JsonKind.Bool: {
      const v = ex.get(ctx);
      if (v === undefined) return null;
      return v === true || v === 1 || v === 1n || v === 'true' ? 'true' : 'false';
    }
    default: {
      const v = valueText(ex, ctx);
      return v === null ? null : jsonQuote(v);
    }
  }
}

/** jsoncpp's double: up to 17 significant digits, always with a fraction or exponent. */
function jsonDouble(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'null' : d > 0 ? '1e+9999' : '-1e+9999';
  let s = d.toPrecision(17);
  if (s.includes('e')) {
    const [m, e] = s.split('e') as [string, string];
    const mm = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '.0') : m;
    const exp = Number(e);
    return `${mm}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '.0');
  return s;
}
