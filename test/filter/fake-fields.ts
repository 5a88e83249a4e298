/**
 * A fake field registry over plain objects, for the filter tests.
 * Each event is a Row: field name (with its argument, as written) -> value.
 * Fields are class instances so evaluating allocates nothing on their side either.
 */
import type { BoundField, CompareOp, FieldKind, FieldResolver, FieldValue } from '../../src/filter/index.js';

export type Row = Readonly<Record<string, FieldValue | undefined>>;

const KINDS: Record<string, FieldKind> = {
  'proc.name': 'str',
  'proc.cmdline': 'str',
  'proc.pid': 'num',
  'proc.aname': 'str',
  'fd.name': 'str',
  'fd.num': 'num',
  'fd.port': 'num',
  'fd.sport': 'num',
  'fd.typechar': 'str',
  'fd.sip': 'ipaddr',
  'fd.cip': 'ipaddr',
  'fd.net': 'ipnet',
  'fd.snet': 'ipnet',
  'evt.num': 'num',
  'evt.rawtime': 'num',
  'evt.type': 'str',
  'evt.dir': 'str',
  'evt.failed': 'bool',
  'evt.buffer': 'bytes',
  'thread.cpu': 'float',
};

const EVENT_TYPES = new Set(
  (
    'accept access arch_prctl bind brk clone close connect execve exit_group fstat listen mmap mprotect munmap ' +
    'open openat openat2 procexit read recvfrom sendto socket switch write'
  ).split(' '),
);
const SERVICES: Record<string, string> = { http: '80', https: '443', ssh: '22' };

export class RowField implements BoundField<Row> {
  constructor(
    readonly name: string,
    readonly kind: FieldKind,
  ) {}

  get(row: Row): FieldValue | undefined {
    return row[this.name];
  }
}

/** evt.type validates its literals at compile time, like sysdig ("unknown event type foo"). */
class EventTypeField extends RowField {
  normalizeLiteral(text: string): string {
    if (!EVENT_TYPES.has(text)) throw new Error(`unknown event type ${text}`);
    return text;
  }
}

/** Port fields take service names, like sysdig's PT_PORT. */
class PortField extends RowField {
  normalizeLiteral(text: string, _op: CompareOp): string {
    if (/^[0-9]+$/.test(text)) return text;
    const port = SERVICES[text];
    if (port === undefined) throw new Error(`unrecognized protocol ${text}`);
    return port;
  }
}

export const resolver: FieldResolver<Row> = {
  resolve(name: string, arg: string | undefined): BoundField<Row> | null {
    // proc.aname[N]: integer argument, as sysdig requires.
    if (name === 'proc.aname' && arg !== undefined) {
      if (!/^[0-9]+$/.test(arg)) return null;
      return new RowField(`proc.aname[${arg}]`, 'str');
    }
    // evt.arg[N] and evt.arg.NAME: string rendering of an argument.
    if (name === 'evt.arg' && arg !== undefined) return new RowField(`evt.arg[${arg}]`, 'str');
    if (name.startsWith('evt.arg.') && arg === undefined) {
      const a = name.slice('evt.arg.'.length);
      if (a !== 'fd' && a !== 'res' && a !== 'name') throw new Error(`unknown event argument ${a}`);
      return new RowField(name, 'str');
    }
    // evt.rawarg.res is numeric: the kind depends on the argument.
    if (name === 'evt.rawarg.res' && arg === undefined) return new RowField(name, 'num');
    if (arg !== undefined) return null;
    const kind = KINDS[name];
    if (kind === undefined) return null;
    if (name === 'evt.type') return new EventTypeField(name, kind);
    if (name === 'fd.port' || name === 'fd.sport') return new PortField(name, kind);
    return new RowField(name, kind);
  },
};
