/**
 * A .scap file (plain or gzip) as an event source. Each run reads the file
 * from its first byte, so a screen that restarts gets the whole capture,
 * snapshot blocks included, as csysdig reopens a file.
 */
import { stat, open } from 'node:fs/promises';
import { openByteSource, type ByteSource } from '../capture/byte-source.js';
import type { CaptureSink } from '../capture/records.js';
import { readCaptureFrom } from '../capture/scap-reader.js';
import type { EventSource, SourceStats } from './event-source.js';

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
