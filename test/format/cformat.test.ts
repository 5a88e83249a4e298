/** printf conversions sysdig's text depends on, against the values C's printf gives. */
import { describe, expect, it } from 'vitest';
import { formatG, formatOctalAlt } from '../../src/format/cformat.js';

describe('formatG is printf("%g")', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [0.5, '0.5'],
    [1.5e-9, '1.5e-09'],
    [0.0001, '0.0001'],
    [0.00001234, '1.234e-05'],
    [123456, '123456'],
    [1234567, '1.23457e+06'],
    [999999.5, '1e+06'],
    [0.30000000000000004, '0.3'],
    [2.5, '2.5'],
    [-12.25, '-12.25'],
    [100, '100'],
  ])('%s -> %s', (x, want) => {
    expect(formatG(x)).toBe(want);
  });
});

describe('formatOctalAlt is printf("%#o")', () => {
  it.each([
    [0, '0'],
    [8, '010'],
    [420, '0644'],
  ])('%s -> %s', (v, want) => {
    expect(formatOctalAlt(v)).toBe(want);
  });
});
