/**
 * DrillTables: the tables of a view's default drill-down target, prepared
 * while the parent view's capture is read, one per value of the parent's
 * selection key. Entering row k of the parent then shows the table for k at
 * once, instead of reading the capture again with `field=k` added to the
 * filter.
 *
 * Why this equals a re-read: the re-read's filter is `base and field=k`,
 * where `base` is everything else the child screen filters on (command-line
 * filter, the selections above, the parent's propagated filter, the child
 * view's own). Here every event passing `base` goes to the table of its own
 * `field` value, which is exactly the set of events the re-read for that
 * value would tabulate. Each table has its own column extractors, so fields
 * that remember earlier events (thread.cpu) see what they would see in the
 * re-read. The per-thread pass at the end routes each thread's synthetic
 * event the same way. The whole-capture table of a replay folds its
 * intervals into one total whose rows and order are those of one table fed
 * every event, so one table per value is kept, not two.
 *
 * Memory: rows of the child view split by the parent's key, so about the
 * child view's table over the whole capture: bounded by the entities the
 * capture saw (threads, files, connections), not by its number of events.
 * Each table also binds its own extractors (~7 KB for the procs view), so
 * past `maxKeys` parent keys (a files view over a capture touching a
 * hundred thousand files) the tables are dropped and Enter reads the
 * capture again, as without them.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import { compileFilter, type CompiledFilter } from '../filter/index.js';
import type { StateEngine } from '../state/engine.js';
import { SyntheticEvent } from './synthetic-event.js';
import { cellValueOf, forEachThreadEvent, ViewTable, type CellValue, type Sample, type TableColumn } from './table.js';
import type { ViewColumn, ViewDef } from './view-def.js';
import { ViewConfigError, viewColumns, viewSortingColumn } from './view-columns.js';

export interface DrillTablesOptions {
  /** The parent's column whose value selects a row (its group-by key, else its key): its field is the selection's. */
  keyColumn: ViewColumn;
  /** The child screen's complete filter without the selection's own `field=value` clause. */
  filter: string;
  /** Column tags enabled ('containers' with -pc, else 'default'). */
  tag: string;
  /** Most parent keys (tables) kept before giving up (default DRILL_MAX_KEYS). */
  maxKeys?: number;
}

/** Default bound on the parent keys prepared: ~70 MB of empty procs tables at most. */
export const DRILL_MAX_KEYS = 10_000;

export class DrillTables {
  private readonly filter: CompiledFilter<EventContext> | null;
  private readonly key: TableColumn;
  private readonly tables = new Map<CellValue, ViewTable>();
  private readonly ctx: EventContext;
  private readonly synthetic = new SyntheticEvent();
  private lastTsHi = 0;
  private lastTsLo = 0;
  private seen = false;
  /** The per-thread pass ran: the tables are the whole capture's. */
  finished = false;
  /** More parent keys than maxKeys: the tables were dropped, none is served. */
  abandoned = false;
  private readonly maxKeys: number;

  constructor(
    /** The child view (the parent's drill-down target). */
    readonly target: ViewDef,
    private readonly registry: FieldRegistry,
    private readonly engine: StateEngine,
    private readonly opts: DrillTablesOptions,
  ) {
    if (target.viewType !== 'table') throw new ViewConfigError(`view '${target.id}' is not a table view`);
    if (!DrillTables.supports(opts.keyColumn, target)) throw new ViewConfigError(`cannot prepare '${target.id}' by ${opts.keyColumn.field}`);
    // A fresh extractor: the parent's own column keeps its per-use state to itself.
    const ex = registry.resolveText(opts.keyColumn.field);
    if (ex === null) throw new ViewConfigError(`unknown field '${opts.keyColumn.field}'`);
    this.key = { column: opts.keyColumn, extractor: ex, type: ex.info.type, printFormat: ex.info.printFormat, aggregation: 'NONE', groupbyAggregation: 'NONE' };
    this.filter = opts.filter.trim() === '' ? null : compileFilter<EventContext>(opts.filter, registry);
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
    this.maxKeys = opts.maxKeys ?? DRILL_MAX_KEYS;
    // Columns are bound once here so a view naming an unknown field fails now, not on the first event.
    viewColumns(target, registry, opts.tag);
  }

  /**
   * Whether a drill-down from `parentKey` into `target` can be prepared: the
   * target is a table, and the selection filters on the key column's own
   * field (a different filterfield would select by values the row key does
   * not hold).
   */
  static supports(parentKey: ViewColumn, target: ViewDef): boolean {
    return target.viewType === 'table' && (parentKey.filterField === null || parentKey.filterField === parentKey.field) && !parentKey.field.includes('%depth');
  }

  /** The field the tables are split by (the drill-down's `field`). */
  get field(): string {
    return this.key.column.field;
  }

  /** Number of parent keys seen so far (one table each). */
  get size(): number {
    return this.tables.size;
  }

  /** One event, after engine.process(ev). Allocates only for a key seen for the first time. */
  onEvent(ev: ScapEvent): void {
    if (this.abandoned) return;
    this.seen = true;
    this.lastTsHi = ev.tsHi;
    this.lastTsLo = ev.tsLo;
    const ctx = this.ctx;
    ctx.ev = ev;
    this.route(ctx);
  }

  /** End of the capture: the per-thread pass, as the child's whole-capture table gets it. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.seen || this.abandoned) return;
    const ts = (BigInt(this.lastTsHi) << 32n) | BigInt(this.lastTsLo);
    forEachThreadEvent(this.engine, this.synthetic, this.ctx, ts, (ctx) => this.route(ctx));
  }

  private route(ctx: EventContext): void {
    if (this.filter !== null && !this.filter.test(ctx)) return;
    const v = this.key.extractor.get(ctx);
    // `field=value` is false where the field has no value: no table has the event.
    if (v === undefined) return;
    const k = cellValueOf(this.key, v);
    let t = this.tables.get(k);
    if (t === undefined) {
      if (this.tables.size >= this.maxKeys) {
        this.abandoned = true;
        this.tables.clear();
        return;
      }
      t = this.newTable();
      this.tables.set(k, t);
    }
    t.addFiltered(ctx);
  }

  private newTable(): ViewTable {
    const columns = viewColumns(this.target, this.registry, this.opts.tag);
    return new ViewTable(columns, this.engine, { useDefaults: this.target.useDefaults, filter: null, sortingColumn: viewSortingColumn(this.target, columns) });
  }

  /** Whether sample() gives the whole capture's tables: the read ended and the tables were kept. */
  get ready(): boolean {
    return this.finished && !this.abandoned;
  }

  /** The child's whole-capture table for the parent row keyed `key` (no rows when no event had that value). Can be taken again. */
  sample(key: CellValue): Sample {
    if (!this.ready) throw new Error('drill-down tables not ready');
    return (this.tables.get(key) ?? this.newTable()).takeSample(false);
  }

  /** Whether the child grouped its rows (what the screen needs with the sample). */
  get grouping(): boolean {
    return this.newTable().postmerge !== null;
  }
}
