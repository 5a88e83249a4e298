/**
 * What the network-like channels (HTTP, program, syslog) share: a bounded
 * queue the producer pushes into without ever waiting, a pump that hands
 * queued lines to the destination one delivery at a time (so order is kept),
 * retries with backoff while the destination fails, and one stderr line when
 * an outage starts and one when it ends. Lines that find the queue full are
 * counted, never waited for: capture goes on.
 */
import { droppedTotal, DEFAULT_PRIORITY, newStats, type Channel, type ChannelStats, type Priority } from './line-sink.js';
import { LineQueue } from './line-queue.js';

/** The result of one delivery of the n oldest queued lines. */
export type Delivery =
  | { readonly kind: 'ok' }
  /** The destination failed (refused, timed out, 5xx): keep the lines, try again after a backoff. */
  | { readonly kind: 'retry'; readonly reason: string }
  /** The destination refused these lines for good (HTTP 4xx, too large): drop and count them. */
  | { readonly kind: 'reject'; readonly reason: string };

export const OK: Delivery = { kind: 'ok' };

export interface QueueSettings {
  /** Lines the queue holds at most. */
  capacity: number;
  /** Where outage lines go (without newline); stderr by default. */
  report?: (line: string) => void;
}

const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 10_000;

export function stderrReport(line: string): void {
  process.stderr.write(line + '\n');
}

export abstract class QueuedChannel implements Channel {
  protected readonly queue: LineQueue;
  protected readonly st: ChannelStats;
  protected readonly report: (line: string) => void;
  private pumping = false;
  private scheduled = false;
  protected closing = false;
  /** Set when close() gave up: the pump stops and nothing more is sent. */
  protected abandoned = false;
  private backoffMs = 0;
  private outageStart = 0;
  private droppedAtOutageStart = 0;
  private idleWaiters: (() => void)[] = [];
  private sleepTimer: NodeJS.Timeout | null = null;
  private wakeSleep: (() => void) | null = null;

  constructor(channel: string, target: string, settings: QueueSettings) {
    this.queue = new LineQueue(settings.capacity);
    this.st = newStats(channel, target);
    this.report = settings.report ?? stderrReport;
  }

  write(line: string, priority: Priority = DEFAULT_PRIORITY): void {
    this.st.accepted++;
    if (this.abandoned || !this.queue.push(line, priority)) {
      this.st.droppedQueueFull++;
      return;
    }
    this.schedule();
  }

  stats(): ChannelStats {
    this.st.queued = this.queue.length;
    return { ...this.st };
  }

  /**
   * How many queued lines the next delivery takes: 0 means "not yet" (a
   * batch still filling; the subclass calls schedule() when it is due).
   */
  protected take(): number {
    return Math.min(this.queue.length, 1);
  }

  /** Delivers queue.peek(0..n-1). Throwing counts as a retry. */
  protected abstract deliver(n: number): Promise<Delivery>;

  /** Releases sockets, processes, timers; abort what is in flight. */
  protected abstract release(): void | Promise<void>;

  /** Starts the pump soon (not inside the producer's call). */
  protected schedule(): void {
    if (this.pumping || this.scheduled || this.abandoned) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.abandoned && this.queue.length > 0) {
        const n = this.take();
        if (n === 0) break;
        let r: Delivery;
        try {
          r = await this.deliver(n);
        } catch (err) {
          r = { kind: 'retry', reason: err instanceof Error ? err.message : String(err) };
        }
        if (this.abandoned) break;
        if (r.kind === 'ok') {
          this.queue.drop(n);
          this.st.delivered += n;
          this.backoffMs = 0;
          this.recovered();
        } else if (r.kind === 'reject') {
          this.queue.drop(n);
          this.st.droppedRejected += n;
          this.outage(r.reason, 'those lines are dropped');
        } else {
          this.outage(r.reason, `retrying; up to ${this.queue.capacity} lines wait, more are dropped`);
          this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs === 0 ? FIRST_BACKOFF_MS : this.backoffMs * 2);
          await this.sleep(this.backoffMs);
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.queue.length === 0 || this.abandoned) for (const w of this.idleWaiters.splice(0)) w();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleep = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
      // A backoff alone must not keep the process alive; close() holds it while it waits.
      this.sleepTimer.unref();
    });
  }

  private outage(reason: string, consequence: string): void {
    if (this.st.failing) return;
    this.st.failing = true;
    this.st.outages++;
    this.outageStart = Date.now();
    this.droppedAtOutageStart = droppedTotal(this.st);
    this.report(`tsysdig: output ${this.st.channel} ${this.st.target}: ${reason}; ${consequence}`);
  }

  private recovered(): void {
    if (!this.st.failing) return;
    this.st.failing = false;
    const secs = ((Date.now() - this.outageStart) / 1000).toFixed(1);
    this.report(`tsysdig: output ${this.st.channel} ${this.st.target}: delivering again after ${secs} s (${droppedTotal(this.st) - this.droppedAtOutageStart} lines dropped meanwhile)`);
  }

  /** For subclasses: called before close() waits (a batch sends what it has). */
  protected onClosing(): void {}

  async close(deadline: number): Promise<void> {
    this.closing = true;
    this.onClosing();
    if (this.queue.length > 0) {
      // A retry's backoff ends now: the last attempts happen before the deadline.
      if (this.sleepTimer !== null) clearTimeout(this.sleepTimer);
      this.wakeSleep?.();
      this.schedule();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    if (this.queue.length > 0) {
      this.st.droppedAtClose += this.queue.length;
      this.queue.drop(this.queue.length);
    }
    this.abandoned = true;
    if (this.sleepTimer !== null) clearTimeout(this.sleepTimer);
    this.wakeSleep?.();
    await this.release();
  }
}
