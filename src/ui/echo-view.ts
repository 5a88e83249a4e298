/**
 * F5 "Echo" (csysdig's spy box): the data read and written by the
 * selection, one block per I/O event:
 *
 *   ------ Read 221B from /etc/hosts (curl)
 *
 *   127.0.0.1 localhost..# The following lines are ...
 *
 * Reads in red, writes in cyan. F2 picks how buffers print: dotted ASCII
 * (unprintable bytes as '.'), printable ASCII (line breaks kept) or hex.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { EventFlag } from '../event/types.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import type { CompiledFilter } from '../filter/index.js';
import type { StateEngine } from '../state/engine.js';
import { C } from './colors.js';
import { compileEventFilter, type Consumer } from './consumers.js';
import { plain, TextBuffer } from './text-view.js';

export type BufferFormat = 'dotted' | 'printable' | 'hex';

export const BUFFER_FORMATS: { name: string; value: BufferFormat }[] = [
  { name: 'Dotted ASCII', value: 'dotted' },
  { name: 'Printable ASCII', value: 'printable' },
  { name: 'Hex', value: 'hex' },
];

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** The text of an I/O buffer in `fmt`, as lines (sysdig's PF_NORMAL / PF_EOLS / PF_HEXASCII). */
export function bufferLines(b: Buffer, fmt: BufferFormat): string[] {
  if (fmt === 'hex') {
    const out: string[] = [];
    for (let j = 0; j < b.length; j += 16) {
      let row = `\t0x${j.toString(16).padStart(4, '0')}:`;
      let chunks = 0;
      for (let p = j; chunks < 8 && p < b.length; p += 2, chunks++) {
        row += p === b.length - 1 ? ` ${b[p]!.toString(16).padStart(2, '0')}` : ` ${b[p]!.toString(16).padStart(2, '0')}${b[p + 1]!.toString(16).padStart(2, '0')}`;
      }
      row += '     '.repeat(8 - chunks) + '  ';
      for (let p = j; p < Math.min(j + 16, b.length); p++) row += isPrint(b[p]!) ? String.fromCharCode(b[p]!) : '.';
      out.push(row);
    }
    return out;
  }
  let s = '';
  for (let j = 0; j < b.length; j++) {
    const c = b[j]!;
    if (isPrint(c)) s += String.fromCharCode(c);
    else if (fmt === 'printable') {
      if (c === 0x0d) s += '\n';
      else if (c === 0x0a && j > 0 && b[j - 1] !== 0x0d) s += '\n';
    } else s += '.';
  }
  // csysdig trims one leading and one trailing line break.
  if (s.startsWith('\n')) s = s.slice(1);
  if (s.endsWith('\n')) s = s.slice(0, -1);
  return s.split('\n');
}

export class EchoConsumer implements Consumer {
  private readonly filter: CompiledFilter<EventContext> | null;
  private readonly ctx: EventContext;
  private readonly dataParam = new Map<number, number>();
  count = 0;
  paused = false;

  constructor(
    filter: string,
    registry: FieldRegistry,
    engine: StateEngine,
    readonly buffer: TextBuffer,
    private readonly format: BufferFormat,
    private readonly containers: boolean,
    private readonly onDone: () => void = () => {},
  ) {
    this.filter = compileEventFilter(filter, registry);
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
  }

  /** Index of the "data" parameter of this event type, -1 if none. */
  private dataIndex(ev: ScapEvent): number {
    let i = this.dataParam.get(ev.type);
    if (i === undefined) {
      i = ev.info.params.findIndex((p) => p.name === 'data');
      this.dataParam.set(ev.type, i);
    }
    return i;
  }

  onEvent(ev: ScapEvent, engine: StateEngine): void {
    if (this.paused) return;
    const flags = ev.info.flags;
    const reads = (flags & EventFlag.READS_FROM_FD) !== 0;
    const writes = (flags & EventFlag.WRITES_TO_FD) !== 0;
    if (!reads && !writes) return;
    if (ev.isEnter || ev.nparams < 1) return;
    const len = ev.i64(0);
    if (!(len > 0)) return;
    const t = engine.thread;
    const fd = engine.fd;
    if (t === null || fd === null) return;
    const di = this.dataIndex(ev);
    if (di < 0 || di >= ev.nparams) return;
    this.ctx.ev = ev;
    if (this.filter !== null && !this.filter.test(this.ctx)) return;
    const a = reads ? C.read : C.write;
    const fdname = fd.name === '' ? 'unnamed FD' : fd.name;
    let head = `------ ${reads ? 'Read ' : 'Write '}${len}B ${reads ? 'from ' : 'to '}${fdname} (${t.comm})`;
    if (this.containers) head += ` [${engine.containers.get(t.containerId)?.name ?? 'host'}]`;
    this.buffer.push(plain(head, a));
    this.buffer.push([]);
    const off = ev.paramOff[di]!;
    const data = ev.buf.subarray(off, off + ev.paramLen[di]!);
    for (const l of bufferLines(data, this.format)) this.buffer.push(plain(l));
    this.buffer.push([]);
    this.count++;
  }

  finish(): void {
    this.onDone();
  }
}
