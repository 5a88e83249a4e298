/**
 * Bad filters and where the error points.
 *
 * Positions are 0-based offsets of the offending token (or the text length
 * when the filter ends too early). The `sysdig` column is what
 * `sysdig -r falco_cat_write.scap FILTER` (0.29.3) reports, for reference:
 * sysdig reports its scan cursor, which is the same place for syntax errors
 * and sits after the token for bad fields and values (it names the token's
 * start separately, "unrecognized field X at pos 0"); for unbalanced
 * brackets it reports the end of the text, sometimes one past it. Its
 * message may be about another problem (it parses a value before checking
 * that the operator suits the field). null = sysdig accepts the filter (a
 * quirk we do not reproduce, see docs/filters.md), fails only at run time
 * without a position, or (for '') does not compile it at all.
 */
import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError, parseFilter } from '../../src/filter/index.js';
import { resolver } from './fake-fields.js';

type Case = [filter: string, position: number, end: number, detail: RegExp, sysdig: number | null];

const syntax: Case[] = [
  ['', 0, 0, /^unexpected end of filter: expected a field name, '\(' or 'not'$/, null],
  ['   ', 3, 3, /unexpected end of filter/, 3],
  ['proc.name=cat and', 17, 17, /unexpected end of filter: expected a field name/, 17],
  ['proc.name=cat or', 16, 16, /unexpected end of filter/, 16],
  ['not', 3, 3, /unexpected end of filter/, 3],
  ['proc.name', 9, 9, /unexpected end of filter: expected a comparison operator after 'proc.name'/, 9],
  ['proc.name xx cat', 10, 12, /expected a comparison operator after 'proc.name', found 'xx'/, 10],
  ['proc.name ! cat', 10, 11, /expected a comparison operator after 'proc.name', found '!'/, 10],
  ['proc.name containsat', 10, 20, /expected a comparison operator.*found 'containsat'/, null],
  ['proc.name=cat && evt.num=1', 14, 16, /expected 'and', 'or' or end of filter after 'proc.name=cat', found '&&'/, 14],
  ['proc.name=cat AND evt.num=1', 14, 17, /found 'AND'/, 14],
  ['proc.name=cat not evt.num=1', 14, 17, /found 'not'/, null],
  ['proc.name=cat andevt.num=1', 14, 24, /found 'andevt.num'/, null],
  ['proc.name=cat evt.num=1', 14, 21, /found 'evt.num'/, 14],
  ['proc.name exists cat', 17, 20, /found 'cat'/, 17],
  ['proc.name="ca"t', 14, 15, /after 'proc.name="ca"', found 't'/, 14],
  ['and proc.name=cat', 0, 3, /expected a field name, '\(' or 'not', found 'and'/, 3],
  ['or proc.name=cat', 0, 2, /found 'or'/, 2],
  ['not and', 4, 7, /found 'and'/, 7],
  ['proc.name=cat and and evt.num=1', 18, 21, /found 'and'/, 21],
  ['proc.name=cat or and evt.num=1', 17, 20, /found 'and'/, 20],
  ['=cat', 0, 1, /expected a field name, '\(' or 'not', found '='/, 0],
  ['proc.name=cat)', 13, 14, /unexpected '\)' without a matching '\('/, 14],
  ['(proc.name=cat', 14, 14, /unexpected end of filter: expected '\)' \(the '\(' at position 0 is not closed\)/, 15],
  ['proc.name=cat and (evt.num=1', 28, 28, /the '\(' at position 18 is not closed/, 29],
  ['()', 1, 2, /expected a field name, '\(' or 'not', found '\)'/, 2],
  ['proc.name=cat and )', 18, 19, /found '\)'/, 19],
  ['(proc.name=cat and)', 18, 19, /found '\)'/, 19],
  ['proc.name = (cat)', 12, 13, /unexpected '\(' after 'proc.name ='/, 12],
  ['proc.name=cat(', 13, 14, /unexpected '\(' after 'proc.name=cat'/, 13],
  ['(proc.name=cat) (evt.num=1)', 16, 17, /unexpected '\('/, 16],
  ['proc.name in cat', 13, 16, /expected '\(' after 'in', found 'cat'/, 13],
  ['proc.name in', 12, 12, /unexpected end of filter: expected '\(' after 'in'/, 12],
  ['proc.name pmatch', 16, 16, /expected '\(' after 'pmatch'/, 16],
  ['proc.name in (cat bash)', 18, 19, /expected ',' or '\)' after a value in the 'in' list, found 'bash'/, 18],
  ['proc.name in (cat,', 18, 18, /unexpected end of filter: expected ',' or '\)' in the 'in' list/, 19],
  ['proc.name in (cat', 17, 17, /unexpected end of filter/, 18],
  ['proc.name="cat', 10, 14, /^unclosed quotes$/, 14],
  ["proc.name='cat\"", 10, 15, /^unclosed quotes$/, null],
  ['proc.name="ca\\xZZ"', 13, 16, /unrecognized escape sequence/, 16],
  ['proc.name=ca\\x4 ', 12, 16, /unrecognized escape sequence/, 15],
  ['proc.name=a\\ b', 11, 12, /unrecognized escape sequence/, 12],
  ['proc.name=ca\\', 12, 13, /unrecognized escape sequence/, null],
  ['proc.aname[1=bash', 10, 12, /missing '\]' after the argument of field 'proc.aname'/, 12],
  ['proc.aname[1 ]=bash', 10, 12, /missing '\]'/, 12],
  ['[1]=3', 0, 3, /expected a field name, found '\[1\]'/, 3],
  ['proc.aname[1]x=3', 13, 14, /unexpected 'x' after the field 'proc.aname\[1\]'/, 14],
  ['proc.name=cat and evt.num=1 or evt.num=2', 28, 30, /mixes 'and' and 'or'/, 41],
  ['(proc.name=cat or evt.num=131 and evt.num=132)', 30, 33, /mixes 'and' and 'or'/, 45],
  ['a=1 or (b=1 and c=1 or d=1)', 20, 22, /mixes 'and' and 'or'/, 1],
];

const compile: Case[] = [
  ['proc.nam=cat', 0, 8, /^unrecognized field 'proc.nam'$/, 8],
  ['proc.namexyz=cat', 0, 12, /unrecognized field 'proc.namexyz'/, 12],
  ['PROC.NAME=cat', 0, 9, /unrecognized field 'PROC.NAME'/, 9],
  ['proc.name=cat and foo.bar exists', 18, 25, /unrecognized field 'foo.bar'/, 25],
  ['proc.aname[x]=bash', 0, 13, /unrecognized field 'proc.aname\[x\]'/, 13],
  ['evt.arg.nosuch=3', 0, 14, /^unknown event argument nosuch$/, 14],
  ['evt.num=abc', 8, 11, /^'abc' is not a valid number$/, 11],
  ['evt.num=0x10', 8, 12, /'0x10' is not a valid number/, 12],
  ['evt.num="131 "', 8, 14, /'131 ' is not a valid number/, 13],
  ['evt.num=1.5', 8, 11, /not a valid number/, 11],
  ['evt.num in (1, 13x)', 15, 18, /'13x' is not a valid number/, 17],
  ['evt.num in (1,)', 14, 14, /'' is not a valid number/, 13],
  ['evt.rawarg.res=abc', 15, 18, /'abc' is not a valid number/, 18],
  ['thread.cpu > 0.5x', 13, 17, /not a valid number/, 17],
  ['evt.num contains 3', 8, 16, /^'contains' is not supported for numeric fields \('evt.num'\)$/, null],
  ['evt.num glob 3*', 8, 12, /'glob' is not supported for numeric fields/, 15],
  ['evt.num pmatch (1)', 8, 14, /'pmatch' is not supported for numeric fields/, 16],
  ['evt.buffer icontains x', 11, 20, /'icontains' is not supported for buffer fields/, null],
  ['evt.buffer < x', 11, 12, /'<' is not supported for buffer fields/, null],
  ['evt.failed contains t', 11, 19, /not supported for boolean fields/, 21],
  ['fd.sip > 1.2.3.4', 7, 8, /'>' is not supported for IP address fields/, null],
  ['fd.net startswith 10', 7, 17, /not supported for IP network fields/, 20],
  ['evt.type=foo', 9, 12, /^unknown event type foo$/, 12],
  ['evt.type in (open, nope)', 19, 23, /unknown event type nope/, 22],
  ['fd.port=nosuchsvc', 8, 17, /unrecognized protocol nosuchsvc/, 17],
  ['evt.failed=yes', 11, 14, /unrecognized boolean value 'yes'/, 14],
  ['evt.failed=1', 11, 12, /unrecognized boolean value '1'/, 12],
  ['fd.sip=1.2.3', 7, 12, /unrecognized IP address '1.2.3'/, 12],
  ['fd.sip=01.2.3.4', 7, 15, /unrecognized IP address/, 15],
  ['fd.sip=2001:db8::g', 7, 18, /unrecognized IP address/, 18],
  ['fd.net=10.0.0.0', 7, 15, /unrecognized IP network '10.0.0.0'/, 15],
  ['fd.net=10.0.0.0/33', 7, 18, /invalid netmask '33'/, 18],
  ['fd.net=10.0.0.0/x', 7, 17, /invalid netmask 'x'/, 17],
  ['fd.snet=2001:db8::/129', 8, 22, /invalid netmask '129'/, 22],
];

function errorOf(fn: () => unknown): FilterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('syntax errors (parseFilter)', () => {
  it.each(syntax)('%j -> position %i', (filter, position, end, detail) => {
    const err = errorOf(() => parseFilter(filter));
    expect({ position: err.position, end: err.end }).toEqual({ position, end });
    expect(err.detail).toMatch(detail);
    expect(err.message).toBe(`filter error at position ${position}: ${err.detail}`);
    // compileFilter reports the same error.
    expect(errorOf(() => compileFilter(filter, resolver)).position).toBe(position);
  });
});

describe('compile errors (compileFilter)', () => {
  it.each(compile)('%j -> position %i', (filter, position, end, detail) => {
    expect(() => parseFilter(filter)).not.toThrow();
    const err = errorOf(() => compileFilter(filter, resolver));
    expect({ position: err.position, end: err.end }).toEqual({ position, end });
    expect(err.detail).toMatch(detail);
  });
});

describe('limits', () => {
  it('nests up to 1000 levels and reports deeper nesting as a FilterError', () => {
    expect(parseFilter('('.repeat(999) + 'a=1' + ')'.repeat(999)).kind).toBe('check');
    expect(parseFilter('not '.repeat(999) + 'a=1').kind).toBe('not');
    const err = errorOf(() => parseFilter('('.repeat(5000) + 'a=1' + ')'.repeat(5000)));
    expect([err.position, err.detail]).toEqual([1000, 'filter nested too deeply (more than 1000 levels)']);
  });
});

describe('FilterError', () => {
  it('is an Error with name, position, end and detail', () => {
    const err = errorOf(() => parseFilter('proc.name xx'));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('FilterError');
    expect(err.message).toMatch(/^filter error at position 10: /);
  });

  it('shortens long context in messages', () => {
    const long = 'proc.name=' + 'x'.repeat(100) + ' junk';
    const err = errorOf(() => parseFilter(long));
    expect(err.position).toBe(111);
    expect(err.detail.length).toBeLessThan(120);
  });

  it('reports non-Error throws from resolvers as text', () => {
    const err = errorOf(() =>
      compileFilter('x.y=1', {
        resolve() {
          throw 'nope';
        },
      }),
    );
    expect([err.position, err.detail]).toEqual([0, 'nope']);
  });
});
