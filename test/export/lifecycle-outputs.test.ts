/**
 * The lifecycle stream through the output channels: `--output-file` writes
 * the same records stdout prints into a 0600 file, rotated under a size
 * limit without losing or splitting a record.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';

const DEMO = join(ROOT, 'demo', 'tsysdig-demo.scap.gz');

describe('--lifecycle through the output channels', () => {
  it('--output-file holds every record stdout prints, rotated, none split', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsysdig-lc-out-'));
    const file = join(dir, 'lifecycle.json');
    const r = runCli(['--lifecycle', '--json', '-r', DEMO, '--output-file', file, '--output-max-mb', '0.05', '--output-keep', '100']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(500);
    const files = readdirSync(dir).map((n) => join(dir, n));
    expect(files.length).toBeGreaterThan(1);
    const inFiles: string[] = [];
    for (const f of files) {
      expect(statSync(f).mode & 0o777).toBe(0o600);
      for (const l of readFileSync(f, 'utf8').split('\n')) if (l !== '') inFiles.push(l);
    }
    for (const l of inFiles) JSON.parse(l);
    expect(inFiles.sort()).toEqual(lines.slice().sort());
  });
});
