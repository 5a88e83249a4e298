import { describe, expect, it } from 'vitest';
import { FilterError, formatFilter, parseFilter, type CheckNode, type FilterAst } from '../../src/filter/index.js';

/** Fully parenthesized rendering, to check structure compactly. */
const shape = (text: string, mixing?: 'reject' | 'precedence') =>
  formatFilter(parseFilter(text, mixing ? { andOrMixing: mixing } : {}));

const check = (text: string): CheckNode => {
  const ast = parseFilter(text);
  if (ast.kind !== 'check') throw new Error(`not a single check: ${text}`);
  return ast;
};

describe('checks', () => {
  it('parses field, operator and value with spans', () => {
    const c = check('proc.name = cat');
    expect(c.field).toEqual({ name: 'proc.name', arg: undefined, text: 'proc.name', start: 0, end: 9 });
    expect(c.op).toBe('=');
    expect(c.opSpan).toEqual({ start: 10, end: 11 });
    expect(c.values).toEqual([{ text: 'cat', start: 12, end: 15, quoted: false }]);
    expect([c.start, c.end]).toEqual([0, 15]);
  });

  it.each([
    ['evt.num=3', '='],
    ['evt.num==3', '='],
    ['evt.num!=3', '!='],
    ['evt.num<3', '<'],
    ['evt.num<=3', '<='],
    ['evt.num>3', '>'],
    ['evt.num>=3', '>='],
    ['proc.name contains x', 'contains'],
    ['proc.name icontains x', 'icontains'],
    ['proc.name startswith x', 'startswith'],
    ['proc.name endswith x', 'endswith'],
    ['proc.name glob x*', 'glob'],
    ['proc.name in (x)', 'in'],
    ['proc.name intersects (x)', 'intersects'],
    ['proc.name pmatch (/x)', 'pmatch'],
    ['proc.name exists', 'exists'],
  ])('operator in %s', (text, op) => {
    expect(check(text).op).toBe(op);
  });

  it('needs no blanks around symbolic operators', () => {
    expect(check('evt.num>=10').values[0]!.text).toBe('10');
    expect(check('evt.num>=10').field.name).toBe('evt.num');
  });

  it('needs a word boundary after alphabetic operators, but not a blank', () => {
    expect(check('proc.name contains"a b"').values[0]!.text).toBe('a b');
    expect(check('proc.name in(a)').values.map((v) => v.text)).toEqual(['a']);
    expect(check('fd.name glob*.so').values[0]!.text).toBe('*.so');
    expect(check('(proc.name exists)').op).toBe('exists');
    expect(() => parseFilter('proc.name containsat')).toThrow(FilterError);
  });

  it('reads field arguments in brackets; dotted forms stay in the name', () => {
    expect(check('proc.aname[2]=bash').field).toMatchObject({ name: 'proc.aname', arg: '2', text: 'proc.aname[2]' });
    expect(check('evt.arg[0]=3').field).toMatchObject({ name: 'evt.arg', arg: '0' });
    expect(check('evt.arg.fd=3').field).toMatchObject({ name: 'evt.arg.fd', arg: undefined });
    expect(check('evt.rawarg.res<0').field).toMatchObject({ name: 'evt.rawarg.res', arg: undefined });
  });

  it('takes the next word as the value whatever it is (sysdig)', () => {
    expect(check('proc.name=a=b').values[0]!.text).toBe('a=b');
    expect(check('proc.name = and').values[0]!.text).toBe('and');
    expect(check('proc.name=!x<y>').values[0]!.text).toBe('!x<y>');
    expect(check('proc.name=a,b').values[0]!.text).toBe('a,b');
  });

  it('treats a missing value at the end or before ")" as the empty string (sysdig)', () => {
    expect(check('proc.name=').values[0]).toEqual({ text: '', start: 10, end: 10, quoted: false });
    expect(check('proc.name contains   ').values[0]!.text).toBe('');
    const inner = parseFilter('(proc.name=)');
    expect(inner.kind === 'check' && inner.values[0]!.text).toBe('');
  });
});

describe('quoting and escapes', () => {
  const value = (text: string) => check(`proc.name=${text}`).values[0]!;

  it('accepts single and double quotes; blanks and brackets are kept inside', () => {
    expect(value('"a b (c) d"')).toEqual({ text: 'a b (c) d', start: 10, end: 21, quoted: true });
    expect(value("'a b'").text).toBe('a b');
    expect(value('""').text).toBe('');
  });

  it('closes a quote only with the same quote character', () => {
    expect(value(`"it's"`).text).toBe("it's");
    expect(value(`'say "hi"'`).text).toBe('say "hi"');
  });

  it('processes \\\\, \\" and \\xHH; keeps other backslashes (sysdig)', () => {
    expect(value('"a\\\\b"').text).toBe('a\\b');
    expect(value('"a\\"b"').text).toBe('a"b');
    expect(value('"ca\\x74"').text).toBe('cat');
    expect(value('ca\\x74').text).toBe('cat');
    expect(value('"\\x41\\x42"').text).toBe('AB');
    expect(value('"a\\*b"').text).toBe('a\\*b');
    expect(value("'it\\'s'").text).toBe("it\\'s");
  });

  it('does not stop a quoted value at an escaped quote', () => {
    expect(value('"a\\"b c"').text).toBe('a"b c');
  });

  it('allows a keyword right after a closing quote', () => {
    expect(shape('proc.name="cat"and evt.num=1')).toBe('proc.name = "cat" and evt.num = "1"');
  });
});

describe('lists', () => {
  const values = (text: string) => check(text).values.map((v) => v.text);

  it('splits on commas with optional blanks', () => {
    expect(values('proc.name in (cat, bash,zsh ,  sh )')).toEqual(['cat', 'bash', 'zsh', 'sh']);
    expect(values('proc.name in ( "a b", \'c,d\' )')).toEqual(['a b', 'c,d']);
  });

  it('keeps empty items as empty strings, like sysdig', () => {
    expect(values('proc.name in (cat,)')).toEqual(['cat', '']);
    expect(values('proc.name in (,cat)')).toEqual(['', 'cat']);
    expect(values('proc.name in ()')).toEqual(['']);
  });

  it('records the list span up to the closing bracket', () => {
    const c = check('fd.name pmatch (/etc, /usr/lib) ');
    expect([c.start, c.end]).toEqual([0, 31]);
    expect(c.values[1]).toMatchObject({ text: '/usr/lib', start: 22, end: 30 });
  });
});

describe('boolean structure', () => {
  it('chains of one operator', () => {
    expect(shape('a=1 and b=2 and c=3')).toBe('a = "1" and b = "2" and c = "3"');
    expect(shape('a=1 or b=2 or c=3')).toBe('a = "1" or b = "2" or c = "3"');
  });

  it('not binds to the next check or group only', () => {
    expect(shape('not a=1 and b=2')).toBe('not a = "1" and b = "2"');
    expect(shape('a=1 and not b=2')).toBe('a = "1" and not b = "2"');
    expect(shape('not (a=1 or b=2) and c=3')).toBe('not (a = "1" or b = "2") and c = "3"');
    expect(shape('not(a=1)')).toBe('not a = "1"');
  });

  it('keeps not not as two nots (the compiler cancels them)', () => {
    const ast = parseFilter('not not a=1');
    expect(ast.kind).toBe('not');
    expect(ast.kind === 'not' && ast.operand.kind).toBe('not');
  });

  it('parentheses group', () => {
    expect(shape('a=1 and (b=2 or c=3)')).toBe('a = "1" and (b = "2" or c = "3")');
    expect(shape('(a=1 and b=2) or c=3')).toBe('(a = "1" and b = "2") or c = "3"');
    expect(shape('((a=1))')).toBe('a = "1"');
    expect(shape('a=1 and(b=2)')).toBe('a = "1" and b = "2"');
  });

  it('rejects mixing and/or without brackets (sysdig 0.29), pointing at the operator', () => {
    const err = catchError(() => parseFilter('a=1 and b=2 or c=3'));
    expect(err.detail).toBe("expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.");
    expect([err.position, err.end]).toEqual([12, 14]);
  });

  it('optionally parses with and-over-or precedence (later sysdig)', () => {
    expect(shape('a=1 and b=2 or c=3', 'precedence')).toBe('(a = "1" and b = "2") or c = "3"');
    expect(shape('a=1 or b=2 and c=3 or not d=4', 'precedence')).toBe('a = "1" or (b = "2" and c = "3") or not d = "4"');
    expect(shape('a=1 or b=2 and c=3 and d=4', 'precedence')).toBe('a = "1" or (b = "2" and c = "3" and d = "4")');
  });

  it('accepts all blank characters sysdig accepts', () => {
    expect(shape('\ta=1\nand\r\nb=2  ')).toBe('a = "1" and b = "2"');
  });

  it('spans of boolean nodes cover their operands', () => {
    const ast = parseFilter('x=1 or not y=2') as FilterAst & { kind: 'or' };
    expect([ast.start, ast.end]).toEqual([0, 14]);
    expect(ast.operands[1]).toMatchObject({ kind: 'not', start: 7, end: 14 });
  });
});

describe('formatFilter', () => {
  it.each([
    'proc.name = cat',
    'proc.name in (a, "b c", \'d\') and not evt.num < 3',
    'not (a=1 or b=2) and c exists',
    'x contains "a\\"b\\\\c" or y = \'\\x01\'',
    'fd.name pmatch (/etc) or (proc.aname[2] glob "ba*" and evt.arg.fd != 3)',
  ])('round-trips %s', (text) => {
    const once = formatFilter(parseFilter(text));
    expect(formatFilter(parseFilter(once))).toBe(once);
    expect(stripSpans(parseFilter(once))).toEqual(stripSpans(parseFilter(text)));
  });
});

function catchError(fn: () => unknown): FilterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error('expected a FilterError');
}

function stripSpans(node: FilterAst): unknown {
  switch (node.kind) {
    case 'check':
      return { f: node.field.text, op: node.op, v: node.values.map((v) => v.text) };
    case 'not':
      return { not: stripSpans(node.operand) };
    default:
      return { [node.kind]: node.operands.map(stripSpans) };
  }
}
