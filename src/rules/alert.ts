/**
 * An alert: a rule that fired on an event, with everything Falco puts in
 * its output. The record consumers use (the monitor's Alerts view, a node
 * agent); the text and JSON lines are renderings of it (alert-lines.ts).
 */
import type { PriorityName } from './rule-items.js';

export interface Alert {
  /** Event time, ns since the epoch (exact). */
  timeNs: bigint;
  /** 0 (Emergency) .. 7 (Debug). */
  priority: number;
  priorityName: PriorityName;
  rule: string;
  /** The rule's output with its fields filled in, without the time/priority prefix. */
  output: string;
  /** Every %field of the output (and of the time prefix), as text; null when the event lacks it. */
  outputFields: Record<string, string | null>;
  tags: readonly string[];
  source: string;
  hostname: string;
  /** Thread id and process id of the event's thread (-1 when unknown). */
  tid: number;
  pid: number;
  /** Running event number in the capture (1-based). */
  eventNumber: number;
  /** Container id ('' on the host). */
  containerId: string;
}
