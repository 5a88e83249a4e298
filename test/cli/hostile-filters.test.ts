/**
 * Hostile filters from the fuzzing of issue #15: glob patterns that compiled
 * in cubic time (also through a view's `filter:`), and a command-line filter
 * that closed a view filter's parentheses because the two were joined as text.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

const CAPTURE = fixturePath('falco_cat_write');
const dir = mkdtempSync(join(tmpdir(), 'tsysdig-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostile glob patterns', () => {
  it('a 15 KB "[[:" pattern on the command line compiles and runs quickly (was > 120 s)', () => {
    const pattern = '[[:'.repeat(5000);
    const start = Date.now();
    const r = runCli(['--raw', '-r', CAPTURE, '-v', 'procs', `proc.name glob '${pattern}'`], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Generous: the whole replay under load; 17 s for 6 KB before the fix.
    expect(Date.now() - start).toBeLessThan(30_000);
  });

  it("also through a view's filter:", () => {
    const views = join(dir, 'views');
    rmSync(views, { recursive: true, force: true });
    mkdirSync(views);
    writeFileSync(
      join(views, 'globby.yaml'),
      ['id: globby', 'name: Globby', 'view_type: table', `filter: "proc.name glob '${'[[:'.repeat(5000)}'"`, 'columns:', '  - name: PID', '    field: proc.pid', '    is_key: true', '  - name: NAME', '    field: proc.name', ''].join('\n'),
    );
    const start = Date.now();
    const r = runCli(['--raw', '-r', CAPTURE, '--views', views, '-v', 'globby'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Date.now() - start).toBeLessThan(30_000);
  });
});

describe('command-line filter joined to the view filter as a tree', () => {
  it("a filter that would close the view filter's parentheses is an error, as with --events", () => {
    const hostile = 'proc.name=a) and (fd.num=1';
    const raw = runCli(['--raw', '-r', CAPTURE, '-v', 'procs', hostile]);
    const events = runCli(['--events', '-r', CAPTURE, hostile]);
    for (const r of [raw, events]) {
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^tsysdig: .*unexpected '\)' without a matching '\('\n$/);
    }
  });

  it('a well-formed filter still narrows the view', () => {
    const all = runCli(['--raw', '--final', '-r', CAPTURE, '-v', 'procs']);
    const cat = runCli(['--raw', '--final', '-r', CAPTURE, '-v', 'procs', 'proc.name=cat or proc.name=bash']);
    expect(cat.status).toBe(0);
    expect(cat.stdout.split('\n').length).toBeLessThan(all.stdout.split('\n').length);
    expect(cat.stdout).toMatch(/\bcat\b/);
  });
});
