/**
 * tsysdig entry point: parses options, dispatches to the command, and turns
 * every failure into one line on stderr and a non-zero exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CaptureError } from '../capture/records.js';
import { AGENT_DEFAULTS, defaultOptions, hasOutputOptions, parseArgs, USAGE, UsageError } from './args.js';
import { OutputBuffer } from './output-buffer.js';
import type { SshTarget } from '../remote/ssh-source.js';
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
    /** `npm start`'s notice (why the demo is shown): inside the screen when there is one, else on stderr. */
    let startNotice: string | null = null;
    if (opts.start) {
      // `npm start`: live when possible, else the demo capture, said in one line.
      const { planStart } = await import('./start.js');
      const plan = planStart(opts);
      startNotice = plan.notice;
      opts = plan.options;
      // Without a terminal (CI, a pipe) there is no screen to draw: print the table instead.
      if (!process.stdout.isTTY && !opts.raw && !opts.json && !opts.events) opts = { ...opts, raw: true, finalOnly: opts.readFile !== null, durationS: opts.readFile === null && opts.durationS === 0 ? 3 : opts.durationS };
      const toScreen = !opts.raw && !opts.json && !opts.events && opts.writeFile === null;
      if (startNotice !== null && !toScreen) process.stderr.write(startNotice + '\n');
    }
    if (opts.help) {
      process.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    if (opts.version) {
      const { tsysdigVersion } = await import('./version.js');
      process.stdout.write(`tsysdig ${tsysdigVersion()}\n`);
      return EXIT_OK;
    }
    if (opts.raw && opts.json) throw new UsageError('choose one of --raw and --json');
    checkStreamOptions(opts);
    // A capture that cannot be read is said in one line before any screen or table (a stream says it as it is read).
    if (opts.readFile !== null && opts.readFile !== '-' && !opts.listFields && !opts.listViews) {
      const { checkCaptureFile, checkNotInput } = await import('../capture/capture-check.js');
      await checkCaptureFile(opts.readFile);
      if (opts.writeFile !== null) await checkNotInput(opts.readFile, opts.writeFile);
    }
    // Output configuration (-c/-o/--output-*): a bad key stops here, before any capture is opened.
    if (hasOutputOptions(opts)) {
      const { outputConfigFromOptions } = await import('../output/cli-config.js');
      outputConfigFromOptions(opts, warnOnce());
    }
    // Rules: validation, and alerts on a capture or live (src/cli/alerts-command.ts).
    if (opts.validateFiles.length > 0) {
      const { runValidate } = await import('./alerts-command.js');
      const out = new OutputBuffer();
      const ok = runValidate(opts.validateFiles, opts.json, (text) => out.line(text.replace(/\n$/, '')));
      await out.flush();
      return ok ? EXIT_OK : EXIT_FAILURE;
    }
    if (opts.alerts) return await runAlertsCommand(opts);
    // --rules / --default-rules without --alerts: the rules run in the monitor (UI, --raw, --json) next to the views.
    // (The agent runs its own rules: the shipped ones plus --rules.)
    if ((opts.rulesPaths.length > 0 || opts.defaultRules) && !opts.agent && (opts.events || opts.lifecycle !== 'off')) {
      return fail('--rules without --alerts runs the rules in the monitor (the UI, --raw or --json -v alerts); add --alerts to print alerts', EXIT_USAGE);
    }
    if (opts.eventFormat !== null && !opts.events) return fail('-p FORMAT prints events: add --events', EXIT_USAGE);
    if (opts.lifecycle !== 'off') {
      if (opts.events || opts.raw || opts.writeFile !== null) return fail('--lifecycle is its own output: drop --events, --raw and -w', EXIT_USAGE);
      const { runLifecycleCommand } = await import('./lifecycle-command.js');
      await runLifecycleCommand(opts, warnOnce());
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
    // The node agent and fetching its captures (src/agent/, docs/kubernetes.md).
    if (opts.agent) {
      if (opts.readFile !== null) return fail('--agent is live capture; replay a capture without --agent', EXIT_USAGE);
      if (opts.raw || opts.json || opts.events) return fail('--agent prints JSON records only; run --raw/--json/--events separately', EXIT_USAGE);
      const { runAgent } = await import('../agent/agent-command.js');
      return await runAgent(opts, { rotate: rotationOf(opts), onWarning: warnOnce() });
    }
    if (opts.fetchCapture !== null) {
      // The node's capture is copied here, then replayed as -r FILE would be.
      const { fetchCapture } = await import('../agent/fetch-capture.js');
      const got = await fetchCapture(opts);
      try {
        return await main([...argvWithout(argv, FETCH_OPTIONS), '-r', got.file]);
      } finally {
        if (got.temporary) fs.rmSync(path.dirname(got.file), { recursive: true, force: true });
      }
    }
    rotationOf(opts); // --rotate-seconds without -w DIR, or with -r, is refused before anything runs
    if (opts.writeFile !== null && opts.readFile !== null) {
      // Re-capture: a filtered (or plain) copy of a capture, readable by sysdig.
      const { copyCapture } = await import('../capture/writer/copy-capture.js');
      await copyCapture(opts.readFile, opts.writeFile, {
        gzip: opts.gzip,
        filter: opts.filter === '' ? undefined : await eventFilter(opts.filter),
        onWarning: warnOnce(),
      });
      return EXIT_OK;
    }
    // The text outputs, replay or live (src/cli/capture-command.ts).
    if (opts.raw || opts.json || opts.events || opts.writeFile !== null) return await runCaptureCommand(opts);
    // The full-screen UI (src/ui) is what runs without --raw, --json or --events.
    // Loaded on demand: the text outputs never pay for blessed's start-up.
    const { runUi } = await import('../ui/index.js');
    return await runUi(opts, startNotice?.replace(/^tsysdig: /, ''));
  } catch (err) {
    return reportError(err);
  }
}

/** --alerts: rules on a capture (-r) or live. */
async function runAlertsCommand(opts: Options): Promise<number> {
  const { runAlerts } = await import('./alerts-command.js');
  const { defaultRulesFile } = await import('../rules/default-rules.js');
  const rulesPaths = opts.defaultRules ? [defaultRulesFile(), ...opts.rulesPaths] : opts.rulesPaths;
  if (rulesPaths.length === 0) return fail('--alerts needs rules: --rules FILE|DIR or --default-rules', EXIT_USAGE);
  // -c/-o/--output-*: alerts go to the configured channels (src/output/), which also decide JSON, priority and matching.
  let channels: import('../output/index.js').OutputChannels | null = null;
  let cfg: import('../output/config.js').OutputConfig | null = null;
  if (hasOutputOptions(opts)) {
    const { outputConfigFromOptions } = await import('../output/cli-config.js');
    const { openOutputs } = await import('../output/index.js');
    cfg = outputConfigFromOptions(opts, warnOnce());
    channels = openOutputs(cfg);
  }
  const run = runAlerts({
    rulesPaths,
    file: opts.readFile,
    filter: opts.filter,
    count: opts.count,
    durationS: opts.durationS,
    json: opts.json || (cfg?.jsonOutput ?? false),
    timeIso8601: opts.timeIso8601 || (cfg?.timeFormatIso8601 ?? false),
    matching: cfg !== null && opts.ruleMatching === 'first' ? cfg.ruleMatching : opts.ruleMatching,
    minPriority: opts.minPriority,
    selection: { disabledSubstrings: opts.disabledRules, disabledTags: opts.disabledTags, enabledTags: opts.enabledTags },
    extra: opts.k8sColumns ? 'kubernetes' : opts.containerColumns ? 'container' : null,
    live: { snaplen: opts.snaplen, bufferMb: opts.bufferMb, includeSelf: opts.includeSelf, ssh: sshTargetOf(opts) },
    sink: channels ?? undefined,
    onWarning: warnOnce(),
  });
  try {
    await run;
  } finally {
    await channels?.close();
  }
  return EXIT_OK;
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
  const format = opts.events ? await eventFormatter(opts) : null;
  const { loadMonitorRules } = await import('./monitor-rules.js');
  const rules = output === 'raw' || output === 'json' ? loadMonitorRules(opts, warnOnce()) : null;
  await runCapture({
    format,
    rules: rules?.consumer(null) ?? null,
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
    rotate: rotationOf(opts),
    gzip: opts.gzip,
    onWarning: warnOnce(),
  });
  return EXIT_OK;
}

/** --events: the -p / -pc / -pk / --json formatter, or null for sysdig's default line. */
async function eventFormatter(opts: Options): Promise<import('../format/event-format.js').EventFormatter | null> {
  const f = await import('../format/event-format.js');
  const format = opts.k8sColumns ? f.K8S_EVENT_FORMAT : (opts.eventFormat ?? (opts.containerColumns ? f.CONTAINER_EVENT_FORMAT : null));
  if (format === null && !opts.json) return null;
  return new f.EventFormatter(format ?? f.DEFAULT_EVENT_FORMAT, opts.json);
}

/** -w DIR --rotate-seconds N [--rotate-keep K]; the agent rotates by default. */
export function rotationOf(opts: Options): { seconds: number; keep: number } | null {
  if (opts.rotateSeconds > 0 || opts.agent) {
    if (opts.writeFile === null) {
      if (opts.rotateSeconds > 0) throw new UsageError('--rotate-seconds needs -w DIR (the directory of rotated captures)');
      return null;
    }
    if (opts.readFile !== null) throw new UsageError('--rotate-seconds is for live capture (-w DIR without -r)');
    return { seconds: opts.rotateSeconds > 0 ? opts.rotateSeconds : AGENT_DEFAULTS.rotateSeconds, keep: opts.rotateKeep };
  }
  return null;
}

/** Options of --fetch-capture that the replay of the fetched file does not take (with their values). */
const FETCH_OPTIONS = new Set(['--fetch-capture', '--namespace', '--capture-dir', '-w', '--write']);

/** argv without the named options and their values (`--opt V` and `--opt=V`; -wFILE glued). */
function argvWithout(argv: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (names.has(a)) {
      i++;
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0 && names.has(a.slice(0, eq))) continue;
    if (a.startsWith('-w') && !a.startsWith('--') && a.length > 2) continue;
    out.push(a);
  }
  return out;
}

/** The -r event filter (the filter compiler and field registry load only for commands that filter). */
async function eventFilter(text: string): Promise<ReturnType<typeof import('./event-filter.js').compileEventFilter>> {
  const { compileEventFilter } = await import('./event-filter.js');
  return compileEventFilter(text);
}

/** A warning printer that says each distinct message once. */
export function warnOnce(): (msg: string) => void {
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
  // A usage mistake is one line and where to look, not the whole usage.
  if (err instanceof UsageError) return fail(`${err.message}${/tsysdig --/.test(err.message) ? '' : '; see tsysdig --help'}`, EXIT_USAGE);
  if (err instanceof LiveError) return fail(err.oneLine(), EXIT_FAILURE);
  if (err instanceof FilterError) return fail(`bad filter: ${err.message}`, EXIT_USAGE);
  if (err instanceof CaptureError) return fail(`capture error: ${err.message}`, EXIT_FAILURE);
  if (err instanceof Error && err.name === 'CaptureOpenError') return fail(err.message, EXIT_FAILURE);
  if (err instanceof CaptureWriteError) return fail(err.message, EXIT_FAILURE);
  if (err instanceof ViewFileError || err instanceof ViewConfigError) return fail(`bad view: ${err.message}`, EXIT_USAGE);
  if (err instanceof Error && err.name === 'RulesFileError') return fail(err.message, EXIT_FAILURE);
  if (err instanceof Error && err.name === 'ConfigError') return fail(err.message, EXIT_USAGE);
  if (err instanceof Error && err.name === 'OutputFileError') return fail(err.message, EXIT_FAILURE);
  if (err instanceof Error && err.name === 'FormatError') return fail(`bad format: ${err.message}`, EXIT_USAGE);
  const e = err as NodeJS.ErrnoException;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    if (e.code === 'ENOENT') return fail(`no such file: ${e.path ?? e.message}`);
    if (e.code === 'EACCES') return fail(`permission denied: ${e.path ?? e.message}`);
    return fail(e.message);
  }
  return fail(err instanceof Error ? err.message : String(err));
}
