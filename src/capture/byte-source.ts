/**
 * Byte sources: the uncompressed bytes of a capture file, pulled in pieces.
 *
 * The reader owns one window buffer and asks the source to fill part of it
 * (`read`), so memory stays bounded by the window whatever the file size.
 * Plain files are read straight into the window. Gzip files (detected by the
 * 1f 8b magic, as sysdig writes them with -z) are inflated by a zlib stream
 * whose output pieces are copied into the window; zlib allocates those pieces
 * itself, one per 64 KiB of output, which is per chunk, never per event.
 */
import type { ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { CaptureError } from './records.js';

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
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** Size of the pieces zlib hands back; also the granularity of gzip reads. */
const GZIP_CHUNK = 64 * 1024;

/** Opens `path` as plain or gzip according to its first two bytes. File-system errors (ENOENT...) reject as they are. */
export async function openByteSource(path: string): Promise<ByteSource> {
  const fh = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    if (bytesRead === 2 && magic[0] === GZIP_MAGIC_0 && magic[1] === GZIP_MAGIC_1) {
      return new GzipFileSource(fh);
    }
    return new PlainFileSource(fh);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** An uncompressed file, read sequentially into the caller's buffer. */
class PlainFileSource implements ByteSource {
  private closed = false;

  constructor(private readonly fh: FileHandle) {}

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    // position null = sequential reads from the current file position, which starts at 0.
    const { bytesRead } = await this.fh.read(target, offset, length, null);
    return bytesRead;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/** A gzip file, inflated by a zlib stream and copied out piece by piece. */
class GzipFileSource implements ByteSource {
  private readonly gunzip = createGunzip({ chunkSize: GZIP_CHUNK });
  private readonly file: ReadStream;
  private readonly pieces: AsyncIterator<Buffer>;
  /** The piece being copied out, and how much of it is already taken. */
  private piece: Buffer | null = null;
  private pieceUsed = 0;
  /** Uncompressed bytes handed out so far: where damage is located. */
  private produced = 0;
  private ended = false;
  private closed = false;

  constructor(private readonly fh: FileHandle) {
    this.file = fh.createReadStream({ start: 0, autoClose: false, highWaterMark: GZIP_CHUNK });
    // A read error on the file must reach the consumer of the gunzip side.
    this.file.on('error', (err) => this.gunzip.destroy(err));
    this.file.pipe(this.gunzip);
    this.pieces = this.gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    while (this.piece === null) {
      if (this.ended) return 0;
      let next: IteratorResult<Buffer>;
      try {
        next = await this.pieces.next();
      } catch (err) {
        this.ended = true;
        throw new CaptureError(
          `compressed stream is damaged after ${this.produced} uncompressed bytes: ${describeZlibError(err)}`,
          this.produced,
        );
      }
      if (next.done) {
        this.ended = true;
        return 0;
      }
      if (next.value.length > 0) {
        this.piece = next.value;
        this.pieceUsed = 0;
      }
    }
    const n = Math.min(length, this.piece.length - this.pieceUsed);
    this.piece.copy(target, offset, this.pieceUsed, this.pieceUsed + n);
    this.pieceUsed += n;
    this.produced += n;
    if (this.pieceUsed === this.piece.length) this.piece = null;
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.file.unpipe(this.gunzip);
    this.file.destroy();
    this.gunzip.destroy();
    await this.fh.close();
  }
}

function describeZlibError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  // zlib says "unexpected end of file" for a stream cut short; say it in capture terms.
  if (code === 'Z_BUF_ERROR') return 'the gzip data ends early (truncated .gz file)';
  return code ? `${err.message} (${code})` : err.message;
}
