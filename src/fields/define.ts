/**
 * The building blocks of the field modules: a field definition (static
 * info + a binder), the extractor class every binder returns, and the
 * mapping from sysdig's value types to the filter language's kinds.
 *
 * A definition is bound once per use (a filter check, a view column, a
 * -p token); binding builds the per-use state (argument, caches, the
 * previous timestamp of evt.deltatime …) so that `get` itself only reads.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import type { CompareOp, FieldKind, FieldValue } from '../filter/field-api.js';
import type { EventContext, FieldExtractor, FieldInfo } from './types.js';

/** Registry-wide settings a binder may need. */
export interface FieldOptions {
  /**
   * Screen width used by evt.latency.quantized (sysdig's g_screen_w): csysdig
   * sets it to the terminal's columns; plain `sysdig -p` leaves it at -1.
   */
  screenWidth: number;
  /**
   * Cap on rendered byte buffers in argument texts (evt.info, evt.args,
   * evt.arg.*, evt.buffer): sysdig's 80 characters, 0 for no cap, which is
   * what `sysdig -j` prints.
   */
  bufferLen: number;
}

export const DEFAULT_FIELD_OPTIONS: FieldOptions = { screenWidth: -1, bufferLen: 80 };

export type Getter = (ctx: EventContext) => FieldValue | undefined;
export type TextGetter = (ctx: EventContext) => string | undefined;

/** How a field's argument is written. */
export type ArgSyntax = 'dot' | 'bracket' | 'both';

export interface FieldDef {
  readonly info: FieldInfo;
  /** For fields taking an argument: how it is written (`evt.arg.fd`, `proc.aname[2]`). */
  readonly argSyntax?: ArgSyntax;
  /**
   * Builds an extractor for one use of the field. `arg` is the argument text
   * (undefined when absent), `name` the canonical name to report. Throws an
   * Error for an argument the field cannot take.
   */
  bind(arg: string | undefined, name: string, options: FieldOptions, syntax?: 'dot' | 'bracket'): FieldExtractor;
}

/** The filter kind of a sysdig value type. */
export function kindOfType(t: ParamType): FieldKind {
  switch (t) {
    case ParamType.DOUBLE:
      return 'float';
    case ParamType.CHARBUF:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
    case ParamType.SOCKADDR:
    case ParamType.SOCKTUPLE:
    case ParamType.FDLIST:
    case ParamType.CHARBUFARRAY:
    case ParamType.CHARBUF_PAIR_ARRAY:
    case ParamType.SIGSET:
    case ParamType.DYN:
    case ParamType.NONE:
      return 'str';
    case ParamType.BYTEBUF:
      return 'bytes';
    case ParamType.BOOL:
      return 'bool';
    case ParamType.IPV4ADDR:
    case ParamType.IPV6ADDR:
    case ParamType.IPADDR:
      return 'ipaddr';
    case ParamType.IPV4NET:
    case ParamType.IPV6NET:
    case ParamType.IPNET:
      return 'ipnet';
    default:
      return 'num';
  }
}

/** Optional parts of a bound field (see FieldExtractor and BoundField). */
export interface FieldOpts {
  text?: TextGetter;
  normalizeLiteral?: (text: string, op: CompareOp) => string;
  kind?: FieldKind;
  /** Matches any of several values, steered by the literal (no transformers, no val()). */
  anyOf?: boolean;
  /** List-valued field: every value (see BoundField.getList). */
  getList?: (ctx: EventContext, out: FieldValue[]) => boolean;
}

/** A bound field: static info, the value getter, and optionally a display text differing from the value's. */
export class Field implements FieldExtractor {
  readonly kind: FieldKind;
  /**
   * The text sysdig prints for the field when it is not the plain rendering
   * of the value (e.g. evt.buffer shows the formatted buffer, fd.name drops
   * unprintable characters); see fieldText() in render.ts.
   */
  readonly text: TextGetter | undefined;
  readonly normalizeLiteral?: (text: string, op: CompareOp) => string;
  readonly anyOf?: boolean;
  readonly getList?: (ctx: EventContext, out: FieldValue[]) => boolean;

  constructor(
    readonly info: FieldInfo,
    readonly name: string,
    readonly get: Getter,
    opts?: FieldOpts,
  ) {
    this.kind = opts?.kind ?? kindOfType(info.type);
    this.text = opts?.text;
    if (opts?.normalizeLiteral !== undefined) this.normalizeLiteral = opts.normalizeLiteral;
    if (opts?.anyOf === true) this.anyOf = true;
    if (opts?.getList !== undefined) this.getList = opts.getList;
  }
}

/** Field definition helpers used by the class modules. */
export interface SimpleSpec {
  name: string;
  type: ParamType;
  fmt?: PrintFormat;
  desc: string;
  category: string;
  /** Makes the getter for one binding (a factory, so stateful fields get fresh state). */
  make: (options: FieldOptions) => Getter;
  text?: (options: FieldOptions) => TextGetter;
  normalizeLiteral?: (text: string, op: CompareOp) => string;
  /** Extra FieldInfo flags. */
  filterOnly?: boolean;
  tableOnly?: boolean;
}

export function simpleField(s: SimpleSpec): FieldDef {
  const info: FieldInfo = {
    name: s.name,
    type: s.type,
    printFormat: s.fmt ?? PrintFormat.NA,
    description: s.desc,
    arg: 'none',
    category: s.category,
    ...(s.filterOnly === true ? { filterOnly: true } : {}),
    ...(s.tableOnly === true ? { tableOnly: true } : {}),
  };
  return {
    info,
    bind(arg, name, options) {
      if (arg !== undefined) throw new Error(`field '${s.name}' does not take an argument`);
      return new Field(info, name, s.make(options), {
        ...(s.text !== undefined ? { text: s.text(options) } : {}),
        ...(s.normalizeLiteral !== undefined ? { normalizeLiteral: s.normalizeLiteral } : {}),
      });
    },
  };
}

export interface ArgSpec extends Omit<SimpleSpec, 'make' | 'text'> {
  arg: 'optional' | 'required';
  argSyntax: ArgSyntax;
  /** Makes the extractor pieces for one binding; `arg` is validated here (throw to reject). */
  bind: (
    arg: string | undefined,
    options: FieldOptions,
    syntax: 'dot' | 'bracket' | undefined,
  ) => { get: Getter; type?: ParamType; fmt?: PrintFormat } & FieldOpts;
}

export function argField(s: ArgSpec): FieldDef {
  const info: FieldInfo = {
    name: s.name,
    type: s.type,
    printFormat: s.fmt ?? PrintFormat.NA,
    description: s.desc,
    arg: s.arg,
    category: s.category,
    ...(s.filterOnly === true ? { filterOnly: true } : {}),
    ...(s.tableOnly === true ? { tableOnly: true } : {}),
  };
  return {
    info,
    argSyntax: s.argSyntax,
    bind(arg, name, options, syntax) {
      if (arg === undefined && s.arg === 'required') throw new Error(`field '${s.name}' requires an argument`);
      const b = s.bind(arg, options, arg === undefined ? undefined : syntax);
      // A binding may refine the type (evt.rawarg takes the argument's type).
      const bi: FieldInfo =
        (b.type !== undefined && b.type !== info.type) || (b.fmt !== undefined && b.fmt !== info.printFormat)
          ? { ...info, type: b.type ?? info.type, printFormat: b.fmt ?? info.printFormat }
          : info;
      return new Field(bi, name, b.get, {
        ...(b.text !== undefined ? { text: b.text } : {}),
        ...(b.normalizeLiteral !== undefined ? { normalizeLiteral: b.normalizeLiteral } : s.normalizeLiteral !== undefined ? { normalizeLiteral: s.normalizeLiteral } : {}),
        ...(b.kind !== undefined ? { kind: b.kind } : {}),
        ...(b.anyOf === true ? { anyOf: true } : {}),
        ...(b.getList !== undefined ? { getList: b.getList } : {}),
      });
    },
  };
}
