// Bundles the CLI (src/cli/main.ts and everything it imports, lazily loaded
// commands included) into one CommonJS file, dist/bundle/tsysdig.cjs, and
// primes V8's code cache for it (dist/bundle/tsysdig.cjs.cache).
//
// Why: Node 20 has no module compile cache, and resolving, reading and
// compiling ~75 ES modules was ~50 ms of every run. One script is read once,
// and a CommonJS script can be compiled by vm.Script with `cachedData`
// (bin/tsysdig.js), so V8 skips parsing and compiling what the cache holds.
// Commands stay lazy: esbuild turns `await import('./x.js')` into a wrapped
// module whose top-level code runs only when the command asks for it.
// npm packages stay external (blessed loads its widgets and terminfo by path,
// koffi is native); they load from node_modules as before.
//
// The bundle lives two levels below the root, like dist/cli/main.js, so the
// sources' `new URL('../../views/', import.meta.url)` paths hold unchanged.
//
// Usage: node scripts/bundle.mjs [--force]   (run by `npm run build`,
// scripts/setup.sh and the tests' global set-up). Does nothing when the
// bundle is newer than every source and was primed by this Node version
// (a cache from another V8 is rejected, so it is remade).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'bundle', 'tsysdig.cjs');
const stamp = join(root, 'dist', 'bundle', 'node-version');

/** Newest modification time (ms) of the files under `dir` (recursively). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function upToDate() {
  if (process.argv.includes('--force') || !existsSync(outfile) || !existsSync(stamp)) return false;
  if (readFileSync(stamp, 'utf8') !== process.version) return false;
  const inputs = Math.max(newest(join(root, 'src')), statSync(join(root, 'bin', 'tsysdig.js')).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  return statSync(stamp).mtimeMs >= inputs;
}

if (upToDate()) process.exit(0);
rmSync(stamp, { force: true });

await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // import.meta does not exist in CommonJS: the bundle's own URL stands in (same depth as dist/cli/).
  define: { 'import.meta.url': '__tsysdigBundleUrl' },
  banner: { js: 'const __tsysdigBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Smaller text to read and hash; names are kept (error messages and stack traces stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  // ASCII only (esbuild escapes the rest), so the launcher reads it as a one-byte string.
  charset: 'ascii',
  logLevel: 'warning',
});

// The code cache: run a replay and a --help once with the cache being
// written, so it holds the functions a run actually compiles (a cache made
// right after compiling holds only the top level: V8 compiles lazily).
rmSync(outfile + '.cache', { force: true });
const launcher = join(root, 'bin', 'tsysdig.js');
const fixture = join(root, 'demo', 'tsysdig-demo.scap.gz');
const prime = spawnSync(process.execPath, [launcher, '--raw', '--final', '-r', fixture, '-v', 'procs'], {
  env: { ...process.env, TSYSDIG_WRITE_CODE_CACHE: '1' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (prime.status !== 0) {
  process.stderr.write('bundle: priming the code cache failed; tsysdig runs without it\n');
  rmSync(outfile + '.cache', { force: true });
}
writeFileSync(stamp, process.version);
