/**
 * A stream as an event source: `-r -`, a pipe, a FIFO, or `--ssh HOST`.
 * Like live capture it is read once, as it arrives (tables every interval,
 * UI screens swap their consumer on the same state engine); unlike live
 * capture it ends when its writer does, and `onEnd` then says so in one
 * line (the UI closes its screen first; a failure such as a dropped ssh
 * connection is an error, and a non-zero exit). Its container metadata
 * comes inside the stream, from the machine that captured it, so it is not
 * looked up here (`remote`).
 */
import type { ByteSource } from '../capture/byte-source.js';
import { ByteRate, formatByteRate, openInput, type StreamInput } from '../capture/capture-input.js';
import type { CaptureSink } from '../capture/records.js';
import { readCaptureFrom } from '../capture/scap-reader.js';
import type { EventSource, SourceStats } from './event-source.js';

export interface StreamEnd {
  /** One line for the user, without the `tsysdig: ` prefix. */
  message: string;
  failed: boolean;
}

/** `end of stream from ssh root@node (1234 events)`. */
export function endOfStreamLine(name: string, events: number): string {
  return `end of stream from ${name} (${events} event${events === 1 ? '' : 's'})`;
}

export class StreamEventSource implements EventSource {
  readonly live = true;
  /** Its events (and containers) are another machine's, or another process's capture: no local metadata lookups. */
  readonly remote = true;
  private source: ByteSource | null = null;
  private readonly rate = new ByteRate(() => this.source?.wireBytes ?? 0);
  /**
   * Called once when the stream ends by itself (not when stopped, nor when a
   * -n limit stops reading it). A failure is also thrown by run(); the text
   * outputs report that, so the default only says the clean end.
   */
  onEnd: (end: StreamEnd) => void = (end) => {
    if (!end.failed) process.stderr.write(`tsysdig: ${end.message}\n`);
  };

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
    let stopped = false;
    const onAbort = (): void => void src.close();
    signal.addEventListener('abort', onAbort);
    try {
      // Counting here costs a call per event: streams arrive at network speed, not replay speed.
      await readCaptureFrom(src, {
        ...sink,
        onEvent: (ev) => {
          events++;
          const more = sink.onEvent(ev);
          if (more === false) stopped = true;
          return more;
        },
      }, { signal });
      if (!signal.aborted && !stopped) this.onEnd({ message: endOfStreamLine(this.input.name, events), failed: false });
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

  /** Stops the stream (an ssh source ends the remote capture); safe to call more than once. */
  async close(): Promise<void> {
    await this.source?.close();
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
