/**
 * The operators, transformers and field-to-field comparisons libsinsp
 * (Falco) has beyond sysdig 0.29's language, with libsinsp's semantics:
 * filter_compare.cpp, sinsp_filtercheck.cpp and the transformers of
 * falcosecurity/libs.
 */
import { describe, expect, it } from 'vitest';
import { compileFilter, compileFilters, FilterError, type BoundField, type FieldResolver, type FieldValue } from '../../src/filter/index.js';
import { GlobPattern } from '../../src/filter/glob.js';
import { compileRegex } from '../../src/filter/regex.js';
import { decodeBase64 } from '../../src/filter/transformers.js';
import { resolver, RowField, type Row } from './fake-fields.js';

/** A list-valued field over a row entry holding an array (libsinsp's EPF_IS_LIST, e.g. fd.types). */
class ListField implements BoundField<Row> {
  readonly kind = 'str' as const;
  constructor(readonly name: string) {}
  getList(row: Row, out: FieldValue[]): boolean {
    const v = (row as Record<string, unknown>)[this.name];
    if (!Array.isArray(v)) return false;
    out.length = 0;
    for (const x of v) out.push(x as FieldValue);
    return true;
  }
  get(row: Row): FieldValue | undefined {
    const v = (row as Record<string, unknown>)[this.name];
    return Array.isArray(v) ? `(${v.join(',')})` : undefined;
  }
}

const fields: FieldResolver<Row> = {
  resolve(name, arg) {
    if (name === 'fd.types') return new ListField(name);
    if (name === 'proc.pname' || name === 'proc.exepath' || name === 'evt.arg.data') return new RowField(name, 'str');
    if (name === 'proc.ppid') return new RowField(name, 'num');
    return resolver.resolve(name, arg);
  },
};

const passes = (filter: string, row: Row): boolean => compileFilter(filter, fields, { andOrMixing: 'precedence' }).test(row);
const error = (filter: string): FilterError => {
  try {
    compileFilter(filter, fields);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${filter}`);
};

const bash: Row = {
  'proc.name': 'Bash',
  'proc.pname': 'bash',
  'proc.exepath': '/usr/bin/bash',
  'proc.pid': 7,
  'proc.ppid': 7,
  'fd.name': '/etc/shadow',
  'evt.arg.data': 'aGVsbG8=',
  'evt.buffer': '\x00\xca\xfe\xba\xbe\x00\xff',
  'fd.types': ['file', 'ipv4'] as unknown as FieldValue,
};

describe('operators', () => {
  it.each([
    ['proc.name icontains ASH', true],
    ['proc.name icontains xas', false],
    ['proc.name endswith ash', true],
    ['proc.name endswith Bas', false],
    ['fd.name glob "/etc/[a-s]had[[:alpha:]]w"', true],
    ['fd.name glob "/etc/[!s]*"', false],
    ['fd.name pmatch (/etc)', true],
    ['fd.name pmatch (/et)', false],
    ['fd.name pmatch (/usr, /etc/shadow)', true],
    ['fd.name exists', true],
    ['fd.num exists', false],
    ['proc.name intersects (Bash, zsh)', true],
  ])('%s -> %s', (f, want) => expect(passes(f, bash)).toBe(want));

  it('bcontains and bstartswith take hex bytes and compare binary buffers byte for byte', () => {
    expect(passes('evt.buffer bcontains cafebabe', bash)).toBe(true);
    expect(passes('evt.buffer bcontains CAFEBABE', bash)).toBe(true);
    expect(passes('evt.buffer bcontains cafebabf', bash)).toBe(false);
    expect(passes('evt.buffer bstartswith 00ca', bash)).toBe(true);
    expect(passes('evt.buffer bstartswith ca', bash)).toBe(false);
    expect(passes('evt.buffer bcontains 00ff', bash)).toBe(true);
    expect(error('evt.buffer bcontains cafeb').detail).toBe('bcontains and bstartswith operator support hex strings only');
    expect(error('evt.buffer bcontains "ca fe"').detail).toBe('bcontains and bstartswith operator support hex strings only');
    // libsinsp: bcontains/bstartswith are buffer operators only
    expect(error('proc.name bcontains 41').detail).toMatch(/'bcontains' is not supported for string fields/);
  });

  it('regex: RE2 POSIX syntax, the whole value must match', () => {
    expect(passes('proc.exepath regex "/usr/bin/[a-z]+"', bash)).toBe(true);
    expect(passes('proc.exepath regex "bin/bash"', bash)).toBe(false); // anchored at both ends
    expect(passes('proc.exepath regex ".*bash"', bash)).toBe(true);
    expect(passes('proc.exepath regex "(/[[:alpha:]]+){3}"', bash)).toBe(true);
    expect(passes('proc.exepath regex "/usr/bin/(ba|z)sh"', bash)).toBe(true);
    expect(error('proc.name regex "\\\\d+"').detail).toMatch(/^invalid regex pattern: invalid escape sequence: \\d/);
    expect(error('proc.name regex "(?i)bash"').detail).toMatch(/^invalid regex pattern/);
    expect(error('proc.name regex "a**"').detail).toMatch(/bad repetition operator/);
    expect(error('proc.name regex "(a"').detail).toMatch(/missing \)/);
    expect(error('proc.pid regex 7').detail).toMatch(/'regex' is not supported for numeric fields/);
  });

  it('regex: . and $ follow RE2, not JavaScript (\\r is an ordinary character)', () => {
    const re = compileRegex('a.b');
    expect(re.test('a\rb')).toBe(true);
    expect(re.test('a\nb')).toBe(false);
    expect(compileRegex('a$\nb').test('a\nb')).toBe(true);
    expect(compileRegex('x{2,3}').test('xxx')).toBe(true);
    expect(compileRegex('x{2,3}').test('xxxx')).toBe(false);
    expect(compileRegex('a{').test('a{')).toBe(true); // not a repetition: a literal brace, as in RE2
  });

  it('list fields: in needs every value in the set, intersects one; an empty list is in every set', () => {
    expect(passes('fd.types in (file, ipv4, unix)', bash)).toBe(true);
    expect(passes('fd.types in (file)', bash)).toBe(false);
    expect(passes('fd.types intersects (unix, ipv4)', bash)).toBe(true);
    expect(passes('fd.types intersects (unix)', bash)).toBe(false);
    const none = { ...bash, 'fd.types': [] as unknown as FieldValue };
    expect(passes('fd.types in (unix)', none)).toBe(true);
    expect(passes('fd.types intersects (unix)', none)).toBe(false);
    expect(passes('fd.types exists', none)).toBe(true);
    expect(passes('len(fd.types) = 2', bash)).toBe(true);
    expect(passes('len(fd.types) = 0', none)).toBe(true);
    expect(error('fd.types = file').detail).toMatch(/'=' is not supported for list fields/);
  });

  it('glob character classes and escapes match glibc fnmatch', () => {
    expect(new GlobPattern('[[:digit:]][[:upper:]]').matches('1A')).toBe(true);
    expect(new GlobPattern('[]]').matches(']')).toBe(true);
    expect(new GlobPattern('[!]]').matches('a')).toBe(true);
    expect(new GlobPattern('[[:alpha:]').matches('[')).toBe(false);
    expect(new GlobPattern('\\*').matches('*')).toBe(true);
    expect(new GlobPattern('a[').matches('a[')).toBe(true); // unterminated: a literal '['
  });
});

describe('transformers', () => {
  it.each([
    ['tolower(proc.name) = bash', true],
    ['toupper(proc.name) = BASH', true],
    ['proc.name = bash', false],
    ['basename(proc.exepath) = bash', true],
    ['basename(fd.name) in (shadow, passwd)', true],
    ['len(proc.name) = 4', true],
    ['len(proc.exepath) > 10', true],
    ['b64(evt.arg.data) = hello', true],
    ['len(basename(proc.exepath)) = 4', true],
    ['toupper(tolower(proc.name)) = BASH', true],
    ['tolower(basename(proc.exepath)) = val(proc.pname)', true],
    ['tolower(proc.name) = tolower(proc.pname)', true],
  ])('%s -> %s', (f, want) => expect(passes(f, bash)).toBe(want));

  it('case folding is ASCII only (C locale), on bytes', () => {
    expect(passes('tolower(proc.name) = "\xc9t\xc9"', { 'proc.name': '\xc9T\xc9' })).toBe(true);
    expect(passes('tolower(proc.name) = "\xe9t\xe9"', { 'proc.name': '\xc9T\xc9' })).toBe(false);
  });

  it('b64 is strict: invalid input makes the field undefined (the check fails, != too)', () => {
    expect(decodeBase64('aGVsbG8=')).toBe('hello');
    expect(decodeBase64('aGVsbG8')).toBe('hello');
    expect(decodeBase64('YQ==')).toBe('a');
    expect(decodeBase64('YR==')).toBeUndefined(); // leftover bits
    expect(decodeBase64('a')).toBeUndefined();
    expect(decodeBase64('a$bc')).toBeUndefined();
    expect(decodeBase64('')).toBe('');
    expect(passes('b64(evt.arg.data) != x', { 'evt.arg.data': '***' })).toBe(false);
  });

  it('type errors read like libsinsp', () => {
    expect(error('tolower(proc.pid) = 1').detail).toBe("can't add field transformer: type 'UINT64' is not supported by 'tolower' transformer applied on field 'proc.pid'");
    expect(error('len(proc.pid) = 1').detail).toMatch(/not supported by 'len'/);
  });
});

describe('val(): field to field', () => {
  it('compares with the other field of the same event', () => {
    expect(passes('proc.pid = val(proc.ppid)', bash)).toBe(true);
    expect(passes('proc.pid != val(proc.ppid)', bash)).toBe(false);
    expect(passes('proc.pid >= val(proc.ppid)', bash)).toBe(true);
    expect(passes('proc.exepath endswith val(proc.pname)', bash)).toBe(true);
    expect(passes('proc.exepath contains val(proc.pname)', bash)).toBe(true);
    expect(passes('proc.name icontains val(proc.pname)', bash)).toBe(true);
    expect(passes('proc.pname in val(fd.name)', bash)).toBe(false);
    expect(passes('proc.name = val(proc.pname)', { 'proc.name': 'x' })).toBe(false); // undefined right side
  });

  it('is refused where libsinsp refuses it', () => {
    expect(error('proc.name pmatch val(proc.pname)').detail).toBe("operator 'pmatch' doesn't support right-hand side fields");
    expect(error('proc.name regex val(proc.pname)').detail).toBe("operator 'regex' doesn't support right-hand side fields");
    expect(error('proc.name = val(proc.pid)').detail).toMatch(/has incompatible type/);
    expect(error('val(proc.name) = x').detail).toMatch(/right-hand side/);
    expect(error('proc.name = val(tolower(proc.pname))').position).toBe(23); // val() takes a plain field
  });

  it('keeps positions in parse errors', () => {
    expect(error('tolower(proc.name = x').position).toBe(18);
    expect(error('proc.name = val(proc.pname').position).toBe(26);
  });
});

describe('filters joined as trees', () => {
  it('a view filter and a command-line filter are parsed alone, so neither closes the other', () => {
    expect(() => compileFilters(['proc.name=a', 'proc.name=a) and (fd.num=1'], fields)).toThrow(FilterError);
    expect(() => compileFilters(['proc.name=a) or (proc.pid=1', 'fd.num=1'], fields)).toThrow(FilterError);
    const f = compileFilters(['proc.name = Bash or proc.pid = 1', 'fd.name = /etc/shadow'], fields)!;
    expect(f.test(bash)).toBe(true);
    expect(f.test({ ...bash, 'fd.name': '/x' })).toBe(false);
    expect(f.text).toBe('(proc.name = Bash or proc.pid = 1) and (fd.name = /etc/shadow)');
    expect(compileFilters(['', '  '], fields)).toBeNull();
  });
});

describe('hostile glob patterns', () => {
  it('compile and match in linear time', () => {
    const start = Date.now();
    for (const p of ['[[:'.repeat(2000), '[[:'.repeat(5000), '[[:'.repeat(5000) + ']', '[[:alpha:'.repeat(2000) + ']', '*a'.repeat(5000)]) {
      const f = compileFilter(`proc.name glob '${p}'`, fields);
      f.test({ 'proc.name': 'a'.repeat(200) });
    }
    // 17 s for the first pattern before; a generous limit for a loaded machine.
    expect(Date.now() - start).toBeLessThan(10_000);
  });
});
