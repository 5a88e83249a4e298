/**
 * From a list row to the events around it, without a terminal: the dig
 * screen's consumer with a row's window (replay: exactly `tsysdig --events`'
 * lines of the process inside the window, the row's event highlighted, the
 * read ended once past the window), and the live path (the history replayed
 * into a scratch engine gives the same lines and leaves the live state alone).
 */
import { describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import { formatEventLine, isInternalEvent } from '../../src/format/event-line.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { HistoryRing } from '../../src/session/history-ring.js';
import { replayHistory } from '../../src/session/history-replay.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { C } from '../../src/ui/colors.js';
import { DigConsumer } from '../../src/ui/dig-view.js';
import { historyProblem, ROW_WINDOW_STOP_SLACK_NS, rowSelection, windowAround, type EventWindow } from '../../src/ui/row-drill.js';
import { TextBuffer } from '../../src/ui/text-view.js';
import type { RowOrigin } from '../../src/view/list-rows.js';
import { fixturePath } from '../helpers/fixtures.js';

const registry = new FieldRegistry();

interface Line {
  num: number;
  ts: number;
  pid: number;
  tid: number;
  text: string;
}

/** Every event line of a fixture as `tsysdig --events` prints it, with its event's number, time, pid and tid. */
async function allLines(fixture: string): Promise<Line[]> {
  const out: Line[] = [];
  const s = new CaptureSession(new ReplaySource(fixturePath(fixture)));
  s.add({
    onEvent: (ev, engine) => {
      if (isInternalEvent(ev)) return;
      out.push({ num: ev.num, ts: ev.ts, pid: engine.thread?.pid ?? -1, tid: ev.tid, text: formatEventLine(ev, engine) });
    },
    finish: () => {},
  });
  await s.run();
  return out;
}

function originOf(l: Line): RowOrigin {
  return { evtNum: l.num, ts: l.ts, tid: l.tid, pid: l.pid };
}

/** The dig screen's consumer on a replay of `fixture`, as Enter on a row starts it. */
async function digReplay(fixture: string, filter: string, win: EventWindow): Promise<{ dig: DigConsumer; buf: TextBuffer; session: CaptureSession }> {
  const buf = new TextBuffer();
  const s = new CaptureSession(new ReplaySource(fixturePath(fixture)));
  const dig = new DigConsumer(filter, registry, s.engine, buf, undefined, win, true);
  s.add(dig);
  await s.run();
  return { dig, buf, session: s };
}

const text = (buf: TextBuffer): string[] => buf.lines.map((l) => l.map((seg) => seg.text).join(''));

describe('dig screen on a row window (replay)', () => {
  it.each([
    ['falco_cat_write', 'execve', 20072],
    ['libs_curl_google', 'execve', 17497],
  ])('%s: the %s row of pid %i shows exactly the process\'s event lines in the window, its own highlighted', async (fixture, type, pid) => {
    const lines = await allLines(fixture);
    const row = lines.find((l) => l.pid === pid && l.text.includes(`< ${type} `))!;
    expect(row).toBeDefined();
    const sel = rowSelection(originOf(row), 'process')!;
    expect(sel).toEqual({ field: 'proc.pid', val: String(pid) });
    const win = windowAround(originOf(row));
    const { dig, buf } = await digReplay(fixture, `${sel.field}=${sel.val}`, win);
    const expected = lines.filter((l) => l.pid === pid && l.ts >= win.fromNs && l.ts <= win.toNs);
    expect(expected.length).toBeGreaterThan(10);
    expect(text(buf)).toEqual(expected.map((l) => l.text));
    expect(dig.anchorLine).toBe(expected.findIndex((l) => l.num === row.num));
    buf.lines.forEach((l, i) => expect(l[0]!.attr).toBe(i === dig.anchorLine ? C.highlight : C.normal));
  });

  it('libs_single_ipv6_conn (7.6 s): a narrower window keeps only its events, and the read ends once past it', async () => {
    const lines = await allLines('libs_single_ipv6_conn');
    const row = lines.find((l) => l.num === 1153)!; // the server's accept
    const win: EventWindow = { anchor: originOf(row), fromNs: row.ts - 4e9, toNs: row.ts + 1e6 };
    const { dig, buf, session } = await digReplay('libs_single_ipv6_conn', `thread.tid=${row.tid}`, win);
    const expected = lines.filter((l) => l.tid === row.tid && l.ts >= win.fromNs && l.ts <= win.toNs);
    expect(expected.map((l) => l.num)).toEqual([848, 849, 850, 851, 852, 853, 854, 1153]);
    expect(text(buf)).toEqual(expected.map((l) => l.text));
    expect(buf.lines[dig.anchorLine]![0]!.text).toMatch(/^1153 .* accept /);
    // the read stopped at the first event past the window and its slack (1345, 2.6 s later), not at the capture's end (1540)
    expect(session.lastEventNum).toBe(1345);
  });

  it('a thread row drills into thread.tid', () => {
    expect(rowSelection({ evtNum: 1, ts: 1, tid: 7, pid: 5 }, 'thread')).toEqual({ field: 'thread.tid', val: '7' });
    expect(rowSelection({ evtNum: 1, ts: 1, tid: 7, pid: -1 }, 'process')).toBeNull();
  });
});

describe('dig screen on a row window (live: from the history)', () => {
  it('libs_curl_google: the history replayed into a scratch engine gives the same lines as the capture, and the live state is untouched', async () => {
    const lines = await allLines('libs_curl_google');
    const s = new CaptureSession(new ReplaySource(fixturePath('libs_curl_google')), { historySeconds: 3600 });
    await s.run();
    const history = s.history!;
    const row = lines.find((l) => l.pid === 17497 && l.text.includes('< execve '))!;
    const win = windowAround(originOf(row));
    expect(historyProblem(history, originOf(row))).toBeNull();

    const threadsBefore = [...s.engine.threads.keys()];
    const fdsBefore = [...s.engine.threads.values()].map((t) => [...t.fds.keys()].join(','));
    const current = s.engine.thread;
    const buf = new TextBuffer();
    const dig = new DigConsumer('proc.pid=17497', registry, s.engine, buf, undefined, win, false);
    const n = replayHistory(history, s.engine, win.fromNs, win.toNs, (ev, engine) => dig.onEvent(ev, engine));
    expect(n).toBeGreaterThan(1000);

    expect(text(buf)).toEqual(lines.filter((l) => l.pid === 17497).map((l) => l.text));
    expect(buf.lines[dig.anchorLine]![0]!.text).toBe(row.text);
    expect([...s.engine.threads.keys()]).toEqual(threadsBefore);
    expect([...s.engine.threads.values()].map((t) => [...t.fds.keys()].join(','))).toEqual(fdsBefore);
    expect(s.engine.thread).toBe(current);
  });

  it('says in one line when there is no history, or the event has left it', () => {
    const o: RowOrigin = { evtNum: 42, ts: 1e18, tid: 1, pid: 1 };
    expect(historyProblem(null, o)).toMatch(/no event history.*--history/);
    const ring = new HistoryRing({ seconds: 10 });
    expect(historyProblem(ring, o)).toBe('event 42 has left the event history (it keeps the last 10 s)');
  });
});
