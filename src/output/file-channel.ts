/**
 * Falco's file_output (filename, keep_alive), with rotation for shippers
 * (--output-file/--output-max-mb/--output-keep; rotating-file.ts). Writes
 * are synchronous, like Falco's: a local file is fast, and a replay that
 * never yields still gets every line. Lines are gathered into whole-line
 * writes of up to 64 KiB, flushed at that size, every 100 ms, and at close.
 * A failing write (full disk, removed directory) is reported once per
 * outage; its lines are counted as dropped.
 */
import { encodeText } from './encode.js';
import { DEFAULT_PRIORITY, newStats, type Channel, type ChannelStats, type Priority } from './line-sink.js';
import { LineFile, openAppend, type RotationLimits } from './rotating-file.js';
import { closeSync } from 'node:fs';
import { stderrReport } from './queued-channel.js';

export interface FileChannelConfig extends RotationLimits {
  filename: string;
  keepAlive: boolean;
}

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 100;

export class FileChannel implements Channel {
  private readonly file: LineFile;
  private readonly st: ChannelStats;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    cfg: FileChannelConfig,
    private readonly report: (line: string) => void = stderrReport,
  ) {
    // Fail now, with one clear line, rather than at the first alert.
    closeSync(openAppend(cfg.filename));
    this.file = new LineFile(cfg.filename, cfg, cfg.keepAlive);
    this.st = newStats('file', cfg.filename);
  }

  write(line: string, _priority: Priority = DEFAULT_PRIORITY): void {
    this.st.accepted++;
    if (this.closed) {
      this.st.droppedAtClose++;
      return;
    }
    const b = encodeText(line + '\n');
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.file.append(lines);
      this.st.delivered += lines.length;
      if (this.st.failing) {
        this.st.failing = false;
        this.report(`tsysdig: output file ${this.file.path}: writing again`);
      }
    } catch (err) {
      this.st.droppedRejected += lines.length;
      if (!this.st.failing) {
        this.st.failing = true;
        this.st.outages++;
        this.report(`tsysdig: output file ${this.file.path}: ${err instanceof Error ? err.message : String(err)}; lines are dropped until a write succeeds`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
    this.file.close();
    this.closed = true;
  }

  stats(): ChannelStats {
    this.st.queued = this.pending.length;
    return { ...this.st };
  }
}
