/**
 * runUi: the full-screen UI (what `tsysdig` runs without --raw, --json or
 * --events). `-v VIEW` picks the first view (default: procs), `-r FILE`
 * replays a capture, a trailing filter narrows everything.
 *
 * The terminal is always given back: on quit (q, F10, CTRL+C), on SIGTERM,
 * SIGHUP and SIGINT, and on any uncaught error, which is then printed as one
 * line once the normal screen is back.
 */
import type { Options } from '../cli/args.js';
import { UsageError } from '../cli/args.js';
import { tsysdigVersion } from '../cli/version.js';
import { FieldRegistry } from '../fields/registry.js';
import type { EventContext } from '../fields/types.js';
import { compileFilter } from '../filter/index.js';
import { loadViews } from '../view/view-loader.js';
import { App } from './app.js';
import { openSource } from '../session/open-source.js';
import { StreamEventSource } from '../session/stream-event-source.js';
import { sshTargetOf } from '../cli/main.js';
import { Terminal } from './term.js';

export { App } from './app.js';
export type { EventSource } from '../session/event-source.js';
export { ReplaySource } from '../session/replay-source.js';

function oneLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/\s*\n\s*/g, ' ');
}

/**
 * Live: seconds of events the monitor keeps in memory (a HistoryRing, at
 * most 64 MiB), so Enter on a list row can show the events around it.
 */
export const UI_LIVE_HISTORY_SECONDS = 10;

/** `notice`: a line the user must see (why the demo capture is shown), drawn inside the screen. */
export async function runUi(opts: Options, notice?: string): Promise<number> {
  // Everything that can fail for a plain reason fails here, before the screen is taken.
  const views = loadViews(opts.viewsDirs);
  const viewId = opts.view ?? views.defaultView()?.id ?? 'procs';
  if (views.get(viewId) === undefined) throw new UsageError(`unknown view '${viewId}' (tsysdig --list-views lists them)`);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    if (opts.readFile === '-') throw new UsageError('-r - takes standard input for the capture, and the UI needs it for the keyboard: use --raw, --json or --events, or a FIFO (-r FIFO)');
    throw new UsageError('the full-screen UI needs a terminal; use tsysdig --raw or --json for text output');
  }
  // A terminal without cursor addressing can't draw the screen: say so instead of filling it with escapes.
  const termName = process.env.TERM ?? '';
  if (termName === '' || termName === 'dumb' || termName === 'unknown') {
    throw new UsageError(`the full-screen UI needs a terminal that can move the cursor (TERM=${termName === '' ? 'unset' : termName}); use tsysdig --raw or --json for text output`);
  }
  // --rules / --default-rules: loaded (or refused in one line) before the screen is taken.
  const { loadMonitorRules } = await import('../cli/monitor-rules.js');
  const rules = loadMonitorRules(opts, (m) => process.stderr.write(`tsysdig: ${m}\n`));
  const width = process.stdout.columns ?? 80;
  const fields = new FieldRegistry({ screenWidth: width });
  if (opts.filter.trim() !== '') compileFilter<EventContext>(opts.filter, fields);
  // The same source the text outputs open (src/session/open-source.ts).
  const source = await openSource({ readFile: opts.readFile, ssh: sshTargetOf(opts), snaplen: opts.snaplen, bufferMb: opts.bufferMb, includeSelf: opts.includeSelf });
  // A stream (--ssh, a FIFO) is connected before the screen is taken: ssh's prompts and failures print normally.
  const stream = source instanceof StreamEventSource ? source : null;
  if (stream !== null) await stream.open();

  const term = new Terminal();
  let app: App | null = null;
  let finished = false;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => {
    resolveExit = r;
  });

  const restore = (): void => term.restore();
  const fatal = (err: unknown): void => {
    if (finished) return;
    finished = true;
    restore();
    process.stderr.write(`tsysdig: ${oneLine(err)}\n`);
    if (process.env.TSYSDIG_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    resolveExit(1);
    // The event loop may hold a capture read or timers: don't wait for them.
    setTimeout(() => process.exit(1), 200).unref();
  };
  const hangup = (): void => {
    // The terminal is gone: a normal exit would make Node reset it, fail (EIO) and abort. Die of SIGHUP instead.
    finished = true;
    restore();
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (sig === 'SIGHUP') return hangup();
    if (finished) return;
    finished = true;
    restore();
    const code = sig === 'SIGINT' ? 130 : 143;
    resolveExit(code);
    setTimeout(() => process.exit(code), 200).unref();
  };
  const onExit = (): void => restore();
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSignal);
  process.on('exit', onExit);
  process.stdin.on('end', hangup);
  process.stdin.on('error', hangup);
  if (stream !== null) {
    // The stream's end (its writer stopped, the connection dropped) ends the session, in one line.
    stream.onEnd = (end) => {
      if (finished) return;
      finished = true;
      restore();
      process.stderr.write(`tsysdig: ${end.message}\n`);
      const code = end.failed ? 1 : 0;
      resolveExit(code);
      void stream.close();
      setTimeout(() => process.exit(code), 200).unref();
    };
  }

  try {
    app = new App({
      views,
      fields,
      source,
      display: term,
      view: viewId,
      filter: opts.filter.trim(),
      intervalMs: opts.delayMs,
      count: opts.count,
      durationS: opts.durationS,
      tag: opts.containerColumns ? 'containers' : 'default',
      version: tsysdigVersion(),
      rules,
      ...(notice !== undefined ? { notice } : {}),
      historySeconds: source.live ? UI_LIVE_HISTORY_SECONDS : 0,
    });
    const a = app;
    term.handlers({
      key: (name, ch) => a.handleKey(name, ch),
      mouse: (m) => a.handleMouse(m),
      resize: () => a.handleResize(),
    });
    // Fault injection for the tests of the error path: an uncaught error once the UI is up.
    if (process.env.TSYSDIG_UI_FAULT === 'throw') setTimeout(() => {
      throw new Error('injected fault (TSYSDIG_UI_FAULT=throw)');
    }, 300);
    void a.run().then((code) => {
      if (finished) return;
      finished = true;
      restore();
      resolveExit(code);
    }, fatal);
    return await exited;
  } catch (err) {
    fatal(err);
    return 1;
  } finally {
    restore();
    process.off('uncaughtException', fatal);
    process.off('unhandledRejection', fatal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onSignal);
    process.off('exit', onExit);
    process.stdin.off('end', hangup);
    process.stdin.off('error', hangup);
  }
}
