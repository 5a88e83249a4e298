/**
 * `npm run bench`: replay benchmarks against csysdig, measured in the same run.
 *
 * Inputs are inflated from real fixtures (about a million events each):
 *   - falco_psp_privileged × 500 (the capture named by the foundation issue;
 *     mostly procinfo events), and
 *   - libs_curl_google × 700 (a syscall-rich capture: files, sockets, processes).
 * For each: the reader alone, reader + state engine, and every compared view,
 * each in its own process (so peak RSS is that run's alone), next to
 * `csysdig --raw -r SAME -v VIEW` when csysdig is installed. The ratio
 * compares like with like: the real CLI, `tsysdig --raw --final -r SAME -v
 * VIEW`, computes and prints exactly what csysdig computes for a file (one
 * whole-capture table), both with output to /dev/null, run alternately; the
 * last column is tsysdig's default replay, which also samples every 2 s of
 * capture time (in the benchmark worker, output discarded).
 * Wall times are whole processes (start-up included), median of three.
 *
 * Also: a ~100k-event capture (start-up dominated), and the start-up of
 * the commands people type (npx tsysdig, tsysdig, node bin/tsysdig.js);
 * a rules row compares `--alerts` with the falcosecurity stable + incubating
 * rules against the same run without rules.
 *
 * UI row: libs_curl_google × 7000 (~10.75 M events) in the full-screen
 * application's engine on a headless display (src/bench/ui-drill.ts): time
 * to the table, Enter, Backspace and Enter again, with drill-down tables
 * prepared during the read and, for comparison, as before (every screen
 * reads the capture again). One run each (the read alone takes tens of
 * seconds).
 *
 * Options: --quick (fewer copies), --views a,b,c, --only startup|state|views|rules|ui,
 * --runs N (runs per figure, default 3), --baseline ROOT (another build, e.g.
 * a checkout of main, run alternately in the same invocation: before and
 * after under the same load), --no-samples (skip the 2 s samples column).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateCapture } from './inflate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = join(ROOT, 'dist', 'bench', 'replay-worker.js');
const UI_WORKER = join(ROOT, 'dist', 'bench', 'ui-drill.js');
const CLI = join(ROOT, 'bin', 'tsysdig.js');
const COMPARED_VIEWS = ['procs', 'containers', 'connections', 'syscalls', 'files', 'directories', 'errors', 'threads', 'sports', 'io_by_type', 'procs_fd_usage'];

interface Measure {
  events: number;
  ms: number;
  maxRssKb: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * Runs one measurement in a fresh node process. `ms` is the wall time of the
 * whole process (start-up and module loading included), as csysdig's is
 * measured; `innerMs` is the time inside, from the worker's own clock.
 */
function runWorker(mode: string, file: string): Measure & { innerMs: number } {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [WORKER, mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = JSON.parse(out.trim().split('\n').pop()!) as Measure;
  return { ...m, innerMs: m.ms, ms };
}

function hasCsysdig(): boolean {
  return spawnSync('csysdig', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Wall time (ms) of one whole command, and its peak RSS (KB) and CPU time (user + system, ms) when GNU time is there to tell. */
interface CommandRun {
  ms: number;
  maxRssKb: number | null;
  cpuMs: number | null;
}

/**
 * Wall time (ms) and peak RSS (KB, via GNU time when present) of one whole
 * command, its output sent to /dev/null: how tsysdig's CLI and csysdig are
 * both measured, so neither pays for a pipe the other does not.
 */
function runCommand(cmd: string, args: string[]): CommandRun {
  const gnuTime = existsSync('/usr/bin/time');
  const devNull = openSync('/dev/null', 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8', stdio: ['ignore', devNull, 'pipe'] })
      : spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', devNull, 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`);
    const [rss, user, sys] = gnuTime ? (r.stderr ?? '').trim().split('\n').pop()!.split(' ').map(Number) : [];
    return {
      ms,
      maxRssKb: rss !== undefined && Number.isFinite(rss) ? rss : null,
      cpuMs: user !== undefined && sys !== undefined && Number.isFinite(user + sys) ? (user + sys) * 1000 : null,
    };
  } finally {
    closeSync(devNull);
  }
}

/** csysdig on a file: one table over the whole capture. */
function runCsysdig(view: string, file: string): CommandRun {
  return runCommand('csysdig', ['--raw', '-r', file, '-v', view]);
}

/** The real CLI, as a user runs it, doing csysdig's work: `tsysdig --raw --final -r FILE -v VIEW` (`cli`: another build's bin/tsysdig.js). */
function runTsysdig(view: string, file: string, cli = CLI): CommandRun {
  return runCommand(process.execPath, [cli, '--raw', '--final', '-r', file, '-v', view]);
}

/** `--runs N` (odd; default 3): runs of each command per figure. */
const RUNS = Number(arg('--runs') ?? 3);
/** `--baseline ROOT`: another build of tsysdig (a checkout of main, say), run alternately with this one and csysdig. */
const BASELINE_CLI = arg('--baseline') !== undefined ? join(arg('--baseline')!, 'bin', 'tsysdig.js') : null;

/**
 * tsysdig, the baseline build (--baseline) and csysdig alternately, RUNS
 * runs each, medians: a machine whose speed drifts during the benchmark
 * then moves every figure alike.
 */
function pairedMedians(view: string, file: string, withCsysdig: boolean): { t: CommandRun; b: CommandRun | null; c: CommandRun | null } {
  const ts: CommandRun[] = [];
  const bs: CommandRun[] = [];
  const cs: CommandRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    ts.push(runTsysdig(view, file));
    if (BASELINE_CLI !== null) bs.push(runTsysdig(view, file, BASELINE_CLI));
    if (withCsysdig) cs.push(runCsysdig(view, file));
  }
  return { t: median(ts), b: BASELINE_CLI !== null ? median(bs) : null, c: withCsysdig ? median(cs) : null };
}

/** The median run by wall time, with the median CPU time of the runs (CPU moves less than wall time with the machine's load). */
function median(runs: CommandRun[]): CommandRun {
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const byWall = [...runs].sort((a, b) => a.ms - b.ms)[runs.length >> 1]!;
  const cpus = runs.map((r) => r.cpuMs).filter((x): x is number => x !== null);
  return { ...byWall, cpuMs: cpus.length === runs.length ? mid(cpus) : null };
}

/** The median of three runs by wall time. */
function middleOfThree<T extends { ms: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.ms - b.ms)[1]!;
}

/** Median of three runs (wall time), to damp noise on a shared 2-core machine. */
function median3<T extends { ms: number }>(f: () => T): T {
  return middleOfThree([f(), f(), f()]);
}

/**
 * Start-up: the commands people type, each the median of five runs (output
 * to /dev/null). `npx tsysdig` resolves the package on every call;
 * `tsysdig` is the link set-up makes (skipped when it is not on the PATH).
 */
function startupRows(withCsysdig: boolean): void {
  const fixture = join(ROOT, 'test', 'fixtures', 'libs_curl_google.scap');
  const rows: [string, string, string[]][] = [
    ['npx tsysdig --help', 'npx', ['tsysdig', '--help']],
    ['tsysdig --help', 'tsysdig', ['--help']],
    ['node bin/tsysdig.js --help', process.execPath, [CLI, '--help']],
    ['node bin/tsysdig.js --raw --final -r libs_curl_google.scap -v procs', process.execPath, [CLI, '--raw', '--final', '-r', fixture, '-v', 'procs']],
  ];
  if (withCsysdig) rows.push(['csysdig --raw -r libs_curl_google.scap -v procs', 'csysdig', ['--raw', '-r', fixture, '-v', 'procs']]);
  process.stdout.write('\n## start-up (median of 5)\n\n| command | wall |\n|---|---|\n');
  for (const [label, cmd, args] of rows) {
    if (cmd === 'tsysdig' && spawnSync('sh', ['-c', 'command -v tsysdig'], { encoding: 'utf8' }).status !== 0) continue;
    const runs: CommandRun[] = [];
    for (let i = 0; i < 5; i++) runs.push(runCommand(cmd, args));
    runs.sort((a, b) => a.ms - b.ms);
    process.stdout.write(`| \`${label}\` | ${runs[2]!.ms.toFixed(0)} ms |\n`);
  }
}

async function input(name: string, copies: number): Promise<{ file: string; events: number }> {
  const file = join(tmpdir(), `tsysdig-bench-${name}-x${copies}.scap`);
  const src = join(ROOT, 'test', 'fixtures', `${name}.scap`);
  if (!existsSync(file)) await inflateCapture(src, file, copies);
  return { file, events: 0 };
}

const RULES_DIR = join(ROOT, 'test', 'fixtures', 'falco-rules');

/**
 * Rules row: the falcosecurity stable + incubating rules over the capture,
 * whole process (`tsysdig --alerts --rules ... -r FILE`), against the same
 * command with an empty rules file (same reader, state engine and consumer
 * path, no rules): the ratio is what the rules add to the replay.
 */
function rulesRow(file: string, events: number): string {
  const empty = join(tmpdir(), 'tsysdig-bench-empty-rules.yaml');
  writeFileSync(empty, '');
  const rulesFiles = [join(RULES_DIR, 'falco_rules.yaml'), join(RULES_DIR, 'falco-incubating_rules.yaml')];
  const alerts = (rules: string[], cli = CLI): CommandRun => runCommand(process.execPath, [cli, '--alerts', ...rules.flatMap((r) => ['--rules', r]), '-r', file]);
  const withRules: CommandRun[] = [];
  const without: CommandRun[] = [];
  const baseline: CommandRun[] = [];
  try {
    // The first run parses the rules files and caches the parse (src/rules/rules-yaml.ts); every later run reads the cache.
    alerts(rulesFiles, CLI);
    for (let i = 0; i < RUNS; i++) {
      withRules.push(alerts(rulesFiles));
      without.push(alerts([empty]));
      if (BASELINE_CLI !== null) baseline.push(alerts(rulesFiles, BASELINE_CLI));
    }
  } catch (err) {
    return `| stable + incubating | ${events} | n/a | n/a | n/a | n/a (${(err as Error).message.slice(-160)}) |\n`;
  }
  const r = median(withRules);
  const b = median(without);
  const cpu = r.cpuMs !== null && b.cpuMs !== null ? ` | ${r.cpuMs.toFixed(0)} ms / ${b.cpuMs.toFixed(0)} ms = ${(r.cpuMs / b.cpuMs).toFixed(2)}x` : ' | n/a';
  const base = BASELINE_CLI !== null ? ` | ${median(baseline).ms.toFixed(0)} ms, ${(median(baseline).ms / b.ms).toFixed(2)}x` : '';
  return `| stable + incubating | ${events} | ${r.ms.toFixed(0)} ms | ${fmtRate(events, r.ms)} | ${b.ms.toFixed(0)} ms | ${(r.ms / b.ms).toFixed(2)}x${cpu}${base} |\n`;
}

interface Took {
  ms: number;
  cpuMs: number;
}

interface UiDrill {
  events: number;
  table: Took;
  drill: Took;
  back: Took;
  drill2: Took;
  reads: number;
  maxRssKb: number;
}

/** The UI on a big capture, once with prepared drill-downs and once reading again for every screen. */
function uiRows(file: string): string {
  let out = '| UI, procs view | events | time to the table (wall, CPU) | Enter (threads) | Backspace | Enter again | reads | peak RSS |\n|---|---|---|---|---|---|---|---|\n';
  for (const [label, args] of [
    ['prepared drill-down, kept tables', []],
    ['every screen reads again (before)', ['--reread']],
  ] as [string, string[]][]) {
    const raw = execFileSync(process.execPath, [UI_WORKER, file, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const m = JSON.parse(raw.trim().split('\n').pop()!) as UiDrill;
    const d = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
    const t = (x: Took): string => `${d(x.ms)} (CPU ${d(x.cpuMs)})`;
    out += `| ${label} | ${m.events} | ${t(m.table)} | ${t(m.drill)} | ${t(m.back)} | ${t(m.drill2)} | ${m.reads} | ${(m.maxRssKb / 1024).toFixed(0)} MB |\n`;
  }
  return out;
}

function fmtRate(events: number, ms: number): string {
  return `${((events / ms) * 1000 / 1e6).toFixed(2)} M/s`;
}

async function main(): Promise<void> {
  if (!existsSync(WORKER)) throw new Error('build first: npm run build');
  const quick = process.argv.includes('--quick');
  const only = arg('--only') ?? null;
  const views = (arg('--views') ?? COMPARED_VIEWS.join(',')).split(',');
  const csysdig = hasCsysdig();
  if (!csysdig) process.stdout.write('csysdig not installed: ratios skipped (apt-get install sysdig)\n');
  const inputs: [string, number][] = [
    ['falco_psp_privileged', quick ? 50 : 500],
    ['libs_curl_google', quick ? 70 : 700],
    // ~100k events: a replay where start-up is most of the time.
    ['libs_curl_google', quick ? 7 : 70],
  ];
  process.stdout.write(`node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${RUNS} runs per figure${BASELINE_CLI !== null ? `, baseline ${BASELINE_CLI}` : ''}\n`);
  if (only === null || only === 'startup') startupRows(csysdig);
  if (only === 'startup') return;
  if (only === null || only === 'ui') {
    const copies = quick ? 700 : 7000;
    const { file } = await input('libs_curl_google', copies);
    process.stdout.write(`\n## UI: libs_curl_google x ${copies} (${file})\n\n`);
    process.stdout.write(uiRows(file));
  }
  if (only === 'ui') return;
  for (const [name, copies] of inputs) {
    const { file } = await input(name, copies);
    process.stdout.write(`\n## ${name} x ${copies} (${file})\n\n`);
    if (only !== 'views' && only !== 'rules') {
      process.stdout.write('| run | events | wall | rate | peak RSS |\n|---|---|---|---|---|\n');
      for (const mode of ['read', 'state']) {
        const m = median3(() => runWorker(mode, file));
        process.stdout.write(`| ${mode === 'read' ? 'reader' : 'reader + state engine'} | ${m.events} | ${m.ms.toFixed(0)} ms | ${fmtRate(m.events, m.ms)} | ${(m.maxRssKb / 1024).toFixed(0)} MB |\n`);
      }
    }
    if (only === null || only === 'rules') {
      const ev = runWorker('read', file).events;
      process.stdout.write(
        `\n| rules | events | tsysdig --alerts | rate | without rules | ratio | CPU with / without |${BASELINE_CLI !== null ? ' baseline with rules, ratio |' : ''}\n|---|---|---|---|---|---|---|${BASELINE_CLI !== null ? '---|' : ''}\n`,
      );
      process.stdout.write(rulesRow(file, ev));
    }
    if (only !== 'state' && only !== 'rules') {
      const samples = !process.argv.includes('--no-samples');
      const base = BASELINE_CLI !== null;
      process.stdout.write(
        `\n| view | tsysdig --final | CPU | peak RSS | csysdig | CPU | csysdig RSS | ratio | CPU ratio |${base ? ' baseline | CPU | baseline ratio |' : ''}${samples ? ' tsysdig with 2 s samples |' : ''}\n` +
          `|---|---|---|---|---|---|---|---|---|${base ? '---|---|---|' : ''}${samples ? '---|' : ''}\n`,
      );
      for (const v of views) {
        const { t: m, b, c } = pairedMedians(v, file, csysdig);
        const ratio = (x: number | null | undefined, y: number | null | undefined): string => (x !== null && x !== undefined && y !== null && y !== undefined ? (x / y).toFixed(2) : 'n/a');
        const ms = (x: number | null | undefined): string => (x !== null && x !== undefined ? `${x.toFixed(0)} ms` : 'n/a');
        const mb = (kb: number | null): string => (kb !== null ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
        let row = `| ${v} | ${ms(m.ms)} | ${ms(m.cpuMs)} | ${mb(m.maxRssKb)} | ${ms(c?.ms)} | ${ms(c?.cpuMs)} | ${mb(c?.maxRssKb ?? null)} | ${ratio(m.ms, c?.ms)} | ${ratio(m.cpuMs, c?.cpuMs)} |`;
        if (b !== null) row += ` ${ms(b.ms)} | ${ms(b.cpuMs)} | ${ratio(b.ms, c?.ms)} |`;
        if (samples) row += ` ${median3(() => runWorker(`view:${v}`, file)).ms.toFixed(0)} ms |`;
        process.stdout.write(row + '\n');
      }
    }
  }
  process.stdout.write(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
