/**
 * A rule's output: the text with `%field` tokens, compiled once into
 * literal pieces and bound fields, then rendered per alert as Falco does —
 * the text line (`<NA>` for a missing value) and `output_fields`, each value
 * typed as `sysdig -j` types it (null when missing).
 */
import { fieldRegistry } from '../fields/registry.js';
import { fieldText } from '../fields/render.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';
import { fieldJson } from '../fields/field-json.js';

export class OutputFormatError extends Error {}

export class OutputFormat {
  /** Literal text before each field, then the text after the last one. */
  private readonly literals: string[];
  private readonly fields: FieldExtractor[];
  /** Field names as written, sorted (output_fields keys, in Falco's order). */
  private readonly jsonOrder: number[];

  constructor(readonly format: string) {
    const literals: string[] = [];
    const fields: FieldExtractor[] = [];
    let lit = '';
    let i = 0;
    const s = format;
    while (i < s.length) {
      const c = s[i]!;
      if (c !== '%' || i + 1 >= s.length) {
        lit += c;
        i++;
        continue;
      }
      const { ex, end } = readToken(s, i + 1);
      literals.push(lit);
      fields.push(ex);
      lit = '';
      i = end;
    }
    literals.push(lit);
    this.literals = literals;
    this.fields = fields;
    const names = fields.map((f) => f.name);
    this.jsonOrder = [...names.keys()].filter((k) => names.indexOf(names[k]!) === k).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  }

  /** The filled-in text. */
  text(ctx: EventContext): string {
    let out = this.literals[0]!;
    for (let i = 0; i < this.fields.length; i++) out += fieldText(this.fields[i]!, ctx) + this.literals[i + 1]!;
    return out;
  }

  /** `output_fields` as a JSON object text, keys sorted. */
  fieldsJson(ctx: EventContext): string {
    let out = '{';
    for (let k = 0; k < this.jsonOrder.length; k++) {
      const f = this.fields[this.jsonOrder[k]!]!;
      out += (k === 0 ? '' : ',') + JSON.stringify(f.name) + ':' + fieldJson(f, ctx);
    }
    return out + '}';
  }

  /** Field name → text, for the typed Alert record. */
  fieldTexts(ctx: EventContext): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const f of this.fields) out[f.name] = f.get(ctx) === undefined ? null : fieldText(f, ctx);
    return out;
  }
}

const NAME_CHAR = /[A-Za-z0-9_.]/;

/**
 * The field after a '%': the longest run of name characters (with a
 * `[arg]` right after), shortened at dots until it names a field, as
 * libsinsp's formatter takes the longest field name it knows.
 */
function readToken(s: string, start: number): { ex: FieldExtractor; end: number } {
  let j = start;
  while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
  let name = s.slice(start, j);
  let arg: string | undefined;
  if (s[j] === '[') {
    const close = s.indexOf(']', j);
    if (close > j) {
      arg = s.slice(j + 1, close);
      const ex = resolve(name.replace(/[.\-]+$/, ''), arg);
      if (ex !== null) return { ex, end: close + 1 };
    }
  }
  for (;;) {
    const trimmed = name.replace(/[.\-]+$/, '');
    const ex = trimmed === '' ? null : resolve(trimmed, undefined);
    if (ex !== null) return { ex, end: start + trimmed.length };
    const dot = trimmed.lastIndexOf('.');
    if (dot <= 0) break;
    name = trimmed.slice(0, dot);
  }
  throw new OutputFormatError(`invalid formatting token ${s.slice(start, j) || s.slice(start, start + 1)}`);
}

function resolve(name: string, arg: string | undefined): FieldExtractor | null {
  try {
    return fieldRegistry.resolve(name, arg);
  } catch {
    return null;
  }
}
