/**
 * The text outputs, for a replay and live capture alike, assembled through
 * one CaptureSession (src/session/):
 *
 *   tsysdig --raw  [-r FILE] [-v VIEW] [-d MS] [-M S] [-n N] [FILTER]   a view's table every interval, as text
 *   tsysdig --json [-r FILE] ...                                       … as one JSON document per sample
 *   tsysdig --events [-r FILE] [-n N] [-M S] [FILTER]                  events, as `sysdig` prints them
 *   tsysdig -w FILE [-z] [-M S] [-n N] [FILTER]                        live: a capture file (also next to any of the above)
 *
 * Samples are taken every interval of event time (wall time live); when the
 * capture ends or stops (-M, -n, SIGINT/SIGTERM/SIGHUP live) the
 * whole-capture table follows, marked `"final": true` in JSON. Live JSON
 * documents carry the ring drops so far: `"drops": {"total": N, "perCpu": [...]}`.
 */
import type { EventSource } from '../session/event-source.js';
import { CaptureSession } from '../session/capture-session.js';
import { CaptureFileConsumer, type RotateSpec } from '../session/capture-file-consumer.js';
import { EventPrinter } from '../session/event-printer.js';
import type { EventConsumer } from '../session/consumer.js';
import type { EventFormatter } from '../format/event-format.js';
import { openSource, type SourceSpec } from '../session/open-source.js';
import { fieldRegistry } from '../fields/registry.js';
import { sampleToJson } from '../view/json-output.js';
import { RAW_SEPARATOR, rawTableLines } from '../view/raw-output.js';
import { loadViews } from '../view/view-loader.js';
import { ViewRunner, type SampleInfo } from '../view/view-runner.js';
import type { Sample } from '../view/table.js';
import type { ViewDef } from '../view/view-def.js';
import { ListConsumer } from '../ui/consumers.js';
import { combineFilters } from '../ui/selection.js';
import { viewReadsAlerts } from '../view/view-columns.js';
import { UsageError } from './args.js';
import { NO_RULES_TEXT } from './monitor-rules.js';
import { compileEventFilter, type EventPredicate } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';

export interface CaptureRun {
  /** Where events come from: a file (-r) or the live probe. */
  source: SourceSpec;
  /** What goes to stdout: a view's tables, event lines, the consumers' records, or nothing (-w only). */
  output: 'raw' | 'json' | 'events' | 'consumers' | 'none';
  /** --events: -p FORMAT / -j (null: sysdig's default line). */
  format?: EventFormatter | null;
  /**
   * The rules engine of the monitor (an AlertConsumer filling engine.alerts,
   * --rules / --default-rules): it sees each event before the view, so the
   * Alerts views' alert.* fields read what fired on it.
   */
  rules?: EventConsumer | null;
  /** Further consumers, after the outputs above (the lifecycle stream with output 'consumers', the rules engine, the agent's metrics). */
  consumers?: EventConsumer[];
  viewId?: string;
  filter?: string;
  intervalMs?: number;
  /** Only the whole-capture table (csysdig's output for a file). */
  finalOnly?: boolean;
  /** Stop after this many events (0: no limit). */
  count?: number;
  /** Stop after this much capture time, in seconds (0: no limit). */
  durationS?: number;
  /** 'containers' adds the container columns (-pc). */
  tag?: string;
  viewsDirs?: string[];
  /** Live: write the capture to this file (with `rotate`: this directory). */
  writeFile?: string | null;
  /** -w DIR --rotate-seconds N --rotate-keep K: rotated captures, the K newest kept. */
  rotate?: RotateSpec | null;
  /** Called once the source is open and the consumers added (the agent's health endpoint). */
  onStart?: (session: CaptureSession, writer: CaptureFileConsumer | null) => void;
  gzip?: boolean;
  out?: OutputBuffer;
  onWarning?: (msg: string) => void;
  /** Aborting stops the capture like a signal (tests, embedding). */
  signal?: AbortSignal;
  /** Live: install SIGINT/SIGTERM/SIGHUP handlers that stop the capture cleanly (default true). */
  handleSignals?: boolean;
  /** Also called with every sample (tests, benchmarks). */
  onSample?: (sample: Sample, info: SampleInfo, grouping: boolean) => void;
}

export interface CaptureResult {
  /** Events processed (leading container events not counted). */
  events: number;
  /** Events written to the capture file. */
  written: number;
  /** The signal that stopped a live capture, if one did. */
  signal: NodeJS.Signals | null;
}

/** Loads the views (built-in, --views dirs, user dir) and returns the one asked for. */
export function findView(viewId: string, viewsDirs: string[] = []): ViewDef {
  const registry = loadViews(viewsDirs);
  const view = registry.get(viewId);
  if (view === undefined) throw new UsageError(`unknown view '${viewId}' (tsysdig --list-views lists them)`);
  return view;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function runCapture(run: CaptureRun): Promise<CaptureResult> {
  const warn = run.onWarning ?? (() => {});
  // Everything that can be refused without opening the source is checked first.
  // With output 'none', a view given still runs: its samples go to onSample (benchmarks).
  const view = run.output === 'raw' || run.output === 'json' || (run.output === 'none' && run.viewId !== undefined) ? findView(run.viewId ?? 'procs', run.viewsDirs) : null;
  if (view !== null && viewReadsAlerts(view) && !run.rules) throw new UsageError(NO_RULES_TEXT);
  const filterText = (run.filter ?? '').trim();
  const eventFilter: EventPredicate | null = filterText !== '' && (run.output === 'events' || run.writeFile) ? compileEventFilter(filterText) : null;
  const source = await openSource(run.source);
  const session = new CaptureSession(source, {
    limits: { count: run.count ?? 0, durationNs: (run.durationS ?? 0) * 1e9 },
    onWarning: warn,
  });
  const out = run.output === 'none' ? null : (run.out ?? new OutputBuffer());
  if (run.rules) session.add(run.rules);
  if (view !== null) addViewOutput(session, view, run, out, filterText);
  if (run.output === 'events' && out !== null) session.add(new EventPrinter(out, eventFilter, run.format ?? null));
  const timers: NodeJS.Timeout[] = [];
  // live: event lines shown promptly, not only when the buffer fills
  if ((run.output === 'events' || run.output === 'consumers') && out !== null && source.live) timers.push(setInterval(() => void out.flush(), 200));

  const ac = new AbortController();
  let stopSignal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    // a second signal: the user insists; files are in whole blocks up to the last flush
    if (ac.signal.aborted) process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    stopSignal = sig;
    ac.abort();
  };
  const handleSignals = source.live && run.handleSignals !== false;
  if (handleSignals) for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const onOuterAbort = (): void => ac.abort();
  if (run.signal?.aborted) ac.abort();
  run.signal?.addEventListener('abort', onOuterAbort);

  let writer: CaptureFileConsumer | null = null;
  let failure: unknown = null;
  try {
    if (run.writeFile) session.add((writer = await CaptureFileConsumer.open(run.writeFile, session.engine, { gzip: run.gzip === true, filter: eventFilter, rotate: run.rotate })));
    for (const c of run.consumers ?? []) session.add(c);
    run.onStart?.(session, writer);
    await session.run(ac.signal);
  } catch (err) {
    failure = err;
  } finally {
    for (const t of timers) clearInterval(t);
    run.signal?.removeEventListener('abort', onOuterAbort);
    await closeLive(source);
    if (writer !== null) {
      try {
        await writer.close();
      } catch (err) {
        failure ??= err;
      }
    }
    await out?.flush();
    if (handleSignals) for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  if (failure !== null) throw failure;
  const drops = source.stats().drops;
  if (drops !== null && drops > 0) warn(`${drops} events were dropped (ring buffer full); a larger --buffer-mb may help`);
  return { events: session.counted, written: writer?.written ?? 0, signal: stopSignal };
}

/** Most rows the whole-run table of a live --raw/--json run keeps (docs/compat.md). */
export const LIVE_TOTAL_ROWS = 5000;

/** A view's samples as --raw text or --json documents. */
function addViewOutput(session: CaptureSession, view: ViewDef, run: CaptureRun, out: OutputBuffer | null, filter: string): void {
  const live = session.live;
  const source = session.source;
  const print = (sample: Sample, info: SampleInfo, grouping: boolean): void => {
    run.onSample?.(sample, info, grouping);
    if (out === null) return;
    if (run.output === 'raw') for (const l of rawTableLines(sample, info.timeDeltaNs, grouping)) out.line(l);
    else out.line(sampleToJson(view, sample, info, grouping, live && source.drops ? { drops: source.drops() } : {}));
    if (live) void out.flush(); // live: each table as soon as it is taken
  };
  // csysdig opens a replay with an empty sample: keep its leading separator (streams too: a capture piped in prints as from its file).
  if (run.output === 'raw' && (!live || source.remote === true)) out?.line(RAW_SEPARATOR);
  if (view.viewType === 'list') {
    // A list view (lifecycle, alerts): its rows so far every interval live, all of them at the end of a replay.
    const intervalNs = (run.intervalMs ?? 2000) * 1e6;
    session.add(new ListConsumer(view, fieldRegistry, session.engine, { intervalNs, filter: combineFilters(view.filter, filter), tag: run.tag ?? 'default', keepTotals: !live }, print));
    return;
  }
  const runner: ViewRunner = new ViewRunner(view, fieldRegistry, session.engine, {
    intervalNs: (run.intervalMs ?? 2000) * 1e6,
    filter,
    tag: run.tag ?? 'default',
    keepTotals: true,
    // Live runs have no end to the processes they see: the whole-run table keeps the most recent ones.
    maxTotalRows: live ? LIVE_TOTAL_ROWS : undefined,
    finalOnly: run.finalOnly === true,
    onSample: (sample, info) => print(sample, info, runner.grouping),
  });
  session.add(runner);
}

/** A live source detaches its probe when its run ends; this waits for that (and the final counters). */
async function closeLive(source: EventSource): Promise<void> {
  const closable = source as EventSource & { close?: () => Promise<unknown> };
  if (closable.close !== undefined) await closable.close();
}
