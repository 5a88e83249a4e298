/**
 * LiveSource: live capture from the tsysdig eBPF probe.
 *
 *   const src = LiveSource.open({ snaplen: 80 });   // open + load, nothing attached yet
 *   src.start();                                     // attach; events start flowing
 *   await src.run(sink);                             // drain into a CaptureSink until stopped
 *   src.close();                                     // detach everything, unmap, free
 *
 * Events are decoded in place from the mapped ring buffer into one reused
 * ScapEvent (the decoder shared with .scap replay): sink.onEvent(ev) must
 * copy anything it keeps. ev.cpu is the CPU that produced the event, ev.num
 * a running count from 1.
 *
 * Threading: LiveSource has no thread affinity and never blocks unless
 * asked (wait()). drain() is synchronous and bounded by `max`; run() sleeps
 * in poll(2) on koffi's thread pool between drains. To keep draining
 * independent of rendering, run it in a worker_thread (see live-worker.ts,
 * which drains in a worker and hands batches of raw events to the main
 * thread with one copy per batch).
 */
import fs from 'node:fs';
import { liveHostname } from './proc-bootstrap.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScapEvent } from '../event/scap-event.js';
import { RingRecordDecoder } from './ring-record.js';
import type { CaptureSink } from '../capture/records.js';
import { BpfObject, type BpfLink, type BpfMap, clearLibbpfLog, libbpfLogTail, numPossibleCpus, setLibbpfLogger, type LibbpfLogFn } from './libbpf.js';
import { LiveError, preflight } from './errors.js';
import { RingReader } from './ring-reader.js';
import { bootToEpochNs } from './libc.js';
import { buildRoutes, encodeRoutes, type RouteOptions } from './routes.js';
import {
  COUNTERS_SIZE,
  MAP_COUNTERS,
  MAP_EVENTS,
  MAP_ROUTES,
  MAP_SETTINGS,
  MAX_EVENT_LEN,
  MAX_SYSCALLS,
  PROGRAMS,
  ROUTE_SIZE,
  SNAPLEN_DEFAULT,
  SNAPLEN_MAX,
  decodeCounters,
  encodeSettings,
  type CpuCounters,
  type ProbeSettings,
} from './probe-abi.js';

export const DEFAULT_RING_BYTES = 8 << 20;

export interface LiveOptions {
  /** Probe object; default $TSYSDIG_PROBE or <repo>/probe/build/tsysdig.bpf.o. */
  probePath?: string;
  /** Ring buffer size in bytes (rounded up to a power of two, >= 64 KiB). */
  ringBytes?: number;
  /** Bytes of I/O buffers captured in `data` parameters (0..4096). */
  snaplen?: number;
  /** Process whose events are not generated (default: this process; null: none). */
  excludePid?: number | null;
  /** Which syscalls produce which events. */
  routes?: RouteOptions;
  /** Receives libbpf warnings (default: kept silent, quoted in errors). */
  onLibbpfLog?: LibbpfLogFn;
  /** Reader polls on a timer instead of being woken by the kernel. */
  noWakeup?: boolean;
}

export interface LiveStats {
  /** Events handed to sinks by this source. */
  delivered: number;
  /** Events the probe wrote to the ring (all CPUs). */
  written: number;
  /** Events lost because the ring was full (all CPUs). */
  dropsFull: number;
  /** Events the probe refused to emit (inconsistent build: a probe bug). */
  dropsBug: number;
  /** Events with truncated variable-size parameters. */
  truncated: number;
  /** Per-CPU probe counters. */
  perCpu: CpuCounters[];
  /** Records that failed to decode (should stay 0). */
  malformed: number;
}

export function defaultProbePath(): string {
  if (process.env.TSYSDIG_PROBE) return process.env.TSYSDIG_PROBE;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/live/ (vitest, tsx) and dist/live/ (built) are both two levels below the root.
  return path.resolve(here, '../../probe/build/tsysdig.bpf.o');
}

function roundRing(bytes: number): number {
  let n = 64 * 1024;
  while (n < bytes && n < 1 << 30) n *= 2;
  return n;
}

export class LiveSource {
  readonly probePath: string;
  readonly ringBytes: number;
  readonly ncpus: number;
  private obj: BpfObject | null;
  private links: BpfLink[] = [];
  private ring: RingReader | null = null;
  private readonly settingsMap: BpfMap;
  private readonly countersMap: BpfMap;
  private settings: ProbeSettings;
  private readonly ev = new ScapEvent();
  private readonly records = new RingRecordDecoder();
  private readonly countersBuf: Buffer;
  private delivered = 0;
  private malformed = 0;
  private stopping = false;
  private machineInfoSent = false;
  /** drain() is running: close() must not unmap the ring under it. */
  private draining = false;
  private closeRequested = false;

  private constructor(obj: BpfObject, probePath: string, ringBytes: number, settings: ProbeSettings) {
    this.obj = obj;
    this.probePath = probePath;
    this.ringBytes = ringBytes;
    this.settings = settings;
    this.settingsMap = obj.map(MAP_SETTINGS);
    this.countersMap = obj.map(MAP_COUNTERS);
    this.ncpus = numPossibleCpus();
    this.countersBuf = Buffer.alloc(COUNTERS_SIZE * this.ncpus);
  }

  /**
   * Opens and loads the probe and maps its ring. Nothing is attached yet:
   * call start(). Throws LiveError (see errors.ts) on any failure.
   */
  static open(opts: LiveOptions = {}): LiveSource {
    const probePath = opts.probePath ?? defaultProbePath();
    const pre = preflight(probePath);
    if (pre) throw pre;
    const ringBytes = roundRing(opts.ringBytes ?? DEFAULT_RING_BYTES);
    const snaplen = Math.max(0, Math.min(SNAPLEN_MAX, Math.floor(opts.snaplen ?? SNAPLEN_DEFAULT)));
    setLibbpfLogger(opts.onLibbpfLog ?? null);
    clearLibbpfLog();
    let obj: BpfObject | null = null;
    let src: LiveSource | null = null;
    try {
      obj = BpfObject.open(probePath);
      obj.map(MAP_EVENTS).setMaxEntries(ringBytes);
      // TSYSDIG_VERIFIER_STATS=1: have the verifier report its work (libbpf log, debug level)
      if (process.env.TSYSDIG_VERIFIER_STATS === '1') for (const p of obj.programs()) p.setLogLevel(4);
      try {
        obj.load();
      } catch (err) {
        if (err instanceof LiveError) err.detail = libbpfLogTail(60);
        throw err;
      }
      const settings: ProbeSettings = {
        bootToEpochNs: bootToEpochNs(),
        selfTgid: opts.excludePid === undefined ? process.pid : opts.excludePid === null ? 0 : opts.excludePid,
        snaplen,
        captureOn: false,
        noWakeup: !!opts.noWakeup,
      };
      src = new LiveSource(obj, probePath, ringBytes, settings);
      src.writeSettings();
      src.writeRoutes(opts.routes);
      src.ring = new RingReader(obj.map(MAP_EVENTS).fd(), ringBytes);
      return src;
    } catch (err) {
      if (src) src.close();
      else obj?.close();
      throw err;
    }
  }

  private writeSettings(): void {
    this.settingsMap.update(Buffer.alloc(4), encodeSettings(this.settings));
  }

  private writeRoutes(opts?: RouteOptions): void {
    const routes = encodeRoutes(buildRoutes(opts));
    const map = this.obj!.map(MAP_ROUTES);
    const key = Buffer.alloc(4);
    for (let nr = 0; nr < MAX_SYSCALLS; nr++) {
      key.writeUInt32LE(nr, 0);
      map.update(key, routes.subarray(nr * ROUTE_SIZE, (nr + 1) * ROUTE_SIZE));
    }
  }

  /** Attaches every program and turns event generation on. */
  start(): void {
    if (!this.obj) throw new Error('LiveSource is closed');
    if (this.links.length === 0) {
      try {
        for (const name of PROGRAMS) this.links.push(this.obj.program(name).attach());
      } catch (err) {
        for (const l of this.links) l.destroy();
        this.links = [];
        if (err instanceof LiveError) err.detail = libbpfLogTail(20);
        throw err;
      }
    }
    this.setCapture(true);
  }

  /** Pauses / resumes event generation without detaching. */
  setCapture(on: boolean): void {
    this.settings = { ...this.settings, captureOn: on };
    this.writeSettings();
  }

  /** Changes the I/O snapshot length on the fly. */
  setSnaplen(snaplen: number): void {
    this.settings = { ...this.settings, snaplen: Math.max(0, Math.min(SNAPLEN_MAX, Math.floor(snaplen))) };
    this.writeSettings();
  }

  get snaplen(): number {
    return this.settings.snaplen;
  }

  /** The ring reader (for custom drains, e.g. copying batches to another thread). */
  get reader(): RingReader {
    if (!this.ring) throw new Error('LiveSource is closed');
    return this.ring;
  }

  private sendMachineInfo(sink: CaptureSink): void {
    if (this.machineInfoSent) return;
    this.machineInfoSent = true;
    sink.onMachineInfo?.({
      numCpus: this.ncpus,
      memoryBytes: os.totalmem(),
      maxEventSize: MAX_EVENT_LEN,
      hostname: liveHostname(),
    });
  }

  /**
   * Decodes and delivers every event available now (at most `max`), without
   * blocking. Returns the number delivered; stops early when sink.onEvent
   * returns false (then stop() is implied).
   */
  drain(sink: CaptureSink, max = Infinity): number {
    const ring = this.reader;
    if (this.draining) throw new Error('LiveSource.drain() is not reentrant');
    this.sendMachineInfo(sink);
    const ev = this.ev;
    let delivered = this.delivered;
    this.draining = true;
    let n = 0;
    try {
      n = this.drainInto(ring, ev, sink, max, () => ++delivered);
    } finally {
      this.draining = false;
      this.delivered = delivered;
      if (this.closeRequested) this.close();
    }
    return n;
  }

  private drainInto(ring: RingReader, ev: ScapEvent, sink: CaptureSink, max: number, next: () => number): number {
    const records = this.records;
    return ring.drain((buf, off, len) => {
      if (this.closeRequested) return false;
      const bad = records.decode(ev, buf, off, len);
      if (bad !== null) {
        this.malformed++;
        if (this.malformed === 1) sink.onWarning?.(`live: malformed event from the probe (${bad})`);
        return true;
      }
      ev.evtFlags = 0;
      ev.num = next();
      if (sink.onEvent(ev) === false) {
        this.stopping = true;
        return false;
      }
      return true;
    }, max);
  }

  /** Blocks up to timeoutMs for events. True when some are ready. */
  wait(timeoutMs: number): boolean {
    return this.reader.wait(timeoutMs);
  }

  /** Waits up to timeoutMs for events without blocking the event loop. */
  waitAsync(timeoutMs: number): Promise<boolean> {
    return this.reader.waitAsync(timeoutMs);
  }

  /**
   * Drains into sink until stop() is called, the signal aborts, or
   * sink.onEvent returns false. Between drains it sleeps in poll(2) (at
   * most idleMs) off the JS thread; every `batch` events it yields to the
   * event loop so timers and rendering keep running.
   */
  async run(sink: CaptureSink, opts: { signal?: AbortSignal; idleMs?: number; batch?: number } = {}): Promise<void> {
    const idleMs = opts.idleMs ?? 50;
    const batch = opts.batch ?? 65536;
    this.stopping = false;
    const onAbort = () => (this.stopping = true);
    opts.signal?.addEventListener('abort', onAbort);
    try {
      while (!this.stopping && this.obj) {
        const n = this.drain(sink, batch);
        if (this.stopping || !this.obj) break;
        if (n === batch) await new Promise<void>((r) => setImmediate(r));
        else await this.waitAsync(idleMs);
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Makes run() return after its current drain. */
  stop(): void {
    this.stopping = true;
  }

  /** Probe counters summed over CPUs (and per CPU). */
  stats(): LiveStats {
    const perCpu: CpuCounters[] = [];
    const s: LiveStats = { delivered: this.delivered, written: 0, dropsFull: 0, dropsBug: 0, truncated: 0, perCpu, malformed: this.malformed };
    if (this.obj && this.countersMap.lookup(Buffer.alloc(4), this.countersBuf)) {
      for (let c = 0; c < this.ncpus; c++) {
        const cc = decodeCounters(this.countersBuf, c * COUNTERS_SIZE);
        perCpu.push(cc);
        s.written += cc.events;
        s.dropsFull += cc.dropsFull;
        s.dropsBug += cc.dropsBug;
        s.truncated += cc.truncated;
      }
    }
    return s;
  }

  /** Detaches all programs, unmaps the ring and frees the object. Idempotent. */
  close(): void {
    this.stopping = true;
    if (this.draining) {
      // called from inside sink.onEvent: finish when drain() unwinds
      this.closeRequested = true;
      return;
    }
    for (const l of this.links) l.destroy();
    this.links = [];
    this.ev.release(); // no view into unmapped memory survives
    this.ring?.close();
    this.ring = null;
    this.obj?.close();
    this.obj = null;
  }

  get closed(): boolean {
    return this.obj === null;
  }
}

/** Is the probe object built? (cheap check for UIs offering live mode) */
export function probeBuilt(probePath = defaultProbePath()): boolean {
  return fs.existsSync(probePath);
}
