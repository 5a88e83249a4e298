/**
 * Events that reach the printer without thread information print the event
 * header's thread id, as sysdig does (`<NA> (0) > switch next=…`), never
 * `(<NA>)` (issue 15 item 5). The golden is `sysdig -r` (0.29.3) on the
 * capture test/format/no-thread-capture.ts builds.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { GOLDEN } from '../helpers/fixtures.js';
import { buildNoThreadCapture } from './no-thread-capture.js';

it('--events prints what sysdig prints for every thread-less event type', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tsysdig-nothread-')), 'nothread.scap');
  writeFileSync(file, buildNoThreadCapture());
  const r = runCli(['--events', '-r', file]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const want = readFileSync(join(GOLDEN, 'events', 'no-thread.txt'), 'latin1');
  expect(want).toContain('<NA> (0) > switch next=1(init)');
  expect(r.stdout).toBe(want);
});
