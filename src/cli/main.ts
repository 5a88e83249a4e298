/**
 * tsysdig entry point: parses options, dispatches to the command, and turns
 * every failure into one line on stderr and a non-zero exit code.
 */
import { CaptureError } from '../capture/records.js';
import { defaultOptions, parseArgs, USAGE, UsageError } from './args.js';
import { compileEventFilter } from './event-filter.js';
import { OutputBuffer } from './output-buffer.js';
import { FilterError } from '../filter/errors.js';
import { runViewReplay } from './view-command.js';
import { CaptureWriteError } from '../capture/writer/write-error.js';
import { ViewFileError } from '../view/view-loader.js';
import { ViewConfigError } from '../view/view-columns.js';
import { LiveError } from '../live/errors.js';
import type { Options } from './args.js';
import { captureInput, isStream, type CaptureInput } from '../capture/capture-input.js';

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function fail(msg: string, code = EXIT_FAILURE): number {
  process.stderr.write(`tsysdig: ${msg}\n`);
  return code;
}

export async function main(argv: string[]): Promise<number> {
  try {
    let opts = parseArgs(argv);
    if (opts.start) {
      // `npm start`: live when possible, else the demo capture, said in one line.
      const { planStart } = await import('./start.js');
      const plan = planStart(opts);
      if (plan.notice !== null) process.stderr.write(plan.notice + '\n');
      opts = plan.options;
      // Without a terminal (CI, a pipe) there is no screen to draw: print the table instead.
      if (!process.stdout.isTTY && !opts.raw && !opts.json && !opts.events) opts = { ...opts, raw: true, finalOnly: opts.readFile !== null, durationS: opts.readFile === null && opts.durationS === 0 ? 3 : opts.durationS };
    }
    if (opts.help) {
      process.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    if (opts.raw && opts.json) return fail('choose one of --raw and --json', EXIT_USAGE);
    // What is read: a file, a stream (-r -, a pipe, a FIFO, --ssh), or (null) the live probe.
    const input = await captureInputOf(opts);
    // Live capture: --raw/--json/--events/-w without -r (src/cli/live-command.ts).
    if (input === null && (opts.raw || opts.json || opts.events || opts.writeFile !== null)) return await runLiveCommand(opts);
    // Each command's modules are loaded when it runs: start-up is a visible
    // share of a short replay, and a table replay needs none of the others.
    if (opts.events) {
      if (input === null) return fail('--events needs a capture to read: -r FILE', EXIT_USAGE);
      const { runEvents } = await import('./events-command.js');
      await runEvents({
        file: input,
        filter: opts.filter === '' ? null : compileEventFilter(opts.filter),
        count: opts.count,
        out: new OutputBuffer(),
        onWarning: warnOnce(),
      });
      return EXIT_OK;
    }
    if (opts.listFields) {
      const { fieldListText } = await import('./listings.js');
      process.stdout.write(fieldListText());
      return EXIT_OK;
    }
    if (opts.listViews) {
      const { viewListText } = await import('./listings.js');
      process.stdout.write(viewListText(opts.viewsDirs));
      return EXIT_OK;
    }
    if (opts.writeFile !== null && input !== null) {
      // Re-capture: a filtered (or plain) copy of a capture, readable by sysdig.
      const { copyCapture } = await import('../capture/writer/copy-capture.js');
      // A stream is saved until it ends or the user stops it; the copy is complete either way.
      const { stopOnSignals } = await import('./read-input.js');
      const stop = isStream(input) ? stopOnSignals() : null;
      try {
        await copyCapture(input, opts.writeFile, {
          gzip: opts.gzip,
          filter: opts.filter === '' ? undefined : compileEventFilter(opts.filter),
          onWarning: warnOnce(),
          signal: stop?.signal,
        });
      } catch (err) {
        if (stop?.stoppedBy() == null) throw err;
      } finally {
        stop?.dispose();
      }
      return EXIT_OK;
    }
    if ((opts.raw || opts.json) && input !== null) {
      await runViewReplay({
        file: input,
        viewId: opts.view ?? 'procs',
        output: opts.raw ? 'raw' : 'json',
        filter: opts.filter,
        intervalMs: opts.delayMs,
        count: opts.count,
        durationS: opts.durationS,
        tag: opts.containerColumns ? 'containers' : 'default',
        viewsDirs: opts.viewsDirs,
        finalOnly: opts.finalOnly,
        onWarning: warnOnce(),
      });
      return EXIT_OK;
    }
    // The full-screen UI (src/ui) is what runs without --raw, --json or --events.
    // Loaded on demand: the text outputs never pay for blessed's start-up.
    const { runUi } = await import('../ui/index.js');
    return await runUi(opts, input);
  } catch (err) {
    return reportError(err);
  }
}

/**
 * The capture to read: -r FILE (a stream when it names stdin, a pipe or a
 * FIFO), --ssh HOST (the remote node's live capture), or null for live.
 */
async function captureInputOf(opts: Options): Promise<CaptureInput | null> {
  if (opts.ssh === null) {
    if (opts.sudo || opts.sshOpts.length > 0 || opts.remoteTsysdig !== null) throw new UsageError('--sudo, --ssh-opt and --remote-tsysdig go with --ssh HOST');
    return opts.readFile === null ? null : captureInput(opts.readFile);
  }
  if (opts.readFile !== null) throw new UsageError('--ssh and -r are two sources; choose one');
  const { sshInput } = await import('../remote/ssh-source.js');
  return sshInput({
    target: opts.ssh,
    sshOpts: opts.sshOpts,
    sudo: opts.sudo,
    remoteCommand: opts.remoteTsysdig ?? undefined,
    filter: opts.filter,
    // only when changed: the remote's own defaults are the same
    snaplen: opts.snaplen !== defaultOptions().snaplen ? opts.snaplen : undefined,
    bufferMb: opts.bufferMb !== defaultOptions().bufferMb ? opts.bufferMb : undefined,
  });
}

/** Live --raw / --json / --events / -w (loaded on demand: replays never load the BPF bindings). */
async function runLiveCommand(opts: Options): Promise<number> {
  const { runLive } = await import('./live-command.js');
  await runLive({
    output: opts.events ? 'events' : opts.raw ? 'raw' : opts.json ? 'json' : 'none',
    viewId: opts.view ?? 'procs',
    filter: opts.filter,
    intervalMs: opts.delayMs,
    finalOnly: opts.finalOnly,
    count: opts.count,
    durationS: opts.durationS,
    tag: opts.containerColumns ? 'containers' : 'default',
    viewsDirs: opts.viewsDirs,
    writeFile: opts.writeFile,
    gzip: opts.gzip,
    snaplen: opts.snaplen,
    bufferMb: opts.bufferMb,
    includeSelf: opts.includeSelf,
    onWarning: warnOnce(),
  });
  return EXIT_OK;
}

/** A warning printer that says each distinct message once. */
function warnOnce(): (msg: string) => void {
  const warned = new Set<string>();
  return (m) => {
    if (warned.has(m)) return;
    warned.add(m);
    process.stderr.write(`tsysdig: warning: ${m}\n`);
  };
}

/** One line for any failure; a stack trace only with TSYSDIG_DEBUG=1. */
export function reportError(err: unknown): number {
  if (process.env.TSYSDIG_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack ?? err.message}\n`);
  if (err instanceof UsageError) return fail(`${err.message}\n${USAGE}`, EXIT_USAGE);
  if (err instanceof LiveError) return fail(err.oneLine(), EXIT_FAILURE);
  if (err instanceof FilterError) return fail(`bad filter: ${err.message}`, EXIT_USAGE);
  if (err instanceof CaptureError) return fail(`capture error: ${err.message}`, EXIT_FAILURE);
  if (err instanceof CaptureWriteError) return fail(err.message, EXIT_FAILURE);
  if (err instanceof ViewFileError || err instanceof ViewConfigError) return fail(`bad view: ${err.message}`, EXIT_USAGE);
  const e = err as NodeJS.ErrnoException;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    if (e.code === 'ENOENT') return fail(`no such file: ${e.path ?? e.message}`);
    if (e.code === 'EACCES') return fail(`permission denied: ${e.path ?? e.message}`);
    return fail(e.message);
  }
  return fail(err instanceof Error ? err.message : String(err));
}
