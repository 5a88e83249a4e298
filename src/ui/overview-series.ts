/**
 * The overview screen's data (F3, `-v overview`): per-interval series of
 * the run, kept for the last `capacity` intervals, plus the top-containers
 * table.
 *
 * Intervals follow the views' clock: capture time cut at multiples of the
 * refresh interval (ViewRunner's alignment), so in a replay the x axis is
 * the capture's time. Per event the cost is a filter test, two field reads
 * and the two view tables' updates; nothing is allocated per event (an
 * interval record is made when an interval closes).
 *
 * CPU by process comes from the `procs` view and the containers table from
 * the `containers` view, each run by its own ViewRunner, so the figures are
 * exactly the ones those views show (a replay's containers table is the
 * whole-capture table, as the Containers view and `--raw --final` show it).
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';
import type { CompiledFilter } from '../filter/index.js';
import { isInternalEvent } from '../format/event-line.js';
import type { StateEngine } from '../state/engine.js';
import { cellNumber } from '../view/cell-text.js';
import type { Sample } from '../view/table.js';
import type { ViewDef } from '../view/view-def.js';
import { ViewRunner, type SampleInfo } from '../view/view-runner.js';
import { compileEventFilter, type Consumer } from './consumers.js';

/** Intervals kept (4 minutes at the default 2 s refresh). */
export const OVERVIEW_INTERVALS = 120;
/** Processes remembered per interval for the CPU chart. */
export const TOP_PROCS_PER_INTERVAL = 10;

/** One process's CPU in one interval, as the procs view shows it (percent of one CPU). */
export interface ProcCpu {
  pid: number;
  name: string;
  cpu: number;
}

export interface OverviewInterval {
  /** Capture time at the end of the interval (ns, a multiple of the interval). */
  endNs: number;
  /** Capture time the interval covers: the interval, or less for a replay's last one (it ends with the capture). */
  spanNs: number;
  /** Events of the interval (passing the screen's filter). */
  events: number;
  /** evt.buflen.net and evt.buflen.file summed over the interval (bytes). */
  netBytes: number;
  fileBytes: number;
  /** The procs view's busiest processes of the interval; null until its sample arrives (the last, partial one of a replay has none). */
  top: ProcCpu[] | null;
}

export interface ContainersTable {
  sample: Sample;
  info: SampleInfo;
  grouping: boolean;
}

export interface OverviewSeriesOptions {
  intervalNs: number;
  /** The screen's complete filter ('' for none). */
  filter: string;
  /** Column tag for the views ('default' or 'containers'). */
  tag: string;
  /** Live: the containers table is the last interval's; replay: the whole capture's. */
  live: boolean;
  procsView: ViewDef | null;
  containersView: ViewDef | null;
  capacity?: number;
  /** Called when an interval closed or the containers table changed. */
  onChange?: () => void;
}

export class OverviewSeries implements Consumer {
  /** Events passing the filter since the run started, and their capture-time bounds. */
  events = 0;
  firstTs = 0;
  lastTs = 0;
  /** Exact first/last timestamps as u32 halves (ev.ts is a double: 256 ns steps at today's dates). */
  private firstHi = 0;
  private firstLo = 0;
  private lastHi = 0;
  private lastLo = 0;
  containers: ContainersTable | null = null;
  /** Bumped whenever something shown changed. */
  version = 0;
  private readonly ring: OverviewInterval[] = [];
  private readonly capacity: number;
  private nextFlushNs = 0;
  /** Time of the last event of any kind (exact, u32 halves): where a replay's last interval ends. */
  private lastSeenHi = 0;
  private lastSeenLo = 0;
  private lastClosed: OverviewInterval | null = null;
  private curEvents = 0;
  private curNet = 0;
  private curFile = 0;
  private readonly filter: CompiledFilter<EventContext> | null;
  private readonly net: FieldExtractor;
  private readonly file: FieldExtractor;
  private readonly ctx: EventContext;
  private readonly procs: ViewRunner | null;
  private readonly containerRunner: ViewRunner | null;

  constructor(
    registry: FieldRegistry,
    engine: StateEngine,
    private readonly opts: OverviewSeriesOptions,
  ) {
    this.capacity = Math.max(2, opts.capacity ?? OVERVIEW_INTERVALS);
    this.filter = compileEventFilter(opts.filter, registry);
    this.net = registry.resolve('evt.buflen.net', undefined) as FieldExtractor;
    this.file = registry.resolve('evt.buflen.file', undefined) as FieldExtractor;
    this.ctx = { ev: undefined as unknown as ScapEvent, engine };
    const base = { intervalNs: opts.intervalNs, filter: opts.filter, tag: opts.tag };
    this.procs =
      opts.procsView === null ? null : new ViewRunner(opts.procsView, registry, engine, { ...base, keepTotals: false, onSample: (s, i) => this.onProcsSample(s, i) });
    this.containerRunner =
      opts.containersView === null
        ? null
        : new ViewRunner(opts.containersView, registry, engine, {
            ...base,
            keepTotals: !opts.live,
            finalOnly: !opts.live,
            maxTotalRows: 10_000,
            onSample: (sample, info) => {
              this.containers = { sample, info, grouping: this.containerRunner!.grouping };
              this.changed();
            },
          });
  }

  onEvent(ev: ScapEvent): void {
    const ts = ev.ts;
    if (ts > this.nextFlushNs) {
      if (this.nextFlushNs !== 0) this.closeIntervals(ts);
      this.nextFlushNs = ts - (ts % this.opts.intervalNs) + this.opts.intervalNs;
    }
    const ctx = this.ctx;
    ctx.ev = ev;
    // Counted as sysdig counts a capture's events: its internal records (proc/fd tables, container metadata) are not events.
    if (!isInternalEvent(ev) && (this.filter === null || this.filter.test(ctx))) {
      if (this.firstTs === 0) {
        this.firstTs = ts;
        this.firstHi = ev.tsHi;
        this.firstLo = ev.tsLo;
      }
      this.lastTs = ts;
      this.lastHi = ev.tsHi;
      this.lastLo = ev.tsLo;
      this.events++;
      this.curEvents++;
      const n = this.net.get(ctx);
      if (typeof n === 'number') this.curNet += n;
      const f = this.file.get(ctx);
      if (typeof f === 'number') this.curFile += f;
    }
    this.lastSeenHi = ev.tsHi;
    this.lastSeenLo = ev.tsLo;
    this.procs?.onEvent(ev);
    this.containerRunner?.onEvent(ev);
  }

  /** The interval ending at nextFlushNs closes, then the empty ones before the one holding `ts`. */
  private closeIntervals(ts: number): void {
    const iv = this.opts.intervalNs;
    this.push(this.nextFlushNs);
    this.lastClosed = this.ring[this.ring.length - 1]!;
    const next = ts - (ts % iv) + iv;
    const empty = Math.min(this.capacity, Math.round((next - this.nextFlushNs) / iv) - 1);
    for (let end = next - empty * iv; end < next; end += iv) this.push(end);
    this.changed();
  }

  private push(endNs: number, spanNs = this.opts.intervalNs): void {
    this.ring.push({ endNs, spanNs, events: this.curEvents, netBytes: this.curNet, fileBytes: this.curFile, top: null });
    if (this.ring.length > this.capacity) this.ring.shift();
    this.curEvents = 0;
    this.curNet = 0;
    this.curFile = 0;
  }

  private onProcsSample(s: Sample, info: SampleInfo): void {
    // The runner keeps the same clock: it closes the interval closeIntervals just closed, on the same event.
    const target = this.lastClosed;
    if (target === null) return;
    const cpuCol = s.columns.findIndex((c) => c.column.name === 'CPU');
    const pidCol = s.columns.findIndex((c) => c.column.name === 'PID');
    const cmdCol = s.columns.findIndex((c) => c.column.name === 'Command');
    const top: ProcCpu[] = [];
    if (cpuCol >= 0) {
      const col = s.columns[cpuCol]!;
      for (const row of s.rows) {
        const cpu = cellNumber(col, row.values[cpuCol]!, row.counts[cpuCol]!, info.timeDeltaNs, this.procs!.grouping);
        if (!(cpu > 0)) continue;
        const pid = pidCol >= 0 ? Number(row.values[pidCol]) : Number(row.key);
        top.push({ pid, name: cmdCol >= 0 ? processName(String(row.values[cmdCol] ?? '')) : String(pid), cpu });
      }
      top.sort((a, b) => b.cpu - a.cpu);
      top.length = Math.min(top.length, TOP_PROCS_PER_INTERVAL);
    }
    target.top = top;
    this.changed();
  }

  private changed(): void {
    this.version++;
    this.opts.onChange?.();
  }

  /** The closed intervals, oldest first (the interval in progress is not among them until it closes). */
  intervals(): readonly OverviewInterval[] {
    return this.ring;
  }

  get intervalNs(): number {
    return this.opts.intervalNs;
  }

  /** Capture time from the first to the last event counted (ns, exact). */
  get durationNs(): number {
    return (this.lastHi - this.firstHi) * 4294967296 + (this.lastLo - this.firstLo);
  }

  /** Average events per second over the run (capture time); 0 before two distinct timestamps. */
  eventRate(): number {
    const d = this.durationNs;
    return d > 0 ? this.events / (d / 1e9) : 0;
  }

  finish(): void {
    // A replay's last, partial interval is shown too: it holds the capture's last events.
    if (this.nextFlushNs !== 0 && (this.curEvents > 0 || this.curNet > 0 || this.curFile > 0)) {
      const start = this.nextFlushNs - this.opts.intervalNs;
      const lastSeen = (BigInt(this.lastSeenHi) << 32n) | BigInt(this.lastSeenLo);
      this.push(this.nextFlushNs, Math.max(1, Math.min(this.opts.intervalNs, Number(lastSeen - BigInt(start)))));
      this.nextFlushNs = 0;
    }
    this.procs?.finish();
    this.containerRunner?.finish();
    this.changed();
  }
}

/** A process's short name from its command line: the first word's last path component. */
export function processName(exeline: string): string {
  const first = exeline.split(' ', 1)[0] ?? '';
  const slash = first.lastIndexOf('/');
  return slash >= 0 && slash < first.length - 1 ? first.slice(slash + 1) : first;
}
