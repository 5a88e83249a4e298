/**
 * The rows of a list view (csysdig TT_LIST): every event passing the view's
 * filter becomes one row, in arrival order, and the row remembers the event
 * it was made of (its number, time, thread and process). That identity is
 * what lets the screen go from a row back to the events around it (Enter on
 * a Lifecycle or an alert row opens the dig screen on that event; F2 offers
 * the views of the row's process).
 *
 * The identity is four numbers stored on the row object itself, not a
 * separate object: a list row already costs one object and its value
 * arrays, and remembering where it came from adds nothing per event beyond
 * that.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { EventContext } from '../fields/types.js';
import type { CompiledFilter } from '../filter/index.js';
import type { StateEngine } from '../state/engine.js';
import { isNumericType, type CellValue, type SampleRow, type TableColumn } from './table.js';

/** The event a list-view row was made of. */
export interface RowOrigin {
  /** The event's number (evt.num): unique in a capture or a live run. */
  evtNum: number;
  /** Its time, ns since the epoch (as a double: exact to a few hundred ns, enough for windows). */
  ts: number;
  /** The thread that generated it (thread.tid). */
  tid: number;
  /** Its process (proc.pid), -1 when the state did not know the thread. */
  pid: number;
}

/** A list-view row: the sample row and the identity of its event, in one object. */
export type ListRow = SampleRow & RowOrigin;

/** The event a row was made of, or null for rows of table views (aggregates of many events). */
export function rowOrigin(row: SampleRow | null): RowOrigin | null {
  if (row === null) return null;
  const r = row as Partial<ListRow>;
  return typeof r.evtNum === 'number' ? (row as ListRow) : null;
}

/** Most rows a list view keeps (the oldest go first). */
export const LIST_MAX_ROWS = 200_000;

export interface ListRowsOptions {
  /** A missing field becomes 0 / '' (the view's use_defaults) instead of dropping the event. */
  useDefaults: boolean;
  /** The complete filter of the screen (null: every event). */
  filter: CompiledFilter<EventContext> | null;
  /** Most rows kept (default LIST_MAX_ROWS); a tenth of them leave at once when full. */
  maxRows?: number;
}

export class ListRows {
  rows: ListRow[] = [];
  private seq = 0;
  private readonly ctx: EventContext;
  private readonly numeric: boolean[];
  private readonly maxRows: number;

  constructor(
    readonly columns: TableColumn[],
    engine: StateEngine,
    private readonly opts: ListRowsOptions,
  ) {
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
    this.numeric = columns.map((c) => isNumericType(c.type));
    this.maxRows = opts.maxRows ?? LIST_MAX_ROWS;
  }

  /** Adds the current event (state already updated) as a row when it passes the filter; true when it did. */
  add(ev: ScapEvent): boolean {
    const ctx = this.ctx;
    ctx.ev = ev;
    if (this.opts.filter !== null && !this.opts.filter.test(ctx)) return false;
    const cols = this.columns;
    const values: CellValue[] = [];
    const counts: number[] = [];
    for (let j = 0; j < cols.length; j++) {
      const v = cols[j]!.extractor.get(ctx);
      if (v === undefined) {
        if (!this.opts.useDefaults) return false;
        values.push(this.numeric[j] ? 0 : '');
        counts.push(0);
      } else {
        values.push(typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v);
        counts.push(1);
      }
    }
    const t = ctx.engine.thread;
    this.rows.push({ key: ++this.seq, values, counts, evtNum: ev.num, ts: ev.ts, tid: ev.tid, pid: t === null ? -1 : t.pid });
    if (this.rows.length > this.maxRows) this.rows.splice(0, Math.max(1, Math.floor(this.maxRows / 10)));
    return true;
  }

  /** Forgets the rows (csysdig's 'c'); keys keep counting, so a key never names two rows. */
  clear(): void {
    this.rows = [];
  }
}
