/**
 * A stream as a UI event source: `-r -`, a pipe, a FIFO, or `--ssh HOST`.
 * Like live capture it is read once, as it arrives, and screens swap their
 * consumer on the same state engine (see session.ts); unlike live capture
 * it ends, when its writer does: `ended` then tells runUi to close the
 * session with one line (and a failure, such as a dropped ssh connection,
 * with a non-zero exit).
 */
import type { ByteSource } from '../capture/byte-source.js';
import { ByteRate, formatByteRate, openInput, type StreamInput } from '../capture/capture-input.js';
import type { CaptureSink } from '../capture/records.js';
import { readCaptureFrom } from '../capture/scap-reader.js';
import { endOfStreamLine } from '../cli/read-input.js';
import type { EventSource, SourceStats } from './source.js';

export interface StreamEnd {
  /** One line for the user, without the `tsysdig: ` prefix. */
  message: string;
  failed: boolean;
}

export class StreamEventSource implements EventSource {
  readonly live = true;
  private source: ByteSource | null = null;
  private readonly rate = new ByteRate(() => this.source?.wireBytes ?? 0);
  /** Called once when the stream ends by itself or fails (not when the UI stops it). */
  onEnd: (end: StreamEnd) => void = () => {};

  constructor(private readonly input: StreamInput) {}

  /** Opens the stream and waits for its first bytes: an ssh login (and its prompts) happens before the screen is taken. */
  async open(): Promise<void> {
    this.source = await openInput(this.input);
    const head = Buffer.alloc(1);
    // A first read proves the stream works (or throws ssh's reason); its byte is replayed below.
    const n = await this.source.read(head, 0, 1);
    if (n === 0) throw new Error(`${this.input.name}: the stream ended before any data arrived`);
    this.source = prepend(this.source, head);
  }

  get name(): string {
    return `${this.input.name} (stream, ${formatByteRate(this.rate.perSecond())})`;
  }

  async run(sink: CaptureSink, signal: AbortSignal): Promise<void> {
    if (this.source === null) await this.open();
    const src = this.source!;
    let events = 0;
    const onAbort = (): void => void src.close();
    signal.addEventListener('abort', onAbort);
    try {
      await readCaptureFrom(src, { ...sink, onEvent: (ev) => (events++, sink.onEvent(ev)) }, { signal });
      if (!signal.aborted) this.onEnd({ message: endOfStreamLine(this.input, events).replace(/^tsysdig: /, ''), failed: false });
    } catch (err) {
      if (!signal.aborted) this.onEnd({ message: err instanceof Error ? err.message : String(err), failed: true });
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      await src.close();
    }
  }

  progress(): number | null {
    return null;
  }

  stats(): SourceStats {
    return { drops: null, bytesPerSec: this.rate.perSecond() };
  }
}

/** `src` with `head` handed out first. */
function prepend(src: ByteSource, head: Buffer): ByteSource {
  let pending: Buffer | null = head;
  return {
    read: (target, offset, length) => {
      if (pending === null) return src.read(target, offset, length);
      const n = pending.copy(target, offset, 0, Math.min(length, pending.length));
      pending = n === pending.length ? null : pending.subarray(n);
      return Promise.resolve(n);
    },
    close: () => src.close(),
    get wireBytes() {
      return src.wireBytes;
    },
  };
}
