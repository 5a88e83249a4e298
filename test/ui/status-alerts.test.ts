/**
 * The status bar's alert and history texts: counts by priority (most severe
 * first), the Critical-or-worse count that makes them flash, and the size of
 * a real HistoryRing fed with a real capture's events.
 */
import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../src/session/history-ring.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { alertCountsText, historyText, severeAlerts, worstPriority } from '../../src/ui/status.js';

describe('status bar: alerts', () => {
  it('counts by priority, most severe first, only the priorities that fired', () => {
    expect(alertCountsText([0, 0, 2, 0, 5, 0, 0, 0])).toBe('alerts: 2 critical, 5 warning');
    expect(alertCountsText([0, 0, 0, 1, 8, 0, 6, 0])).toBe('alerts: 1 error, 8 warning, 6 info');
    expect(alertCountsText([1, 1, 0, 0, 0, 1, 0, 3])).toBe('alerts: 1 emergency, 1 alert, 1 notice, 3 debug');
    expect(alertCountsText(new Array(8).fill(0))).toBe('alerts: none');
  });

  it('Critical or worse is what flashes; the worst priority colours the counts', () => {
    expect(severeAlerts([0, 0, 0, 4, 9, 0, 0, 0])).toBe(0);
    expect(severeAlerts([1, 2, 3, 4, 0, 0, 0, 0])).toBe(6);
    expect(worstPriority([0, 0, 0, 4, 9, 0, 0, 0])).toBe(3);
    expect(worstPriority(new Array(8).fill(0))).toBe(-1);
  });
});

describe('status bar: history', () => {
  it('formats bytes and seconds', () => {
    expect(historyText(12_345_678, 30e9)).toBe('history 12 MB/30 s');
    expect(historyText(1_234_567, 2.6e9)).toBe('history 1.2 MB/3 s');
    expect(historyText(0, 0)).toBe('history 0.0 MB/0 s');
  });

  it('says what a HistoryRing holds after a real capture', async () => {
    const session = new CaptureSession(new ReplaySource('test/fixtures/falco_cat_write.scap'), { historySeconds: 30 });
    await session.run();
    const h: HistoryRing = session.history!;
    expect(h.events).toBeGreaterThan(300);
    expect(historyText(h.bytes, h.spanNs)).toBe(`history ${(h.bytes / 1e6).toFixed(1)} MB/${Math.round(h.spanNs / 1e9)} s`);
    expect(h.bytes).toBeGreaterThan(10_000);
  });
});
