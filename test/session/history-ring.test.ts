/**
 * HistoryRing on real captures: what it hands back is exactly the newest
 * events' bytes, in order, bounded by age and by size, across wrap-arounds.
 */
import { describe, expect, it } from 'vitest';
import type { ScapEvent } from '../../src/event/scap-event.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { HistoryRing } from '../../src/session/history-ring.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { fixtureNames, fixturePath } from '../helpers/fixtures.js';

interface Seen {
  num: number;
  ts: number;
  cpu: number;
  bytes: Buffer;
}

/** Every event of a fixture (copied), plus a ring fed the same events. */
async function feed(name: string, ring: HistoryRing): Promise<Seen[]> {
  const all: Seen[] = [];
  const session = new CaptureSession(new ReplaySource(fixturePath(name)));
  session.add(ring).add({
    onEvent: (ev: ScapEvent) => void all.push({ num: ev.num, ts: ev.ts, cpu: ev.cpu, bytes: Buffer.from(ev.raw()) }),
    finish: () => {},
  });
  await session.run();
  return all;
}

function held(ring: HistoryRing, since = 0): Seen[] {
  const out: Seen[] = [];
  ring.forEachSince(since, (ev) => out.push({ num: ev.num, ts: ev.ts, cpu: ev.cpu, bytes: Buffer.from(ev.raw()) }));
  return out;
}

describe('HistoryRing', () => {
  it.each(fixtureNames())('%s: a ring larger than the capture holds every event, byte for byte', async (name) => {
    const ring = new HistoryRing({ seconds: 1e6, maxBytes: 64 << 20 });
    const all = await feed(name, ring);
    const got = held(ring);
    expect(got.length).toBe(all.length);
    expect(ring.events).toBe(all.length);
    for (let i = 0; i < all.length; i++) expect(got[i]).toEqual(all[i]);
  });

  it('a small ring keeps the newest events that fit, across many wrap-arounds', async () => {
    const ring = new HistoryRing({ seconds: 1e6, maxBytes: 64 * 1024 });
    const all = await feed('falco_psp_privileged', ring);
    const got = held(ring);
    expect(got.length).toBeGreaterThan(10);
    expect(got.length).toBeLessThan(all.length);
    expect(ring.bytes).toBeLessThanOrEqual(ring.capacity);
    // exactly the newest ones, in order
    expect(got).toEqual(all.slice(all.length - got.length));
  });

  it('events older than the window leave; forEachSince starts where asked', async () => {
    const windowS = 0.05;
    const ring = new HistoryRing({ seconds: windowS, maxBytes: 64 << 20 });
    const all = await feed('libs_curl_google', ring);
    const last = all[all.length - 1]!.ts;
    const expected = all.filter((e) => last - e.ts <= windowS * 1e9);
    // age is checked as events arrive: what is held is the window before the newest, and nothing older
    const got = held(ring);
    expect(got.map((e) => e.num)).toEqual(expected.map((e) => e.num));
    expect(ring.spanNs).toBeLessThanOrEqual(windowS * 1e9);
    const mid = expected[Math.floor(expected.length / 2)]!.ts;
    expect(held(ring, mid).map((e) => e.num)).toEqual(expected.filter((e) => e.ts >= mid).map((e) => e.num));
  });
});

describe('CaptureSession history', () => {
  it('keeps the last --history seconds of the events it ran, before other consumers see them', async () => {
    const { CaptureSession } = await import('../../src/session/capture-session.js');
    const { ReplaySource } = await import('../../src/session/replay-source.js');
    const { fixturePath } = await import('../helpers/fixtures.js');
    const session = new CaptureSession(new ReplaySource(fixturePath('falco_cat_write')), { historySeconds: 3600 });
    let seenInRing = 0;
    let seen = 0;
    session.add({
      onEvent: () => {
        seen++;
        if (session.history!.events === session.counted) seenInRing++;
      },
      finish: () => {},
    });
    session.remove(session.history!);
    await session.run();
    expect(seen).toBeGreaterThan(0);
    expect(seenInRing).toBe(seen);
    expect(new CaptureSession(new ReplaySource(fixturePath('falco_cat_write'))).history).toBeNull();
  });
});
