/**
 * Builds dist/ (tsc, then the CLI bundle) when sources changed, so tests that run the CLI as a user
 * would (bin/tsysdig.js) never run stale code, also under a bare `npx vitest`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`TypeScript build failed:\n${r.stdout}${r.stderr}`);
  // bin/tsysdig.js runs the bundle when there is one: remake it when stale.
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`CLI bundle failed:\n${b.stdout}${b.stderr}`);
}
