/**
 * A capture that arrives as a stream (`-r -`, a pipe, a FIFO, the stdout of
 * `ssh node tsysdig -w -`): a ByteSource over a Node Readable, plain or gzip
 * (sniffed from the first two bytes, as for files).
 *
 * The stream has no end yet when reading starts, so nothing here waits for
 * one: bytes are handed out as they arrive, a gzip stream is inflated as its
 * sync-flushed pieces come in. Memory is bounded by pausing the input while
 * more than HIGH_WATER bytes wait to be read.
 *
 * Unlike a gzip file, a stream cannot be read a second time, so damage is
 * not recovered byte by byte (see GzipFileSource): it is reported, after
 * every byte inflated before it, and the read stops.
 */
import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { describeZlibError, GZIP_MAGIC_0, GZIP_MAGIC_1, type ByteSource } from './byte-source.js';
import { CaptureError } from './records.js';

/** Bytes waiting to be read before the input is paused. */
const HIGH_WATER = 4 * 1024 * 1024;

export class StreamByteSource implements ByteSource {
  /** Bytes received from the input (compressed size for gzip): what crossed the pipe or the network. */
  wireBytes = 0;
  /** Uncompressed bytes handed out. */
  produced = 0;
  /** Known once the first two bytes arrived. */
  compressed: boolean | null = null;

  private pieces: Buffer[] = [];
  private firstUsed = 0;
  private buffered = 0;
  private sniffed: Buffer[] = [];
  private gunzip: Gunzip | null = null;
  private ended = false;
  private failure: unknown = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private paused = false;

  constructor(
    private readonly input: Readable,
    /** Releases the input (the caller's choice: stdin stays open, a child's pipe is destroyed). */
    private readonly release: () => void = () => input.destroy(),
  ) {
    input.on('data', (b: Buffer) => this.onInput(b));
    input.on('end', () => {
      if (this.compressed === null) this.decide();
      if (this.gunzip !== null) this.gunzip.end();
      else this.finish();
    });
    input.on('error', (err) => this.fail(err));
  }

  private onInput(b: Buffer): void {
    this.wireBytes += b.length;
    if (this.compressed === null) {
      this.sniffed.push(b);
      if (this.sniffed.reduce((n, x) => n + x.length, 0) < 2) return;
      this.decide();
      return;
    }
    this.take(b);
  }

  /** The format, from the first two bytes (or fewer, at the end): then the bytes kept to sniff it go through. */
  private decide(): void {
    const head = Buffer.concat(this.sniffed);
    this.sniffed = [];
    this.compressed = head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
    if (this.compressed) this.gunzip = this.startInflater();
    if (head.length > 0) this.take(head);
  }

  private take(b: Buffer): void {
    const g = this.gunzip;
    if (g === null) return this.accept(b);
    // zlib queues what it cannot take yet: pause the input until it drains.
    if (!g.write(b)) {
      this.input.pause();
      g.once('drain', () => {
        if (!this.paused) this.input.resume();
      });
    }
  }

  private startInflater(): Gunzip {
    const g = createGunzip();
    g.on('data', (piece: Buffer) => this.accept(piece));
    g.on('end', () => this.finish());
    g.on('error', (err) => {
      this.fail(new CaptureError(`compressed stream is damaged after ${this.produced + this.buffered} uncompressed bytes: ${describeZlibError(err)}`, this.produced + this.buffered));
    });
    return g;
  }

  private accept(piece: Buffer): void {
    if (this.closed || piece.length === 0) return;
    this.pieces.push(piece);
    this.buffered += piece.length;
    if (this.buffered > HIGH_WATER && !this.paused) {
      this.paused = true;
      (this.gunzip ?? this.input).pause();
    }
    this.notify();
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.notify();
  }

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    for (;;) {
      if (this.pieces.length > 0) return this.copyOut(target, offset, length);
      if (this.failure !== null) throw this.failure;
      if (this.ended || this.closed) return 0;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private copyOut(target: Buffer, offset: number, length: number): number {
    let n = 0;
    // Several small pieces (a trickle of events) are gathered in one call.
    while (n < length && this.pieces.length > 0) {
      const piece = this.pieces[0]!;
      const k = Math.min(length - n, piece.length - this.firstUsed);
      piece.copy(target, offset + n, this.firstUsed, this.firstUsed + k);
      this.firstUsed += k;
      n += k;
      if (this.firstUsed === piece.length) {
        this.pieces.shift();
        this.firstUsed = 0;
      }
    }
    this.produced += n;
    this.buffered -= n;
    if (this.paused && this.buffered < HIGH_WATER / 2) {
      this.paused = false;
      (this.gunzip ?? this.input).resume();
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
    this.pieces = [];
    this.gunzip?.destroy();
    this.release();
    this.notify();
  }
}
