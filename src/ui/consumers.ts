/**
 * What a screen does with the events of a run: a table view tabulates them
 * (ViewRunner), a list view keeps one row per event, echo and dig turn them
 * into text, the spectrogram bins latencies. Each consumer sees an event
 * after the state engine parsed it.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import { compileFilter, type CompiledFilter } from '../filter/index.js';
import type { StateEngine } from '../state/engine.js';
import type { CellValue, Sample, SampleRow, TableColumn } from '../view/table.js';
import { isNumericType } from '../view/table.js';
import type { DrillTables } from '../view/drill-tables.js';
import { ListRows } from '../view/list-rows.js';
import type { ViewDef } from '../view/view-def.js';
import { viewColumns, viewReadsAlerts } from '../view/view-columns.js';
import { ViewRunner, type SampleInfo } from '../view/view-runner.js';

export interface Consumer {
  /** One event, after engine.process(ev). False ends a replay's read early (the screen has what it needs). */
  onEvent(ev: ScapEvent, engine: StateEngine): boolean | void;
  /** The replay reached the end of the capture. */
  finish(): void;
}

export type SampleHandler = (sample: Sample, info: SampleInfo, grouping: boolean) => void;

export function compileEventFilter(text: string, registry: FieldRegistry): CompiledFilter<EventContext> | null {
  return text.trim() === '' ? null : compileFilter<EventContext>(text, registry);
}

export interface TableRunOptions {
  intervalNs: number;
  /** The complete filter (view filter included: the view's own is not applied again). */
  filter: string;
  tag: string;
  keepTotals: boolean;
  /**
   * Replays: only the whole-capture table (ViewRunner's finalOnly), the one
   * table a replay screen shows; no per-interval samples to compute and drop.
   */
  finalOnly?: boolean;
}

/**
 * A table view: csysdig's sinsp_table through ViewRunner; on a replay,
 * optionally also the tables of its drill-down target by selection key
 * (DrillTables), filled from the same events.
 */
export class TableConsumer implements Consumer {
  readonly runner: ViewRunner;

  constructor(
    view: ViewDef,
    registry: FieldRegistry,
    engine: StateEngine,
    opts: TableRunOptions,
    onSample: SampleHandler,
    readonly drill: DrillTables | null = null,
  ) {
    // The screen's filter already holds the view's (csysdig builds one complete filter).
    const bare: ViewDef = { ...view, filter: '' };
    this.runner = new ViewRunner(bare, registry, engine, {
      intervalNs: opts.intervalNs,
      filter: opts.filter,
      tag: opts.tag,
      keepTotals: opts.keepTotals,
      finalOnly: opts.finalOnly === true,
      onSample: (s, info) => onSample(s, info, this.runner.grouping),
    });
  }

  onEvent(ev: ScapEvent): void {
    this.runner.onEvent(ev);
    this.drill?.onEvent(ev);
  }

  finish(): void {
    // The drill-down tables first: they are complete when the final sample reaches the screen.
    this.drill?.finish();
    this.runner.finish();
  }
}

/**
 * A list view (csysdig TT_LIST): every event passing the filter is a row,
 * in arrival order (newest first with the view's newest_first), kept by
 * ListRows, which also remembers each row's event; samples hand out the
 * rows so far. A view reading alert.* fields has a row per alert: the
 * event is taken once per alert fired on it.
 */
export class ListConsumer implements Consumer {
  readonly columns: TableColumn[];
  private readonly list: ListRows;
  private nextFlushNs = 0;
  private firstTs = 0;
  private lastTs = 0;
  private readonly perAlert: boolean;

  constructor(
    private readonly view: ViewDef,
    registry: FieldRegistry,
    private readonly engine: StateEngine,
    private readonly opts: TableRunOptions,
    private readonly onSample: SampleHandler,
  ) {
    this.columns = viewColumns(view, registry, opts.tag);
    this.list = new ListRows(this.columns, engine, { useDefaults: view.useDefaults, filter: compileEventFilter(opts.filter, registry) });
    this.perAlert = viewReadsAlerts(view, opts.filter);
  }

  onEvent(ev: ScapEvent): void {
    const ts = ev.ts;
    if (this.firstTs === 0) this.firstTs = ts;
    this.lastTs = ts;
    if (!this.opts.keepTotals && ts > this.nextFlushNs) {
      if (this.nextFlushNs !== 0) this.emit(false);
      this.nextFlushNs = ts - (ts % this.opts.intervalNs) + this.opts.intervalNs;
    }
    if (!this.perAlert) {
      this.list.add(ev);
      return;
    }
    const slot = this.engine.alerts;
    for (let i = 0; i < slot.count; i++) {
      slot.cursor = i;
      this.list.add(ev);
    }
    slot.cursor = 0;
  }

  private emit(final: boolean): void {
    const first = this.columns[0];
    if (first === undefined) return;
    this.onSample(
      { columns: this.columns, keyColumn: first, rows: this.view.newestFirst === true ? this.list.rows.slice().reverse() : this.list.rows.slice(), sortColumn: -1, ascending: true },
      { startNs: this.firstTs, endNs: this.lastTs, timeDeltaNs: final ? this.lastTs - this.firstTs : this.opts.intervalNs, final, events: this.list.rows.length },
      false,
    );
  }

  /** Hands out the rows so far now (a list shown again, live, without waiting for the interval). */
  refresh(): void {
    this.emit(false);
  }

  /** csysdig's 'c' on a list: forget the rows. */
  clear(): void {
    this.list.clear();
  }

  finish(): void {
    this.emit(true);
  }
}
