/**
 * The sliver of protobuf wire format the CRI client needs: encoding strings,
 * bools, varints and nested messages, and decoding any message into its
 * fields by number (no schema, no generated code, no dependency).
 */

export const enum WireType {
  VARINT = 0,
  I64 = 1,
  LEN = 2,
  I32 = 5,
}

function varint(v: bigint | number): Buffer {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) b |= 0x80;
    out.push(b);
  } while (n !== 0n);
  return Buffer.from(out);
}

const tag = (field: number, wt: WireType): Buffer => varint((field << 3) | wt);

/** Builds a message field by field (fields written in call order). */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  string(field: number, s: string): this {
    if (s === '') return this;
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Buffer): this {
    this.parts.push(tag(field, WireType.LEN), varint(b.length), b);
    return this;
  }

  bool(field: number, v: boolean): this {
    if (!v) return this;
    this.parts.push(tag(field, WireType.VARINT), varint(1));
    return this;
  }

  int(field: number, v: number | bigint): this {
    if (v === 0 || v === 0n) return this;
    this.parts.push(tag(field, WireType.VARINT), varint(v));
    return this;
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A map<string,string> field: one entry message (key = 1, value = 2) per pair. */
  map(field: number, m: Record<string, string>): this {
    for (const [k, v] of Object.entries(m)) this.message(field, new ProtoWriter().string(1, k).string(2, v));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

type FieldValue = { wt: WireType.VARINT; v: bigint } | { wt: WireType.LEN; v: Buffer } | { wt: WireType.I64 | WireType.I32; v: Buffer };

/** A decoded message: every occurrence of every field, by field number. */
export class ProtoMessage {
  readonly fields = new Map<number, FieldValue[]>();

  static decode(buf: Buffer): ProtoMessage {
    const m = new ProtoMessage();
    let p = 0;
    const readVarint = (): bigint => {
      let result = 0n;
      let shift = 0n;
      for (;;) {
        if (p >= buf.length) throw new Error('protobuf: truncated varint');
        const b = buf[p++]!;
        result |= BigInt(b & 0x7f) << shift;
        if ((b & 0x80) === 0) return result;
        shift += 7n;
        if (shift > 63n) throw new Error('protobuf: varint too long');
      }
    };
    while (p < buf.length) {
      const key = Number(readVarint());
      const field = key >>> 3;
      const wt = key & 7;
      let fv: FieldValue;
      switch (wt) {
        case WireType.VARINT:
          fv = { wt, v: readVarint() };
          break;
        case WireType.LEN: {
          const len = Number(readVarint());
          if (p + len > buf.length) throw new Error('protobuf: truncated field');
          fv = { wt, v: buf.subarray(p, p + len) };
          p += len;
          break;
        }
        case WireType.I64:
        case WireType.I32: {
          const len = wt === WireType.I64 ? 8 : 4;
          if (p + len > buf.length) throw new Error('protobuf: truncated field');
          fv = { wt, v: buf.subarray(p, p + len) };
          p += len;
          break;
        }
        default:
          throw new Error(`protobuf: unsupported wire type ${wt}`);
      }
      let list = m.fields.get(field);
      if (list === undefined) m.fields.set(field, (list = []));
      list.push(fv);
    }
    return m;
  }

  private last(field: number): FieldValue | undefined {
    const l = this.fields.get(field);
    return l === undefined ? undefined : l[l.length - 1];
  }

  /** A string field, as bytes (one char per byte, tsysdig's convention) unless `utf8`. */
  string(field: number, utf8 = false): string {
    const f = this.last(field);
    return f !== undefined && f.wt === WireType.LEN ? f.v.toString(utf8 ? 'utf8' : 'latin1') : '';
  }

  int(field: number): bigint {
    const f = this.last(field);
    return f !== undefined && f.wt === WireType.VARINT ? f.v : 0n;
  }

  /** A signed int64 field (two's complement varint). */
  int64(field: number): bigint {
    return BigInt.asIntN(64, this.int(field));
  }

  bool(field: number): boolean {
    return this.int(field) !== 0n;
  }

  message(field: number): ProtoMessage | null {
    const f = this.last(field);
    return f !== undefined && f.wt === WireType.LEN ? ProtoMessage.decode(f.v) : null;
  }

  messages(field: number): ProtoMessage[] {
    return (this.fields.get(field) ?? []).filter((f) => f.wt === WireType.LEN).map((f) => ProtoMessage.decode(f.v as Buffer));
  }

  /** A map<string,string> field (entries: key = 1, value = 2). */
  map(field: number, utf8 = false): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.messages(field)) out[e.string(1, utf8)] = e.string(2, utf8);
    return out;
  }
}
