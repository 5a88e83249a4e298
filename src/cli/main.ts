/**
 * tsysdig entry point: parses options, dispatches to the command, and turns
 * every failure into one line on stderr and a non-zero exit code.
 */
import { CaptureError } from '../capture/records.js';
import { defaultOptions, parseArgs, USAGE, UsageError } from './args.js';
import type { SshTarget } from '../remote/ssh-source.js';
import { compileEventFilter } from './event-filter.js';
import { FilterError } from '../filter/errors.js';
import { CaptureWriteError } from '../capture/writer/write-error.js';
import { ViewFileError } from '../view/view-loader.js';
import { ViewConfigError } from '../view/view-columns.js';
import { LiveError } from '../live/errors.js';
import type { Options } from './args.js';

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
    checkStreamOptions(opts);
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
    if (opts.writeFile !== null && opts.readFile !== null) {
      // Re-capture: a filtered (or plain) copy of a capture, readable by sysdig.
      const { copyCapture } = await import('../capture/writer/copy-capture.js');
      await copyCapture(opts.readFile, opts.writeFile, {
        gzip: opts.gzip,
        filter: opts.filter === '' ? undefined : compileEventFilter(opts.filter),
        onWarning: warnOnce(),
      });
      return EXIT_OK;
    }
    // The text outputs, replay or live (src/cli/capture-command.ts).
    if (opts.raw || opts.json || opts.events || opts.writeFile !== null) return await runCaptureCommand(opts);
    // The full-screen UI (src/ui) is what runs without --raw, --json or --events.
    // Loaded on demand: the text outputs never pay for blessed's start-up.
    const { runUi } = await import('../ui/index.js');
    return await runUi(opts);
  } catch (err) {
    return reportError(err);
  }
}

/** The stream options (-w -, --ssh and its companions) that cannot go together. */
function checkStreamOptions(opts: Options): void {
  if (opts.ssh === null && (opts.sudo || opts.sshOpts.length > 0 || opts.remoteTsysdig !== null)) throw new UsageError('--sudo, --ssh-opt and --remote-tsysdig go with --ssh HOST');
  if (opts.ssh !== null && opts.readFile !== null) throw new UsageError('--ssh and -r are two sources; choose one');
  if (opts.writeFile === '-' && (opts.raw || opts.json || opts.events)) throw new UsageError('-w - writes the capture to stdout; it cannot be combined with --raw, --json or --events');
}

/** --ssh HOST as the source's remote target (undefined without --ssh). */
export function sshTargetOf(opts: Options): SshTarget | undefined {
  if (opts.ssh === null) return undefined;
  const d = defaultOptions();
  return {
    target: opts.ssh,
    sshOpts: opts.sshOpts,
    sudo: opts.sudo,
    remoteCommand: opts.remoteTsysdig ?? undefined,
    // the filter runs remotely too: only the events it keeps cross the network
    filter: opts.filter,
    // only when changed: the remote's defaults are the same
    snaplen: opts.snaplen !== d.snaplen ? opts.snaplen : undefined,
    bufferMb: opts.bufferMb !== d.bufferMb ? opts.bufferMb : undefined,
  };
}

/** --raw / --json / --events / -w, on a capture file or live. */
async function runCaptureCommand(opts: Options): Promise<number> {
  const { runCapture } = await import('./capture-command.js');
  const output = opts.events ? 'events' : opts.raw ? 'raw' : opts.json ? 'json' : 'none';
  await runCapture({
    source: {
      readFile: opts.readFile,
      ssh: sshTargetOf(opts),
      snaplen: opts.snaplen,
      bufferMb: opts.bufferMb,
      includeSelf: opts.includeSelf,
      // CPU times feed the views' CPU columns and captures; event lines never show them
      procinfo: output !== 'events' || opts.writeFile !== null,
    },
    output,
    viewId: output === 'raw' || output === 'json' ? (opts.view ?? 'procs') : undefined,
    filter: opts.filter,
    intervalMs: opts.delayMs,
    finalOnly: opts.finalOnly,
    count: opts.count,
    durationS: opts.durationS,
    tag: opts.containerColumns ? 'containers' : 'default',
    viewsDirs: opts.viewsDirs,
    writeFile: opts.writeFile,
    gzip: opts.gzip,
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
