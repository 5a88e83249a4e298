/**
 * The seam between producers (alerts, event JSON, the lifecycle stream) and
 * the output channels: complete lines, one record per line, no trailing
 * newline.
 *
 * Strings follow the project's byte convention: a character up to U+00FF is
 * one byte (capture bytes decoded as latin1 go out unchanged); a character
 * above it (an emoji in a compact lifecycle line) is written as UTF-8.
 */

/** Falco's priorities, most severe first; the number is also the syslog severity. */
export const PRIORITY_NAMES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;
export type PriorityName = (typeof PRIORITY_NAMES)[number];
/** 0 (emergency) .. 7 (debug), as Falco numbers them (falco_common::priority_type). */
export type Priority = number;
/** What a line without a priority is sent with (lifecycle and event streams). */
export const DEFAULT_PRIORITY: Priority = 6;

/** Falco also accepts `info` for informational (falco_common::parse_priority). */
export function parsePriority(name: string): Priority | null {
  const n = name.toLowerCase();
  if (n === 'info') return 6;
  const i = (PRIORITY_NAMES as readonly string[]).indexOf(n);
  return i < 0 ? null : i;
}

export interface LineSink {
  /**
   * Hands one line to the outputs. Never blocks and never throws: a channel
   * that cannot take the line now queues it, or counts it as dropped.
   * `priority` (0..7) is used by syslog; alerts pass their rule's priority.
   */
  write(line: string, priority?: Priority): void;
}

/** Counters of one channel, for the exit report and a future /metrics endpoint. */
export interface ChannelStats {
  /** `stdout`, `file`, `program`, `syslog`, `http`. */
  readonly channel: string;
  /** Where it goes: a path, a command, a URL. */
  readonly target: string;
  /** Lines handed to the channel. */
  accepted: number;
  /** Lines the destination took (written, sent, answered 2xx). */
  delivered: number;
  /** Lines lost because the bounded queue was full. */
  droppedQueueFull: number;
  /** Lines the destination refused for good (HTTP 4xx, a datagram too large). */
  droppedRejected: number;
  /** Lines still queued when close() gave up waiting. */
  droppedAtClose: number;
  /** Lines waiting now. */
  queued: number;
  /** Outages so far (a stderr line each). */
  outages: number;
  /** Whether the destination is failing right now. */
  failing: boolean;
}

export function newStats(channel: string, target: string): ChannelStats {
  return { channel, target, accepted: 0, delivered: 0, droppedQueueFull: 0, droppedRejected: 0, droppedAtClose: 0, queued: 0, outages: 0, failing: false };
}

export function droppedTotal(s: ChannelStats): number {
  return s.droppedQueueFull + s.droppedRejected + s.droppedAtClose;
}

/** One open channel. */
export interface Channel extends LineSink {
  /** Sends what is queued, waiting at most until `deadline` (ms since epoch), then releases everything. */
  close(deadline: number): Promise<void>;
  stats(): ChannelStats;
}
