/**
 * What a capture is read from: a file path (replayed: it can be read again
 * from the start), or a stream that is still being written while it is read
 * (`-r -`, a pipe, a FIFO, `--ssh HOST`), which is shown as it arrives, like
 * live capture, and read once.
 */
import { isStreamPath, openByteSource, STDIN_PATH, type ByteSource } from './byte-source.js';

export interface StreamInput {
  /** For the user: "stdin", the FIFO's path, "ssh root@node". */
  readonly name: string;
  /** Starts the stream (for ssh: runs the remote capture). Called once. */
  open(): Promise<ByteSource>;
}

export type CaptureInput = string | StreamInput;

/** The stream behind `-r PATH` when PATH is standard input, a pipe or a FIFO; null for a regular file. */
export function streamOfPath(path: string): StreamInput | null {
  if (!isStreamPath(path)) return null;
  return { name: path === STDIN_PATH ? 'stdin' : path, open: () => openByteSource(path) };
}

/** A path that names a stream becomes that stream; files stay paths. */
export function captureInput(path: string): CaptureInput {
  return streamOfPath(path) ?? path;
}

export function isStream(input: CaptureInput): input is StreamInput {
  return typeof input !== 'string';
}

export function openInput(input: CaptureInput): Promise<ByteSource> {
  return typeof input === 'string' ? openByteSource(input) : input.open();
}

/** Bytes per second over the last measured second, from a stream's received byte count. */
export class ByteRate {
  private lastAt = Date.now();
  private lastBytes = 0;
  private rate = 0;

  constructor(private readonly bytes: () => number) {}

  /** The rate, recomputed when a second or more passed since the last time. */
  perSecond(): number {
    const now = Date.now();
    const dt = now - this.lastAt;
    if (dt >= 1000) {
      const b = this.bytes();
      this.rate = ((b - this.lastBytes) * 1000) / dt;
      this.lastBytes = b;
      this.lastAt = now;
    }
    return this.rate;
  }
}

/** "12.3 KB/s", as the status bar and the Source line show it. */
export function formatByteRate(bps: number): string {
  if (bps < 1000) return `${Math.round(bps)} B/s`;
  if (bps < 1e6) return `${(bps / 1000).toFixed(1)} KB/s`;
  return `${(bps / 1e6).toFixed(2)} MB/s`;
}
