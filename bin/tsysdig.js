#!/usr/bin/env node
// Entry point. A CommonJS script (bin/package.json), so start-up skips
// Node's ES module loader. The CLI is built into one script,
// dist/bundle/tsysdig.cjs (scripts/bundle.mjs), compiled here with V8's code
// cache beside it, so a run skips parsing and compiling what the cache holds
// (Node 20 has no module compile cache). Without the bundle (a tsc-only
// build) it loads dist/cli/main.js.
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'bundle', 'tsysdig.cjs');
const argv = process.argv.slice(2);

/** Compiles and runs the bundle (with the code cache when there is one); returns its main(). */
function loadBundle() {
  const cacheFile = bundle + '.cache';
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // no cache: V8 compiles as usual
  }
  // The bundle is ASCII (esbuild escapes the rest): a one-byte string.
  const source = readFileSync(bundle, 'latin1');
  const script = new Script('(function (exports, require, module, __filename, __dirname) {' + source + '\n})', {
    filename: bundle,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  // scripts/bundle.mjs writes the cache after a representative run, so it
  // holds the functions that run compiled, not only the top level.
  const writeCache = process.env.TSYSDIG_WRITE_CODE_CACHE === '1' ? () => writeFileSync(cacheFile, script.createCachedData()) : () => {};
  return { main: module.exports.main, after: writeCache };
}

async function run() {
  if (existsSync(bundle)) {
    const { main, after } = loadBundle();
    process.exitCode = await main(argv);
    after();
    return;
  }
  const main = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) {
    process.stderr.write('tsysdig: not built yet; run `npm run setup` (or `npm start`) in ' + root + '\n');
    process.exit(1);
  }
  process.exitCode = await (await import(main)).main(argv);
}

run();
