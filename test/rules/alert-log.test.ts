/** AlertLog: totals, newest-first records and per-minute counts, bounded. */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/rules/alert.js';
import { AlertLog } from '../../src/rules/alert-log.js';

function alert(timeS: number, priority: number, rule = 'R'): Alert {
  return {
    timeNs: BigInt(timeS) * 1_000_000_000n, priority, priorityName: 'Warning', rule, output: `o${timeS}`,
    outputFields: {}, tags: [], source: 'syscall', hostname: 'h', tid: 1, pid: 1, eventNumber: timeS, containerId: '',
  };
}

describe('AlertLog', () => {
  it('counts by priority and keeps the newest records first, bounded', () => {
    const log = new AlertLog({ maxRecent: 3 });
    for (let i = 0; i < 5; i++) log.add(alert(1000 + i, i % 2 === 0 ? 2 : 4));
    expect(log.total).toBe(5);
    expect(log.totals[2]).toBe(3);
    expect(log.totals[4]).toBe(2);
    expect(log.version).toBe(5);
    expect(log.recent(10).map((a) => a.output)).toEqual(['o1004', 'o1003', 'o1002']);
    expect(log.recent(2).map((a) => a.output)).toEqual(['o1004', 'o1003']);
  });

  it('buckets alerts by event-time minute, keeping the last N minutes', () => {
    const log = new AlertLog({ minutes: 2 });
    log.add(alert(60, 1));
    log.add(alert(119, 1));
    log.add(alert(125, 3));
    log.add(alert(118, 3)); // late, lands in its own minute
    log.add(alert(185, 0));
    const m = log.minutes();
    expect(m.map((x) => x.minuteNs / 60e9)).toEqual([2, 3]);
    expect(m[0]!.byPriority[3]).toBe(1);
    expect(m[1]!.byPriority[0]).toBe(1);
  });
});
