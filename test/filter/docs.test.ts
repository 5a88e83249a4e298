/** docs/filters.md stays true: its examples compile and its error table matches. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError } from '../../src/filter/index.js';
import { resolver } from './fake-fields.js';

const doc = readFileSync(new URL('../../docs/filters.md', import.meta.url), 'utf8');

const section = (title: string): string => {
  const start = doc.indexOf(`### ${title}\n`);
  const end = doc.indexOf('\n### ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
};

describe('docs/filters.md', () => {
  it('has the Fields heading for the generated list', () => {
    expect(doc).toMatch(/^## Fields$/m);
  });

  const examples = section('Examples').split('```')[1]!.trim().split('\n');
  it.each(examples)('example compiles: %s', (filter) => {
    expect(() => compileFilter(filter, resolver)).not.toThrow();
  });

  const errorRows = section('Errors')
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => /^\| `(.*)` \| (.*) \|$/.exec(l)!)
    .map((m) => [m[1]!, m[2]!] as const);
  it('documents a dozen errors', () => expect(errorRows.length).toBeGreaterThan(10));
  it.each(errorRows)('error for %s', (filter, message) => {
    let err: unknown;
    try {
      compileFilter(filter, resolver);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterError);
    expect((err as FilterError).message).toBe(message);
  });
});
