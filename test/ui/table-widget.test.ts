import { describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import { TextCanvas } from '../../src/ui/canvas.js';
import { C } from '../../src/ui/colors.js';
import { layoutColumns, TableWidget } from '../../src/ui/table-widget.js';
import type { Sample, SampleRow, TableColumn } from '../../src/view/table.js';
import type { SampleInfo } from '../../src/view/view-runner.js';
import type { Aggregation, ViewColumn } from '../../src/view/view-def.js';

const reg = new FieldRegistry();

function col(field: string, name: string, colsize: number, aggregation: Aggregation = 'NONE'): TableColumn {
  const ex = reg.resolveText(field)!;
  const column: ViewColumn = { name, field, description: '', colsize, aggregation, groupbyAggregation: 'NONE', isKey: false, isGroupbyKey: false, isSorting: false, tags: [], filterField: null };
  return { column, extractor: ex, type: ex.info.type, printFormat: ex.info.printFormat, aggregation, groupbyAggregation: 'NONE' };
}

const COLS = [col('proc.pid', 'PID', 7), col('thread.vmsize.b', 'VIRT', 9, 'MAX'), col('user.name', 'USER', 12), col('proc.exeline', 'Command', 0)];
const INFO: SampleInfo = { startNs: 0, endNs: 1e9, timeDeltaNs: 1e9, final: true, events: 1 };

function sample(n: number): Sample {
  const rows: SampleRow[] = [];
  for (let i = 0; i < n; i++) rows.push({ key: i + 1, values: [i + 1, (i % 7) * 1024 * 1024 * 10, i % 2 ? 'root' : 'daemon', `/usr/bin/prog${i} --flag`], counts: [1, 1, 1, 1] });
  return { columns: COLS, keyColumn: COLS[0]!, rows, sortColumn: 0, ascending: true };
}

describe('TableWidget', () => {
  it('lays columns out from their colsize (0 = the rest of the line)', () => {
    expect(layoutColumns(COLS).map((l) => [l.start, l.size, l.right])).toEqual([
      [0, 7, true],
      [7, 9, true],
      [16, 12, false],
      [28, 0, false],
    ]);
  });

  it('renders the header (sort column highlighted), the rows and the selection', () => {
    const t = new TableWidget();
    t.sortCol = 0;
    t.sortAsc = true;
    t.setSample(sample(3), INFO, false);
    const cv = new TextCanvas(60, 8);
    t.render(cv, 0, 0, 60, 8, { emptyText: 'No Data' });
    expect(cv.lines().slice(0, 4)).toEqual([
      '   PID     VIRT USER        Command',
      '     1        0 daemon      /usr/bin/prog0 --flag',
      '     2      10M root        /usr/bin/prog1 --flag',
      '     3      20M daemon      /usr/bin/prog2 --flag',
    ]);
    expect(cv.attrAt(0, 0)).toBe(C.highlight);
    expect(cv.attrAt(8, 0)).toBe(C.header);
    expect(cv.attrAt(0, 1)).toBe(C.highlight);
    expect(cv.attrAt(0, 2)).toBe(C.normal);
    expect(t.position()).toBe('1/3(33.3%)');
  });

  it('sorts on request and keeps the selected row', () => {
    const t = new TableWidget();
    t.sortCol = 0;
    t.sortAsc = true;
    t.setSample(sample(5), INFO, false);
    t.move('down');
    expect(t.selectedRow()!.key).toBe(2);
    t.sortBy(0);
    expect(t.rows.map((r) => r.key)).toEqual([5, 4, 3, 2, 1]);
    expect(t.selectedRow()!.key).toBe(2);
    // A new sample: the selection follows its row.
    t.setSample(sample(5), INFO, false);
    expect(t.selectedRow()!.key).toBe(2);
  });

  it('filters rows on free text in text columns', () => {
    const t = new TableWidget();
    t.sortAsc = true;
    t.freeText = 'prog1';
    t.setSample(sample(20), INFO, false);
    expect(t.rows.map((r) => r.key)).toEqual([2, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('renders 10,000 rows as fast as 40: only the visible slice is drawn', () => {
    const t = new TableWidget();
    const big = sample(10_000);
    t.sortAsc = true;
    t.setSample(big, INFO, false);
    const cv = new TextCanvas(160, 45);
    t.move('end');
    const time = (): number => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) t.render(cv, 0, 2, 160, 42, { emptyText: '' });
      return (performance.now() - t0) / 20;
    };
    time();
    const perFrame = time();
    expect(perFrame).toBeLessThan(15);
    expect(cv.lines()[43]).toContain('/usr/bin/prog9999 --flag');
    expect(t.position()).toBe('10000/10000(100.0%)');
    // Page up moves by a screenful.
    t.move('pageup');
    expect(t.scroll.selct).toBe(10_000 - 1 - 41);
  });

  it('scrolls horizontally by 4 columns', () => {
    const t = new TableWidget();
    t.setSample(sample(2), INFO, false);
    const cv = new TextCanvas(30, 4);
    t.render(cv, 0, 0, 30, 4, { emptyText: '' });
    t.scrollRight(30);
    t.render(cv, 0, 0, 30, 4, { emptyText: '' });
    expect(cv.lines()[0]).toBe('ID     VIRT USER        Comman');
  });

  it('shows the empty text when there are no rows', () => {
    const t = new TableWidget();
    t.setSample(sample(0), INFO, false);
    const cv = new TextCanvas(40, 6);
    t.render(cv, 0, 0, 40, 6, { emptyText: 'No Data For This View' });
    expect(cv.lines()[3]).toBe('          No Data For This View');
  });
});
