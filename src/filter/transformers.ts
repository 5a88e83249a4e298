/**
 * Field transformers (libsinsp's sinsp_filter_transformer_*): a BoundField
 * wrapped so that its value is transformed before the comparison.
 *
 *   tolower, toupper  string -> string (ASCII only: C's tolower in the C locale)
 *   basename          string -> string (the text after the last '/')
 *   b64               string or buffer -> same kind: base64 decoded; a value
 *                     that is not valid base64 makes the field undefined
 *   len               string or buffer -> number (bytes, up to a NUL for
 *                     strings); list -> number of values
 *
 * Transformers nest (`len(basename(fd.name))`); each checks the type it
 * receives at compile time, with libsinsp's message. String values are byte
 * strings here (one char per byte), so lengths and case folding are per byte.
 */
import type { TransformerName } from './ast.js';
import type { BoundField, FieldKind, FieldValue } from './field-api.js';

const KIND_TYPE_NAMES: Record<FieldKind, string> = {
  num: 'UINT64',
  float: 'DOUBLE',
  str: 'CHARBUF',
  bytes: 'BYTEBUF',
  bool: 'BOOL',
  ipaddr: 'IPADDR',
  ipnet: 'IPNET',
};

/** The kind a transformer produces from `kind` (and list-ness), or null when it does not apply. */
function resultKind(t: TransformerName, kind: FieldKind, list: boolean): FieldKind | null {
  if (t === 'len') return list || kind === 'str' || kind === 'bytes' ? 'num' : null;
  if (list) return t === 'b64' ? null : kind === 'str' ? 'str' : null;
  if (t === 'b64') return kind === 'str' || kind === 'bytes' ? kind : null;
  return kind === 'str' ? 'str' : null;
}

/**
 * Wraps `field` in the transformers, innermost first. Throws an Error with
 * libsinsp's wording when a transformer does not take the type it receives.
 */
export function applyTransformers<Ctx>(field: BoundField<Ctx>, transformers: readonly TransformerName[]): BoundField<Ctx> {
  let f = field;
  for (const t of transformers) {
    const list = f.getList !== undefined;
    const kind = resultKind(t, f.kind, list);
    if (kind === null) {
      throw new Error(
        `can't add field transformer: type '${KIND_TYPE_NAMES[f.kind]}' is not supported by '${t}' transformer applied on ${list ? 'list ' : ''}field '${field.name}'`,
      );
    }
    f = t === 'len' && list ? new ListLength(f) : list ? new TransformedList(f, t) : new Transformed(f, t, kind);
  }
  return f;
}

/** ASCII case folding that returns the value itself (no copy) when nothing changes. */
function asciiCase(s: string, upper: boolean): string {
  const lo = upper ? 97 : 65;
  const hi = upper ? 122 : 90;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= lo && c <= hi) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= lo && c <= hi ? c + (upper ? -32 : 32) : c);
  }
  return out;
}

const B64_VALUES = (() => {
  const t = new Int8Array(256).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < abc.length; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

/**
 * Strict base64 decoding as libsinsp's Base64::decodeWithoutPadding: up to
 * two trailing '=', every other character from the standard alphabet, no
 * leftover bits; the result as a byte string. Undefined when invalid.
 */
export function decodeBase64(s: string): string | undefined {
  let n = s.length;
  if (n === 0) return '';
  if (s.charCodeAt(n - 1) === 61) {
    n--;
    if (n > 0 && s.charCodeAt(n - 1) === 61) n--;
  }
  if (n === 0 || n % 4 === 1) return undefined;
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const v = c < 256 ? B64_VALUES[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
    }
  }
  // The bits left over must be zero ("YR==" is not "YQ==").
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

function basename(s: string): string {
  const slash = s.lastIndexOf('/');
  return slash < 0 ? s : s.slice(slash + 1);
}

/** Length of a string value up to its first NUL, as strnlen. */
function strLength(s: string): number {
  const nul = s.indexOf('\0');
  return nul < 0 ? s.length : nul;
}

function transform(t: TransformerName, kind: FieldKind, v: FieldValue): FieldValue | undefined {
  const s = v as string;
  switch (t) {
    case 'tolower':
      return asciiCase(s, false);
    case 'toupper':
      return asciiCase(s, true);
    case 'basename':
      return basename(s);
    case 'b64':
      return decodeBase64(s);
    case 'len':
      return kind === 'str' ? strLength(s) : s.length;
  }
}

class Transformed<Ctx> implements BoundField<Ctx> {
  readonly name: string;

  constructor(
    private readonly inner: BoundField<Ctx>,
    private readonly t: TransformerName,
    readonly kind: FieldKind,
  ) {
    this.name = `${t}(${inner.name})`;
  }

  get(ctx: Ctx): FieldValue | undefined {
    const v = this.inner.get(ctx);
    return v === undefined ? undefined : transform(this.t, this.inner.kind, v);
  }
}

/** A string transformer applied to every value of a list field. */
class TransformedList<Ctx> implements BoundField<Ctx> {
  readonly name: string;
  readonly kind = 'str' as const;
  private readonly scratch: FieldValue[] = [];

  constructor(
    private readonly inner: BoundField<Ctx>,
    private readonly t: TransformerName,
  ) {
    this.name = `${t}(${inner.name})`;
  }

  getList(ctx: Ctx, out: FieldValue[]): boolean {
    out.length = 0;
    if (!this.inner.getList!(ctx, this.scratch)) return false;
    for (const v of this.scratch) {
      const r = transform(this.t, 'str', v);
      if (r === undefined) return false;
      out.push(r);
    }
    return true;
  }

  get(ctx: Ctx): FieldValue | undefined {
    const out: FieldValue[] = [];
    return this.getList(ctx, out) ? `(${out.join(',')})` : undefined;
  }
}

/** len() of a list field: how many values it has. */
class ListLength<Ctx> implements BoundField<Ctx> {
  readonly name: string;
  readonly kind = 'num' as const;
  private readonly scratch: FieldValue[] = [];

  constructor(private readonly inner: BoundField<Ctx>) {
    this.name = `len(${inner.name})`;
  }

  get(ctx: Ctx): FieldValue | undefined {
    return this.inner.getList!(ctx, this.scratch) ? this.scratch.length : undefined;
  }
}
