import { describe, expect, it } from 'vitest';
import { compileFilter, type BoundField, type FieldResolver } from '../../src/filter/index.js';
import { resolver, RowField, type Row } from './fake-fields.js';

/** Does `row` pass `filter`? */
const passes = (filter: string, row: Row, opts?: { andOrMixing: 'reject' | 'precedence' }) =>
  compileFilter(filter, resolver, opts).test(row);

const cat: Row = {
  'proc.name': 'cat',
  'proc.cmdline': 'cat /etc/Passwd',
  'proc.pid': 42,
  'proc.aname[1]': 'bash',
  'evt.num': 9,
  'evt.type': 'open',
  'evt.dir': '<',
  'evt.failed': false,
  'fd.name': '/etc/passwd',
  'fd.num': 3,
  'evt.arg.fd': '3',
  'evt.arg[0]': '3',
  'evt.rawarg.res': -2,
};

describe('comparison operators on strings', () => {
  it.each([
    ['proc.name = cat', true],
    ['proc.name == cat', true],
    ['proc.name = ca', false],
    ['proc.name != cat', false],
    ['proc.name != dog', true],
    ['proc.name < dog', true],
    ['proc.name < cat', false],
    ['proc.name <= cat', true],
    ['proc.name > car', true],
    ['proc.name >= cat', true],
    ['proc.name > cat', false],
    ['proc.name contains at', true],
    ['proc.name contains ""', true],
    ['proc.name contains dog', false],
    ['proc.cmdline icontains passwd', true],
    ['proc.cmdline icontains PASSWD', true],
    ['proc.cmdline contains passwd', false],
    ['proc.name startswith ca', true],
    ['proc.name startswith at', false],
    ['proc.name endswith at', true],
    ['proc.name endswith ca', false],
    ['proc.name glob c*', true],
    ['proc.name glob "c?t"', true],
    ['proc.name glob "[a-c]at"', true],
    ['proc.name glob C*', false],
    ['proc.name in (bash, cat)', true],
    ['proc.name in (bash, zsh)', false],
    ['proc.name in (cat)', true],
    ['proc.name intersects (bash, cat)', true],
    ['proc.name intersects (bash)', false],
    ['fd.name pmatch (/etc)', true],
    ['fd.name pmatch (/usr, /etc/passwd)', true],
    ['fd.name pmatch (/et)', false],
    ['proc.name exists', true],
  ])('%s -> %s', (filter, expected) => {
    expect(passes(filter, cat)).toBe(expected);
  });

  it('compares strings by code unit, not as numbers', () => {
    const row: Row = { 'proc.name': '9' };
    expect(passes('proc.name < 10', row)).toBe(false);
    expect(passes('proc.name > 10', row)).toBe(true);
    expect(passes('proc.name = 9.0', row)).toBe(false);
  });

  it('icontains folds ASCII only, like strcasestr in the C locale', () => {
    expect(passes('proc.name icontains É', { 'proc.name': 'caté' })).toBe(false);
    expect(passes('proc.name icontains TÉ', { 'proc.name': 'caté' })).toBe(false);
    expect(passes('proc.name icontains Té', { 'proc.name': 'caté' })).toBe(true);
    expect(passes('proc.name icontains ""', { 'proc.name': '' })).toBe(true);
    expect(passes('proc.name icontains abcd', { 'proc.name': 'abc' })).toBe(false);
  });
});

describe('numbers', () => {
  it.each([
    ['evt.num = 9', true],
    ['evt.num = 09', true],
    ['evt.num = +9', true],
    ['evt.num = " 9"', true],
    ['evt.num != 9', false],
    ['evt.num < 10', true],
    ['evt.num <= 9', true],
    ['evt.num > 8', true],
    ['evt.num >= 10', false],
    ['evt.num in (1, 9, 100)', true],
    ['evt.num in (1, 100)', false],
    ['evt.num intersects (9)', true],
    ['evt.rawarg.res < 0', true],
    ['evt.rawarg.res = -2', true],
    ['evt.rawarg.res in (-2, -13)', true],
  ])('%s -> %s', (filter, expected) => {
    expect(passes(filter, cat)).toBe(expected);
  });

  it('compares numerically, not as text', () => {
    expect(passes('evt.num < 10', { 'evt.num': 9 })).toBe(true);
    expect(passes('evt.num > 10', { 'evt.num': 100 })).toBe(true);
  });

  it('handles 64-bit values as bigint, exactly', () => {
    const t = 1_700_000_000_123_456_789n;
    const row: Row = { 'evt.rawtime': t };
    expect(passes('evt.rawtime = 1700000000123456789', row)).toBe(true);
    expect(passes('evt.rawtime = 1700000000123456788', row)).toBe(false);
    expect(passes('evt.rawtime > 1700000000123456788', row)).toBe(true);
    expect(passes('evt.rawtime < 1700000000123456790', row)).toBe(true);
    expect(passes('evt.rawtime in (1, 1700000000123456789)', row)).toBe(true);
    expect(passes('evt.rawtime in (1, 1700000000123456788)', row)).toBe(false);
    // Small bigints and numbers mix.
    expect(passes('evt.rawtime = 5', { 'evt.rawtime': 5n })).toBe(true);
    expect(passes('evt.rawtime in (5, 6)', { 'evt.rawtime': 5n })).toBe(true);
    expect(passes('evt.rawtime > 4', { 'evt.rawtime': 5n })).toBe(true);
    expect(passes('evt.rawtime = 1700000000123456789', { 'evt.rawtime': 5 })).toBe(false);
  });

  it('float fields take decimal literals', () => {
    const row: Row = { 'thread.cpu': 0.75 };
    expect(passes('thread.cpu > 0.5', row)).toBe(true);
    expect(passes('thread.cpu < .8', row)).toBe(true);
    expect(passes('thread.cpu = 7.5e-1', row)).toBe(true);
    expect(passes('thread.cpu in (1, 0.75)', row)).toBe(true);
  });
});

describe('booleans', () => {
  it.each([
    ['evt.failed = false', true],
    ['evt.failed = true', false],
    ['evt.failed != true', true],
    ['evt.failed in (true)', false],
    ['evt.failed in (true, false)', true],
    ['evt.failed < true', true],
    ['evt.failed > false', false],
    ['evt.failed >= false', true],
  ])('%s -> %s', (filter, expected) => {
    expect(passes(filter, cat)).toBe(expected);
  });
});

describe('buffers', () => {
  const row: Row = { 'evt.buffer': 'GET /index.html HTTP/1.1\r\n' };
  it('support equality, contains, startswith, endswith and in', () => {
    expect(passes('evt.buffer contains "GET /"', row)).toBe(true);
    expect(passes('evt.buffer startswith GET', row)).toBe(true);
    expect(passes('evt.buffer endswith "\\x0d\\x0a"', row)).toBe(true);
    expect(passes('evt.buffer = "GET /index.html HTTP/1.1\\x0d\\x0a"', row)).toBe(true);
    expect(passes('evt.buffer in (x, "GET /index.html HTTP/1.1\\x0d\\x0a")', row)).toBe(true);
  });
});

describe('IP addresses and networks', () => {
  const v4text: Row = { 'fd.sip': '10.1.2.3', 'fd.net': '10.1.2.3' };
  const v4num: Row = { 'fd.sip': (10 << 24) + (1 << 16) + (2 << 8) + 3, 'fd.net': 0xc0a80101 };
  const v6: Row = { 'fd.sip': '2001:db8::3', 'fd.snet': '2001:db8:0:0:1::5' };

  it.each([
    ['fd.sip = 10.1.2.3', v4text, true],
    ['fd.sip = 10.1.2.4', v4text, false],
    ['fd.sip != 10.1.2.4', v4text, true],
    ['fd.sip in (1.1.1.1, 10.1.2.3)', v4text, true],
    ['fd.sip = 10.1.2.3', v4num, true],
    ['fd.sip = ::1', v4text, false],
    ['fd.net = 10.0.0.0/8', v4text, true],
    ['fd.net = 10.2.0.0/16', v4text, false],
    ['fd.net != 10.2.0.0/16', v4text, true],
    ['fd.net = 0.0.0.0/0', v4text, true],
    ['fd.net = 10.1.2.3/32', v4text, true],
    ['fd.net = 192.168.0.0/16', v4num, true],
    ['fd.net = 192.168.1.1/32', v4num, true],
    ['fd.net in (10.0.0.0/8, 192.168.0.0/16)', v4num, true],
    ['fd.net = 2001:db8::/32', v4text, false],
    ['fd.sip = 2001:db8::3', v6, true],
    ['fd.sip = 2001:DB8:0:0:0:0:0:3', v6, true],
    ['fd.sip = 2001:db8::4', v6, false],
    ['fd.sip != 2001:db8::4', v6, true],
    ['fd.sip = 10.1.2.3', v6, false],
    ['fd.snet = 2001:db8::', v6, true], // bare IPv6 network = its /64, like sysdig
    ['fd.snet = 2001:db8:0:1::', v6, false],
    ['fd.snet = 2001:db8::/32', v6, true],
    ['fd.snet = 2001:db9::/32', v6, false],
    ['fd.snet = 2001:db8:0:0:1::/80', v6, true],
    ['fd.snet = 2001:db8:0:0:1:1::/96', v6, false],
    ['fd.snet = ::/0', v6, true],
  ])('%s on %j -> %s', (filter, row, expected) => {
    expect(passes(filter, row)).toBe(expected);
  });

  it('parses field values in the usual text forms', () => {
    expect(passes('fd.sip = ::ffff:1.2.3.4', { 'fd.sip': '::ffff:102:304' })).toBe(true);
    expect(passes('fd.sip = ::1', { 'fd.sip': '0:0:0:0:0:0:0:1' })).toBe(true);
    expect(passes('fd.sip = 1::', { 'fd.sip': '1:0:0:0:0:0:0:0' })).toBe(true);
    expect(passes('fd.sip = 1.2.3.4', { 'fd.sip': 'garbage' })).toBe(false);
    expect(passes('fd.sip = ::1', { 'fd.sip': 'garbage' })).toBe(false);
    expect(passes('fd.sip = 255.255.255.255', { 'fd.sip': 0xffffffff })).toBe(true);
  });
});

describe('fields that do not apply (undefined)', () => {
  const none: Row = {};

  it.each([
    'fd.name = x',
    'fd.name != x',
    'fd.name < x',
    'fd.name contains ""',
    'fd.name glob *',
    'fd.name in (x, y)',
    'fd.name pmatch (/)',
    'fd.name exists',
    'fd.num != 3',
    'fd.num > -1000',
    'fd.sip != 1.2.3.4',
    'fd.net != 10.0.0.0/8',
    'evt.failed != true',
  ])('%s is false', (filter) => {
    expect(passes(filter, none)).toBe(false);
  });

  it('only not makes them true', () => {
    expect(passes('not fd.name = x', none)).toBe(true);
    expect(passes('not fd.name != x', none)).toBe(true);
    expect(passes('not fd.name exists', none)).toBe(true);
    expect(passes('not (fd.name = x or fd.num = 3)', none)).toBe(true);
  });
});

describe('boolean logic', () => {
  it('and / or / not / parentheses', () => {
    expect(passes('proc.name = cat and evt.num = 9', cat)).toBe(true);
    expect(passes('proc.name = cat and evt.num = 8', cat)).toBe(false);
    expect(passes('proc.name = dog or evt.num = 9', cat)).toBe(true);
    expect(passes('proc.name = dog or evt.num = 8', cat)).toBe(false);
    expect(passes('not proc.name = dog', cat)).toBe(true);
    expect(passes('not proc.name = dog and evt.num = 9', cat)).toBe(true);
    expect(passes('not (proc.name = dog or evt.num = 9)', cat)).toBe(false);
    expect(passes('proc.name = cat and (evt.num = 1 or evt.num = 9)', cat)).toBe(true);
    expect(passes('(proc.name = dog or evt.num = 9) and proc.pid = 42', cat)).toBe(true);
    expect(passes('(proc.name = dog and evt.num = 9) or proc.pid = 41', cat)).toBe(false);
  });

  it('not not is the identity (sysdig 0.29 treats it as a single not)', () => {
    expect(passes('not not proc.name = cat', cat)).toBe(true);
    expect(passes('not not not proc.name = cat', cat)).toBe(false);
  });

  it('precedence mode: and binds tighter than or', () => {
    const o = { andOrMixing: 'precedence' } as const;
    // true or (false and false)
    expect(passes('proc.name = cat or evt.num = 1 and proc.pid = 1', cat, o)).toBe(true);
    // (true and false) or false
    expect(passes('proc.name = cat and evt.num = 1 or proc.pid = 1', cat, o)).toBe(false);
    // not > and
    expect(passes('not proc.name = dog and evt.num = 9 or proc.pid = 1', cat, o)).toBe(true);
  });

  it('short-circuits left to right', () => {
    const reads: string[] = [];
    const counting: FieldResolver<Row> = {
      resolve(name, arg) {
        const f = resolver.resolve(name, arg);
        if (f === null) return null;
        return {
          name: f.name,
          kind: f.kind,
          get(row: Row) {
            reads.push(f.name);
            return f.get(row);
          },
        };
      },
    };
    compileFilter('proc.name = dog and evt.num = 9', counting).test(cat);
    expect(reads).toEqual(['proc.name']);
    reads.length = 0;
    compileFilter('proc.name = cat or evt.num = 9', counting).test(cat);
    expect(reads).toEqual(['proc.name']);
  });
});

describe('field arguments', () => {
  it('passes bracket arguments and dotted names to the resolver', () => {
    expect(passes('proc.aname[1] = bash', cat)).toBe(true);
    expect(passes('evt.arg[0] = 3', cat)).toBe(true);
    expect(passes('evt.arg.fd = 3', cat)).toBe(true);
  });

  it('lets fields normalize literals (service names for ports)', () => {
    expect(passes('fd.port = http', { 'fd.port': 80 })).toBe(true);
    expect(passes('fd.port in (ssh, https)', { 'fd.port': 443 })).toBe(true);
  });
});

describe('CompiledFilter', () => {
  it('keeps the text and AST, and lists the fields used once each', () => {
    const text = 'proc.name = cat and (evt.num > 3 or proc.name in (a, b)) and not proc.aname[1] exists';
    const f = compileFilter(text, resolver);
    expect(f.text).toBe(text);
    expect(f.ast.kind).toBe('and');
    expect(f.fieldsUsed).toEqual(['proc.name', 'evt.num', 'proc.aname[1]']);
  });

  it('is generic over the context type', () => {
    interface Ev {
      n: number;
    }
    const field: BoundField<Ev> = { name: 'ev.n', kind: 'num', get: (e) => e.n };
    const f = compileFilter<Ev>('ev.n > 2', { resolve: (n) => (n === 'ev.n' ? field : null) });
    expect(f.test({ n: 3 })).toBe(true);
    expect(f.test({ n: 2 })).toBe(false);
  });

  it('RowField reads plain objects', () => {
    expect(new RowField('a', 'str').get({ a: 'x' })).toBe('x');
  });
});

describe('bool fields returning 1/0', () => {
  it('compare like booleans', () => {
    const one: Row = { 'evt.failed': 1 };
    const zero: Row = { 'evt.failed': 0 };
    expect(passes('evt.failed = true', one)).toBe(true);
    expect(passes('evt.failed = true', zero)).toBe(false);
    expect(passes('evt.failed != true', zero)).toBe(true);
    expect(passes('evt.failed in (true)', one)).toBe(true);
    expect(passes('evt.failed in (false)', one)).toBe(false);
    expect(passes('evt.failed in (true, false)', zero)).toBe(true);
    expect(passes('evt.failed > false', one)).toBe(true);
  });
});
