/** Shared test helpers: in-memory byte sources, a recording sink, fixture access, a reference block walk. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { eventBlockLayout } from '../../src/capture/block-types.js';
import type { ByteSource } from '../../src/capture/byte-source.js';
import {
  CaptureError,
  type CaptureSink,
  type FdRecord,
  type GroupRecord,
  type InterfaceRecord,
  type MachineInfo,
  type SectionHeader,
  type ThreadRecord,
  type UserRecord,
} from '../../src/capture/records.js';
import { readCaptureFrom, type ReadResult, type SourceReadOptions } from '../../src/capture/scap-reader.js';
import type { ScapEvent } from '../../src/event/scap-event.js';

export const FIXTURE_DIR = new URL('../fixtures/', import.meta.url).pathname;

export const FIXTURES = [
  'falco_cat_write',
  'falco_open-multiple-files',
  'falco_psp_privileged',
  'falco_syscall',
  'libs_curl_google',
  'libs_single_ipv6_conn',
  'libs_test_ipv6_client',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function fixturePath(name: FixtureName): string {
  return `${FIXTURE_DIR}${name}.scap`;
}

const inflated = new Map<string, Buffer>();
/** The uncompressed bytes of a fixture (cached). */
export function fixtureBytes(name: FixtureName): Buffer {
  let b = inflated.get(name);
  if (!b) {
    b = gunzipSync(readFileSync(fixturePath(name)));
    inflated.set(name, b);
  }
  return b;
}

/**
 * A ByteSource over a buffer that hands out at most `chunk` bytes per read
 * (or a size chosen by `chunk(i)` for read i), to put block boundaries
 * anywhere relative to refills.
 */
export function memorySource(data: Uint8Array, chunk: number | ((i: number) => number) = 1 << 20): ByteSource {
  let pos = 0;
  let reads = 0;
  return {
    read(target: Buffer, offset: number, length: number): Promise<number> {
      const want = typeof chunk === 'number' ? chunk : Math.max(1, chunk(reads));
      reads++;
      const n = Math.min(length, want, data.length - pos);
      target.set(data.subarray(pos, pos + n), offset);
      pos += n;
      return Promise.resolve(n);
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}

/** One event as copied out of the reused ScapEvent. */
export interface EventCopy {
  num: number;
  cpu: number;
  evtFlags: number;
  type: number;
  tid: number;
  ts: bigint;
  len: number;
  nparams: number;
  params: Buffer[];
}

export function copyEvent(ev: ScapEvent): EventCopy {
  const params: Buffer[] = [];
  for (let i = 0; i < ev.nparams; i++) params.push(Buffer.from(ev.bytes(i)));
  return { num: ev.num, cpu: ev.cpu, evtFlags: ev.evtFlags, type: ev.type, tid: ev.tid, ts: ev.tsBig(), len: ev.len, nparams: ev.nparams, params };
}

/** A sink that records everything, copying events out of the reused instance. */
export class RecordingSink implements CaptureSink {
  sections: SectionHeader[] = [];
  machines: MachineInfo[] = [];
  threads: ThreadRecord[] = [];
  fds: { pid: number; fd: FdRecord }[] = [];
  interfaces: InterfaceRecord[] = [];
  users: UserRecord[] = [];
  groups: GroupRecord[] = [];
  events: EventCopy[] = [];
  warnings: string[] = [];
  /** Every ScapEvent instance seen (to check the reader reuses one). */
  instances = new Set<ScapEvent>();
  /** Stop after this many events (onEvent returns false). */
  stopAfter = Infinity;
  /** Record full event copies (off for bulk tests: count only). */
  keepEvents = true;
  eventCount = 0;

  onSectionHeader(h: SectionHeader): void {
    this.sections.push(h);
  }
  onMachineInfo(mi: MachineInfo): void {
    this.machines.push(mi);
  }
  onThread(t: ThreadRecord): void {
    this.threads.push(t);
  }
  onFd(pid: number, fd: FdRecord): void {
    this.fds.push({ pid, fd });
  }
  onInterface(i: InterfaceRecord): void {
    this.interfaces.push(i);
  }
  onUser(u: UserRecord): void {
    this.users.push(u);
  }
  onGroup(g: GroupRecord): void {
    this.groups.push(g);
  }
  onWarning(message: string): void {
    this.warnings.push(message);
  }
  onEvent(ev: ScapEvent): boolean {
    this.eventCount++;
    this.instances.add(ev);
    if (this.keepEvents) this.events.push(copyEvent(ev));
    return this.eventCount < this.stopAfter;
  }
}

export interface Outcome {
  result: ReadResult | null;
  error: CaptureError | null;
  sink: RecordingSink;
}

/**
 * Reads `data` through a memory source and reports success or the
 * CaptureError. Any other exception fails the calling test (it propagates).
 */
export async function readBytes(data: Uint8Array, opts: SourceReadOptions & { chunk?: number | ((i: number) => number); sink?: RecordingSink } = {}): Promise<Outcome> {
  const sink = opts.sink ?? new RecordingSink();
  try {
    const result = await readCaptureFrom(memorySource(data, opts.chunk), sink, opts);
    return { result, error: null, sink };
  } catch (err) {
    if (err instanceof CaptureError) return { result: null, error: err, sink };
    throw err;
  }
}

export interface BlockSpan {
  type: number;
  start: number;
  end: number;
  isEvent: boolean;
}

/**
 * The block framing of a well-formed capture, walked with nothing but the
 * (type, length) headers: an independent check of the reader's counts.
 */
export function walkBlocks(data: Buffer): BlockSpan[] {
  const spans: BlockSpan[] = [];
  let off = 0;
  while (off + 8 <= data.length) {
    const type = data.readUInt32LE(off);
    const len = data.readUInt32LE(off + 4);
    if (len < 12 || off + len > data.length) throw new Error(`walkBlocks: bad block at ${off}`);
    spans.push({ type, start: off, end: off + len, isEvent: eventBlockLayout(type) !== undefined });
    off += len;
  }
  if (off !== data.length) throw new Error(`walkBlocks: ${data.length - off} stray bytes at the end`);
  return spans;
}

/** Event blocks wholly inside data[0, limit). */
export function completeEventsBefore(spans: readonly BlockSpan[], limit: number): number {
  let n = 0;
  for (const s of spans) if (s.isEvent && s.end <= limit) n++;
  return n;
}

/** Deterministic PRNG (mulberry32) so damage tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
