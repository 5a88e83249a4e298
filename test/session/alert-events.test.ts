/**
 * AlertEvents: a live Alerts screen opened after alerts fired starts from
 * them. Checked on falco_cat_write with rules from Falco's regression suite:
 * an Alerts list (and Alerts by Rule table) seeded from the store once the
 * capture has been read holds exactly the rows of one fed from the first
 * event, also for processes that have exited since; replaying shows each
 * event with the fd and alert numbers it had and leaves the engine as it was; the store keeps only the newest alert events.
 */
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/cli/alerts-command.js';
import { FieldRegistry } from '../../src/fields/registry.js';
import { AlertConsumer } from '../../src/rules/alert-consumer.js';
import { AlertEvents } from '../../src/session/alert-events.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { ListConsumer, TableConsumer } from '../../src/ui/consumers.js';
import type { Sample } from '../../src/view/table.js';
import { loadViews } from '../../src/view/view-loader.js';
import type { ScapEvent } from '../../src/event/scap-event.js';
import type { StateEngine } from '../../src/state/engine.js';
import { fixturePath } from '../helpers/fixtures.js';

const R = 'test/fixtures/falco-regression/rules';
/** Three rules, three priorities: 15 alerts on falco_cat_write. */
const MULTIPLE = [`${R}/multiple_rules/rules/single_rule.yaml`, `${R}/multiple_rules/rules/double_rule.yaml`];
/** Two rules matching the same open events with rule_matching all: 8 alerts, two per event. */
const CATCHALL = [`${R}/catchall_order/rules/catchall_order.yaml`];

const registry = new FieldRegistry();
const views = loadViews([], { userDir: null });
const OPTS = { intervalNs: 1e9, filter: '', tag: 'default', keepTotals: false };

function rules(paths: string[], matching: 'first' | 'all') {
  const ruleset = loadRuleSet({
    rulesPaths: paths,
    selection: { disabledSubstrings: [], disabledTags: [], enabledTags: [] },
    minPriority: null,
    extra: null,
    matching,
    onWarning: () => {},
  });
  return new AlertConsumer(ruleset, null, { json: false, timeIso8601: false, includeOutput: true, includeTags: true, hostname: 'test' }, null, true);
}

interface Run {
  session: CaptureSession;
  store: AlertEvents;
  /** The Alerts list fed from the first event. */
  fromStart: Sample;
  /** Alerts by Rule fed from the first event (whole-run table). */
  byRuleFromStart: Sample;
  /** Each alert event as the views saw it live: its number, fd name, alert numbers and rules. */
  seen: AlertEventSeen[];
}

interface AlertEventSeen {
  num: number;
  fd: string | null;
  alertNums: number[];
  rules: string[];
}

/** What the views read of an alert event: the event's number and fd, alert.num and alert.rule of each alert. */
function seenOf(ev: ScapEvent, engine: StateEngine): AlertEventSeen {
  const slot = engine.alerts;
  const alertNums: number[] = [];
  const rules: string[] = [];
  for (let i = 0; i < slot.count; i++) {
    slot.cursor = i;
    alertNums.push(slot.currentNum());
    rules.push(slot.current()!.rule);
  }
  slot.cursor = 0;
  return { num: ev.num, fd: engine.fd?.name ?? null, alertNums, rules };
}

function last(samples: Sample[]): Sample {
  expect(samples.length).toBeGreaterThan(0);
  return samples[samples.length - 1]!;
}

/** Reads the fixture with the rules, the store, and both Alerts views attached from the start. */
async function read(paths: string[], matching: 'first' | 'all', store = new AlertEvents()): Promise<Run> {
  const session = new CaptureSession(new ReplaySource(fixturePath('falco_cat_write')));
  const lists: Sample[] = [];
  const tables: Sample[] = [];
  const list = new ListConsumer(views.get('alerts')!, registry, session.engine, OPTS, (s) => lists.push(s));
  const byRule = new TableConsumer(views.get('alerts_by_rule')!, registry, session.engine, { ...OPTS, keepTotals: true }, (s, i) => i.final && tables.push(s));
  const seen: AlertEventSeen[] = [];
  const recorder = { onEvent: (ev: ScapEvent, engine: StateEngine) => void (engine.alerts.count > 0 && seen.push(seenOf(ev, engine))), finish: () => {} };
  session.add(rules(paths, matching)).add(store).add(recorder).add(list).add(byRule);
  await session.run();
  return { session, store, fromStart: last(lists), byRuleFromStart: last(tables), seen };
}

/** What a screen opened now shows: a new consumer seeded from the store (as the UI's seedAlerts does). */
function seededList(r: Run): Sample {
  const got: Sample[] = [];
  const c = new ListConsumer(views.get('alerts')!, registry, r.session.engine, OPTS, (s) => got.push(s));
  const n = r.store.replay(r.session.engine, (ev, engine) => c.onEvent(ev, engine));
  expect(n).toBe(r.store.size);
  c.refresh();
  return last(got);
}

function seededByRule(r: Run): Sample {
  const got: Sample[] = [];
  const c = new TableConsumer(views.get('alerts_by_rule')!, registry, r.session.engine, { ...OPTS, keepTotals: true }, (s, i) => i.final && got.push(s));
  r.store.replay(r.session.engine, (ev) => c.onEvent(ev));
  c.finish();
  return last(got);
}

const rowsOf = (s: Sample) => s.rows.map((x) => ({ values: x.values, ...('evtNum' in x ? { evtNum: x.evtNum, tid: x.tid, pid: x.pid } : {}) }));

describe('AlertEvents (an Alerts screen opened after the alerts fired)', () => {
  it.each([
    ['three rules, first match', MULTIPLE, 'first', 15],
    ['two rules on one event, all matches', CATCHALL, 'all', 8],
  ] as const)('%s: the seeded Alerts list and Alerts by Rule equal the ones fed from the first event', async (_what, paths, matching, alerts) => {
    const r = await read([...paths], matching);
    expect(r.fromStart.rows.length).toBe(alerts);
    const list = seededList(r);
    expect(rowsOf(list)).toEqual(rowsOf(r.fromStart));
    // every row names its process, also those whose thread has left the table since
    for (const row of list.rows) expect(row.values[3]).not.toBe('');
    // with all matches, an event firing two rules is two rows, seeded as fed
    if (matching === 'all') {
      const nums = list.rows.map((x) => (x as unknown as { evtNum: number }).evtNum);
      expect(new Set(nums).size).toBeLessThan(nums.length);
    }
    expect(rowsOf(seededByRule(r))).toEqual(rowsOf(r.byRuleFromStart));
  });

  it('a process that exited before the screen opened is still named by its alert rows', async () => {
    const r = await read(MULTIPLE, 'first');
    const list = seededList(r);
    const gone = list.rows.filter((row) => 'pid' in row && !r.session.engine.threads.has((row as { tid: number }).tid));
    // cat exits within falco_cat_write: its alerts outlive its thread
    expect(gone.length).toBeGreaterThan(0);
    for (const row of gone) expect(row.values[3]).toBe('cat');
  });

  it('replaying leaves the engine as it was: thread table, current event fields, alert numbering', async () => {
    const r = await read(MULTIPLE, 'first');
    const e = r.session.engine;
    const threads = [...e.threads.entries()];
    const before = { thread: e.thread, fd: e.fd, errorCode: e.errorCode, total: e.alerts.total, count: e.alerts.count };
    const replayed: AlertEventSeen[] = [];
    r.store.replay(e, (ev, engine) => void replayed.push(seenOf(ev, engine)));
    expect(replayed.length).toBe(15);
    // each event as the views saw it live: its fd (the file cat opened), its alerts and their numbers
    expect(replayed).toEqual(r.seen);
    expect(replayed.some((x) => x.fd !== null)).toBe(true);
    expect([...e.threads.entries()]).toEqual(threads);
    expect({ thread: e.thread, fd: e.fd, errorCode: e.errorCode, total: e.alerts.total, count: 0 }).toEqual({ ...before, count: 0 });
  });

  it('keeps only the newest alert events when full', async () => {
    const full = await read(MULTIPLE, 'first');
    const small = await read(MULTIPLE, 'first', new AlertEvents(5));
    expect(small.store.size).toBeLessThanOrEqual(5);
    expect(small.store.size).toBeGreaterThan(0);
    const nums: number[] = [];
    small.store.replay(small.session.engine, (ev) => void nums.push(ev.num));
    const allNums: number[] = [];
    full.store.replay(full.session.engine, (ev) => void allNums.push(ev.num));
    expect(nums).toEqual(allNums.slice(allNums.length - nums.length));
  });
});
