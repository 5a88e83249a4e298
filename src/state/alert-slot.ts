/**
 * AlertSlot: the alerts the rules fired on the event being processed, for
 * the alert.* fields (src/fields/alert-fields.ts) that views and filters
 * read. The rules consumer runs before the view consumers: it empties the
 * slot at each event (two stores, no allocation) and adds one Alert record
 * per rule that fired. An event can fire several rules (rule_matching: all);
 * a view that reads alert.* fields is fed the event once per alert, with
 * `cursor` on that alert (ViewRunner, ListConsumer), so it gets one row per
 * alert.
 */
import type { Alert } from '../rules/alert.js';

export class AlertSlot {
  /** Alerts fired on the current event (items[0..count-1]). */
  count = 0;
  /** The alert the alert.* fields read (0..count-1). */
  cursor = 0;
  /** Alerts since the run started (alert.num of the newest). */
  total = 0;
  /** Reused: the records of the current event's alerts. */
  private readonly items: Alert[] = [];
  /** alert.num of each current alert. */
  private readonly nums: number[] = [];

  /** A new event: no alert yet. */
  clear(): void {
    this.count = 0;
    this.cursor = 0;
  }

  add(a: Alert): void {
    this.items[this.count] = a;
    this.nums[this.count] = ++this.total;
    this.count++;
  }

  /** The alert under the cursor, or undefined when none fired on the current event. */
  current(): Alert | undefined {
    return this.cursor < this.count ? this.items[this.cursor] : undefined;
  }

  /** The i-th alert of the current event (0 <= i < count). */
  at(i: number): Alert {
    return this.items[i]!;
  }

  /** Running number of the current event's first alert (the others follow it); 0 when none fired. */
  get firstNum(): number {
    return this.count > 0 ? this.nums[0]! : 0;
  }

  /** Running number (1-based, per run) of the alert under the cursor; 0 when none. */
  currentNum(): number {
    return this.cursor < this.count ? this.nums[this.cursor]! : 0;
  }
}
