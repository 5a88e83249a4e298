/**
 * Live capture from the command line (root, or CAP_BPF+CAP_PERFMON):
 *
 *   tsysdig --raw  [-v VIEW] [-d MS] [-M S] [-n N] [FILTER]   a view's table every interval, as text
 *   tsysdig --json [-v VIEW] ...                              … as one JSON document per sample
 *   tsysdig --events [-n N] [-M S] [FILTER]                   events, as `sysdig` prints them
 *   tsysdig -w FILE [-z] [-M S] [-n N] [FILTER]               a capture file (also next to any of the above)
 *
 * The machine's state is read from /proc first, so the first table is
 * complete; CPU usage comes from procinfo events emitted every second (see
 * src/live/). Draining runs in a worker thread, independent of printing.
 * Samples are taken every interval of event time (which is wall time live),
 * and when the capture stops (-M, -n, SIGINT/SIGTERM/SIGHUP) the
 * whole-capture table follows, marked `"final": true` in JSON, as at the end
 * of a replay. Every JSON document carries the ring drops so far:
 * `"drops": {"total": N, "perCpu": [...]}`.
 *
 * With -w, the capture gets the snapshot (machine, interfaces, users,
 * processes, fds, containers) when the first event arrives, then every
 * event (procinfo included; with a filter, the events it keeps plus the
 * internal ones), and container events as their metadata arrives. It is
 * written in whole blocks and flushed every second, so a capture cut short
 * (SIGKILL, full disk) reads up to its last complete block. With `-w -` the
 * capture is a stream on stdout, flushed every 100 ms for a reader that
 * shows it as it arrives (`tsysdig --ssh`); a reader that goes away (EPIPE)
 * or a hang-up stops the capture and detaches the probe.
 */
import type { CaptureSink } from '../capture/records.js';
import { ScapWriter } from '../capture/writer/index.js';
import { STDOUT_PATH } from '../capture/writer/scap-writer.js';
import { ContainerMetadataManager, requestMissingMetadata } from '../containers/index.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EventCategory } from '../event/types.js';
import { fieldRegistry } from '../fields/registry.js';
import { formatEventLine, isInternalEvent } from '../format/event-line.js';
import type { LiveStats } from '../live/live-source.js';
import { StateEngine } from '../state/engine.js';
import { sampleToJson } from '../view/json-output.js';
import { rawTableLines } from '../view/raw-output.js';
import { ViewRunner } from '../view/view-runner.js';
import type { ViewDef } from '../view/view-def.js';
import { compileEventFilter, type EventPredicate } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';
import { findView } from './view-command.js';
import { UsageError } from './args.js';

export interface LiveRun {
  /** What goes to stdout: a view's tables, event lines, or nothing (-w only). */
  output: 'raw' | 'json' | 'events' | 'none';
  viewId?: string;
  filter?: string;
  intervalMs?: number;
  /** --final: only the whole-capture table, when the capture stops. */
  finalOnly?: boolean;
  /** Stop after this many events (0: no limit). */
  count?: number;
  /** Stop after this many seconds of capture (0: no limit). */
  durationS?: number;
  tag?: string;
  viewsDirs?: string[];
  writeFile?: string | null;
  gzip?: boolean;
  snaplen?: number;
  bufferMb?: number;
  includeSelf?: boolean;
  out?: OutputBuffer;
  onWarning?: (msg: string) => void;
  /** Aborting stops the capture like a signal (tests, embedding). */
  signal?: AbortSignal;
  /** Install SIGINT/SIGTERM/SIGHUP handlers that stop the capture cleanly (default true). */
  handleSignals?: boolean;
}

export interface LiveResult {
  /** Events processed (procinfo included). */
  events: number;
  /** Events written to the capture file. */
  written: number;
  stats: LiveStats;
  /** The signal that stopped the capture, if one did. */
  signal: NodeJS.Signals | null;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** A capture streamed to stdout is sent this often, so its reader is never further behind. */
export const STREAM_FLUSH_MS = 100;

export async function runLive(run: LiveRun): Promise<LiveResult> {
  const warn = run.onWarning ?? (() => {});
  // Everything that can be refused without the kernel is checked first.
  const view: ViewDef | null = run.output === 'raw' || run.output === 'json' ? findView(run.viewId ?? 'procs', run.viewsDirs) : null;
  const filterText = (run.filter ?? '').trim();
  if (run.writeFile === STDOUT_PATH && run.output !== 'none') {
    throw new UsageError(`-w - writes the capture to stdout; it cannot be combined with --${run.output}`);
  }
  const eventFilter: EventPredicate | null = filterText !== '' && view === null ? compileEventFilter(filterText) : null;

  const { LiveCapture, dropsOf } = await import('../live/live-capture.js');
  const cap = await LiveCapture.open({
    snaplen: run.snaplen,
    ringBytes: (run.bufferMb ?? 8) * 1024 * 1024,
    excludePid: run.includeSelf ? null : process.pid,
    // CPU times feed the views' CPU columns and captures; event lines never show them
    procinfoMs: run.output === 'events' && !run.writeFile ? 0 : 1000,
  });

  let writer: ScapWriter | null = null;
  const engine = new StateEngine();
  const out = run.output === 'none' ? null : (run.out ?? new OutputBuffer());
  const ac = new AbortController();
  let stopSignal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) {
      // a second signal: the user insists; files are in whole blocks up to the last flush
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    }
    stopSignal = sig;
    ac.abort();
  };
  const handleSignals = run.handleSignals !== false;
  if (handleSignals) for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const onOuterAbort = () => ac.abort();
  if (run.signal?.aborted) ac.abort();
  run.signal?.addEventListener('abort', onOuterAbort);

  const timers: NodeJS.Timeout[] = [];
  let containers: ContainerMetadataManager | null = null;
  let runner: ViewRunner | null = null;
  let events = 0;
  let snapshotWritten = false;
  let failure: unknown = null;
  let stats: LiveStats | null = null;

  try {
    if (run.writeFile) writer = await ScapWriter.open(run.writeFile, { gzip: run.gzip === true });

    const fail = (err: unknown): void => {
      failure ??= err;
      ac.abort();
    };

    if (view !== null) {
      const json = run.output === 'json';
      runner = new ViewRunner(view, fieldRegistry, engine, {
        intervalNs: (run.intervalMs ?? 2000) * 1e6,
        filter: filterText,
        tag: run.tag ?? 'default',
        keepTotals: true,
        finalOnly: run.finalOnly === true,
        onSample: (sample, info) => {
          if (out === null) return;
          if (json) out.line(sampleToJson(view, sample, info, runner!.grouping, { drops: dropsOf(cap.stats()) }));
          else for (const l of rawTableLines(sample, info.timeDeltaNs, runner!.grouping)) out.line(l);
          void out.flush(); // live: each table as soon as it is taken
        },
      });
    }

    containers = new ContainerMetadataManager({
      onUpdate: (info) => {
        engine.addContainer(info);
        // before the snapshot, the container goes into it; after, as a container event
        if (writer !== null && snapshotWritten) {
          try {
            writer.writeContainerEvent(info);
          } catch (err) {
            fail(err);
          }
        }
      },
      onReason: (why) => warn(why),
    });

    const count = run.count ?? 0;
    const durationNs = (run.durationS ?? 0) * 1e9;
    let firstTs = 0;
    const sink: CaptureSink = {
      onMachineInfo: (mi) => engine.onMachineInfo(mi),
      onThread: (t) => engine.onThread(t),
      onFd: (pid, fd) => engine.onFd(pid, fd),
      onInterface: (i) => engine.onInterface(i),
      onUser: (u) => engine.onUser(u),
      onGroup: (g) => engine.onGroup(g),
      onWarning: warn,
      onEvent: (ev: ScapEvent) => {
        if (durationNs > 0) {
          if (firstTs === 0) firstTs = ev.ts;
          else if (ev.ts - firstTs >= durationNs) return false;
        }
        if (writer !== null && !snapshotWritten) {
          snapshotWritten = true;
          writer.writeSnapshot(engine, undefined, { tsNs: ev.tsBig() });
        }
        engine.process(ev);
        events++;
        const keep = eventFilter === null || (ev.info.category & EventCategory.INTERNAL) !== 0 || eventFilter(ev, engine);
        if (writer !== null && keep) writer.writeEvent(ev);
        if (runner !== null) runner.onEvent(ev);
        else if (run.output === 'events' && keep && !isInternalEvent(ev)) out!.line(formatEventLine(ev, engine));
        // `tsysdig --events | head`: the reader is gone, so is the point of capturing
        if (out !== null && out.isClosed) return false;
        return count === 0 || events < count;
      },
    };

    // Housekeeping off the event path: capture on disk every second, container
    // names as they are found, event lines shown promptly.
    timers.push(
      setInterval(() => {
        if (writer !== null && snapshotWritten) writer.flush().catch(fail);
        requestMissingMetadata(engine.containers, containers!);
      }, 1000),
    );
    if (run.output === 'events') timers.push(setInterval(() => void out!.flush(), 200));
    if (writer?.isStream === true) {
      const w = writer;
      timers.push(setInterval(() => {
        if (snapshotWritten) w.flush().catch(fail);
      }, STREAM_FLUSH_MS));
    }
    // -M is event time; this also ends a capture whose events stop coming. Events
    // already copied from the ring are processed first (their times decide).
    if (durationNs > 0) {
      const hardStop = Date.now() + durationNs / 1e6 + 30_000;
      const wallStop = (): void => {
        if (cap.backlog > 0 && Date.now() < hardStop) timers.push(setTimeout(wallStop, 200));
        else ac.abort();
      };
      timers.push(setTimeout(wallStop, durationNs / 1e6 + 1500));
    }

    await cap.run(
      {
        ...sink,
        onEvent: (ev) => {
          try {
            return sink.onEvent(ev);
          } catch (err) {
            fail(err);
            return false;
          }
        },
      },
      {
        signal: ac.signal,
        onBootstrap: () => {
          requestMissingMetadata(engine.containers, containers!);
        },
      },
    );
    if (failure !== null) throw failure;
    if (writer !== null && !snapshotWritten) {
      snapshotWritten = true;
      writer.writeSnapshot(engine);
    }
  } catch (err) {
    failure ??= err;
  } finally {
    for (const t of timers) clearTimeout(t);
    run.signal?.removeEventListener('abort', onOuterAbort);
    containers?.close();
    // the final, whole-capture table (as at the end of a replay)
    if (runner !== null && events > 0 && failure === null) runner.finish();
    stats = await cap.close();
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
  if (stats.dropsFull > 0) warn(`${stats.dropsFull} events were dropped (ring buffer full); a larger --buffer-mb may help`);
  return { events, written: writer?.events ?? 0, stats, signal: stopSignal };
}
