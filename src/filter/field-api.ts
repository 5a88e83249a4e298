/**
 * The contract between the filter compiler and whatever supplies field
 * values (the field registry over the engine's event + state context).
 *
 * The filter language knows nothing about events: it asks a FieldResolver
 * for each field named in the filter, once, at compile time, and calls the
 * returned BoundField's `get` per event.
 */
import type { CompareOp } from './lexer.js';

export type { CompareOp } from './lexer.js';

/**
 * How values of a field compare; picks the literal parser and the operators
 * allowed (sysdig's ppm_param_type, collapsed to what changes behaviour).
 *
 * | kind     | `get` returns                          | literal                             | operators                                   |
 * |----------|----------------------------------------|-------------------------------------|---------------------------------------------|
 * | 'num'    | number, or bigint beyond 2^53          | decimal integer (`-5`, `+5`, ` 5`)  | = != < <= > >= in intersects exists         |
 * | 'float'  | number                                 | decimal number (`0.5`, `1e3`)       | = != < <= > >= in intersects exists         |
 * | 'str'    | string                                 | any text                            | all                                         |
 * | 'bytes'  | string (one char per byte, "latin1")   | any text                            | = != contains startswith endswith in intersects exists |
 * | 'bool'   | boolean (or 1/0)                       | `true` or `false`                   | = != < <= > >= in intersects exists         |
 * | 'ipaddr' | IPv4 as uint32 number, or IPv4/IPv6 text | IPv4 or IPv6 address              | = != in intersects exists                   |
 * | 'ipnet'  | an address, as for 'ipaddr'            | `a.b.c.d/n`, IPv6 `x::/n`, or bare IPv6 (= /64, as sysdig) | = != in intersects exists |
 *
 * For 'ipnet', `=` means "the field's address is inside the network".
 * Port fields are 'num'; a field that accepts names for numbers (sysdig's
 * `fd.port=http`) does so in `normalizeLiteral`.
 */
export type FieldKind = 'num' | 'float' | 'str' | 'bytes' | 'bool' | 'ipaddr' | 'ipnet';

export type FieldValue = number | bigint | string | boolean;

export interface BoundField<Ctx> {
  /** Canonical name, e.g. 'proc.name' or 'proc.aname[2]'; reported in CompiledFilter.fieldsUsed. */
  readonly name: string;
  readonly kind: FieldKind;
  /**
   * Value for the current event, or undefined when the field does not apply
   * (no fd, no such argument, ...). As in sysdig, a check on an undefined
   * field is false whatever the operator, `!=` and `exists` included; only
   * an enclosing `not` turns it true.
   * Called on the hot path: must not throw for ordinary events.
   */
  get(ctx: Ctx): FieldValue | undefined;
  /**
   * Optional, called once per literal at compile time (before the kind's own
   * parsing) to validate or rewrite it: e.g. reject unknown event types for
   * `evt.type`, turn `http` into `80` for port fields, restrict operators.
   * Throw an Error to reject; its message becomes the FilterError detail,
   * positioned at the literal.
   */
  normalizeLiteral?(text: string, op: CompareOp): string;
  /**
   * Set on fields that match when *any* of several values does and whose
   * literal steers `get` (proc.aname without index, fd.ip, fd.port, ...,
   * see src/fields/any-of.ts): they take no transformers and cannot be
   * compared with another field (libsinsp's EPF_NO_RHS / EPF_NO_TRANSFORMER).
   */
  readonly anyOf?: boolean;
  /**
   * Present on list-valued fields (libsinsp's EPF_IS_LIST, e.g. fd.types):
   * clears `out`, appends every value, and returns false when the field does
   * not apply. `get` then returns the list as display text, `(a,b)`.
   * Lists compare with `in` (every value is in the set), `intersects` (some
   * value is) and `exists`; `len()` gives their length.
   */
  getList?(ctx: Ctx, out: FieldValue[]): boolean;
}

export interface FieldResolver<Ctx> {
  /**
   * Resolve a field as written in the filter. `name` is everything before an
   * optional `[...]`, whose content is `arg`:
   *   `proc.aname[2]` -> ('proc.aname', '2');  `evt.arg[0]` -> ('evt.arg', '0');
   *   `evt.arg.fd`    -> ('evt.arg.fd', undefined): dotted arguments are the
   *   resolver's to split, since only it knows which fields take one.
   * Return null for an unknown field ("unrecognized field 'x'"), or throw an
   * Error whose message explains what is wrong ("unknown event argument x");
   * either way the FilterError points at the field.
   */
  resolve(name: string, arg: string | undefined): BoundField<Ctx> | null;
}
