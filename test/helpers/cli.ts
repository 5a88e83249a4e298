/**
 * Runs the built CLI (bin/tsysdig.js → dist/) as a user would, capturing
 * stdout, stderr and the exit code.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tsysdig.js'), ...args], {
    cwd: ROOT,
    encoding: 'latin1',
    env: { ...process.env, TZ: 'UTC', ...opts.env },
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 1 << 28,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One cell of a --json table: its text and, for numbers, the raw value. */
export interface JsonCell {
  text: string;
  raw?: number;
}

/** The rows of the final (whole-capture) document of --json output, as column name → cell. */
export function finalJsonRows(stdout: string): Record<string, JsonCell>[] {
  const d = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { final: boolean; columns: { name: string }[]; rows: { keyText: string; cells: JsonCell[] }[] })
    .find((x) => x.final);
  if (!d) throw new Error(`no final document in: ${stdout.slice(0, 300)}`);
  return d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c.name, r.cells[i]!])));
}

/** `tsysdig --alerts ARGS` run to the end: Falco's text lines as [time, priority, output]. */
export function printedAlerts(args: string[]): { time: string; priority: string; output: string }[] {
  const r = runCli(['--alerts', ...args]);
  if (r.status !== 0) throw new Error(`tsysdig --alerts failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => {
      const m = /^(\S+): (\S+) (.*)$/.exec(l);
      if (m === null) throw new Error(`not an alert line: ${l}`);
      return { time: m[1]!, priority: m[2]!, output: m[3]! };
    });
}
