/**
 * bin/tsysdig.js runs the one-file bundle (dist/bundle/tsysdig.cjs, made by
 * scripts/bundle.mjs with its V8 code cache): it must be rebuilt from the
 * current sources and behave exactly as the module-per-file build does.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { newestMtime, ROOT } from '../helpers/fixtures.js';

const BUNDLE = join(ROOT, 'dist', 'bundle', 'tsysdig.cjs');

/** The tsc build's entry run directly (what the bundle replaces). */
function runModules(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = `import(${JSON.stringify(join(ROOT, 'dist', 'cli', 'main.js'))}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { cwd: ROOT, encoding: 'latin1', env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI bundle', () => {
  it('is rebuilt from the current sources, with its code cache', () => {
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThanOrEqual(newestMtime(join(ROOT, 'src')));
    expect(statSync(BUNDLE + '.cache').size).toBeGreaterThan(0);
  });

  it('prints what the module build prints: a replay table, an event list, an error', () => {
    const fixture = join(ROOT, 'test', 'fixtures', 'libs_curl_google.scap');
    for (const args of [
      ['--raw', '--final', '-r', fixture, '-v', 'connections'],
      ['--events', '-n', '200', '-r', fixture, 'evt.type=connect'],
      ['-r', fixture, '--raw', 'proc.nme=curl'],
    ]) {
      const b = runCli(args);
      const m = runModules(args);
      expect(b.stdout, args.join(' ')).toBe(m.stdout);
      expect(b.stderr).toBe(m.stderr);
      expect(b.status).toBe(m.status);
    }
  });

  it('a replay with cached views loads no YAML parser (the yaml package is ~60 ms of start-up)', () => {
    const fixture = join(ROOT, 'test', 'fixtures', 'libs_curl_google.scap');
    // Module._load sees every require, the bundle's externals included.
    const hook = `const M = require('node:module'); const load = M._load; const seen = new Set();
      M._load = function (req, ...rest) { seen.add(req); return load.call(this, req, ...rest); };
      process.on('exit', () => process.stderr.write('LOADED ' + [...seen].join(',') + '\\n'));`;
    runCli(['--raw', '--final', '-r', fixture, '-v', 'procs']); // fills the views cache
    const r = spawnSync(process.execPath, ['-e', hook + `; process.argv.splice(1, 0, ${JSON.stringify(join(ROOT, 'bin', 'tsysdig.js'))}); require(process.argv[1]);`, '--', '--raw', '--final', '-r', fixture, '-v', 'procs'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/curl/);
    const loaded = /LOADED (.*)/.exec(r.stderr)?.[1]?.split(',') ?? [];
    expect(loaded).toContain('node:vm'); // the hook saw the bundle's own loading
    expect(loaded.filter((m) => m === 'yaml' || m.includes('/yaml/'))).toEqual([]);
  });
});
