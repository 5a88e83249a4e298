/**
 * ViewTable: the table engine behind every table view, with csysdig's exact
 * semantics (sinsp_table):
 *
 *  - per event: the view filter, then every column's field is extracted; a
 *    missing value drops the event unless the view uses defaults (0 / "");
 *  - rows are keyed by the key column; a new key stores the first values,
 *    an existing one combines them with the column's aggregation
 *    (NONE keeps the first, SUM, AVG keeps sum and count, MAX, MIN);
 *  - at sample time, a "sysdigevent" per live thread passes through the same
 *    path (so per-process columns exist for idle processes), then rows are
 *    merged under the group-by key with the groupby aggregations, sorted,
 *    and returned.
 *
 * Values are numbers for numeric field types and strings otherwise; a row
 * keeps a count per value (for averages), as sinsp_table does.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { ParamType, PrintFormat } from '../event/types.js';
import type { CompiledFilter } from '../filter/index.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';
import type { StateEngine } from '../state/engine.js';
import type { Aggregation, ViewColumn } from './view-def.js';
import { SyntheticEvent } from './synthetic-event.js';

export type CellValue = number | string;

export interface TableColumn {
  column: ViewColumn;
  extractor: FieldExtractor;
  type: ParamType;
  printFormat: PrintFormat;
  aggregation: Aggregation;
  groupbyAggregation: Aggregation;
}

export interface SampleRow {
  key: CellValue;
  values: CellValue[];
  counts: number[];
}

/** One computed table: columns (without the key), rows sorted. */
export interface Sample {
  columns: TableColumn[];
  keyColumn: TableColumn;
  rows: SampleRow[];
  /** Index (into columns/values) of the column the rows are sorted by, and its direction. */
  sortColumn: number;
  ascending: boolean;
}

const A_NONE = 0;
const A_SUM = 1;
const A_AVG = 2;
const A_TIME_AVG = 3;
const A_MAX = 4;
const A_MIN = 5;

function aggCode(a: Aggregation): number {
  switch (a) {
    case 'SUM':
      return A_SUM;
    case 'AVG':
      return A_AVG;
    case 'TIME_AVG':
      return A_TIME_AVG;
    case 'MAX':
      return A_MAX;
    case 'MIN':
      return A_MIN;
    default:
      return A_NONE;
  }
}

/** Integer field types (sysdig's PT_INT8 … PT_UINT64, plus the fixed-size ids the table treats as numbers). */
export function isIntegerType(t: ParamType): boolean {
  return t >= ParamType.INT8 && t <= ParamType.UINT64;
}

export function isNumericType(t: ParamType): boolean {
  switch (t) {
    case ParamType.INT8:
    case ParamType.INT16:
    case ParamType.INT32:
    case ParamType.INT64:
    case ParamType.UINT8:
    case ParamType.UINT16:
    case ParamType.UINT32:
    case ParamType.UINT64:
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
    case ParamType.DOUBLE:
    case ParamType.BOOL:
    case ParamType.ERRNO:
    case ParamType.FD:
    case ParamType.PID:
    case ParamType.PORT:
    case ParamType.UID:
    case ParamType.GID:
    case ParamType.SIGTYPE:
    case ParamType.L4PROTO:
    case ParamType.SOCKFAMILY:
    case ParamType.FLAGS8:
    case ParamType.FLAGS16:
    case ParamType.FLAGS32:
    case ParamType.MODE:
    case ParamType.SYSCALLID:
      return true;
    default:
      return false;
  }
}

/** Types sorted in descending order by default (biggest first), as csysdig does. */
export function sortsDescending(t: ParamType): boolean {
  switch (t) {
    case ParamType.INT8:
    case ParamType.INT16:
    case ParamType.INT32:
    case ParamType.INT64:
    case ParamType.UINT8:
    case ParamType.UINT16:
    case ParamType.UINT32:
    case ParamType.UINT64:
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
    case ParamType.DOUBLE:
    case ParamType.BOOL:
      return true;
    default:
      return false;
  }
}

interface Row {
  key: CellValue;
  vals: CellValue[];
  cnts: number[];
}

/** The value a missing field takes in views with use_defaults (null: the event is dropped). */
function defaultValue(type: ParamType, pf: PrintFormat): CellValue | null {
  switch (type) {
    case ParamType.INT8:
    case ParamType.INT16:
    case ParamType.INT32:
    case ParamType.INT64:
    case ParamType.UINT8:
    case ParamType.UINT16:
    case ParamType.UINT32:
    case ParamType.UINT64:
    case ParamType.BOOL:
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
      return pf === PrintFormat.DEC ? 0 : null;
    case ParamType.DOUBLE:
      return 0;
    case ParamType.CHARBUF:
      return '';
    default:
      return null;
  }
}

function toCell(v: number | bigint | string | boolean, numeric: boolean): CellValue {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return numeric ? Number(v) : v;
}

/** Integer division as C does it for the table's integer types. */
function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

export interface TableOptions {
  useDefaults: boolean;
  filter: CompiledFilter<EventContext> | null;
  /** Index into the post-key values of the initial sorting column (csysdig's m_sortingcol - 1). */
  sortingColumn: number;
}

export class ViewTable {
  /** Columns in csysdig's premerge order: key first. */
  readonly premerge: TableColumn[];
  /** Columns after group-by: group-by key first (null when the view does not group). */
  readonly postmerge: TableColumn[] | null;
  /** For each postmerge column, the premerge column it comes from. */
  private readonly groupbyColumns: number[];
  private readonly premergeAgg: Int8Array;
  private readonly postmergeAgg: Int8Array;
  private readonly numeric: boolean[];
  private readonly integer: boolean[];
  private rows = new Map<CellValue, Row>();
  private readonly scratchVals: CellValue[];
  private readonly scratchCnts: number[];
  private readonly ctx: EventContext;
  private readonly synthetic = new SyntheticEvent();
  sortingColumn: number;
  sortAscending: boolean;

  constructor(
    columns: TableColumn[],
    private readonly engine: StateEngine,
    private readonly opts: TableOptions,
  ) {
    const key = columns.findIndex((c) => c.column.isKey);
    if (key < 0) throw new Error('table is missing the key');
    this.premerge = [columns[key]!, ...columns.filter((_, i) => i !== key)];
    const n = this.premerge.length;
    this.premergeAgg = Int8Array.from(this.premerge.map((c) => aggCode(c.aggregation)));
    this.numeric = this.premerge.map((c) => isNumericType(c.type));
    this.integer = this.premerge.map((c) => isIntegerType(c.type));
    this.scratchVals = new Array<CellValue>(n).fill(0);
    this.scratchCnts = new Array<number>(n).fill(0);
    this.ctx = { ev: this.synthetic.event, engine };
    const gb = this.premerge.findIndex((c) => c.column.isGroupbyKey);
    if (gb >= 0) {
      const order: number[] = [];
      for (let j = 1; j < n; j++) {
        if (j === gb) order.unshift(j);
        else order.push(j);
      }
      this.groupbyColumns = order;
      this.postmerge = order.map((j) => this.premerge[j]!);
      this.postmergeAgg = Int8Array.from(this.postmerge.map((c) => aggCode(c.groupbyAggregation)));
    } else {
      this.groupbyColumns = [];
      this.postmerge = null;
      this.postmergeAgg = new Int8Array(0);
    }
    this.sortingColumn = opts.sortingColumn;
    this.sortAscending = !sortsDescending(this.columnAt(this.sortingColumn + 1).type);
  }

  /** Output columns (key first): postmerge when grouping, else premerge. */
  get outputColumns(): TableColumn[] {
    return this.postmerge ?? this.premerge;
  }

  private columnAt(i: number): TableColumn {
    const cols = this.outputColumns;
    return cols[Math.min(i, cols.length - 1)]!;
  }

  /** Sorts by output column `col` (1-based over the values, 0 = key is not allowed); same column toggles direction. */
  setSortingColumn(col: number): void {
    if (col < 1 || col >= this.outputColumns.length) return;
    if (col === this.sortingColumn + 1) this.sortAscending = !this.sortAscending;
    else this.sortAscending = !sortsDescending(this.outputColumns[col]!.type);
    this.sortingColumn = col - 1;
  }

  get rowCount(): number {
    return this.rows.size;
  }

  /** Adds the current event (state already updated by engine.process). */
  processEvent(ev: ScapEvent): void {
    const ctx = this.ctx;
    ctx.ev = ev;
    if (this.opts.filter !== null && !this.opts.filter.test(ctx)) return;
    this.extractAndAdd(ctx);
  }

  private extractAndAdd(ctx: EventContext): void {
    const cols = this.premerge;
    const vals = this.scratchVals;
    const cnts = this.scratchCnts;
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j]!;
      const v = c.extractor.get(ctx);
      if (v === undefined) {
        if (!this.opts.useDefaults) return;
        const d = defaultValue(c.type, c.printFormat);
        if (d === null) return;
        vals[j] = d;
        cnts[j] = 0;
      } else {
        vals[j] = toCell(v, this.numeric[j]!);
        cnts[j] = 1;
      }
    }
    addRow(this.rows, vals, cnts, this.premergeAgg, this.numeric, this.integer);
  }

  /**
   * The per-thread pass sysdig runs when a sample is taken: one synthetic
   * "sysdigevent" per thread, timestamped just before the second of `ts`.
   */
  processThreadTable(ts: bigint): void {
    const engine = this.engine;
    const savedThread = engine.thread;
    const savedFd = engine.fd;
    const savedErr = engine.errorCode;
    const tsSec = ts - (ts % 1_000_000_000n) - 1n;
    const ctx = this.ctx;
    ctx.ev = this.synthetic.event;
    for (const t of engine.threads.values()) {
      this.synthetic.set(tsSec, t.tid);
      engine.thread = t;
      engine.fd = null;
      engine.errorCode = 0;
      if (this.opts.filter !== null && !this.opts.filter.test(ctx)) continue;
      this.extractAndAdd(ctx);
    }
    engine.thread = savedThread;
    engine.fd = savedFd;
    engine.errorCode = savedErr;
  }

  /** Folds this table's rows into `total` (used to keep whole-capture totals across intervals). */
  foldInto(total: ViewTable): void {
    for (const r of this.rows.values()) {
      const vals = total.scratchVals;
      const cnts = total.scratchCnts;
      vals[0] = r.key;
      cnts[0] = 1;
      for (let j = 1; j < vals.length; j++) {
        vals[j] = r.vals[j - 1]!;
        cnts[j] = r.cnts[j - 1]!;
      }
      addRow(total.rows, vals, cnts, total.premergeAgg, total.numeric, total.integer, true);
    }
  }

  /** Builds the sample (merging under the group-by key, sorting) and clears the table. */
  takeSample(clear = true): Sample {
    let rows: Map<CellValue, Row>;
    let cols: TableColumn[];
    if (this.postmerge !== null) {
      rows = new Map();
      const order = this.groupbyColumns;
      const n = order.length;
      const vals = new Array<CellValue>(n);
      const cnts = new Array<number>(n);
      const numeric = order.map((j) => this.numeric[j]!);
      const integer = order.map((j) => this.integer[j]!);
      for (const r of this.rows.values()) {
        for (let k = 0; k < n; k++) {
          const src = order[k]!;
          vals[k] = r.vals[src - 1]!;
          cnts[k] = r.cnts[src - 1]!;
        }
        addRow(rows, vals, cnts, this.postmergeAgg, numeric, integer);
      }
      cols = this.postmerge;
    } else {
      rows = this.rows;
      cols = this.premerge;
    }
    const out: SampleRow[] = [];
    for (const r of rows.values()) out.push({ key: r.key, values: r.vals, counts: r.cnts });
    if (clear) this.rows = new Map();
    const sorted = this.sortRows(out, cols);
    return { columns: cols.slice(1), keyColumn: cols[0]!, rows: sorted, sortColumn: this.sortingColumn, ascending: this.sortAscending };
  }

  private sortRows(rows: SampleRow[], cols: TableColumn[]): SampleRow[] {
    const ci = this.sortingColumn;
    if (ci < 0 || ci >= cols.length - 1) return rows;
    const col = cols[ci + 1]!;
    const numeric = isNumericType(col.type);
    const integer = isIntegerType(col.type);
    const sign = this.sortAscending ? 1 : -1;
    // A stable sort keeps equal rows in first-seen order, so output is deterministic.
    return rows.sort((a, b) => {
      const av = a.values[ci]!;
      const bv = b.values[ci]!;
      if (numeric) {
        const ac = a.counts[ci]!;
        const bc = b.counts[ci]!;
        let x = av as number;
        let y = bv as number;
        if (ac > 1 || bc > 1) {
          const d1 = ac === 0 ? 1 : ac;
          const d2 = bc === 0 ? 1 : bc;
          x = integer ? idiv(x, d1) : x / d1;
          y = integer ? idiv(y, d2) : y / d2;
        }
        return x < y ? -sign : x > y ? sign : 0;
      }
      const s1 = String(av);
      const s2 = String(bv);
      return s1 < s2 ? -sign : s1 > s2 ? sign : 0;
    });
  }
}

/**
 * sinsp_table::add_row + add_fields: inserts or combines one row's values.
 * `fold` combines two partial premerge tables (interval into total): sums and counts simply add.
 */
function addRow(
  rows: Map<CellValue, Row>,
  vals: CellValue[],
  cnts: number[],
  agg: Int8Array,
  numeric: boolean[],
  integer: boolean[],
  fold = false,
): void {
  const key = vals[0]!;
  const row = rows.get(key);
  if (row === undefined) {
    rows.set(key, { key, vals: vals.slice(1), cnts: cnts.slice(1) });
    return;
  }
  const dv = row.vals;
  const dc = row.cnts;
  for (let j = 1; j < vals.length; j++) {
    const a = agg[j]!;
    const i = j - 1;
    const src = vals[j]!;
    const scnt = cnts[j]!;
    switch (a) {
      case A_NONE:
        break;
      case A_SUM:
      case A_TIME_AVG:
        if (!numeric[j]) break;
        if (scnt < 2 || fold) dv[i] = (dv[i] as number) + (src as number);
        else {
          // Merging averaged values: sysdig turns both sides into averages first.
          const isInt = integer[j]!;
          let d = dv[i] as number;
          if (dc[i]! > 1) d = isInt ? idiv(d, dc[i]!) : d / dc[i]!;
          d += isInt ? idiv(src as number, scnt) : (src as number) / scnt;
          dv[i] = d;
          dc[i] = 1;
        }
        break;
      case A_AVG:
        dc[i] = dc[i]! + scnt;
        if (numeric[j]) dv[i] = (dv[i] as number) + (src as number);
        break;
      case A_MAX:
        if (numeric[j]) {
          if ((dv[i] as number) < (src as number)) dv[i] = src;
        } else dv[i] = src;
        break;
      case A_MIN:
        if (scnt !== 0) {
          if (dc[i] === 0) {
            if (numeric[j]) dv[i] = (dv[i] as number) + (src as number);
            dc[i] = dc[i]! + 1;
          } else if (numeric[j]) {
            if ((dv[i] as number) > (src as number)) dv[i] = src;
          } else dv[i] = src;
        }
        break;
    }
  }
}
