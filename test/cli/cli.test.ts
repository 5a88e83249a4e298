/**
 * The command line as a user meets it: outputs, limits, and bad input giving
 * one clear line on stderr, a non-zero exit, no stack trace, and nothing lost
 * (everything before the damage is printed).
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath, GOLDEN } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-cli-'));

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('--events', () => {
  it('prints exactly what sysdig prints', () => {
    const r = runCli(['--events', '-r', fixturePath('falco_cat_write')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(GOLDEN, 'events', 'falco_cat_write.txt'), 'latin1'));
  });

  it('applies a filter and -n', () => {
    const r = runCli(['--events', '-n', '150', '-r', fixturePath('falco_cat_write'), 'evt.type=open and evt.dir=<']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/ < open fd=/);
    // -n counts events read, internal ones included, like sysdig -n.
    for (const l of lines) expect(Number(l.split(' ')[0])).toBeLessThanOrEqual(150);
  });

  it('a truncated capture prints every event before the damage, then one error line with the offset', () => {
    const raw = gunzipSync(readFileSync(fixturePath('falco_cat_write')));
    const cut = join(tmp, 'cut.scap');
    writeFileSync(cut, raw.subarray(0, raw.length - 300));
    const full = readFileSync(join(GOLDEN, 'events', 'falco_cat_write.txt'), 'latin1').trim().split('\n');
    const r = runCli(['--events', '-r', cut]);
    expect(r.status).not.toBe(0);
    expectOneLineError(r.stderr, /^tsysdig: capture error: .*offset \d+/);
    const got = r.stdout.trim().split('\n');
    expect(got.length).toBeGreaterThan(10);
    expect(got).toEqual(full.slice(0, got.length));
  });
});

describe('--raw and --json', () => {
  it('--raw ends with the whole-capture table csysdig prints', () => {
    const r = runCli(['--raw', '-r', fixturePath('libs_curl_google'), '-v', 'connections']);
    expect(r.status).toBe(0);
    const want = readFileSync(join(GOLDEN, 'views', 'libs_curl_google.connections.txt'), 'latin1').trim().split('\n');
    const got = r.stdout.trim().split('\n');
    expect(got.slice(-want.length + 1)).toEqual(want.slice(1));
  });

  it('--final prints only the whole-capture table, like csysdig for a file', () => {
    const r = runCli(['--raw', '--final', '-r', fixturePath('libs_curl_google'), '-v', 'files']);
    expect(r.status).toBe(0);
    const want = readFileSync(join(GOLDEN, 'views', 'libs_curl_google.files.txt'), 'latin1');
    expect(r.stdout.split('\n').length).toBe(want.split('\n').length);
    expect(r.stdout.split('\n').sort()).toEqual(want.split('\n').sort());
  });

  it('--json prints one document per sample, the last one final', () => {
    const r = runCli(['--json', '-r', fixturePath('libs_curl_google'), '-v', 'files']);
    expect(r.status).toBe(0);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { view: string; final: boolean; rows: { keyText: string; cells: { text: string; value?: number }[] }[]; columns: { name: string }[] });
    expect(docs.length).toBeGreaterThan(1);
    const last = docs[docs.length - 1]!;
    expect(last.final).toBe(true);
    expect(docs.slice(0, -1).every((d) => !d.final)).toBe(true);
    expect(last.view).toBe('files');
    expect(last.columns.map((c) => c.name)).toEqual(['BYTES IN', 'BYTES OUT', 'OPS', 'OPENS', 'ERRORS', 'FILENAME']);
    const resolv = last.rows.find((row) => row.cells[5]!.text === '/etc/resolv.conf')!;
    expect(resolv.cells[0]!.value).toBe(448);
    expect(resolv.cells[2]!.value).toBe(10);
  });

  it('-M stops after that much capture time', () => {
    const all = runCli(['--json', '-r', fixturePath('libs_curl_google'), '-v', 'syscalls']);
    const short = runCli(['--json', '-r', fixturePath('libs_curl_google'), '-v', 'syscalls', '-M', '1']);
    const events = (s: string): number => (JSON.parse(s.trim().split('\n').pop()!) as { events: number }).events;
    expect(short.status).toBe(0);
    expect(events(short.stdout)).toBeLessThan(events(all.stdout));
    const d = JSON.parse(short.stdout.trim().split('\n').pop()!) as { interval: { durationNs: number } };
    expect(d.interval.durationNs).toBeLessThan(1e9);
  });
});

describe('bad input', () => {
  it('a bad filter names the position', () => {
    const r = runCli(['--events', '-r', fixturePath('falco_cat_write'), 'proc.name=cat and']);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, /^tsysdig: bad filter: .*position 17/);
  });

  it('an unknown field in a filter is named', () => {
    const r = runCli(['--raw', '-r', fixturePath('falco_cat_write'), 'proc.nmae=cat']);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, /proc\.nmae/);
  });

  it('an unknown view is named', () => {
    const r = runCli(['--raw', '-r', fixturePath('falco_cat_write'), '-v', 'nosuchview']);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, /unknown view 'nosuchview'/);
  });

  it('a bad view file gives file, line and key', () => {
    const dir = join(tmp, 'views');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad\nname: Bad\ncolumns:\n  - name: K\n    field: fd.name\n    is_key: true\n  - name: V\n    field: evt.count\n    aggregation: SOM\n');
    const r = runCli(['--raw', '-r', fixturePath('falco_cat_write'), '--views', dir, '-v', 'bad']);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, /bad\.yaml:9: columns\[1\]\.aggregation: expected one of/);
  });

  it('a missing file, a zero-length file and random bytes each give one line', () => {
    const empty = join(tmp, 'empty.scap');
    writeFileSync(empty, '');
    const noise = join(tmp, 'noise.scap');
    writeFileSync(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255)));
    for (const [file, pat] of [
      [join(tmp, 'missing.scap'), /^tsysdig: cannot open capture .*missing\.scap: no such file$/],
      [empty, /^tsysdig: cannot open capture .*empty\.scap: empty file$/],
      [noise, /^tsysdig: cannot open capture .*noise\.scap: not a capture file/],
    ] as const) {
      const r = runCli(['--raw', '-r', file]);
      expect(r.status).not.toBe(0);
      expectOneLineError(r.stderr, pat);
    }
  });

  it('bad options are usage errors', () => {
    const r = runCli(['-d', 'soon', '-r', fixturePath('falco_cat_write')]);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, /^tsysdig: option -d needs a non-negative number/);
  });
});
