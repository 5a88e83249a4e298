/**
 * Where the UI's events come from. A replay reads a capture file from the
 * start every time the screen changes (as csysdig does for files); a live
 * source runs once and keeps feeding the same sink while screens come and
 * go. Anything that can feed a CaptureSink fits: the replay below, or the
 * eBPF LiveSource wrapped in the same interface.
 */
import { stat, open } from 'node:fs/promises';
import { openByteSource, type ByteSource } from '../capture/byte-source.js';
import type { CaptureSink } from '../capture/records.js';
import { readCaptureFrom } from '../capture/scap-reader.js';

export interface SourceStats {
  /** Events lost by the source (live ring full), null when not applicable. */
  drops: number | null;
  /** Streams (--ssh, -r -): bytes received per second, on the wire. */
  bytesPerSec?: number;
}

export interface EventSource {
  /** True for live capture: screens restart their tables, not the source. */
  readonly live: boolean;
  /** Shown on the "Source:" line: the file name, "Live System", or a stream with its rate. */
  readonly name: string;
  /**
   * Feeds `sink` until the capture ends (replay) or `signal` aborts.
   * Rejects with the abort reason when aborted, with CaptureError on damage.
   */
  run(sink: CaptureSink, signal: AbortSignal): Promise<void>;
  /** Fraction of the capture read so far, 0..1 (replays; null when unknown). */
  progress(): number | null;
  stats(): SourceStats;
  /** Live: bytes of I/O buffers to capture (echo/dig want more); null restores the default. */
  setSnaplen?(bytes: number | null): void;
}

/** Replays a .scap file (plain or gzip). */
export class ReplaySource implements EventSource {
  readonly live = false;
  private bytesRead = 0;
  /** Uncompressed size: the file size, gzip's ISIZE trailer, or what the first full read found. */
  private totalBytes: number | null = null;

  constructor(readonly name: string) {}

  async run(sink: CaptureSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.totalBytes === null) this.totalBytes = await uncompressedSize(this.name);
    this.bytesRead = 0;
    const inner = await openByteSource(this.name);
    const counting: ByteSource = {
      read: async (target, offset, length) => {
        const n = await inner.read(target, offset, length);
        this.bytesRead += n;
        return n;
      },
      close: () => inner.close(),
    };
    try {
      const r = await readCaptureFrom(counting, sink, { signal });
      this.totalBytes = r.bytes;
      this.bytesRead = r.bytes;
    } finally {
      await inner.close();
    }
  }

  progress(): number | null {
    if (this.totalBytes === null || this.totalBytes <= 0) return null;
    return Math.min(1, this.bytesRead / this.totalBytes);
  }

  stats(): SourceStats {
    return { drops: null };
  }
}

/** The file size, or for gzip files the size recorded in the trailer (mod 2^32), when plausible. */
async function uncompressedSize(path: string): Promise<number | null> {
  try {
    const st = await stat(path);
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(2);
      await fh.read(head, 0, 2, 0);
      if (head[0] !== 0x1f || head[1] !== 0x8b) return st.size;
      if (st.size < 18) return null;
      const tail = Buffer.alloc(4);
      await fh.read(tail, 0, 4, st.size - 4);
      const isize = tail.readUInt32LE(0);
      return isize >= st.size ? isize : null;
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}
