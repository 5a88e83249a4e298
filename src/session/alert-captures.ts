/**
 * Captures around alerts (`--capture-alerts DIR`, or `capture: true` on a
 * rule): for an alert at time T, a .scap file holding the events from
 * T - before (out of the HistoryRing) to T + after (as they arrive), with the
 * state's process/fd tables and container metadata at its start, so
 * `sysdig -r`, `csysdig -r` and `tsysdig -r` read it like any capture.
 *
 * - An alert while a file is still being written (T <= its end) extends
 *   that file to T + after instead of starting another: a burst of alerts is
 *   one file, named after the first alert's time and rule.
 * - Files are created 0600 without following links and never replace a file.
 * - With a size limit, the oldest capture files of this kind in DIR are
 *   removed after each file is completed until the rest fit, with a line
 *   saying which.
 *
 * The file is created on the event path (synchronously: a replay may read
 * on for a whole window before an asynchronous open returned); what the
 * ring holds from T - before goes in at once, then each later event.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ScapWriter } from '../capture/writer/index.js';
import { CaptureWriteError } from '../capture/writer/write-error.js';
import type { ScapEvent } from '../event/scap-event.js';
import type { ContainerInfo } from '../state/containers.js';
import type { StateEngine } from '../state/engine.js';
import type { EventConsumer } from './consumer.js';
import type { HistoryRing } from './history-ring.js';

export interface AlertCaptureOptions {
  dir: string;
  /** Seconds of events before the alert (at most what the ring holds). */
  beforeS: number;
  /** Seconds of events after the alert. */
  afterS: number;
  /** Keep the capture files of DIR under this many MiB (0: no limit). */
  maxMb?: number;
  gzip?: boolean;
  /** One line for the user (a file written, a file removed, a failure). */
  onNotice?: (line: string) => void;
  /** Called with each file once it is complete on disk. */
  onWritten?: (file: string) => void;
  /** Before each file name (Falco's path_prefix: `/tmp/falco` is DIR /tmp, prefix `falco_`). */
  namePrefix?: string;
}

/** Names of the files this writes: `[prefix]<UTC time>_<rule>.scap[.gz]`. */
const NAME_RE = /^\d{8}T\d{6}\.\d{9}Z_[A-Za-z0-9_.-]*?(?:\.\d+)?\.scap(?:\.gz)?$/;

interface OpenCapture {
  readonly writer: ScapWriter;
  readonly path: string;
  /** Events up to this time go in (ns). */
  endNs: number;
  /** Events after this number still need writing. */
  lastNum: number;
  alerts: number;
}

export class AlertCaptures implements EventConsumer {
  private current: OpenCapture | null = null;
  private closing: Promise<void>[] = [];
  /** Files completed (for tests and the status line). */
  readonly written: string[] = [];

  constructor(
    private readonly ring: HistoryRing,
    private readonly engine: StateEngine,
    private readonly opts: AlertCaptureOptions,
  ) {}

  /**
   * An alert fired on the event being processed (already in the ring).
   * `afterS`: this alert's seconds after (a rule's capture_duration), else the option's;
   * `exactTs`: the alert's time to the nanosecond, for the file name (a number holds ~256 ns).
   */
  onAlert(tsNs: number, rule: string, afterS: number = this.opts.afterS, exactTs?: bigint): void {
    const cur = this.current;
    const endNs = tsNs + afterS * 1e9;
    if (cur !== null && tsNs <= cur.endNs) {
      cur.endNs = Math.max(cur.endNs, endNs);
      cur.alerts++;
      return;
    }
    if (cur !== null) this.complete(cur);
    const created = this.create((this.opts.namePrefix ?? '') + captureName(exactTs ?? tsNs, rule, this.opts.gzip === true));
    if (created === null) return;
    const [file, writer] = created;
    const cap: OpenCapture = { writer, path: file, endNs, lastNum: 0, alerts: 1 };
    // The state as it is now, then what the ring holds from T - before (the alert's event included).
    writer.writeSnapshot(this.engine);
    this.ring.forEachSince(tsNs - this.opts.beforeS * 1e9, (ev) => {
      writer.writeEvent(ev);
      cap.lastNum = ev.num;
    });
    this.current = cap;
  }

  /** A new file under `name`, or `name` with .2, .3 ... when taken (by a file or a planted link: neither is touched). */
  private create(name: string): [string, ScapWriter] | null {
    const dot = name.indexOf('.scap');
    for (let n = 1; ; n++) {
      const file = path.join(this.opts.dir, n === 1 ? name : `${name.slice(0, dot)}.${n}${name.slice(dot)}`);
      try {
        return [file, ScapWriter.createSync(file, { gzip: this.opts.gzip === true })];
      } catch (err) {
        if (n < 100 && err instanceof CaptureWriteError && err.code === 'EEXIST') continue;
        this.opts.onNotice?.(`cannot write alert capture: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    }
  }

  onEvent(ev: ScapEvent): void {
    const cur = this.current;
    if (cur === null) return;
    if (ev.ts > cur.endNs) {
      this.complete(cur);
      return;
    }
    if (ev.num > cur.lastNum) {
      cur.writer.writeEvent(ev);
      cur.lastNum = ev.num;
    }
  }

  onContainer(info: ContainerInfo): void {
    this.current?.writer.writeContainerEvent(info);
  }

  finish(): void {
    if (this.current !== null) this.complete(this.current);
  }

  /** Completes the file being written and waits until every file is on disk. */
  async close(): Promise<void> {
    this.finish();
    await Promise.all(this.closing);
  }

  private async closeFile(cap: OpenCapture): Promise<void> {
    const w = cap.writer;
    try {
      await w.close();
      this.written.push(cap.path);
      this.opts.onWritten?.(cap.path);
      this.opts.onNotice?.(`alert capture ${cap.path} (${cap.alerts} alert${cap.alerts === 1 ? '' : 's'}, ${w.events} events)`);
      await this.enforceLimit(cap.path);
    } catch (err) {
      this.opts.onNotice?.(`cannot write alert capture ${cap.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private complete(cap: OpenCapture): void {
    if (this.current === cap) this.current = null;
    this.closing.push(this.closeFile(cap));
  }

  /** Removes the oldest capture files of DIR until the rest fit in maxMb (the newest is always kept). */
  private async enforceLimit(newest: string): Promise<void> {
    const limit = (this.opts.maxMb ?? 0) * 1024 * 1024;
    if (limit <= 0) return;
    const files: { path: string; size: number; mtimeMs: number }[] = [];
    const prefix = this.opts.namePrefix ?? '';
    for (const name of await readdir(this.opts.dir)) {
      if (!name.startsWith(prefix) || !NAME_RE.test(name.slice(prefix.length))) continue;
      const p = path.join(this.opts.dir, name);
      try {
        const st = await stat(p);
        if (st.isFile()) files.push({ path: p, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
    let total = files.reduce((n, f) => n + f.size, 0);
    for (const f of files) {
      if (total <= limit || f.path === newest) break;
      await unlink(f.path).catch(() => undefined);
      total -= f.size;
      this.opts.onNotice?.(`removed ${f.path} to keep alert captures under ${this.opts.maxMb} MB`);
    }
  }
}

/** `20261205T091523.123456789Z_Write_below_etc.scap`: sortable by time, safe in any shell. */
export function captureName(tsNs: number | bigint, rule: string, gzip: boolean): string {
  const exact = typeof tsNs === 'bigint' ? tsNs : BigInt(Math.round(tsNs));
  const ms = exact / 1000000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-12-05T09:15:23.123Z
  const ns = String(exact - ms * 1000000n).padStart(6, '0');
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.${iso.slice(20, 23)}${ns.slice(0, 6)}Z`;
  const slug = rule.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);
  return `${stamp}_${slug}.scap${gzip ? '.gz' : ''}`;
}
