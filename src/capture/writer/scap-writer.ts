/**
 * ScapWriter: writes a .scap capture that sysdig/csysdig 0.29.3 and
 * tsysdig's own reader replay with the same tables.
 *
 *   const w = await ScapWriter.open('out.scap', { gzip: true });  // mode 0600, section header on disk
 *   w.writeSnapshot(engine, recorder.lists);   // machine, interfaces, users, processes, fds, containers
 *   w.writeEvent(ev);                          // per event: bytes copied into the chunk buffer
 *   await w.flush();                           // whenever the caller wants the data on disk
 *   await w.close();
 *
 * Blocks are assembled in one chunk buffer (default 1 MiB) and written with
 * one write(2) per chunk, so the file only ever grows by whole blocks (and,
 * with gzip, by whole gzip members: each chunk is compressed as a member of
 * its own, which a reader can always inflate up to the last complete one).
 * writeEvent allocates nothing: it copies the event's bytes into the chunk.
 *
 * I/O is synchronous, in chunk-sized steps, as libscap's gzwrite is: the
 * call that fills a chunk writes it (and, with gzip, compresses it: ~20 ms
 * per MiB at the default level). Memory stays at one chunk whatever the
 * event rate, and a failure surfaces in the call that hit it.
 *
 * Failures: the first one throws a CaptureWriteError with a one-line
 * message ("cannot write capture out.scap: ENOSPC (disk full)"); the file is
 * cut back to its last complete block (plain) or gzip member, and every
 * later call is a silent no-op (the error is reported once; see `failed`).
 *
 * Streams (`-w -`, path STDOUT_PATH): the capture goes to standard output
 * (a pipe, an ssh channel) and is meant to be read while it is written, so
 * every flush() sends what is buffered at once. Plain streams are written
 * as files are. Compressed streams are one gzip member through a zlib
 * stream, sync-flushed at every flush(): a reader inflates everything up to
 * the last flush, and the dictionary carries over between flushes (one
 * member per 100 ms flush would compress far worse). A closed reader
 * (EPIPE) is a write failure like a full disk.
 */
import { promises as fsp, writeSync, ftruncateSync, openSync, closeSync, fchmodSync, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGzip, gzipSync, constants as zconst, type Gzip } from 'node:zlib';
import { BLOCK_HEADER_SIZE, BLOCK_TRAILER_SIZE, BlockType, MAX_SMALL_EVENT_BLOCK_SIZE } from '../block-types.js';
import type { FdRecord, GroupRecord, InterfaceRecord, MachineInfo, UserRecord } from '../records.js';
import type { ScapEvent } from '../../event/scap-event.js';
import { EVENT_HEADER_SIZE, EVENT_HEADER_SIZE_V1 } from '../../event/types.js';
import { encodeContainerEvent } from '../../containers/container-json.js';
import type { ContainerInfo } from '../../state/containers.js';
import type { ThreadInfo } from '../../state/thread-info.js';
import type { StateEngine } from '../../state/engine.js';
import {
  fdListBlock,
  interfaceListBlock,
  machineInfoBlock,
  processListBlock,
  sectionHeaderBlock,
  userListBlock,
  type ThreadFields,
} from './metadata-blocks.js';
import { containersToWrite, snapshotFds, type SnapshotLists } from './snapshot.js';
import { captureWriteError, CaptureWriteError } from './write-error.js';

export const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Smallest chunk accepted (tests use small chunks to get many writes / gzip members). */
const MIN_CHUNK_SIZE = 4096;
/** The file's permissions: captures hold command lines, environments and I/O data. */
export const CAPTURE_FILE_MODE = 0o600;

/** Offset of the len field in an event header (after ts u64, tid u64). */
const EVENT_LEN_OFFSET = 16;
const TWO_32 = 4294967296;

/** The system calls the writer makes on the open file; tests replace them to simulate failing disks. */
export interface WriterIo {
  /** Writes up to `length` bytes; returns how many were written, or throws the errno error. */
  write(fd: number, buf: Buffer, offset: number, length: number): number;
  truncate(fd: number, length: number): void;
}

const NODE_IO: WriterIo = {
  write: (fd, buf, offset, length) => writeSync(fd, buf, offset, length),
  truncate: (fd, length) => ftruncateSync(fd, length),
};

/** `-w -`: the capture goes to standard output. */
export const STDOUT_PATH = '-';
const STDOUT_FD = 1;
/** A pause while a non-blocking stdout is full (EAGAIN): the reader is behind, writing waits for it. */
const EAGAIN_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Standard output may be a non-blocking pipe or socket (inherited so): wait out EAGAIN, as a blocking write would. */
const STREAM_IO: WriterIo = {
  write: (fd, buf, offset, length) => {
    for (;;) {
      try {
        return writeSync(fd, buf, offset, length);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(pause, 0, 0, EAGAIN_PAUSE_MS);
      }
    }
  },
  truncate: () => {
    throw Object.assign(new Error('a stream cannot be truncated'), { code: 'ESPIPE' });
  },
};

export interface ScapWriterOptions {
  /** gzip-compress the capture (sysdig -z). */
  gzip?: boolean;
  /** gzip level 0-9 (default: zlib's default, 6, as sysdig's gzopen). */
  level?: number;
  /** Uncompressed bytes buffered before a write; with gzip, the size of one gzip member. Default 1 MiB. */
  chunkSize?: number;
  /** Replaces the write/truncate system calls (tests). */
  io?: WriterIo;
}

export interface SnapshotOptions {
  /** Timestamp (ns since the epoch) of the container events; default: the last event written, else now. */
  tsNs?: bigint;
  /** Only these threads go into the process and fd lists (default: all). */
  keepThread?: (t: ThreadInfo) => boolean;
}

export class ScapWriter {
  /** Events written (container events included). */
  events = 0;
  /** Events dropped because no reader could take them (see writeEvent). */
  skippedEvents = 0;
  /** Uncompressed bytes of the blocks handed to the writer. */
  bytes = 0;
  /** Bytes written to the file (compressed size with gzip). */
  fileBytes = 0;
  /** The first write failure (already thrown once); later calls do nothing. */
  failed: CaptureWriteError | null = null;
  /** A failure of the compressed stream's asynchronous writes, thrown by the next call. */
  private unreported: CaptureWriteError | null = null;
  /** Compressed streams: the zlib stream all chunks go through (see the header comment). */
  private deflater: Gzip | null = null;

  private chunk: Buffer;
  private pos = 0;
  private closed = false;
  /** True once an event is written: metadata blocks may only come before. */
  private inEvents = false;
  /** Timestamp of the last event written (container events excluded); -1/-1 before the first. */
  private lastTsHi = -1;
  private lastTsLo = -1;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    /** Closes the file descriptor (a FileHandle's close, or closeSync; nothing for standard output, which stays open). */
    private readonly closeFd: () => Promise<void>,
    readonly gzip: boolean,
    private readonly level: number,
    private readonly chunkSize: number,
    private readonly io: WriterIo,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkSize);
    if (path === STDOUT_PATH && gzip) this.deflater = this.startDeflater();
  }

  /** True when writing to standard output (`-w -`): flushes go out at once, to be read live. */
  get isStream(): boolean {
    return this.path === STDOUT_PATH;
  }

  /**
   * Creates (or truncates) the file with mode 0600 and writes the section
   * header to it. Rejects with a CaptureWriteError ("cannot create capture
   * ...", or "cannot write capture ..." when even the header does not fit).
   */
  static async open(path: string, opts: ScapWriterOptions = {}): Promise<ScapWriter> {
    const chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(opts.chunkSize ?? DEFAULT_CHUNK_SIZE));
    const level = opts.level ?? zconst.Z_DEFAULT_COMPRESSION;
    if (!Number.isInteger(level) || level < -1 || level > 9) throw new RangeError(`gzip level ${level} is not an integer from -1 to 9`);
    if (path === STDOUT_PATH) {
      const w = new ScapWriter(path, STDOUT_FD, () => Promise.resolve(), opts.gzip === true, level, chunkSize, opts.io ?? STREAM_IO);
      w.appendBlock(sectionHeaderBlock());
      w.writeChunk();
      return w;
    }
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: a symbolic link planted at the target (in /tmp, say) is refused, never
      // followed to truncate and chmod whatever it points at. The mode only applies to a
      // new file: fchmod below covers an existing one (the file itself, not a link's target).
      const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fsc;
      handle = await fsp.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, CAPTURE_FILE_MODE);
    } catch (err) {
      throw captureWriteError('create', path, err);
    }
    try {
      // Only regular files: `-w /dev/null` or a named pipe must not have their permissions changed.
      if ((await handle.stat()).isFile()) await handle.chmod(CAPTURE_FILE_MODE);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw captureWriteError('create', path, err);
    }
    const w = new ScapWriter(path, handle.fd, () => handle.close(), opts.gzip === true, level, chunkSize, opts.io ?? NODE_IO);
    try {
      w.start();
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    return w;
  }

  /**
   * Creates a new file (never an existing one, never through a link:
   * O_EXCL | O_NOFOLLOW) with mode 0600, at once: for a writer that must
   * start on the event path (captures around alerts). Throws a
   * CaptureWriteError.
   */
  static createSync(path: string, opts: ScapWriterOptions = {}): ScapWriter {
    const chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(opts.chunkSize ?? DEFAULT_CHUNK_SIZE));
    const level = opts.level ?? zconst.Z_DEFAULT_COMPRESSION;
    let fd: number;
    try {
      fd = openSync(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, CAPTURE_FILE_MODE);
      fchmodSync(fd, CAPTURE_FILE_MODE); // the umask may have taken bits off; never adds any
    } catch (err) {
      throw captureWriteError('create', path, err);
    }
    const w = new ScapWriter(path, fd, async () => closeSync(fd), opts.gzip === true, level, chunkSize, opts.io ?? NODE_IO);
    try {
      w.start();
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return w;
  }

  /** Written at once: from here on the file is a valid (empty) capture. */
  private start(): void {
    this.appendBlock(sectionHeaderBlock());
    this.writeChunk();
  }

  // ---------------- metadata (before the first event) ----------------

  /**
   * Writes the state at this moment as sysdig does when a dump starts:
   * machine info, interface list, user list, process list, one fd list per
   * thread, then one container event per container with metadata, all from
   * the engine; `given` lists replace the engine's users, groups and
   * interfaces (lists left out there are not written). The snapshot is
   * written to the file before this returns.
   */
  writeSnapshot(engine: StateEngine, given?: SnapshotLists, opts: SnapshotOptions = {}): void {
    if (this.failed !== null || this.closed) return;
    // Without explicit lists, the engine's own users, groups and interfaces are written.
    const lists: SnapshotLists = given ?? {
      interfaces: engine.interfaces.records.length > 0 ? engine.interfaces.records : undefined,
      users: engine.users.userCount > 0 ? engine.users.allUsers() : undefined,
      groups: engine.users.userCount > 0 ? engine.users.allGroups() : undefined,
    };
    this.checkMetadata('writeSnapshot');
    if (engine.machine !== null) this.writeMachineInfo(engine.machine);
    if (lists.interfaces !== undefined) this.writeInterfaceList(lists.interfaces);
    if (lists.users !== undefined || lists.groups !== undefined) this.writeUserList(lists.users ?? [], lists.groups ?? []);
    const keep = opts.keepThread;
    this.writeProcessList(keep === undefined ? engine.threads.values() : [...engine.threads.values()].filter(keep));
    for (const { tid, fds } of snapshotFds(engine)) {
      if (keep !== undefined) {
        const t = engine.threads.get(tid);
        if (t === undefined || !keep(t)) continue;
      }
      this.writeFdList(tid, fds);
    }
    for (const c of containersToWrite(engine)) this.writeContainerEvent(c, opts.tsNs);
    // On disk at once: a capture killed before its first flush still has its snapshot.
    this.writeChunk();
  }

  writeMachineInfo(mi: MachineInfo): void {
    this.metadataBlock('writeMachineInfo', () => machineInfoBlock(mi));
  }

  writeInterfaceList(interfaces: Iterable<InterfaceRecord>): void {
    this.metadataBlock('writeInterfaceList', () => interfaceListBlock(interfaces));
  }

  writeUserList(users: Iterable<UserRecord>, groups: Iterable<GroupRecord>): void {
    this.metadataBlock('writeUserList', () => userListBlock(users, groups));
  }

  /** One process list block (v9) with every thread given. */
  writeProcessList(threads: Iterable<ThreadFields>): void {
    this.metadataBlock('writeProcessList', () => processListBlock(threads));
  }

  /** The fd list block (v2) of one thread. */
  writeFdList(tid: number, fds: Iterable<FdRecord>): void {
    this.metadataBlock('writeFdList', () => fdListBlock(tid, fds));
  }

  private metadataBlock(what: string, encode: () => Buffer): void {
    if (this.failed !== null || this.closed) return;
    this.checkMetadata(what);
    this.appendBlock(encode());
  }

  private checkMetadata(what: string): void {
    if (this.inEvents) throw new Error(`ScapWriter.${what}: metadata blocks must come before the first event`);
  }

  // ---------------- events ----------------

  /**
   * Appends one event block: EV v2 (0x216), or EVF v2 (0x217) when the
   * event carries dump flags, in their large-payload variants (0x221/0x222)
   * when its parameter lengths are u32. Events read from v1 blocks get the
   * nparams field v2 has (as libscap converts them). The bytes are copied
   * into the chunk buffer: `ev` may be reused as soon as this returns.
   *
   * Returns false when nothing was written: after a failure (see `failed`),
   * or for an event with u16 lengths too long for the 64 KiB block every
   * reader imposes on such events (counted in `skippedEvents`). Throws the
   * CaptureWriteError of a failing write, once.
   */
  writeEvent(ev: ScapEvent): boolean {
    if (this.failed !== null || this.closed) return this.reportLate();
    const large = ev.lenSize === 4;
    const flags = ev.evtFlags >>> 0;
    const v1 = !ev.hasNparams;
    const srcLen = ev.len;
    const evLen = v1 ? srcLen + (EVENT_HEADER_SIZE - EVENT_HEADER_SIZE_V1) : srcLen;
    const prefix = flags !== 0 ? 6 : 2;
    const body = prefix + evLen;
    const total = BLOCK_HEADER_SIZE + ((body + 3) & ~3) + BLOCK_TRAILER_SIZE;
    if (!large && total > MAX_SMALL_EVENT_BLOCK_SIZE) {
      this.skippedEvents++;
      return false;
    }
    const type = flags !== 0
      ? (large ? BlockType.EVENT_FLAGS_V2_LARGE : BlockType.EVENT_FLAGS_V2)
      : (large ? BlockType.EVENT_V2_LARGE : BlockType.EVENT_V2);
    const at = this.reserve(total);
    const b = this.chunk;
    b.writeUInt32LE(type, at);
    b.writeUInt32LE(total, at + 4);
    b.writeUInt16LE(ev.cpu & 0xffff, at + 8);
    let p = at + 10;
    if (flags !== 0) {
      b.writeUInt32LE(flags, p);
      p += 4;
    }
    const src = ev.buf;
    const base = ev.base;
    if (v1) {
      // v1 header (22 bytes) + nparams + lengths and values; len grows by the 4 inserted bytes.
      src.copy(b, p, base, base + EVENT_HEADER_SIZE_V1);
      b.writeUInt32LE(evLen, p + EVENT_LEN_OFFSET);
      b.writeUInt32LE(ev.nparams, p + EVENT_HEADER_SIZE_V1);
      src.copy(b, p + EVENT_HEADER_SIZE, base + EVENT_HEADER_SIZE_V1, base + srcLen);
    } else {
      src.copy(b, p, base, base + srcLen);
    }
    p += evLen;
    const end = at + total - BLOCK_TRAILER_SIZE;
    while (p < end) b[p++] = 0;
    b.writeUInt32LE(total, end);
    this.bytes += total;
    this.events++;
    this.lastTsHi = ev.tsHi;
    this.lastTsLo = ev.tsLo;
    this.inEvents = true;
    return true;
  }

  /**
   * Appends a container event for `info`, as sysdig dumps containers:
   * CONTAINER_JSON_2_E with the container JSON (jsoncpp's layout), tid -1,
   * cpu 0, in a large-payload block. Its timestamp is `tsNs`, or the last
   * event's, or now when no event was written yet.
   */
  writeContainerEvent(info: ContainerInfo, tsNs?: bigint): void {
    if (this.failed !== null || this.closed) return;
    const ts = tsNs ?? (this.lastTsHi >= 0 ? BigInt(this.lastTsHi) * BigInt(TWO_32) + BigInt(this.lastTsLo) : BigInt(Date.now()) * 1000000n);
    const ev = encodeContainerEvent(info, ts);
    const body = 2 + ev.length;
    const total = BLOCK_HEADER_SIZE + ((body + 3) & ~3) + BLOCK_TRAILER_SIZE;
    const block = Buffer.alloc(total);
    block.writeUInt32LE(BlockType.EVENT_V2_LARGE, 0);
    block.writeUInt32LE(total, 4);
    block.writeUInt16LE(0, 8);
    ev.copy(block, 10);
    block.writeUInt32LE(total, total - BLOCK_TRAILER_SIZE);
    this.appendBlock(block);
    this.events++;
    this.inEvents = true;
  }

  // ---------------- output ----------------

  /** Writes everything buffered (with gzip: ends the current gzip member). Rejects with a first failure. */
  async flush(): Promise<void> {
    if (this.failed !== null || this.closed) {
      this.reportLate();
      return;
    }
    this.writeChunk();
    // A compressed stream: everything so far becomes inflatable by the reader.
    this.deflater?.flush(zconst.Z_SYNC_FLUSH);
  }

  /**
   * Writes what is buffered and closes the file. After a failure it only
   * closes (the failure was reported when it happened). Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let first: CaptureWriteError | null = null;
    if (this.failed === null) {
      try {
        this.writeChunk();
      } catch (err) {
        first = err instanceof CaptureWriteError ? err : captureWriteError('write', this.path, err);
      }
    }
    if (this.deflater !== null) {
      const d = this.deflater;
      // The gzip trailer and whatever zlib still holds; standard output itself stays open.
      await new Promise<void>((resolve) => {
        d.once('end', resolve);
        d.once('error', () => resolve());
        d.end();
      });
      first ??= this.unreported;
      this.unreported = null;
    }
    try {
      await this.closeFd();
    } catch (err) {
      if (first === null && this.failed === null) first = this.fail(err);
    }
    if (first !== null) throw first;
  }

  /** Copies a complete block into the chunk. */
  private appendBlock(block: Buffer): void {
    const at = this.reserve(block.length);
    block.copy(this.chunk, at);
    this.bytes += block.length;
  }

  /** Room for `n` bytes in the chunk (writing the chunk first if needed); returns where they go. */
  private reserve(n: number): number {
    if (this.pos + n > this.chunk.length) {
      this.writeChunk();
      // A block bigger than a chunk (large payload, huge process list) gets a chunk of its own size.
      if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n);
    }
    const at = this.pos;
    this.pos = at + n;
    return at;
  }

  /** Writes the buffered blocks (compressed into one gzip member with gzip). Throws a first failure. */
  private writeChunk(): void {
    const len = this.pos;
    if (len === 0) return;
    this.pos = 0;
    if (this.deflater !== null) {
      // zlib holds on to what it is given until it has consumed it: a copy, the chunk is reused.
      this.deflater.write(Buffer.from(this.chunk.subarray(0, len)));
      if (this.chunk.length > this.chunkSize) this.chunk = Buffer.allocUnsafe(this.chunkSize);
      return;
    }
    const plain = this.chunk.subarray(0, len);
    const data = this.gzip ? gzipSync(plain, { level: this.level }) : plain;
    let off = 0;
    try {
      while (off < data.length) {
        const n = this.io.write(this.fd, data, off, data.length - off);
        if (n <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
        off += n;
      }
    } catch (err) {
      // Keep the file readable to its end: drop the partial gzip member, or the partial block.
      const keep = this.gzip ? 0 : completeBlocksIn(this.chunk, len, off);
      try {
        this.io.truncate(this.fd, this.fileBytes + keep);
        this.fileBytes += keep;
      } catch {
        this.fileBytes += off;
      }
      throw this.fail(err);
    }
    this.fileBytes += data.length;
    if (this.chunk.length > this.chunkSize) this.chunk = Buffer.allocUnsafe(this.chunkSize);
  }

  /** The compressed stream: its output is written as zlib produces it, synchronously (a slow reader slows the writer, as with a file). */
  private startDeflater(): Gzip {
    const d = createGzip({ level: this.level });
    d.on('data', (out: Buffer) => {
      if (this.failed !== null) return;
      try {
        let off = 0;
        while (off < out.length) off += this.io.write(this.fd, out, off, out.length - off);
        this.fileBytes += out.length;
      } catch (err) {
        this.unreported = this.fail(err);
      }
    });
    d.on('error', (err) => {
      if (this.failed === null) this.unreported = this.fail(err);
    });
    return d;
  }

  /** After a failure: throws it if it happened asynchronously and was not thrown yet; else false (nothing written). */
  private reportLate(): false {
    const e = this.unreported;
    if (e !== null) {
      this.unreported = null;
      throw e;
    }
    return false;
  }

  private fail(err: unknown): CaptureWriteError {
    const e = captureWriteError('write', this.path, err);
    this.failed = e;
    return e;
  }
}

/** Bytes of chunk[0, end) taken by the blocks that lie wholly within its first `limit` bytes. */
export function completeBlocksIn(chunk: Buffer, end: number, limit: number): number {
  let off = 0;
  while (off + BLOCK_HEADER_SIZE <= end) {
    const len = chunk.readUInt32LE(off + 4);
    if (len < BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE || off + len > limit) break;
    off += len;
  }
  return off;
}
