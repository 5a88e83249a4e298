/**
 * The file channel: Falco's file_output appends and creates 0600, refuses a
 * planted symlink; rotation under a 1 MB limit with a fast writer keeps every
 * line whole and in exactly one file, and at most K rotated files.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOutputConfig, openOutputs, OutputFileError } from '../../src/output/index.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'tsysdig-out-'));
}

function fileOutputs(overrides: string[], flags = {}) {
  const report: string[] = [];
  const cfg = loadOutputConfig({ file: null, overrides: ['stdout_output.enabled=false', ...overrides] }, flags);
  return { out: openOutputs(cfg, { report: (l) => report.push(l) }), report };
}

/** Lines of varying length (40..~440 bytes), numbered so loss, duplication and splitting show. */
function line(i: number): string {
  return `{"seq":${i},"pad":"${'x'.repeat((i * 37) % 400)}","end":${i}}`;
}

describe('file output', () => {
  it('appends to an existing file, one line per record (keep_alive false and true)', async () => {
    for (const keep of ['false', 'true']) {
      const d = dir();
      const f = join(d, 'events.txt');
      writeFileSync(f, 'earlier\n', { mode: 0o600 });
      const { out } = fileOutputs(['file_output.enabled=true', `file_output.filename=${f}`, `file_output.keep_alive=${keep}`]);
      out.write('12:00:00.000000000: Warning one');
      out.write('12:00:00.000000001: Error two', 3);
      const stats = await out.close();
      expect(readFileSync(f, 'latin1')).toBe('earlier\n12:00:00.000000000: Warning one\n12:00:00.000000001: Error two\n');
      expect(stats[0]).toMatchObject({ channel: 'file', accepted: 2, delivered: 2 });
    }
  });

  it('creates the file 0600 whatever the umask', async () => {
    const f = join(dir(), 'alerts.json');
    const old = process.umask(0);
    try {
      const { out } = fileOutputs(['file_output.enabled=true', `file_output.filename=${f}`]);
      out.write('{"rule":"x"}');
      await out.close();
    } finally {
      process.umask(old);
    }
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('refuses a symlink planted at the path, before capture starts, and leaves its target alone', () => {
    const d = dir();
    const target = join(d, 'precious');
    writeFileSync(target, 'keep me\n');
    const f = join(d, 'events.txt');
    symlinkSync(target, f);
    expect(() => fileOutputs(['file_output.enabled=true', `file_output.filename=${f}`])).toThrow(OutputFileError);
    expect(() => fileOutputs(['file_output.enabled=true', `file_output.filename=${f}`])).toThrow(`refusing to write through the symbolic link ${f}`);
    expect(readFileSync(target, 'latin1')).toBe('keep me\n');
    expect(lstatSync(f).isSymbolicLink()).toBe(true);
  });

  it('writes characters above U+00FF as UTF-8 and capture bytes (U+0080..U+00FF) as single bytes', async () => {
    const f = join(dir(), 'life.log');
    const { out } = fileOutputs([], { outputFile: f });
    out.write('🚀 process host /bin/cat \xe9');
    await out.close();
    expect(readFileSync(f)).toEqual(Buffer.concat([Buffer.from('🚀 process host /bin/cat ', 'utf8'), Buffer.from([0xe9, 0x0a])]));
  });
});

describe('rotation (--output-file F --output-max-mb 1 --output-keep K)', () => {
  const LIMIT = 1024 * 1024;

  function readAll(d: string): { name: string; text: string; size: number }[] {
    return readdirSync(d)
      .sort()
      .map((name) => {
        const buf = readFileSync(join(d, name));
        return { name, text: buf.toString('latin1'), size: buf.length };
      });
  }

  it('puts every line, whole, in exactly one file of at most 1 MB', async () => {
    const d = dir();
    const f = join(d, 'tsysdig.log');
    const { out, report } = fileOutputs([], { outputFile: f, outputMaxMb: 1, outputKeep: 20 });
    // A fast writer: ~5.2 MB in one synchronous burst, as a replay produces it.
    const N = 22_000;
    let total = 0;
    for (let i = 0; i < N; i++) {
      out.write(line(i));
      total += line(i).length + 1;
    }
    const stats = await out.close();
    expect(stats[0]).toMatchObject({ accepted: N, delivered: N, droppedRejected: 0 });
    expect(report).toEqual([]);
    const files = readAll(d);
    expect(files.length).toBeGreaterThanOrEqual(Math.ceil(total / LIMIT));
    // Backups are named as lumberjack (Tetragon's export file) names them; the live file is the last written.
    const backups = files.filter((x) => x.name !== 'tsysdig.log');
    for (const b of backups) expect(b.name).toMatch(/^tsysdig-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log$/);
    const ordered = [...backups, files.find((x) => x.name === 'tsysdig.log')!];
    const seen: number[] = [];
    for (const file of ordered) {
      expect(file.size).toBeLessThanOrEqual(LIMIT);
      expect(file.text.endsWith('\n')).toBe(true);
      for (const l of file.text.slice(0, -1).split('\n')) {
        const rec = JSON.parse(l) as { seq: number; end: number };
        expect(l).toBe(line(rec.seq));
        seen.push(rec.seq);
      }
      // Each rotated file was filled as far as the next line allowed.
      if (file !== ordered.at(-1)) expect(file.size + line(seen.at(-1)! + 1).length + 1).toBeGreaterThan(LIMIT);
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i));
    for (const file of files) expect(statSync(join(d, file.name)).mode & 0o777).toBe(0o600);
  });

  it('keeps at most K rotated files, the newest, with no line lost from them or duplicated', async () => {
    const d = dir();
    const f = join(d, 'tsysdig.log');
    const { out } = fileOutputs([], { outputFile: f, outputMaxMb: 1, outputKeep: 2 });
    const N = 22_000;
    for (let i = 0; i < N; i++) out.write(line(i));
    await out.close();
    const files = readAll(d);
    expect(files).toHaveLength(3);
    const ordered = [...files.filter((x) => x.name !== 'tsysdig.log'), files.find((x) => x.name === 'tsysdig.log')!];
    const seqs = ordered.flatMap((file) => file.text.slice(0, -1).split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq));
    // What is kept is the tail of the stream, contiguous.
    const first = seqs[0]!;
    expect(seqs).toEqual(Array.from({ length: N - first }, (_, i) => first + i));
  });

  it('a restart appends to the live file and rotates it when full', async () => {
    const d = dir();
    const f = join(d, 'tsysdig.log');
    for (let run = 0; run < 2; run++) {
      const { out } = fileOutputs([], { outputFile: f, outputMaxMb: 1, outputKeep: 5 });
      for (let i = 0; i < 3000; i++) out.write(line(run * 3000 + i));
      await out.close();
    }
    const files = readAll(d);
    const ordered = [...files.filter((x) => x.name !== 'tsysdig.log'), files.find((x) => x.name === 'tsysdig.log')!];
    const seqs = ordered.flatMap((file) => file.text.slice(0, -1).split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq));
    expect(seqs).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    expect(files.length).toBe(2);
  });
});
