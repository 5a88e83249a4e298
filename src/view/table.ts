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
import { fieldValueText } from '../fields/render.js';

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
/** tsysdig: text columns keep each distinct value once, ", "-separated (numeric columns: as NONE). */
const A_DISTINCT = 6;

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
    case 'DISTINCT':
      return A_DISTINCT;
    default:
      return A_NONE;
  }
}

const DISTINCT_SEP = ', ';

/**
 * `cur` with the values of `add` (one value, or a list merged from another
 * table) it lacks appended: a DISTINCT cell. Allocates only when a value is new.
 */
function withDistinct(cur: string, add: string): string {
  if (add === '' || add === cur) return cur;
  if (cur === '') return add;
  let out = cur;
  for (const v of add.includes(DISTINCT_SEP) ? add.split(DISTINCT_SEP) : [add]) {
    if (v !== '' && !(DISTINCT_SEP + out + DISTINCT_SEP).includes(DISTINCT_SEP + v + DISTINCT_SEP)) out += DISTINCT_SEP + v;
  }
  return out;
}

/** Integer field types (sysdig's PT_INT8 … PT_UINT64, plus the fixed-size ids the table treats as numbers). */
export function isIntegerType(t: ParamType): boolean {
  return t >= ParamType.INT8 && t <= ParamType.UINT64;
}

/** Types whose values the table keeps as numbers: the quantities, plus ids and codes stored as integers. */
export function isNumericType(t: ParamType): boolean {
  if (sortsDescending(t)) return true;
  switch (t) {
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

/** Types sorted in descending order by default (biggest first), as csysdig does: the quantities. */
export function sortsDescending(t: ParamType): boolean {
  if (isIntegerType(t)) return true;
  switch (t) {
    case ParamType.RELTIME:
    case ParamType.ABSTIME:
    case ParamType.DOUBLE:
    case ParamType.BOOL:
      return true;
    default:
      return false;
  }
}

/**
 * One row under aggregation. Numeric values live in a Float64Array and text in
 * a string array (index = value column), so updating a row never boxes a
 * double: the per-event path allocates nothing once a key exists.
 */
interface Row {
  key: CellValue;
  nums: Float64Array;
  strs: string[];
  cnts: Uint32Array;
}

/** Scratch for one row being added: key, then the values by value column. */
interface RowInput {
  key: CellValue;
  nums: Float64Array;
  strs: string[];
  cnts: Uint32Array;
}

function newInput(n: number): RowInput {
  return { key: 0, nums: new Float64Array(n), strs: new Array<string>(n).fill(''), cnts: new Uint32Array(n) };
}

/** Per value column: how it aggregates and whether it is numeric / integer. */
interface ColumnKinds {
  agg: Int8Array;
  numeric: Uint8Array;
  integer: Uint8Array;
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

/**
 * A non-numeric column keeps text: a value the field hands out as a number
 * (an IPv4 address as a 32-bit integer) is kept in its field's own text form
 * (dotted quad), never as the integer's decimal digits.
 */
function cellTextOf(c: TableColumn, v: number | bigint | string | boolean): string {
  return typeof v === 'string' ? v : fieldValueText(c.extractor.info, v);
}

/** The cell a field value becomes in `c`'s column (a row key, a value): a number for numeric types, else the field's text. */
export function cellValueOf(c: TableColumn, v: number | bigint | string | boolean): CellValue {
  return toCell(v, isNumericType(c.type), c);
}

function toCell(v: number | bigint | string | boolean, numeric: boolean, c: TableColumn): CellValue {
  if (!numeric) return cellTextOf(c, v);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(v);
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
  /** Kinds of the premerge value columns (premerge[1..]) and of the postmerge ones (postmerge[1..]). */
  private readonly preKinds: ColumnKinds;
  private readonly postKinds: ColumnKinds | null;
  /** Whether premerge column j (0 = key) is numeric. */
  private readonly numeric: boolean[];
  private rows = new Map<CellValue, Row>();
  private readonly input: RowInput;
  private readonly ctx: EventContext;
  /** Made at the first thread pass: DrillTables keeps many tables that never run one. */
  private synthetic: SyntheticEvent | null = null;
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
    this.numeric = this.premerge.map((c) => isNumericType(c.type));
    this.preKinds = kindsOf(this.premerge.slice(1), (c) => c.aggregation);
    this.input = newInput(n - 1);
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
    const gb = this.premerge.findIndex((c) => c.column.isGroupbyKey);
    if (gb >= 0) {
      const order: number[] = [];
      for (let j = 1; j < n; j++) {
        if (j === gb) order.unshift(j);
        else order.push(j);
      }
      this.groupbyColumns = order;
      this.postmerge = order.map((j) => this.premerge[j]!);
      this.postKinds = kindsOf(this.postmerge.slice(1), (c) => c.groupbyAggregation);
    } else {
      this.groupbyColumns = [];
      this.postmerge = null;
      this.postKinds = null;
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
    const inp = this.input;
    const numeric = this.numeric;
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j]!;
      let v = c.extractor.get(ctx);
      let cnt = 1;
      if (v === undefined) {
        if (!this.opts.useDefaults) return;
        const d = defaultValue(c.type, c.printFormat);
        if (d === null) return;
        v = d;
        cnt = 0;
      }
      if (j === 0) {
        inp.key = toCell(v, numeric[0]!, c);
        continue;
      }
      const i = j - 1;
      if (numeric[j]) inp.nums[i] = typeof v === 'number' ? v : Number(v);
      else inp.strs[i] = cellTextOf(c, v);
      inp.cnts[i] = cnt;
    }
    addRow(this.rows, inp, this.preKinds, false);
  }

  /**
   * The per-thread pass sysdig runs when a sample is taken: one synthetic
   * "sysdigevent" per thread, timestamped just before the second of `ts`.
   */
  processThreadTable(ts: bigint): void {
    const filter = this.opts.filter;
    this.synthetic ??= new SyntheticEvent();
    forEachThreadEvent(this.engine, this.synthetic, this.ctx, ts, (ctx) => {
      if (filter === null || filter.test(ctx)) this.extractAndAdd(ctx);
    });
  }

  /**
   * Adds the event in `ctx` without testing the table's filter: for a
   * caller that already filtered it (DrillTables routes one filtered event
   * stream into a table per parent key).
   */
  addFiltered(ctx: EventContext): void {
    this.extractAndAdd(ctx);
  }

  /** Folds this table's rows into `total` (used to keep whole-capture totals across intervals). */
  /**
   * Adds this interval's rows to `total`. With `maxRows`, `total` keeps at
   * most that many rows, dropping those no event touched for the longest
   * time: rows of processes that exited (already shown in their intervals),
   * or long idle. An idle process still alive at the end comes back in the
   * final table through the thread-table pass, with what it did since. A
   * live run with a fork loop otherwise grows the whole-run table forever.
   * Returns the number of rows dropped.
   */
  foldInto(total: ViewTable, maxRows = Infinity): number {
    const into = total.rows;
    const bounded = maxRows !== Infinity;
    const gen = bounded ? ++total.foldCount : 0;
    for (const r of this.rows.values()) {
      addRow(into, r, total.preKinds, true);
      if (bounded) total.lastFold.set(r.key, gen);
    }
    if (!bounded || into.size <= maxRows) return 0;
    // Over the bound: drop the least recently folded rows down to 90% of it (so this sort runs
    // once per many intervals). The rows' order, which ties in sorting keep, is left alone.
    const keys = [...into.keys()].sort((x, y) => (total.lastFold.get(x) ?? 0) - (total.lastFold.get(y) ?? 0));
    const drop = into.size - Math.floor(maxRows * 0.9);
    for (let i = 0; i < drop; i++) {
      into.delete(keys[i]!);
      total.lastFold.delete(keys[i]!);
    }
    return drop;
  }

  /** Bounded whole-run tables: the fold each row was last part of (foldInto's maxRows). */
  private readonly lastFold = new Map<CellValue, number>();
  private foldCount = 0;

  /** Builds the sample (merging under the group-by key, sorting) and clears the table. */
  takeSample(clear = true): Sample {
    let rows: Map<CellValue, Row>;
    let cols: TableColumn[];
    if (this.postmerge !== null) {
      rows = new Map();
      const order = this.groupbyColumns;
      const n = order.length;
      const inp = newInput(n - 1);
      const numeric = this.numeric;
      for (const r of this.rows.values()) {
        // The group-by key is premerge column order[0]; the others follow in postmerge order.
        const g = order[0]! - 1;
        inp.key = numeric[order[0]!] ? r.nums[g]! : r.strs[g]!;
        for (let k = 1; k < n; k++) {
          const src = order[k]! - 1;
          inp.nums[k - 1] = r.nums[src]!;
          inp.strs[k - 1] = r.strs[src]!;
          inp.cnts[k - 1] = r.cnts[src]!;
        }
        addRow(rows, inp, this.postKinds!, false);
      }
      cols = this.postmerge;
    } else {
      rows = this.rows;
      cols = this.premerge;
    }
    const kinds = cols.slice(1).map((c) => isNumericType(c.type));
    const out: SampleRow[] = [];
    for (const r of rows.values()) {
      const values: CellValue[] = kinds.map((num, i) => (num ? r.nums[i]! : r.strs[i]!));
      out.push({ key: r.key, values, counts: Array.from(r.cnts) });
    }
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
 * Runs `visit` once per live thread with `ctx` holding the synthetic
 * "sysdigevent" of that thread at the second before `ts`, the engine's
 * current thread set to it (csysdig's per-sample thread pass); the engine's
 * current thread, fd and error are restored afterwards.
 */
export function forEachThreadEvent(engine: StateEngine, synthetic: SyntheticEvent, ctx: EventContext, ts: bigint, visit: (ctx: EventContext) => void): void {
  const savedThread = engine.thread;
  const savedFd = engine.fd;
  const savedErr = engine.errorCode;
  const tsSec = ts - (ts % 1_000_000_000n) - 1n;
  ctx.ev = synthetic.event;
  synthetic.set(tsSec, 0);
  for (const t of engine.threads.values()) {
    synthetic.setTid(t.tid);
    engine.thread = t;
    engine.fd = null;
    engine.errorCode = 0;
    visit(ctx);
  }
  engine.thread = savedThread;
  engine.fd = savedFd;
  engine.errorCode = savedErr;
}

function kindsOf(cols: TableColumn[], agg: (c: TableColumn) => Aggregation): ColumnKinds {
  return {
    agg: Int8Array.from(cols.map((c) => aggCode(agg(c)))),
    numeric: Uint8Array.from(cols.map((c) => (isNumericType(c.type) ? 1 : 0))),
    integer: Uint8Array.from(cols.map((c) => (isIntegerType(c.type) ? 1 : 0))),
  };
}

/**
 * sinsp_table::add_row + add_fields: inserts or combines one row's values.
 * `fold` combines two partial premerge tables (interval into total): sums and counts simply add.
 */
function addRow(rows: Map<CellValue, Row>, inp: RowInput, kinds: ColumnKinds, fold: boolean): void {
  const key = inp.key;
  const row = rows.get(key);
  if (row === undefined) {
    rows.set(key, { key, nums: inp.nums.slice(), strs: inp.strs.slice(), cnts: inp.cnts.slice() });
    return;
  }
  const dn = row.nums;
  const ds = row.strs;
  const dc = row.cnts;
  const agg = kinds.agg;
  const numeric = kinds.numeric;
  const n = agg.length;
  for (let i = 0; i < n; i++) {
    const a = agg[i]!;
    if (a === A_NONE) continue;
    const scnt = inp.cnts[i]!;
    if (numeric[i] === 0) {
      // Text: MAX and MIN keep the newest value, as sysdig copies it; SUM/AVG do nothing.
      if (a === A_MAX || (a === A_MIN && scnt !== 0 && dc[i] !== 0)) ds[i] = inp.strs[i]!;
      else if (a === A_DISTINCT) ds[i] = withDistinct(ds[i]!, inp.strs[i]!);
      else if (a === A_MIN && scnt !== 0) dc[i] = dc[i]! + 1;
      else if (a === A_AVG) dc[i] = dc[i]! + scnt;
      continue;
    }
    const src = inp.nums[i]!;
    switch (a) {
      case A_SUM:
      case A_TIME_AVG:
        if (scnt < 2 || fold) dn[i] = dn[i]! + src;
        else {
          // Merging averaged values: sysdig turns both sides into averages first.
          const isInt = kinds.integer[i] === 1;
          let d = dn[i]!;
          if (dc[i]! > 1) d = isInt ? idiv(d, dc[i]!) : d / dc[i]!;
          d += isInt ? idiv(src, scnt) : src / scnt;
          dn[i] = d;
          dc[i] = 1;
        }
        break;
      case A_AVG:
        dc[i] = dc[i]! + scnt;
        dn[i] = dn[i]! + src;
        break;
      case A_MAX:
        if (dn[i]! < src) dn[i] = src;
        break;
      case A_MIN:
        if (scnt !== 0) {
          if (dc[i] === 0) {
            dn[i] = dn[i]! + src;
            dc[i] = dc[i]! + 1;
          } else if (dn[i]! > src) dn[i] = src;
        }
        break;
    }
  }
}
