/**
 * RotatingWriter: a live capture kept as a ring of files in a directory, so
 * a node agent always holds "the last few minutes" without filling the disk
 * (`tsysdig -w DIR --rotate-seconds N --rotate-keep K`).
 *
 *   const w = await RotatingWriter.open('/var/lib/tsysdig', { seconds: 60, keep: 5 });
 *   w.writeSnapshot(engine);   // at the first event, as with a plain -w
 *   w.writeEvent(ev);          // per event: the current file's ScapWriter
 *   await w.flush();           // every second: on disk, and a new file when N seconds have passed
 *   await w.close();
 *
 * Every file is a complete capture (sysdig -r reads each on its own): a new
 * file starts with the snapshot of the state engine at that moment (machine,
 * interfaces, users, processes, fds, containers), then the events. Rotation
 * happens in flush(), off the event path: the next file is opened and its
 * snapshot written synchronously before it replaces the current one, so no
 * event falls between two files.
 *
 * The file being written is `tsysdig-<UTC time>.scap.part` (`.scap.gz.part`
 * with gzip); it is renamed to `.scap` when closed, and then only the K newest
 * closed captures are kept (older ones are deleted). So the directory holds at
 * most K captures, each complete, plus the one in progress (two for the
 * moment of a rotation, while the last one closes). The names sort in
 * time order; `.part` files a killed agent left are closed (renamed) at open:
 * they read up to their last whole block. Files are mode 0600, the directory
 * is created 0700.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ScapEvent } from '../../event/scap-event.js';
import type { ContainerInfo } from '../../state/containers.js';
import type { StateEngine } from '../../state/engine.js';
import { ScapWriter, type ScapWriterOptions, type SnapshotOptions } from './scap-writer.js';
import type { SnapshotLists } from './snapshot.js';
import { captureWriteError } from './write-error.js';

export interface RotationOptions {
  /** Seconds of capture per file (wall time: live events carry wall time). */
  seconds: number;
  /** Closed files kept (the oldest are deleted). */
  keep: number;
  gzip?: boolean;
  /** Writer options for each file (chunk size, I/O; tests). */
  writer?: Omit<ScapWriterOptions, 'gzip'>;
  /** Clock, ms (tests). */
  now?: () => number;
}

const PREFIX = 'tsysdig-';
const PART = '.part';
/** A closed capture of ours: tsysdig-<time>.scap or .scap.gz. */
const CLOSED = /^tsysdig-\d{8}T\d{6}\.\d{3}Z\.scap(\.gz)?$/;

/** The name of a capture started at `ms` (UTC, ms resolution: names sort in time order). */
export function rotatedName(ms: number, gzip: boolean): string {
  const iso = new Date(ms).toISOString(); // 2026-12-05T09:15:00.123Z
  const stamp = iso.replace(/[-:]/g, ''); // 20261205T091500.123Z
  return `${PREFIX}${stamp}.scap${gzip ? '.gz' : ''}`;
}

/** True for the name of a closed (complete) rotated capture. */
export function isRotatedName(name: string): boolean {
  return CLOSED.test(name);
}

/** The closed captures in `dir`, oldest first. */
export function listRotated(dir: string): string[] {
  return fs.readdirSync(dir).filter(isRotatedName).sort();
}

export class RotatingWriter {
  /** Files closed (rotated or at close). */
  filesClosed = 0;
  /** Closed files deleted to keep K. */
  filesDeleted = 0;
  private current: ScapWriter;
  private startedMs: number;
  private engine: StateEngine | null = null;
  private lists: SnapshotLists | undefined;
  private closed = false;
  /** Events and bytes of the files already closed. */
  private doneEvents = 0;
  private doneFileBytes = 0;

  private constructor(
    readonly dir: string,
    private readonly opts: RotationOptions,
    first: ScapWriter,
    startedMs: number,
  ) {
    this.current = first;
    this.startedMs = startedMs;
  }

  static async open(dir: string, opts: RotationOptions): Promise<RotatingWriter> {
    if (!(opts.seconds >= 1)) throw new RangeError(`rotation needs at least 1 second per file, got ${opts.seconds}`);
    if (!Number.isInteger(opts.keep) || opts.keep < 1) throw new RangeError(`rotation needs at least 1 file kept, got ${opts.keep}`);
    try {
      if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // What a killed agent left: close it (its whole blocks read), then keep K.
      for (const n of fs.readdirSync(dir)) {
        if (n.startsWith(PREFIX) && n.endsWith(PART) && CLOSED.test(n.slice(0, -PART.length))) fs.renameSync(path.join(dir, n), path.join(dir, n.slice(0, -PART.length)));
      }
    } catch (err) {
      throw captureWriteError('create', dir, err);
    }
    const now = (opts.now ?? Date.now)();
    const first = await ScapWriter.open(path.join(dir, rotatedName(now, opts.gzip === true) + PART), { ...opts.writer, gzip: opts.gzip === true });
    const w = new RotatingWriter(dir, opts, first, now);
    w.prune();
    return w;
  }

  /** The file being written. */
  get path(): string {
    return this.current.path;
  }

  /** Events written, all files. */
  get events(): number {
    return this.doneEvents + this.current.events;
  }

  /** Bytes on disk written, all files (compressed with gzip). */
  get fileBytes(): number {
    return this.doneFileBytes + this.current.fileBytes;
  }

  /** The first file's snapshot; the engine is kept to snapshot each new file. */
  writeSnapshot(engine: StateEngine, given?: SnapshotLists, opts?: SnapshotOptions): void {
    this.engine = engine;
    this.lists = given;
    this.current.writeSnapshot(engine, given, opts);
  }

  writeEvent(ev: ScapEvent): boolean {
    return this.current.writeEvent(ev);
  }

  writeContainerEvent(info: ContainerInfo): void {
    this.current.writeContainerEvent(info);
  }

  /** Puts the current file on disk, and starts the next one when its time is up. */
  async flush(): Promise<void> {
    if (this.closed) return;
    const now = (this.opts.now ?? Date.now)();
    if (this.engine !== null && now - this.startedMs >= this.opts.seconds * 1000) await this.rotate(now);
    else await this.current.flush();
  }

  private async rotate(now: number): Promise<void> {
    const next = await ScapWriter.open(path.join(this.dir, rotatedName(now, this.opts.gzip === true) + PART), { ...this.opts.writer, gzip: this.opts.gzip === true });
    if (this.closed) {
      await next.close();
      fs.rmSync(next.path, { force: true });
      return;
    }
    // Synchronously: the snapshot of this moment, then every later event goes to the new file.
    next.writeSnapshot(this.engine!, this.lists);
    const old = this.current;
    this.current = next;
    this.startedMs = now;
    await this.finishFile(old);
    this.prune();
  }

  /** Closes a file and gives it its final name. */
  private async finishFile(w: ScapWriter): Promise<void> {
    await w.close();
    this.doneEvents += w.events;
    this.doneFileBytes += w.fileBytes;
    try {
      fs.renameSync(w.path, w.path.slice(0, -PART.length));
    } catch (err) {
      throw captureWriteError('write', w.path, err);
    }
    this.filesClosed++;
  }

  /** Deletes the oldest closed captures beyond K. */
  private prune(): void {
    const closed = listRotated(this.dir);
    for (const n of closed.slice(0, Math.max(0, closed.length - this.opts.keep))) {
      fs.rmSync(path.join(this.dir, n), { force: true });
      this.filesDeleted++;
    }
  }

  /** Closes the current file (renamed, then K kept). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.finishFile(this.current);
    this.prune();
  }
}
