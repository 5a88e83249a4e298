/**
 * Byte sources: the uncompressed bytes of a capture file, pulled in pieces.
 *
 * The reader owns one window buffer and asks the source to fill part of it
 * (`read`), so memory stays bounded by the window whatever the file size.
 * Plain files are read straight into the window. Gzip files (detected by the
 * 1f 8b magic, as sysdig writes them with -z) are inflated by a zlib stream
 * whose output pieces are copied into the window; zlib allocates those pieces
 * itself, one per 64 KiB of output, and we one per 32 KiB of input: per
 * chunk, never per event. Pipes, FIFOs and standard input are streams that
 * may still be growing (stream-source.ts).
 */
import { fstatSync, readSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { CaptureError } from './records.js';
import { StreamByteSource } from './stream-source.js';

export interface ByteSource {
  /**
   * Copies up to `length` (> 0) bytes of the uncompressed stream into
   * target[offset..]. Resolves to the count copied; 0 means the stream ended
   * cleanly. Rejects with CaptureError when the container itself is damaged
   * (a gzip stream that is corrupt or ends early), but only once every byte
   * inflated before the damage has been handed out.
   */
  read(target: Buffer, offset: number, length: number): Promise<number>;
  /** Releases the file; safe to call more than once. */
  close(): Promise<void>;
  /** Streams: bytes received so far, as they crossed the pipe or network (compressed when gzip). */
  readonly wireBytes?: number;
}

export const GZIP_MAGIC_0 = 0x1f;
export const GZIP_MAGIC_1 = 0x8b;
/** `-r -`: the capture comes on standard input. */
export const STDIN_PATH = '-';
/** Size of the pieces zlib hands back. */
const GZIP_CHUNK = 64 * 1024;
/**
 * Compressed bytes fed to zlib at a time. Deflate expands at most ~1000:1,
 * so even a pathological file inflates one chunk to a bounded ~32 MiB;
 * real captures to a few hundred KiB.
 */
const GZIP_INPUT_CHUNK = 32 * 1024;

/**
 * True when `path` is a capture still being written as it is read: `-`
 * (standard input) unless that is a regular file, a pipe, a FIFO, a socket,
 * a character device. Such captures are shown as they arrive (live), not
 * replayed. False for regular files and for paths that do not exist (the
 * open reports those).
 */
export function isStreamPath(path: string): boolean {
  try {
    return !(path === STDIN_PATH ? fstatSync(0) : statSync(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Opens `path` as plain or gzip according to its first two bytes; `-` is
 * standard input. Pipes, FIFOs and sockets are read as streams (see
 * StreamByteSource): they may not have ended yet. File-system errors
 * (ENOENT...) reject as they are.
 */
export async function openByteSource(path: string): Promise<ByteSource> {
  if (path === STDIN_PATH) {
    // Redirected from a file: a file, with everything files get (gzip damage recovery...).
    if (fstatSync(0).isFile()) path = '/dev/stdin';
    else if (process.stdin.isTTY) throw new CaptureError('-r - reads the capture from standard input, which is a terminal; pipe a capture into it (… | tsysdig --raw -r -)', 0);
    else return new StreamByteSource(process.stdin, () => process.stdin.pause());
  }
  const fh = await open(path, 'r');
  try {
    const regular = (await fh.stat()).isFile();
    const magic = Buffer.alloc(2);
    if (regular) {
      const { bytesRead } = await fh.read(magic, 0, 2, 0);
      if (bytesRead === 2 && magic[0] === GZIP_MAGIC_0 && magic[1] === GZIP_MAGIC_1) return new GzipFileSource(fh);
      return new PlainFileSource(fh);
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  // A pipe or FIFO (`zcat F.scap.gz | tsysdig -r /dev/stdin`) cannot seek, and may not have ended yet.
  return new StreamByteSource(fh.createReadStream({ highWaterMark: 64 * 1024 }));
}

/** An uncompressed regular file, read sequentially into the caller's buffer. */
class PlainFileSource implements ByteSource {
  private closed = false;

  constructor(private readonly fh: FileHandle) {}

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    // Position null = sequential reads from the current file position, which starts at 0.
    // A regular file is read synchronously: the reader has nothing else to do
    // meanwhile, and a round trip through the thread pool per window left the
    // main thread idle for a sixth of a replay. (Pipes and FIFOs, which could
    // block for as long as their writer likes, are StreamByteSources.)
    return readSync(this.fh.fd, target, offset, length, null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/**
 * A gzip file, inflated by a zlib stream and copied out piece by piece.
 *
 * We feed the compressed bytes ourselves, one small chunk at a time and only
 * when every inflated byte has been handed out, and take zlib's output from
 * 'data' events as it is produced: backpressure without relying on the
 * stream's internal buffer, which a zlib error destroys.
 *
 * One more trap: when a zlib write fails, Node drops all the output of that
 * write. A write that completes the gzip member and then meets trailing
 * garbage, or that runs into corrupt data, can thus lose up to a 64 KiB
 * piece of good output. So when an error comes from a write (not from the
 * end of input, which is what truncation looks like and loses nothing), we
 * inflate once more from the start, discard what was already handed out,
 * and feed the failing chunk one byte per write: the output lost with the
 * failing write is then at most what one compressed byte encodes.
 */
class GzipFileSource implements ByteSource {
  private gunzip: Gunzip;
  /** Inflated pieces not yet handed out, and how much of the first is taken. */
  private pieces: Buffer[] = [];
  private firstUsed = 0;
  /** Uncompressed bytes handed out so far: where damage is located. */
  private produced = 0;
  /** After a restart: inflated bytes to drop because they were handed out before. */
  private skip = 0;
  /** Compressed bytes fed so far, and where the last fed chunk started. */
  private fileOffset = 0;
  private lastChunkStart = 0;
  /** From this compressed offset on, feed one byte per write (set by the restart). */
  private fineFrom = Infinity;
  private restarted = false;
  private writing = false;
  private inputDone = false;
  private ended = false;
  private failure: unknown = null;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly fh: FileHandle) {
    this.gunzip = this.startInflater();
  }

  private startInflater(): Gunzip {
    const g = createGunzip({ chunkSize: GZIP_CHUNK });
    // Events of an inflater we replaced are stale: ignore them.
    g.on('data', (piece: Buffer) => {
      if (g === this.gunzip) this.accept(piece);
    });
    g.on('end', () => {
      if (g !== this.gunzip) return;
      this.ended = true;
      this.notify();
    });
    g.on('error', (err: unknown) => {
      if (g !== this.gunzip) return;
      this.failure = err;
      this.notify();
    });
    return g;
  }

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    for (;;) {
      if (this.pieces.length > 0) return this.copyOut(target, offset, length);
      if (this.failure !== null) {
        if (!this.restarted && !this.inputDone) {
          this.restart();
          continue;
        }
        throw new CaptureError(
          `compressed stream is damaged after ${this.produced} uncompressed bytes: ${describeZlibError(this.failure)}`,
          this.produced,
        );
      }
      if (this.ended) return 0;
      if (!this.writing && !this.inputDone) await this.feed();
      if (this.pieces.length > 0 || this.failure !== null || this.ended) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private restart(): void {
    this.restarted = true;
    this.gunzip.destroy();
    this.gunzip = this.startInflater();
    this.fineFrom = this.lastChunkStart;
    this.skip = this.produced;
    this.fileOffset = 0;
    this.pieces = [];
    this.firstUsed = 0;
    this.writing = false;
    this.inputDone = false;
    this.ended = false;
    this.failure = null;
  }

  /** Hands the next compressed chunk to zlib (or tells it the input is over). */
  private async feed(): Promise<void> {
    const fine = this.fileOffset >= this.fineFrom;
    const size = fine ? GZIP_INPUT_CHUNK : Math.min(GZIP_INPUT_CHUNK, this.fineFrom - this.fileOffset);
    // A fresh buffer per chunk: zlib holds on to it until it has consumed it.
    const chunk = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.fh.read(chunk, 0, size, this.fileOffset);
    if (this.closed) return;
    if (bytesRead === 0) {
      this.inputDone = true;
      this.gunzip.end();
      return;
    }
    this.lastChunkStart = this.fileOffset;
    this.fileOffset += bytesRead;
    this.writing = true;
    const done = (): void => {
      this.writing = false;
      this.notify();
    };
    if (!fine) {
      this.gunzip.write(chunk.subarray(0, bytesRead), done);
      return;
    }
    for (let i = 0; i < bytesRead - 1; i++) this.gunzip.write(chunk.subarray(i, i + 1));
    this.gunzip.write(chunk.subarray(bytesRead - 1, bytesRead), done);
  }

  /** Takes an inflated piece, minus what a restart must not hand out twice. */
  private accept(piece: Buffer): void {
    let p = piece;
    if (this.skip > 0) {
      const drop = Math.min(this.skip, p.length);
      this.skip -= drop;
      p = p.subarray(drop);
    }
    if (p.length > 0) this.pieces.push(p);
    this.notify();
  }

  private copyOut(target: Buffer, offset: number, length: number): number {
    const piece = this.pieces[0]!;
    const n = Math.min(length, piece.length - this.firstUsed);
    piece.copy(target, offset, this.firstUsed, this.firstUsed + n);
    this.firstUsed += n;
    this.produced += n;
    if (this.firstUsed === piece.length) {
      this.pieces.shift();
      this.firstUsed = 0;
    }
    return n;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gunzip.destroy();
    await this.fh.close();
  }
}

export function describeZlibError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  // zlib says "unexpected end of file" for a stream cut short; say it in capture terms.
  if (code === 'Z_BUF_ERROR') return 'the gzip data ends early (truncated .gz file)';
  return code ? `${err.message} (${code})` : err.message;
}
