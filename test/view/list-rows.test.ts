/**
 * List-view rows remember the event they were made of (src/view/list-rows.ts):
 * on real captures, every row's identity is the event's own evt.num,
 * evt.rawtime, thread.tid and proc.pid as the fields read them when the
 * event passed; keys stay unique when rows are trimmed or cleared; table rows
 * carry no identity.
 */
import { describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import type { EventContext } from '../../src/fields/types.js';
import { compileFilter } from '../../src/filter/index.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { ListRows, rowOrigin, type RowOrigin } from '../../src/view/list-rows.js';
import { viewColumns } from '../../src/view/view-columns.js';
import { loadViews, parseViewFile } from '../../src/view/view-loader.js';
import { fixturePath } from '../helpers/fixtures.js';

const registry = new FieldRegistry();
const views = loadViews([], { userDir: null });

/** Runs a fixture into ListRows for `viewId`, and records what the fields say of each passing event. */
async function rowsOf(fixture: string, viewId: string, maxRows?: number): Promise<{ list: ListRows; expected: RowOrigin[] }> {
  const view = views.get(viewId)!;
  const session = new CaptureSession(new ReplaySource(fixturePath(fixture)));
  const filter = compileFilter<EventContext>(view.filter, registry);
  const list = new ListRows(viewColumns(view, registry, 'default'), session.engine, { useDefaults: view.useDefaults, filter, maxRows });
  const num = registry.resolve('evt.num')!;
  const raw = registry.resolve('evt.rawtime')!;
  const tid = registry.resolve('thread.tid')!;
  const pid = registry.resolve('proc.pid')!;
  const expected: RowOrigin[] = [];
  session.add({
    onEvent: (ev, engine) => {
      if (!list.add(ev)) return;
      const ctx: EventContext = { ev, engine };
      expected.push({ evtNum: Number(num.get(ctx)), ts: Number(raw.get(ctx)), tid: Number(tid.get(ctx)), pid: Number(pid.get(ctx) ?? -1) });
    },
    finish: () => {},
  });
  await session.run();
  return { list, expected };
}

describe('ListRows: the event behind each row', () => {
  it.each(['falco_cat_write', 'libs_curl_google'])('%s, Lifecycle: each row is its event (evt.num, time, tid, pid)', async (fixture) => {
    const { list, expected } = await rowsOf(fixture, 'lifecycle');
    expect(list.rows.length).toBeGreaterThanOrEqual(2);
    expect(list.rows.length).toBe(expected.length);
    list.rows.forEach((r, i) => {
      const o = rowOrigin(r)!;
      const e = expected[i]!;
      expect(o.evtNum).toBe(e.evtNum);
      // ts is a double: exact to the few hundred ns a 64-bit time loses in one
      expect(Math.abs(o.ts - e.ts)).toBeLessThan(1000);
      expect(o.tid).toBe(e.tid);
      expect(o.pid).toBe(e.pid);
    });
    const keys = list.rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('falco_cat_write, Lifecycle: the exec and the exit of cat are rows 131 and 215 of pid 20072', async () => {
    const { list } = await rowsOf('falco_cat_write', 'lifecycle');
    expect(list.rows.map((r) => [r.evtNum, r.pid, r.tid, r.values[1]])).toEqual([
      [131, 20072, 20072, 'execve'],
      [215, 20072, 20072, 'procexit'],
    ]);
  });

  it('trimming the oldest rows and clearing keep every key unique, and identities with their rows', async () => {
    const { list, expected } = await rowsOf('libs_curl_google', 'file_opens', 20);
    expect(expected.length).toBeGreaterThan(20);
    expect(list.rows.length).toBeLessThanOrEqual(20);
    // the rows kept are the newest, still paired with their own events
    const tail = expected.slice(expected.length - list.rows.length);
    expect(list.rows.map((r) => r.evtNum)).toEqual(tail.map((e) => e.evtNum));
    const lastKey = list.rows[list.rows.length - 1]!.key as number;
    expect(lastKey).toBe(expected.length);
    list.clear();
    expect(list.rows).toEqual([]);
  });

  it('rows of table views carry no event, and no row is no event', () => {
    expect(rowOrigin({ key: 'x', values: [1], counts: [1] })).toBeNull();
    expect(rowOrigin(null)).toBeNull();
  });
});

describe('view key row_events', () => {
  const base = 'id: v\nname: V\nview_type: list\ncolumns:\n  - name: T\n    field: evt.type\n';
  it('defaults to the process, takes thread, and refuses anything else in one line', () => {
    expect(parseViewFile('v.yaml', base).rowEvents).toBe('process');
    expect(parseViewFile('v.yaml', `row_events: thread\n${base}`).rowEvents).toBe('thread');
    expect(views.get('lifecycle')!.rowEvents).toBe('process');
    let msg = '';
    try {
      parseViewFile('v.yaml', `row_events: fd\n${base}`);
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/row_events/);
    expect(msg).toMatch(/process/);
    expect(msg.split('\n')).toHaveLength(1);
  });
});
