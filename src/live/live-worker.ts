/**
 * Live capture with the ring drained by a worker thread.
 *
 * The worker owns the probe (open, load, attach) and does nothing but move
 * bytes: it copies every committed ring record — headers included — into
 * batch buffers (one memcpy per batch, never per event), releases the ring
 * space at once and transfers each batch to the main thread. The main
 * thread walks the batch and decodes each event in place with the shared
 * ScapEvent, as the direct LiveSource does.
 *
 * So the kernel ring is emptied at memory-copy speed whatever the main
 * thread is busy with (rendering, a slow sink), up to `maxBufferedBytes` of
 * batches waiting; beyond that the worker stops copying, the ring fills and
 * the probe counts the drops, exactly as without the worker. Batches that
 * come back beyond a few spares are let go, so the memory they take follows
 * the backlog instead of its highest mark (docs/performance.md, soak).
 *
 *   const live = await WorkerLiveSource.open({ snaplen: 80 });
 *   live.start();
 *   await live.run(sink, { signal });
 *   await live.close();
 */
import fs from 'node:fs';
import { liveHostname } from './proc-bootstrap.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ScapEvent } from '../event/scap-event.js';
import type { CaptureSink } from '../capture/records.js';
import { LiveError, type LiveErrorKind } from './errors.js';
import { LiveSource, type LiveOptions, type LiveStats } from './live-source.js';
import { walkCopiedRecords } from './ring-reader.js';
import { MAX_EVENT_LEN } from './probe-abi.js';
import { RingRecordDecoder } from './ring-record.js';
import { ProcInfoScanner } from './procinfo.js';
import { CLOCK_REALTIME, clockNs } from './libc.js';

export interface WorkerLiveOptions extends LiveOptions {
  /** Size of one batch buffer (default 1 MiB). */
  batchBytes?: number;
  /**
   * Most bytes of batches waiting for the main thread (default 16 MiB,
   * DEFAULT_MAX_BUFFERED_BYTES). A main thread that falls behind for good
   * (a fork loop on a busy machine) keeps every batch full: this is memory
   * held for the whole run and seconds of lag on screen, so it is kept to
   * what covers a render pause, not more.
   */
  maxBufferedBytes?: number;
  /** Longest sleep of the worker when the ring is empty (default 50 ms). */
  idleMs?: number;
  /**
   * Emit PROCINFO events (CPU time of every thread, from /proc) every this
   * many ms, on whole seconds of the wall clock, into the event stream
   * (see procinfo.ts). Default 0: none. One round is emitted at start.
   */
  procinfoMs?: number;
  /** Prefix of /proc for the procinfo scan (default $HOST_ROOT or ''). */
  hostRoot?: string;
  /**
   * After a batch smaller than 1/4 of a batch buffer, wait this long (ms)
   * before copying again, so a trickle of events is handed over in tens of
   * batches a second, not one per wake-up (default 10; 0: no wait). Each
   * hand-over costs syscalls of its own, which another tracer would see —
   * two tsysdig instances would otherwise feed each other.
   */
  coalesceMs?: number;
}

type ToWorker =
  | { t: 'start' }
  | { t: 'pause' }
  | { t: 'resume' }
  | { t: 'snaplen'; bytes: number }
  | { t: 'stats'; id: number }
  | { t: 'stop' }
  | { t: 'buf'; buf: ArrayBuffer };

type FromWorker =
  | { t: 'ready'; ncpus: number }
  | { t: 'error'; kind: LiveErrorKind | null; message: string; errno: number; detail: string[] }
  | { t: 'started' }
  | { t: 'batch'; buf: ArrayBuffer; bytes: number; stats?: LiveStats }
  | { t: 'stats'; id: number; stats: LiveStats }
  | { t: 'stopped'; stats: LiveStats };

/** Default of WorkerLiveOptions.maxBufferedBytes. */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 << 20;

/**
 * Batches the worker keeps for reuse when they come back (more are let go):
 * the batch memory follows the main thread's backlog down after a burst,
 * instead of staying at the highest backlog ever reached.
 */
export const SPARE_BATCHES = 4;

/** How often the worker attaches the probe counters to a batch (ms). */
const STATS_EVERY_MS = 100;

const WORKER_TAG = 'tsysdig-live-worker';

/** The compiled worker entry (the worker cannot load TypeScript sources). */
function workerEntry(): string {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.js')) return self;
  // running from src/ (vitest, ts tooling) or from the CLI bundle (dist/bundle/tsysdig.cjs):
  // use the tsc-built copy ($TSYSDIG_DIST overrides dist/)
  const dist = process.env.TSYSDIG_DIST ?? path.resolve(path.dirname(self), '../../dist');
  const built = path.join(dist, 'live/live-worker.js');
  if (!fs.existsSync(built)) throw new Error(`worker drain needs the built sources (${built}): run npm run build`);
  return built;
}

function toLiveError(m: Extract<FromWorker, { t: 'error' }>): Error {
  if (!m.kind) return new Error(m.message);
  const e = new LiveError(m.kind, m.message, m.errno);
  e.detail = m.detail;
  return e;
}

export class WorkerLiveSource {
  readonly ncpus: number;
  private readonly worker: Worker;
  private readonly ctl: MessagePort;
  private readonly ev = new ScapEvent();
  private readonly records = new RingRecordDecoder();
  private readonly queue: { buf: ArrayBuffer; bytes: number }[] = [];
  private wake: (() => void) | null = null;
  private delivered = 0;
  private malformed = 0;
  private stopping = false;
  private finished: Promise<LiveStats>;
  private finalStats: LiveStats | null = null;
  private failure: Error | null = null;
  private statsWaiters = new Map<number, (s: LiveStats) => void>();
  private statsId = 0;
  /** The probe counters most recently sent along with a batch. */
  private latest: LiveStats | null = null;
  private startedFlag = false;
  private startWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  private constructor(worker: Worker, ctl: MessagePort, ncpus: number) {
    this.worker = worker;
    this.ctl = ctl;
    this.ncpus = ncpus;
    this.finished = new Promise((resolve) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'batch':
            if (m.stats) this.latest = m.stats;
            this.queue.push({ buf: m.buf, bytes: m.bytes });
            this.kick();
            break;
          case 'started':
            this.startedFlag = true;
            for (const w of this.startWaiters.splice(0)) w.resolve();
            break;
          case 'stats':
            this.statsWaiters.get(m.id)?.(this.withLocal(m.stats));
            this.statsWaiters.delete(m.id);
            break;
          case 'stopped':
            this.finalStats = this.withLocal(m.stats);
            resolve(this.finalStats);
            for (const w of this.startWaiters.splice(0)) w.reject(new Error('live capture stopped before it started'));
            break;
          case 'error':
            this.failure = toLiveError(m);
            for (const w of this.startWaiters.splice(0)) w.reject(this.failure);
            this.kick();
            break;
        }
      });
      worker.on('error', (err) => {
        this.failure = err;
        this.kick();
      });
      worker.on('exit', () => {
        if (!this.finalStats) resolve(this.withLocal(emptyStats()));
        for (const w of this.startWaiters.splice(0)) w.reject(this.failure ?? new Error('live capture worker exited'));
        this.kick();
      });
    });
  }

  /** Starts the worker and loads the probe there. Rejects with LiveError on failure. */
  static open(opts: WorkerLiveOptions = {}): Promise<WorkerLiveSource> {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(workerEntry(), {
      // null (exclude nobody) must survive: only undefined means "this process"
      workerData: { tag: WORKER_TAG, opts: { ...opts, onLibbpfLog: undefined, excludePid: opts.excludePid === undefined ? process.pid : opts.excludePid }, ctl: port2 },
      transferList: [port2],
    });
    return new Promise((resolve, reject) => {
      const onMsg = (m: FromWorker) => {
        if (m.t === 'ready') {
          worker.off('message', onMsg);
          worker.off('error', reject);
          resolve(new WorkerLiveSource(worker, port1, m.ncpus));
        } else if (m.t === 'error') {
          worker.off('message', onMsg);
          void worker.terminate();
          reject(toLiveError(m));
        }
      };
      worker.on('message', onMsg);
      worker.on('error', reject);
    });
  }

  /** Attaches the probe and starts draining in the worker. */
  start(): void {
    this.post({ t: 'start' });
  }

  /**
   * Resolves once the probe is attached and events are being generated
   * (after start()); rejects with the LiveError when attaching failed.
   */
  whenStarted(): Promise<void> {
    if (this.startedFlag) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.startWaiters.push({ resolve, reject }));
  }

  /** Pauses / resumes event generation in the probe. */
  setCapture(on: boolean): void {
    this.post({ t: on ? 'resume' : 'pause' });
  }

  /** Changes the I/O snapshot length on the fly (e.g. more bytes while an echo view is open). */
  setSnaplen(bytes: number): void {
    this.post({ t: 'snaplen', bytes });
  }

  private post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.ctl.postMessage(m, transfer ?? []);
  }

  private kick(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /**
   * Delivers events to sink until stop(), the signal, sink.onEvent
   * returning false, or the worker ending. Between batches it yields to the
   * event loop, so a render timer keeps running.
   */
  async run(sink: CaptureSink, opts: { signal?: AbortSignal; machineInfo?: boolean } = {}): Promise<void> {
    const onAbort = () => {
      this.stopping = true;
      this.kick();
    };
    if (opts.signal?.aborted) this.stopping = true;
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.machineInfo !== false) sink.onMachineInfo?.({ numCpus: this.ncpus, memoryBytes: os.totalmem(), maxEventSize: MAX_EVENT_LEN, hostname: liveHostname() });
    try {
      while (!this.stopping) {
        if (this.failure) throw this.failure;
        const batch = this.queue.shift();
        if (!batch) {
          if (this.finalStats) break;
          await new Promise<void>((r) => (this.wake = r));
          continue;
        }
        const keepGoing = this.deliver(sink, batch.buf, batch.bytes);
        this.post({ t: 'buf', buf: batch.buf }, [batch.buf]);
        if (!keepGoing) {
          this.stopping = true;
          break;
        }
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private deliver(sink: CaptureSink, ab: ArrayBuffer, bytes: number): boolean {
    const ev = this.ev;
    const records = this.records;
    const buf = Buffer.from(ab, 0, bytes);
    let go = true;
    walkCopiedRecords(buf, bytes, (b, off, len) => {
      const bad = records.decode(ev, b, off, len);
      if (bad !== null) {
        if (++this.malformed === 1) sink.onWarning?.(`live: malformed event from the probe (${bad})`);
        return true;
      }
      ev.evtFlags = 0;
      ev.num = ++this.delivered;
      if (sink.onEvent(ev) === false) {
        go = false;
        return false;
      }
      return true;
    });
    ev.release(); // the batch goes back to the worker
    return go;
  }

  /** Batches received from the worker and not yet delivered (the main thread's backlog). */
  get backlog(): number {
    return this.queue.length;
  }

  /** Makes run() return after the current batch. */
  stop(): void {
    this.stopping = true;
    this.kick();
  }

  /**
   * The probe counters as of the latest batch (at most ~100 ms older than
   * that batch), plus what this side delivered. Synchronous.
   */
  latestStats(): LiveStats {
    if (this.finalStats) return this.finalStats;
    return this.withLocal(this.latest ?? emptyStats());
  }

  /** Probe counters (from the worker) plus what this side delivered. */
  stats(): Promise<LiveStats> {
    if (this.finalStats) return Promise.resolve(this.finalStats);
    const id = ++this.statsId;
    return new Promise((resolve) => {
      this.statsWaiters.set(id, resolve);
      this.post({ t: 'stats', id });
    });
  }

  private withLocal(s: LiveStats): LiveStats {
    return { ...s, delivered: this.delivered, malformed: this.malformed };
  }

  /** Detaches the probe, stops the worker; resolves with the final counters. */
  async close(): Promise<LiveStats> {
    this.stopping = true;
    this.kick();
    if (!this.finalStats) this.post({ t: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<LiveStats>((r) => (timer = setTimeout(() => r(this.withLocal(emptyStats())), 5000)));
    const stats = await Promise.race([this.finished, timeout]);
    clearTimeout(timer); // a pending timer would keep the process alive
    this.ctl.close();
    await this.worker.terminate();
    return stats;
  }
}

function emptyStats(): LiveStats {
  return { delivered: 0, written: 0, dropsFull: 0, dropsBug: 0, truncated: 0, perCpu: [], malformed: 0 };
}

// ---------------------------------------------------------------- worker side

function workerMain(): void {
  const data = workerData as { opts: WorkerLiveOptions; ctl: MessagePort };
  const port = parentPort!;
  const ctl = data.ctl;
  const opts = data.opts;
  const batchBytes = Math.max(64 * 1024, opts.batchBytes ?? 1 << 20);
  const maxBatches = Math.max(2, Math.floor((opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES) / batchBytes));
  const idleMs = opts.idleMs ?? 50;
  const coalesceMs = Math.max(0, opts.coalesceMs ?? 10);
  const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

  let src: LiveSource;
  try {
    src = LiveSource.open(opts);
  } catch (err) {
    const e = err as LiveError;
    send({ t: 'error', kind: err instanceof LiveError ? e.kind : null, message: e.message, errno: e.errno ?? 0, detail: e.detail ?? [] });
    return;
  }
  send({ t: 'ready', ncpus: src.ncpus });

  const free: ArrayBuffer[] = [];
  let allocated = 0;
  let started = false;
  let stopped = false;

  const handle = (m: ToWorker): void => {
    switch (m.t) {
      case 'start':
        if (!started) {
          try {
            src.start();
            started = true;
            send({ t: 'started' });
          } catch (err) {
            const e = err as LiveError;
            send({ t: 'error', kind: err instanceof LiveError ? e.kind : null, message: e.message, errno: e.errno ?? 0, detail: e.detail ?? [] });
            stopped = true;
          }
        }
        break;
      case 'pause':
        src.setCapture(false);
        break;
      case 'resume':
        src.setCapture(true);
        break;
      case 'snaplen':
        src.setSnaplen(m.bytes);
        break;
      case 'stats':
        send({ t: 'stats', id: m.id, stats: src.stats() });
        break;
      case 'buf':
        if (free.length < SPARE_BATCHES) free.push(m.buf);
        else allocated--; // let go: garbage once this message is gone
        break;
      case 'stop':
        stopped = true;
        break;
    }
  };

  const pump = (): void => {
    for (let m = receiveMessageOnPort(ctl); m; m = receiveMessageOnPort(ctl)) handle(m.message as ToWorker);
  };

  // Wait for 'start' (or 'stop') without spinning.
  ctl.on('message', (m: ToWorker) => {
    handle(m);
    if (started || stopped) {
      ctl.removeAllListeners('message');
      loop();
    }
  });

  const nap = new Int32Array(new SharedArrayBuffer(4));
  const procinfoMs = Math.max(0, opts.procinfoMs ?? 0);
  const procinfo = procinfoMs > 0 ? new ProcInfoScanner({ excludePid: opts.excludePid, hostRoot: opts.hostRoot }) : null;
  /** Wall-clock ms of the next procinfo round (0: at once). */
  let nextProcinfo = 0;
  /** Entries of the current procinfo round still to be sent (-1: none pending). */
  let procinfoNext = -1;
  let procinfoTs = 0n;
  let lastStats = 0;
  const clockBuf = Buffer.alloc(16);

  /** The last batch was small: let events accumulate before the next copy. */
  let coalesce = false;

  const takeBuf = (): ArrayBuffer | undefined => {
    let buf = free.pop();
    if (!buf && allocated < maxBatches) {
      buf = new ArrayBuffer(batchBytes);
      allocated++;
    }
    return buf;
  };

  const sendBatch = (buf: ArrayBuffer, bytes: number): void => {
    const now = Date.now();
    if (now - lastStats >= STATS_EVERY_MS) {
      lastStats = now;
      send({ t: 'batch', buf, bytes, stats: src.stats() }, [buf]);
    } else send({ t: 'batch', buf, bytes }, [buf]);
  };

  function loop(): void {
    const reader = src.reader;
    while (!stopped) {
      pump();
      if (stopped) break;
      if (coalesce) {
        coalesce = false;
        Atomics.wait(nap, 0, 0, coalesceMs);
        pump();
        if (stopped) break;
      }
      const buf = takeBuf();
      if (!buf) {
        // every batch is waiting for the main thread: let the ring absorb
        // (and the probe count) the excess while we sleep a little
        Atomics.wait(nap, 0, 0, 2);
        continue;
      }
      const due = procinfo !== null && procinfoNext < 0 && Date.now() >= nextProcinfo;
      // Taken before the ring is copied: events after the procinfo round in the stream are later.
      if (due) procinfoTs = clockNs(CLOCK_REALTIME, clockBuf);
      if (procinfoNext < 0 || due) {
        const bytes = reader.copyOut(Buffer.from(buf));
        if (bytes > 0 && bytes < batchBytes >>> 2 && coalesceMs > 0) coalesce = true;
        if (due) {
          procinfo!.scan();
          procinfoNext = 0;
          nextProcinfo = (Math.floor(Date.now() / procinfoMs) + 1) * procinfoMs;
        }
        if (bytes > 0) {
          sendBatch(buf, bytes);
          continue;
        }
      }
      if (procinfoNext >= 0) {
        // a pending procinfo round goes out before any later ring data
        const r = procinfo!.encode(Buffer.from(buf), procinfoNext, procinfoTs);
        procinfoNext = r.next >= procinfo!.count ? -1 : r.next;
        if (r.bytes > 0) {
          sendBatch(buf, r.bytes);
          continue;
        }
      }
      free.push(buf);
      const wait = procinfo !== null && procinfoNext < 0 ? Math.max(1, Math.min(idleMs, nextProcinfo - Date.now())) : idleMs;
      reader.wait(procinfoNext >= 0 ? 0 : wait);
    }
    const stats = src.stats();
    src.close();
    send({ t: 'stopped', stats });
  }
}

if (!isMainThread && (workerData as { tag?: string } | null)?.tag === WORKER_TAG) workerMain();
