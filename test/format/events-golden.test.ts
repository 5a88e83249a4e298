/**
 * The event listing must equal `sysdig -r FILE [FILTER]` (Debian sysdig 0.29.3) line for line.
 * Reference outputs are in test/golden/events/ (regenerate with scripts/make-goldens.sh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvents } from '../../src/cli/events-command.js';
import { compileEventFilter } from '../../src/cli/event-filter.js';
import { memoryOutput } from '../helpers/capture-output.js';
import { fixtureNames, fixturePath, GOLDEN } from '../helpers/fixtures.js';

async function listing(name: string, filter: string): Promise<string> {
  const { out, text } = memoryOutput();
  await runEvents({
    file: fixturePath(name),
    filter: filter === '' ? null : compileEventFilter(filter),
    count: 0,
    out,
    onWarning: () => {},
  });
  return text();
}

describe('event listing matches sysdig 0.29.3', () => {
  for (const name of fixtureNames()) {
    it(`${name}: every event`, async () => {
      const want = readFileSync(join(GOLDEN, 'events', `${name}.txt`), 'latin1');
      const got = await listing(name, '');
      expect(got.split('\n')).toEqual(want.split('\n'));
      expect(want.length).toBeGreaterThan(0);
    });
    it(`${name}: filtered on evt.type=open`, async () => {
      const want = readFileSync(join(GOLDEN, 'events', `${name}.evt.type=open.txt`), 'latin1');
      const got = await listing(name, 'evt.type=open');
      expect(got.split('\n')).toEqual(want.split('\n'));
    });
  }
});
