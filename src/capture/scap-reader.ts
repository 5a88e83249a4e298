/**
 * The streaming .scap reader: walks the blocks of a capture file and hands
 * what they hold to a CaptureSink, in file order.
 *
 * Memory is one window buffer (see BlockWindow) whatever the file size.
 * Events are decoded in place into one reused ScapEvent; only the metadata
 * blocks (process, fd, interface, user lists) allocate records.
 *
 * Damage (bad framing, impossible lengths, truncation, a gzip stream that
 * breaks) ends the read with a CaptureError carrying the uncompressed byte
 * offset of the damaged block, after every complete event before it has been
 * delivered. Blocks of unknown type are skipped with one warning per type.
 */
import {
  BLOCK_HEADER_SIZE,
  BLOCK_TRAILER_SIZE,
  BlockType,
  MAX_BLOCK_SIZE,
  MAX_SMALL_EVENT_BLOCK_SIZE,
  MIN_BLOCK_SIZE,
  SECTION_MAGIC,
  SECTION_MAGIC_SWAPPED,
  eventBlockLayout,
  hexType,
} from './block-types.js';
import { BlockWindow, DEFAULT_WINDOW_SIZE } from './block-window.js';
import type { ByteSource } from './byte-source.js';
import { openInput, type CaptureInput } from './capture-input.js';
import { EventBlockDecoder, EventBlockResult } from './event-block.js';
import { isFdListBlock, parseFdList } from './fd-list.js';
import { isInterfaceListBlock, parseInterfaceList } from './interface-list.js';
import { parseMachineInfo } from './machine-info.js';
import { parseProcessList, processListVersion } from './process-list.js';
import { CaptureError, type CaptureSink } from './records.js';
import { parseSectionHeader } from './section.js';
import { isUserListBlock, parseUserList } from './user-list.js';

export interface ReadResult {
  /** Events delivered to the sink. */
  events: number;
  /** Uncompressed bytes consumed (through the last block processed). */
  bytes: number;
}

export interface ReadOptions {
  /** Aborting rejects the read with the signal's reason, between two blocks. */
  signal?: AbortSignal;
}

/** Options for readCaptureFrom; `windowSize` exists so tests can force blocks to straddle refills. */
export interface SourceReadOptions extends ReadOptions {
  windowSize?: number;
}

/**
 * Reads the capture at `input` (a path: plain or gzip; or a stream) into
 * `sink`. Resolves when the capture ends or the sink's onEvent returns
 * false. Rejects with CaptureError on damage, with the file system's error
 * if the file cannot be opened or read, with the stream's own error (ssh's),
 * and with the abort reason if `opts.signal` fires.
 */
export async function readCapture(input: CaptureInput, sink: CaptureSink, opts: ReadOptions = {}): Promise<ReadResult> {
  opts.signal?.throwIfAborted();
  const source = await openInput(input);
  // A stream may wait for its writer indefinitely: aborting closes it, which ends the wait.
  const onAbort = (): void => void source.close();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    const r = await readCaptureFrom(source, sink, opts);
    opts.signal?.throwIfAborted();
    return r;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await source.close();
  }
}

/** Reads a capture from any byte source (which the caller closes). */
export function readCaptureFrom(source: ByteSource, sink: CaptureSink, opts: SourceReadOptions = {}): Promise<ReadResult> {
  return new BlockLoop(source, sink, opts).run();
}

/** Distinct warnings reported before the rest are suppressed. */
const MAX_DISTINCT_WARNINGS = 100;

/** Bytes up to and including the section header's magic. */
const SECTION_MAGIC_END = BLOCK_HEADER_SIZE + 4;

class BlockLoop {
  private readonly window: BlockWindow;
  private readonly decoder = new EventBlockDecoder();
  private readonly signal: AbortSignal | undefined;
  private readonly warned = new Set<string>();
  private events = 0;

  constructor(
    source: ByteSource,
    private readonly sink: CaptureSink,
    opts: SourceReadOptions,
  ) {
    this.window = new BlockWindow(source, opts.windowSize ?? DEFAULT_WINDOW_SIZE);
    this.signal = opts.signal;
  }

  async run(): Promise<ReadResult> {
    const w = this.window;
    await this.checkFileStart();
    for (;;) {
      if (this.signal?.aborted) this.signal.throwIfAborted();
      // The common case first: the run of complete event blocks already in the
      // window, in a synchronous loop. Anything else (a block that needs more
      // bytes, a metadata block, damage to report) is left to the code below.
      if (!this.drainEventBlocks()) break;
      if (this.signal?.aborted) this.signal.throwIfAborted();
      // The loop only awaits when the next block is not already in the window,
      // so whole windows of events are handled synchronously.
      if (w.available < BLOCK_HEADER_SIZE && !(await w.fill(BLOCK_HEADER_SIZE))) {
        if (w.available === 0) break;
        throw new CaptureError(
          `truncated block header at offset ${w.offset}: the stream ends after ${w.available} of its ${BLOCK_HEADER_SIZE} bytes`,
          w.offset,
        );
      }
      const type = w.buf.readUInt32LE(w.start);
      const len = w.buf.readUInt32LE(w.start + 4);
      this.checkBlockLength(type, len, w.offset);
      if (w.available < len && !(await w.fill(len))) {
        throw new CaptureError(
          `block at offset ${w.offset} (type ${hexType(type)}, ${len} bytes) is cut short: the stream ends at offset ${w.endOffset}`,
          w.offset,
        );
      }
      const buf = w.buf;
      const start = w.start;
      const trailer = buf.readUInt32LE(start + len - BLOCK_TRAILER_SIZE);
      if (trailer !== len) {
        throw new CaptureError(
          `block at offset ${w.offset} (type ${hexType(type)}): trailing length ${trailer} differs from the leading length ${len}`,
          w.offset,
        );
      }
      const more = this.handleBlock(buf, start, len, type, w.base);
      w.start += len;
      if (!more) break;
    }
    return { events: this.events, bytes: w.offset };
  }

  /**
   * Hands every complete, well-formed event block at the front of the window
   * to the sink and consumes it. Stops at the first block that is incomplete,
   * is not an event block, or fails a check (the general path then reports
   * it). Returns false when the sink asked to stop.
   */
  private drainEventBlocks(): boolean {
    const w = this.window;
    const buf = w.buf;
    const view = w.view;
    const end = w.end;
    const decoder = this.decoder;
    const ev = decoder.ev;
    const sink = this.sink;
    const signal = this.signal;
    let start = w.start;
    let more = true;
    while (end - start >= BLOCK_HEADER_SIZE) {
      const type = view.getUint32(start, true);
      const len = view.getUint32(start + 4, true);
      if (len > end - start || len < MIN_BLOCK_SIZE || (len & 3) !== 0) break;
      const layout = eventBlockLayout(type);
      if (layout === undefined || (layout.lenSize === 2 && len > MAX_SMALL_EVENT_BLOCK_SIZE)) break;
      if (view.getUint32(start + len - BLOCK_TRAILER_SIZE, true) !== len) break;
      if (decoder.decode(buf, start, len, layout) !== EventBlockResult.OK) break;
      ev.num = ++this.events;
      start += len;
      if (sink.onEvent(ev) === false) {
        more = false;
        break;
      }
      // A sink may abort mid-window; honour it before the next block.
      if (signal !== undefined && signal.aborted) break;
    }
    w.start = start;
    return more;
  }

  /**
   * The first block must be a section header; anything else is not a scap
   * file. Its magic is checked here, before any length is trusted: in a
   * big-endian file the lengths are byte-swapped too, and "block too long"
   * would hide the real problem.
   */
  private async checkFileStart(): Promise<void> {
    const w = this.window;
    if (!(await w.fill(SECTION_MAGIC_END))) {
      if (w.available === 0) throw new CaptureError('empty capture: the stream holds no bytes', 0);
      throw new CaptureError(`not a scap capture: only ${w.available} byte${w.available === 1 ? '' : 's'} long`, 0);
    }
    const type = w.buf.readUInt32LE(w.start);
    if (type !== BlockType.SECTION_HEADER) {
      throw new CaptureError(
        `not a scap capture: the first block has type ${hexType(type)}, not a section header (0x0a0d0d0a)`,
        0,
      );
    }
    // The full check (with versions) runs when the block is parsed; this one only gets the order of errors right.
    const magic = w.buf.readUInt32LE(w.start + BLOCK_HEADER_SIZE);
    if (magic === SECTION_MAGIC_SWAPPED) {
      throw new CaptureError(
        'section header: the capture was written big-endian (byte-swapped magic 0x4d3c2b1a); only little-endian captures are supported',
        BLOCK_HEADER_SIZE,
      );
    }
    if (magic !== SECTION_MAGIC) {
      throw new CaptureError(`section header: bad byte order magic ${hexType(magic)} (expected 0x1a2b3c4d)`, BLOCK_HEADER_SIZE);
    }
  }

  private checkBlockLength(type: number, len: number, offset: number): void {
    let problem: string | null = null;
    if (len < MIN_BLOCK_SIZE) problem = `is smaller than the ${MIN_BLOCK_SIZE}-byte block framing`;
    else if (len % 4 !== 0) problem = 'is not a multiple of 4 (blocks are padded to 4 bytes)';
    else if (len > MAX_BLOCK_SIZE) problem = `exceeds the ${MAX_BLOCK_SIZE / (1024 * 1024)} MiB limit`;
    else if (len > MAX_SMALL_EVENT_BLOCK_SIZE && isSmallEventBlock(type)) {
      problem = `exceeds the ${MAX_SMALL_EVENT_BLOCK_SIZE} bytes an event block with 16-bit parameter lengths can hold`;
    }
    if (problem !== null) {
      throw new CaptureError(`block at offset ${offset} (type ${hexType(type)}): length ${len} ${problem}`, offset);
    }
  }

  /** Processes one complete block; false when the sink asked to stop. */
  private handleBlock(buf: Buffer, start: number, len: number, type: number, base: number): boolean {
    const layout = eventBlockLayout(type);
    if (layout !== undefined) {
      const result = this.decoder.decode(buf, start, len, layout);
      if (result === EventBlockResult.OK) {
        const ev = this.decoder.ev;
        ev.num = ++this.events;
        return this.sink.onEvent(ev) !== false;
      }
      if (result === EventBlockResult.UNKNOWN_TYPE) {
        this.warnOnce(`skipped events of type ${this.decoder.unknownType}, which this build's event table does not know`);
        return true;
      }
      const offset = base + start;
      throw new CaptureError(`event block at offset ${offset} (type ${hexType(type)}): ${this.decoder.error}`, offset);
    }
    this.handleMetadataBlock(buf, start, start + len - BLOCK_TRAILER_SIZE, type, base);
    return true;
  }

  private handleMetadataBlock(buf: Buffer, start: number, bodyEnd: number, type: number, base: number): void {
    const sink = this.sink;
    const warn = (message: string): void => this.warnOnce(message);
    if (type === BlockType.SECTION_HEADER) {
      // Also mid-file: captures can be concatenated, one section each.
      const h = parseSectionHeader(buf, start, bodyEnd, base);
      sink.onSectionHeader?.(h);
    } else if (type === BlockType.MACHINE_INFO || type === BlockType.MACHINE_INFO_INT) {
      const mi = parseMachineInfo(buf, start, bodyEnd, base);
      sink.onMachineInfo?.(mi);
    } else if (processListVersion(type) !== 0) {
      parseProcessList(buf, start, bodyEnd, base, type, (t) => sink.onThread?.(t));
    } else if (isFdListBlock(type)) {
      parseFdList(buf, start, bodyEnd, base, type, (pid, fd) => sink.onFd?.(pid, fd), warn);
    } else if (isInterfaceListBlock(type)) {
      parseInterfaceList(buf, start, bodyEnd, base, type, (i) => sink.onInterface?.(i), warn);
    } else if (isUserListBlock(type)) {
      parseUserList(buf, start, bodyEnd, base, type, (u) => sink.onUser?.(u), (g) => sink.onGroup?.(g));
    } else {
      this.warnOnce(`skipped blocks of unknown type ${hexType(type)}`);
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    // A crafted file could name millions of distinct unknown types; keep the set (and the user's screen) small.
    if (this.warned.size >= MAX_DISTINCT_WARNINGS) {
      if (this.warned.size === MAX_DISTINCT_WARNINGS) {
        this.warned.add('');
        this.sink.onWarning?.('too many different warnings; further ones are not reported');
      }
      return;
    }
    this.warned.add(message);
    this.sink.onWarning?.(message);
  }
}

function isSmallEventBlock(type: number): boolean {
  const layout = eventBlockLayout(type);
  return layout !== undefined && layout.lenSize === 2;
}
