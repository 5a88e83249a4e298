/**
 * Prepared drill-down tables (DrillTables) equal what the UI gets by reading
 * the capture again with the drill-down's `field=value` in the filter: for
 * every table view whose Enter target is a table view (containers → procs,
 * procs → threads, threads → files, files → procs, connections, errors …),
 * on every fixture, for the parent's rows, rows, values, counts and order
 * are the same. Both sides run through the UI's own path: a CaptureSession
 * on a ReplaySource feeding TableConsumers, filters built as the selection
 * stack builds them. And for the cases of test/golden/drill/CASES, the
 * prepared table equals `csysdig --raw -v CHILD "(PARENT filter) and
 * FIELD=VALUE"` (scripts/make-goldens.sh).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldValueText } from '../../src/fields/render.js';
import { FieldRegistry } from '../../src/fields/registry.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { TableConsumer } from '../../src/ui/consumers.js';
import { combineFilters, filterValue, hierarchyFilter } from '../../src/ui/selection.js';
import { DrillTables } from '../../src/view/drill-tables.js';
import { isNumericType, type Sample } from '../../src/view/table.js';
import type { ViewColumn, ViewDef } from '../../src/view/view-def.js';
import { loadViews } from '../../src/view/view-loader.js';
import type { SampleInfo } from '../../src/view/view-runner.js';
import { expectSameRawTable, lastRawTable, rawRows } from '../helpers/csysdig-raw.js';
import { fixtureNames, fixturePath, GOLDEN } from '../helpers/fixtures.js';
import { selectionEntry } from '../helpers/selection-entry.js';

const views = loadViews([], { userDir: null });
const registry = new FieldRegistry({ screenWidth: 160 });
const INTERVAL_NS = 2e9;
/** Parent rows checked per path and fixture (each one is a full re-read). */
const MAX_ROWS = 12;

function keyColumn(v: ViewDef): ViewColumn | undefined {
  return v.columns.find((c) => c.isGroupbyKey) ?? v.columns.find((c) => c.isKey);
}

function targetOf(v: ViewDef, kc: ViewColumn): ViewDef | undefined {
  const t = v.drilldownTarget !== null ? views.get(v.drilldownTarget) : undefined;
  return t ?? views.all().find((x) => x.appliesTo.includes(kc.filterField ?? kc.field));
}

/** Top-level drill paths the UI prepares: parent table view → its Enter target. */
const PATHS = views
  .all()
  .filter((v) => v.viewType === 'table')
  .flatMap((v) => {
    const kc = keyColumn(v);
    const t = kc !== undefined ? targetOf(v, kc) : undefined;
    return kc !== undefined && t !== undefined && DrillTables.supports(kc, t) ? [{ parent: v, kc, target: t }] : [];
  });

function childFilter(cli: string, parent: ViewDef, target: ViewDef, field: string, val: string): string {
  return combineFilters(combineFilters(cli, hierarchyFilter([selectionEntry(field, val, parent.propagateFilter !== false ? parent.filter : '')])), target.filter);
}

type Final = { sample: Sample; info: SampleInfo };

/** One read of `file` into a table of `view` under `filter` (and the drill tables, if given): the final sample. */
async function read(file: string, view: ViewDef, filter: string, drill?: (c: CaptureSession) => DrillTables): Promise<{ final: Final; drill: DrillTables | null }> {
  const session = new CaptureSession(new ReplaySource(file));
  let final: Final | null = null;
  const d = drill?.(session) ?? null;
  const c = new TableConsumer(view, registry, session.engine, { intervalNs: INTERVAL_NS, filter, tag: 'default', keepTotals: true }, (sample, info) => {
    if (info.final) final = { sample, info };
  }, d);
  session.add(c);
  await session.run();
  if (final === null) throw new Error('no final sample');
  return { final, drill: d };
}

const plain = (s: Sample): unknown => s.rows.map((r) => ({ key: r.key, values: r.values, counts: r.counts }));

describe('prepared drill-down tables equal a re-read with the drill filter', () => {
  it('covers the main drill paths', () => {
    const ids = PATHS.map((p) => `${p.parent.id}>${p.target.id}`);
    console.log(`drill paths: ${ids.join(' ')}`);
    for (const p of ['containers>procs', 'procs>threads', 'threads>files', 'files>procs', 'errors>procs_errors', 'directories>files'])
      expect(ids).toContain(p);
  });

  for (const name of fixtureNames()) {
    it(`${name}: every path`, async () => {
      const file = fixturePath(name);
      let compared = 0;
      for (const { parent, kc, target } of PATHS) {
        const base = childFilter('', parent, target, '', '');
        const parentFilter = combineFilters('', parent.filter);
        const { final, drill } = await read(file, parent, parentFilter, (s) => new DrillTables(target, registry, s.engine, { keyColumn: kc, filter: base, tag: 'default' }));
        expect(drill!.ready).toBe(true);
        const rows = final.sample.rows.slice(0, MAX_ROWS);
        for (const row of rows) {
          const text = fieldValueText(final.sample.keyColumn.extractor.info, row.key);
          const val = filterValue(text, isNumericType(final.sample.keyColumn.type));
          const reread = await read(file, target, childFilter('', parent, target, kc.field, val));
          const prepared = drill!.sample(row.key);
          expect(plain(prepared), `${name} ${parent.id}>${target.id} ${kc.field}=${val}`).toEqual(plain(reread.final.sample));
          expect(prepared.sortColumn).toBe(reread.final.sample.sortColumn);
          expect(prepared.ascending).toBe(reread.final.sample.ascending);
          // the child's time span is the parent's read: same divisor for TIME_AVG columns
          expect(final.info).toEqual(reread.final.info);
          if (reread.final.sample.rows.length > 0) compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
    }, 120_000);
  }
});

const CASES = readFileSync(join(GOLDEN, 'drill', 'CASES'), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string, string, string, string]);

describe('bounded memory', () => {
  it('past maxKeys parent keys the tables are dropped and none is served', async () => {
    const parent = views.get('procs')!;
    const target = views.get('threads')!;
    const kc = keyColumn(parent)!;
    const make = (maxKeys: number) => (s: CaptureSession) => new DrillTables(target, registry, s.engine, { keyColumn: kc, filter: childFilter('', parent, target, '', ''), tag: 'default', maxKeys });
    const file = fixturePath('libs_curl_google');
    const all = await read(file, parent, parent.filter, make(1_000_000));
    expect(all.drill!.ready).toBe(true);
    expect(all.drill!.size).toBeGreaterThan(2);
    const capped = await read(file, parent, parent.filter, make(2));
    expect(capped.drill!.abandoned).toBe(true);
    expect(capped.drill!.ready).toBe(false);
    expect(capped.drill!.size).toBe(0);
    expect(() => capped.drill!.sample(all.final.sample.rows[0]!.key)).toThrow(/not ready/);
    // the parent's own table is unaffected
    expect(plain(capped.final.sample)).toEqual(plain(all.final.sample));
  });
});

describe('prepared drill-down tables equal csysdig with the drill filter', () => {
  it('has a reference for every case', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(7);
    expect(readdirSync(join(GOLDEN, 'drill')).filter((f) => f.endsWith('.txt')).length).toBe(CASES.length);
  });
  for (const [fixture, parentId, childId, field, value] of CASES) {
    it(`${fixture}: ${parentId} > ${childId} for ${field}=${value}`, async () => {
      const parent = views.get(parentId)!;
      const target = views.get(childId)!;
      const kc = keyColumn(parent)!;
      expect(kc.field).toBe(field);
      expect(targetOf(parent, kc)?.id).toBe(childId);
      const { final, drill } = await read(fixturePath(fixture), parent, parent.filter, (s) => new DrillTables(target, registry, s.engine, { keyColumn: kc, filter: childFilter('', parent, target, '', ''), tag: 'default' }));
      const row = final.sample.rows.find((r) => filterValue(fieldValueText(final.sample.keyColumn.extractor.info, r.key), isNumericType(final.sample.keyColumn.type)) === value);
      expect(row, `a ${parentId} row for ${value}`).toBeDefined();
      const prepared = drill!.sample(row!.key);
      const name = `${fixture}.${parentId}.${childId}.${value.replace(/[^A-Za-z0-9._-]/g, '_')}.txt`;
      const want = lastRawTable(readFileSync(join(GOLDEN, 'drill', name), 'latin1'));
      expect(want.length).toBeGreaterThan(0);
      expectSameRawTable(rawRows(prepared, final.info.timeDeltaNs, drill!.grouping), want);
    });
  }
});
