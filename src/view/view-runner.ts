/**
 * ViewRunner: runs one view over an event stream and produces samples.
 *
 * Samples are taken every interval of *capture* time (live: wall time and
 * capture time coincide), like csysdig's live mode; a replay additionally
 * ends with one table covering the whole capture, which is what csysdig
 * shows for a file. The whole-capture table is kept by folding each
 * interval's rows into a running total at sample time (not per event), so
 * the per-event cost is one table update.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { compileFilters } from '../filter/index.js';
import type { EventContext } from '../fields/types.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { StateEngine } from '../state/engine.js';
import { ViewTable, type Sample, type TableColumn } from './table.js';
import type { ViewDef } from './view-def.js';
import { ViewConfigError, viewColumns, viewReadsAlerts, viewSortingColumn } from './view-columns.js';

export interface SampleInfo {
  /** Capture-time bounds of the sample (ns). */
  startNs: number;
  endNs: number;
  /** Divisor for TIME_AVG columns (ns). */
  timeDeltaNs: number;
  /** True for the whole-capture table at the end of a replay. */
  final: boolean;
  /** Events seen in the sample's span. */
  events: number;
}

export interface RunnerOptions {
  intervalNs: number;
  /** Extra filter (command line, drill-down), ANDed with the view's. */
  filter: string;
  /** Column tags enabled ('containers' with -pc, else 'default'). */
  tag: string;
  /** Whether to keep whole-capture totals for a final table (replays). */
  keepTotals: boolean;
  /** Live: most rows the whole-run table keeps (rows folded longest ago leave first); default unbounded. */
  maxTotalRows?: number;
  /**
   * Replays only: skip the per-interval samples and produce just the
   * whole-capture table, which is exactly what csysdig does for a file
   * (`--final`). Cheaper: no per-interval thread pass, merge or sort.
   */
  finalOnly?: boolean;
  onSample: (sample: Sample, info: SampleInfo) => void;
}

export class ViewRunner {
  readonly interval: ViewTable;
  private readonly total: ViewTable | null;
  readonly grouping: boolean;
  private nextFlushNs = 0;
  private sampleStartNs = 0;
  private firstTs = 0;
  private lastTs = 0;
  /** Exact timestamp of the last event, as u32 halves (no BigInt per event). */
  private lastTsHi = 0;
  private lastTsLo = 0;
  private sampleEvents = 0;
  private totalEvents = 0;
  /** Rows the bounded whole-run table let go (maxTotalRows). */
  totalRowsDropped = 0;
  /** The view reads alert.* fields: each event counts once per alert fired on it. */
  private readonly perAlert: boolean;
  /** The view is cumulative: each sample is the whole-run table so far (no thread-table pass). */
  private readonly cumulative: boolean;

  constructor(
    readonly view: ViewDef,
    registry: FieldRegistry,
    private readonly engine: StateEngine,
    private readonly opts: RunnerOptions,
  ) {
    this.perAlert = viewReadsAlerts(view, opts.filter);
    const columns: TableColumn[] = viewColumns(view, registry, opts.tag);
    // Each filter is parsed alone and the trees are joined: neither can close the other's parentheses.
    const filter = compileFilters<EventContext>([view.filter, opts.filter], registry);
    const sortingColumn = viewSortingColumn(view, columns);
    const tableOpts = { useDefaults: view.useDefaults, filter, sortingColumn };
    if (view.viewType !== 'table') throw new ViewConfigError(`view '${view.id}' is a list view; only table views can be tabulated`);
    this.interval = new ViewTable(columns, engine, tableOpts);
    this.cumulative = view.cumulative === true && opts.finalOnly !== true;
    this.total = (opts.keepTotals || this.cumulative) && opts.finalOnly !== true ? new ViewTable(columns, engine, tableOpts) : null;
    this.grouping = this.interval.postmerge !== null;
  }

  /** Feeds one event (already applied to the state engine). */
  onEvent(ev: ScapEvent): void {
    const ts = ev.ts;
    if (this.firstTs === 0) {
      this.firstTs = ts;
      this.sampleStartNs = ts;
    }
    if (ts > this.nextFlushNs && this.opts.finalOnly !== true) {
      if (this.nextFlushNs !== 0) this.flushInterval(ev.tsBig(), ts);
      this.nextFlushNs = ts - (ts % this.opts.intervalNs) + this.opts.intervalNs;
    }
    this.lastTs = ts;
    this.lastTsHi = ev.tsHi;
    this.lastTsLo = ev.tsLo;
    this.sampleEvents++;
    this.totalEvents++;
    if (!this.perAlert) this.interval.processEvent(ev);
    else {
      // one row update per alert fired on this event, the alert.* fields reading each in turn
      const slot = this.engine.alerts;
      for (let i = 0; i < slot.count; i++) {
        slot.cursor = i;
        this.interval.processEvent(ev);
      }
      slot.cursor = 0;
    }
  }

  private flushInterval(tsBig: bigint, ts: number): void {
    if (this.total !== null) this.totalRowsDropped += this.interval.foldInto(this.total, this.opts.maxTotalRows ?? Infinity);
    let sample: Sample;
    if (this.cumulative && this.total !== null) {
      this.interval.takeSample();
      sample = this.total.takeSample(false);
    } else {
      // rows of alerts come from alerts only, not from csysdig's pass over the thread table
      if (!this.perAlert) this.interval.processThreadTable(tsBig);
      sample = this.interval.takeSample();
    }
    this.opts.onSample(sample, {
      startNs: this.sampleStartNs,
      endNs: ts,
      timeDeltaNs: this.opts.intervalNs,
      final: false,
      events: this.sampleEvents,
    });
    this.sampleStartNs = ts;
    this.sampleEvents = 0;
  }

  /** End of a replay: the whole-capture table (csysdig's file view). */
  finish(): void {
    const total = this.opts.finalOnly === true ? this.interval : this.total;
    // a cumulative view without whole-run totals wanted (live UI): its samples already were
    if (total === null || (this.cumulative && !this.opts.keepTotals)) return;
    if (total !== this.interval) {
      this.totalRowsDropped += this.interval.foldInto(total, this.opts.maxTotalRows ?? Infinity);
      this.interval.takeSample();
    }
    if (!this.perAlert) total.processThreadTable((BigInt(this.lastTsHi) << 32n) | BigInt(this.lastTsLo));
    const sample = total.takeSample();
    this.opts.onSample(sample, {
      startNs: this.firstTs,
      endNs: this.lastTs,
      timeDeltaNs: this.lastTs - this.firstTs,
      final: true,
      events: this.totalEvents,
    });
  }

  setSortingColumn(col: number): void {
    this.interval.setSortingColumn(col);
    this.total?.setSortingColumn(col);
  }
}
