/**
 * Captures through pipes, end to end with the CLI: `tsysdig -r F -w - [-z]`
 * streamed into `tsysdig -r -` gives the same tables and event lines as the
 * capture re-written to a file (-r F -w FILE) and read from there; a FIFO is
 * read as a stream too; a gzip stream cut short is reported in one line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-pipe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const BIN = `'${process.execPath}' '${join(ROOT, 'bin', 'tsysdig.js')}'`;

function sh(cmd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, encoding: 'latin1', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 28, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FIXTURES = ['libs_curl_google', 'falco_cat_write', 'libs_test_ipv6_client'];

describe('captures through a pipe', () => {
  test.each(FIXTURES.flatMap((f) => [[f, ''], [f, '-z']]))('%s %s: -w - | -r - gives the tables of the re-written file', (name, z) => {
    const fixture = `test/fixtures/${name}.scap`;
    const rewritten = join(tmp, `${name}${z}.scap`);
    expect(sh(`${BIN} -r ${fixture} -w ${rewritten} ${z}`).status).toBe(0);
    const fromFile = sh(`${BIN} --raw -d 500 -r ${rewritten}`);
    const fromPipe = sh(`${BIN} -r ${fixture} -w - ${z} | ${BIN} --raw -d 500 -r -`);
    expect(fromFile.status).toBe(0);
    expect(fromPipe.status).toBe(0);
    expect(fromPipe.stdout.length).toBeGreaterThan(100);
    expect(fromPipe.stdout).toBe(fromFile.stdout);
    // the end of the stream is said in one line
    expect(fromPipe.stderr).toMatch(/^tsysdig: end of stream from stdin \(\d+ events\)\n$/);
  }, 120_000);

  test('event lines through a FIFO (gzip) are those of the file', () => {
    const fixture = 'test/fixtures/libs_curl_google.scap';
    const fifo = join(tmp, 'cap.fifo');
    execFileSync('mkfifo', [fifo]);
    const fromFile = sh(`${BIN} --events -r ${fixture}`);
    const viaFifo = sh(`${BIN} -r ${fixture} -w ${fifo} -z & ${BIN} --events -r ${fifo}; wait`);
    expect(viaFifo.status).toBe(0);
    expect(viaFifo.stdout).toBe(fromFile.stdout);
    expect(viaFifo.stderr).toContain(`end of stream from ${fifo}`);
  }, 120_000);

  test('a gzip stream cut short: one line, non-zero exit', () => {
    const r = sh(`${BIN} -r test/fixtures/libs_curl_google.scap -w - -z | head -c 20000 | ${BIN} --raw -r -`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tsysdig: capture error: compressed stream is damaged after \d+ uncompressed bytes: the gzip data ends early[^\n]*\n$/);
  }, 60_000);

  test('-w - refuses to share stdout with a text output', () => {
    const r = sh(`${BIN} -r test/fixtures/libs_curl_google.scap -w - --raw`);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^tsysdig: -w - writes the capture to stdout; it cannot be combined with --raw, --json or --events(; see tsysdig --help)?$/);
  });
});
