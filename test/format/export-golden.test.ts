/**
 * `tsysdig --events` with -j, -p FORMAT, -j -p FORMAT and -pc must print what
 * sysdig 0.29.3 prints, line for line, for every fixture and every format of
 * test/golden/export/FORMATS; and every display field in -j (JSON-FIELDS) on
 * the small fixtures. Goldens: scripts/make-goldens.sh.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvents } from '../../src/cli/events-command.js';
import { CONTAINER_EVENT_FORMAT, DEFAULT_EVENT_FORMAT, EventFormatter, FormatError } from '../../src/format/event-format.js';
import { memoryOutput } from '../helpers/capture-output.js';
import { fixtureNames, fixturePath, GOLDEN } from '../helpers/fixtures.js';

const DIR = join(GOLDEN, 'export');

interface FormatCase {
  name: string;
  options: string[];
  format: string;
}

function formats(): FormatCase[] {
  return readFileSync(join(DIR, 'FORMATS'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name, opts, format] = l.split(/\t+/) as [string, string, string | undefined];
      return { name, options: opts === '-' ? [] : opts.split(' '), format: format ?? '' };
    });
}

/** The formatter `tsysdig --events OPTIONS [-p FORMAT]` builds (src/cli/main.ts). */
function formatterFor(c: FormatCase): EventFormatter | null {
  const json = c.options.includes('-j');
  const format = c.format !== '' ? c.format : c.options.includes('-pc') ? CONTAINER_EVENT_FORMAT : null;
  if (format === null && !json) return null;
  return new EventFormatter(format ?? DEFAULT_EVENT_FORMAT, json);
}

async function listing(fixture: string, format: EventFormatter | null): Promise<string> {
  const { out, text } = memoryOutput();
  await runEvents({ file: fixturePath(fixture), filter: null, format, count: 0, out, onWarning: () => {} });
  return text();
}

describe('--events -j / -p match sysdig 0.29.3', () => {
  for (const name of fixtureNames()) {
    for (const c of formats()) {
      it(`${name}: ${c.options.join(' ')} ${c.format !== '' ? `-p '${c.format}'` : ''}`, async () => {
        const want = readFileSync(join(DIR, `${name}.${c.name}.txt`), 'latin1');
        const got = await listing(name, formatterFor(c));
        expect(got.split('\n')).toEqual(want.split('\n'));
      });
    }
  }

  const fields = readFileSync(join(DIR, 'JSON-FIELDS'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  for (const name of fixtureNames()) {
    const golden = join(DIR, `${name}.json-fields.txt`);
    if (!existsSync(golden)) continue;
    it(`${name}: every display field (${fields.length}) in -j`, async () => {
      const want = readFileSync(golden, 'latin1');
      const got = await listing(name, new EventFormatter('*' + fields.map((f) => `%${f}`).join(' '), true));
      expect(got.split('\n')).toEqual(want.split('\n'));
      expect(want.split('\n').length).toBeGreaterThan(10);
    });
  }
});

describe('format strings', () => {
  const text = (fmt: string): EventFormatter => new EventFormatter(fmt, false);
  it('refuses what sysdig refuses, with its message', () => {
    expect(() => text('%evt.num %')).toThrow(new FormatError('invalid formatting syntax: formatting cannot end with a %'));
    expect(() => text('%12')).toThrow(new FormatError('invalid formatting syntax: formatting cannot end with a number'));
    expect(() => text('%evt.typ')).toThrow(new FormatError('invalid formatting token evt.typ'));
    expect(() => text('%evt.arg[x]')).toThrow('x is not a valid number');
    expect(() => text('%evt.arg.1')).toThrow('unknown event argument 1');
  });
  it('reads \\n \\t \\\\ \\e and leaves other backslashes alone; \\e asks for the colour reset', () => {
    expect(text('*a\\tb').trailer).toBe('');
    expect(text('*\\e[31m%evt.num').trailer).toBe('\x1b[00m');
  });
});
