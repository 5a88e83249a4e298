#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm run build` or the set-up that npm start/test run).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('tsysdig: not built yet; run `npm run setup` (or `npm start`) in ' + root + '\n');
  process.exit(1);
}
const { main: run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
