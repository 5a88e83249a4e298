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
 * the probe counts the drops, exactly as without the worker.
 *
 *   const live = await WorkerLiveSource.open({ snaplen: 80 });
 *   live.start();
 *   await live.run(sink, { signal });
 *   await live.close();
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ScapEvent } from '../event/scap-event.js';
import type { CaptureSink } from '../capture/records.js';
import { LiveError, type LiveErrorKind } from './errors.js';
import { LiveSource, type LiveOptions, type LiveStats } from './live-source.js';
import { walkCopiedRecords } from './ring-reader.js';
import { MAX_EVENT_LEN, RECORD_TRAILER } from './probe-abi.js';

export interface WorkerLiveOptions extends LiveOptions {
  /** Size of one batch buffer (default 1 MiB). */
  batchBytes?: number;
  /** Most bytes of batches waiting for the main thread (default 64 MiB). */
  maxBufferedBytes?: number;
  /** Longest sleep of the worker when the ring is empty (default 50 ms). */
  idleMs?: number;
}

type ToWorker = { t: 'start' } | { t: 'pause' } | { t: 'resume' } | { t: 'stats'; id: number } | { t: 'stop' } | { t: 'buf'; buf: ArrayBuffer };

type FromWorker =
  | { t: 'ready'; ncpus: number }
  | { t: 'error'; kind: LiveErrorKind | null; message: string; errno: number; detail: string[] }
  | { t: 'batch'; buf: ArrayBuffer; bytes: number }
  | { t: 'stats'; id: number; stats: LiveStats }
  | { t: 'stopped'; stats: LiveStats };

const WORKER_TAG = 'tsysdig-live-worker';

/** The compiled worker entry (the worker cannot load TypeScript sources). */
function workerEntry(): string {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.js')) return self;
  // running from src/ (vitest, ts tooling): use the built copy ($TSYSDIG_DIST overrides dist/)
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

  private constructor(worker: Worker, ctl: MessagePort, ncpus: number) {
    this.worker = worker;
    this.ctl = ctl;
    this.ncpus = ncpus;
    this.finished = new Promise((resolve) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'batch':
            this.queue.push({ buf: m.buf, bytes: m.bytes });
            this.kick();
            break;
          case 'stats':
            this.statsWaiters.get(m.id)?.(this.withLocal(m.stats));
            this.statsWaiters.delete(m.id);
            break;
          case 'stopped':
            this.finalStats = this.withLocal(m.stats);
            resolve(this.finalStats);
            break;
          case 'error':
            this.failure = toLiveError(m);
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
        this.kick();
      });
    });
  }

  /** Starts the worker and loads the probe there. Rejects with LiveError on failure. */
  static open(opts: WorkerLiveOptions = {}): Promise<WorkerLiveSource> {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(workerEntry(), {
      workerData: { tag: WORKER_TAG, opts: { ...opts, onLibbpfLog: undefined, excludePid: opts.excludePid ?? process.pid }, ctl: port2 },
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

  /** Pauses / resumes event generation in the probe. */
  setCapture(on: boolean): void {
    this.post({ t: on ? 'resume' : 'pause' });
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
  async run(sink: CaptureSink, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const onAbort = () => {
      this.stopping = true;
      this.kick();
    };
    opts.signal?.addEventListener('abort', onAbort);
    sink.onMachineInfo?.({ numCpus: this.ncpus, memoryBytes: os.totalmem(), maxEventSize: MAX_EVENT_LEN, hostname: os.hostname() });
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
    const buf = Buffer.from(ab, 0, bytes);
    let go = true;
    walkCopiedRecords(buf, bytes, (b, off, len) => {
      const bad = ev.decode(b, off, len, 2, true);
      if (bad !== null) {
        if (++this.malformed === 1) sink.onWarning?.(`live: malformed event from the probe (${bad})`);
        return true;
      }
      ev.cpu = ev.len + RECORD_TRAILER <= len ? b.readUInt16LE(off + ev.len) : 0;
      ev.evtFlags = 0;
      ev.num = ++this.delivered;
      if (sink.onEvent(ev) === false) {
        go = false;
        return false;
      }
      return true;
    });
    ev.buf = Buffer.alloc(0); // the batch goes back to the worker
    return go;
  }

  /** Makes run() return after the current batch. */
  stop(): void {
    this.stopping = true;
    this.kick();
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
    const stats = await Promise.race([this.finished, new Promise<LiveStats>((r) => setTimeout(() => r(this.withLocal(emptyStats())), 5000))]);
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
  const maxBatches = Math.max(2, Math.floor((opts.maxBufferedBytes ?? 64 << 20) / batchBytes));
  const idleMs = opts.idleMs ?? 50;
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
      case 'stats':
        send({ t: 'stats', id: m.id, stats: src.stats() });
        break;
      case 'buf':
        free.push(m.buf);
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

  function loop(): void {
    const reader = src.reader;
    while (!stopped) {
      pump();
      if (stopped) break;
      let buf = free.pop();
      if (!buf && allocated < maxBatches) {
        buf = new ArrayBuffer(batchBytes);
        allocated++;
      }
      if (!buf) {
        // every batch is waiting for the main thread: let the ring absorb
        // (and the probe count) the excess while we sleep a little
        Atomics.wait(nap, 0, 0, 2);
        continue;
      }
      const bytes = reader.copyOut(Buffer.from(buf));
      if (bytes > 0) {
        send({ t: 'batch', buf, bytes }, [buf]);
      } else {
        free.push(buf);
        reader.wait(idleMs);
      }
    }
    const stats = src.stats();
    src.close();
    send({ t: 'stopped', stats });
  }
}

if (!isMainThread && (workerData as { tag?: string } | null)?.tag === WORKER_TAG) workerMain();
