/**
 * `-w FILE` as a consumer: the snapshot (machine, interfaces, users,
 * processes, fds, containers) just before the first event, then every event
 * the filter keeps (internal ones always: CPU times, containers), and
 * container events as live metadata arrives. Written in whole blocks and
 * flushed every second, so a capture cut short (SIGKILL, full disk) reads up
 * to its last complete block. With `rotate`, the path is a directory of
 * rotated captures (RotatingWriter): the flush every second also starts the
 * next file when its time is up. `-w -` streams to stdout, flushed every 100 ms;
 * a reader that goes away (EPIPE) fails the write, which stops the capture.
 */
import { ScapWriter } from '../capture/writer/index.js';
import { RotatingWriter } from '../capture/writer/rotating-writer.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EventCategory } from '../event/types.js';
import type { ContainerInfo } from '../state/containers.js';
import type { StateEngine } from '../state/engine.js';
import type { EventPredicate } from '../cli/event-filter.js';
import type { EventConsumer } from './consumer.js';

const FLUSH_PERIOD_MS = 1000;
/** `-w -`: a stream is sent this often, so its reader (tsysdig --ssh) is never further behind. */
export const STREAM_FLUSH_MS = 100;

/** A capture being written: one file, or a directory of rotated files. */
export type CaptureWriter = ScapWriter | RotatingWriter;

/** -w DIR --rotate-seconds N --rotate-keep K. */
export interface RotateSpec {
  seconds: number;
  keep: number;
}

export class CaptureFileConsumer implements EventConsumer {
  private snapshotWritten = false;
  private failure: unknown = null;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly writer: CaptureWriter,
    private readonly engine: StateEngine,
    private readonly filter: EventPredicate | null,
  ) {
    this.timer = setInterval(() => {
      if (this.snapshotWritten) this.writer.flush().catch((err: unknown) => (this.failure ??= err));
    }, writer instanceof ScapWriter && writer.isStream ? STREAM_FLUSH_MS : FLUSH_PERIOD_MS);
  }

  static async open(path: string, engine: StateEngine, opts: { gzip: boolean; filter: EventPredicate | null; rotate?: RotateSpec | null }): Promise<CaptureFileConsumer> {
    const writer = opts.rotate ? await RotatingWriter.open(path, { ...opts.rotate, gzip: opts.gzip }) : await ScapWriter.open(path, { gzip: opts.gzip });
    return new CaptureFileConsumer(writer, engine, opts.filter);
  }

  /** Events written so far. */
  get written(): number {
    return this.writer.events;
  }

  onSnapshot(engine: StateEngine, first: ScapEvent): void {
    this.snapshotWritten = true;
    this.writer.writeSnapshot(engine, undefined, { tsNs: first.tsBig() });
  }

  onEvent(ev: ScapEvent, engine: StateEngine): boolean {
    if (this.failure !== null) return false;
    if (this.filter === null || (ev.info.category & EventCategory.INTERNAL) !== 0 || this.filter(ev, engine)) this.writer.writeEvent(ev);
    return true;
  }

  /** Before the snapshot a container goes into it; after, as a container event. */
  onContainer(info: ContainerInfo): void {
    if (!this.snapshotWritten || this.failure !== null) return;
    try {
      this.writer.writeContainerEvent(info);
    } catch (err) {
      this.failure = err;
    }
  }

  finish(): void {
    if (!this.snapshotWritten && this.failure === null) {
      this.snapshotWritten = true;
      this.writer.writeSnapshot(this.engine);
    }
  }

  /** Flushes and closes the file; rejects with the first write error. Always call it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    // a run stopped before any event still leaves a readable capture (snapshot only)
    this.finish();
    await this.writer.close();
    if (this.failure !== null) throw this.failure;
  }
}
