/**
 * The matching primitives: glob (against glibc fnmatch, which sysdig
 * calls), IP parsing (against glibc inet_pton) and pmatch's path trie.
 * The differential tests load libc through koffi and are skipped when that
 * is not possible.
 */
import { describe, expect, it } from 'vitest';
import { GlobPattern } from '../../src/filter/glob.js';
import { ipv4Mask, ipv6PrefixEqual, parseIPv4, parseIPv6 } from '../../src/filter/ip.js';
import { PathPrefixSet } from '../../src/filter/path-prefix.js';

type LibC = {
  fnmatch(pattern: string, s: string, flags: number): number;
  inet_pton(af: number, src: string, dst: Buffer): number;
};

async function loadLibc(): Promise<LibC | null> {
  try {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load('libc.so.6');
    return {
      fnmatch: lib.func('int fnmatch(const char *pattern, const char *string, int flags)'),
      inet_pton: lib.func('int inet_pton(int af, const char *src, _Out_ uint8_t *dst)'),
    } as LibC;
  } catch {
    return null;
  }
}
const libc = await loadLibc();

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = (r: () => number, alphabet: string, maxLen: number): string => {
  const n = Math.floor(r() * (maxLen + 1));
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(r() * alphabet.length)];
  return out;
};

describe('glob', () => {
  const g = (p: string, s: string) => new GlobPattern(p).matches(s);

  it('wildcards', () => {
    expect(g('*', '')).toBe(true);
    expect(g('*', 'a/b')).toBe(true); // no FNM_PATHNAME: * crosses '/'
    expect(g('?', '')).toBe(false);
    expect(g('?', '/')).toBe(true);
    expect(g('a*b*c', 'aXbYbZc')).toBe(true);
    expect(g('a*b*c', 'aXbYbZ')).toBe(false);
    expect(g('*.so*', '/lib/libc.so.6')).toBe(true);
    expect(g('', '')).toBe(true);
    expect(g('', 'a')).toBe(false);
    expect(g('.*', '.hidden')).toBe(true); // no FNM_PERIOD
  });

  it('bracket expressions', () => {
    expect(g('[abc]', 'b')).toBe(true);
    expect(g('[!abc]', 'b')).toBe(false);
    expect(g('[^abc]', 'd')).toBe(true);
    expect(g('[a-c]x', 'bx')).toBe(true);
    expect(g('[]]', ']')).toBe(true);
    expect(g('[!]]', 'a')).toBe(true);
    expect(g('[a-]', '-')).toBe(true);
    expect(g('[[:digit:]][[:upper:]]', '1A')).toBe(true);
    expect(g('[[:alpha:]]', '1')).toBe(false);
    expect(g('[', '[')).toBe(true); // unterminated: literal
    expect(g('[ab', '[ab')).toBe(true);
  });

  it('escapes', () => {
    expect(g('\\*', '*')).toBe(true);
    expect(g('\\*', 'a')).toBe(false);
    expect(g('\\a', 'a')).toBe(true);
    expect(g('[\\]]', ']')).toBe(true);
    expect(g('a\\', 'a\\')).toBe(false); // trailing backslash never matches (glibc)
    expect(g('a\\', 'a')).toBe(false);
  });

  it.skipIf(libc === null)('agrees with glibc fnmatch on random patterns', () => {
    const r = rng(12345);
    let checked = 0;
    for (let i = 0; i < 20000; i++) {
      const p = pick(r, 'ab/.-*?[]!^\\:', 8);
      const s = pick(r, 'ab/.-]\\[!', 6);
      const expected = libc!.fnmatch(p, s, 0) === 0;
      if (new GlobPattern(p).matches(s) !== expected) {
        throw new Error(`glob ${JSON.stringify(p)} on ${JSON.stringify(s)}: fnmatch says ${expected}`);
      }
      checked++;
    }
    expect(checked).toBe(20000);
  });

  it.skipIf(libc === null)('agrees with glibc on named classes and ranges', () => {
    const r = rng(777);
    const pieces = ['[[:alpha:]]', '[[:digit:]]', '[[:space:]]', '[[:punct:]]', '[[:xdigit:]]', '[[:upper:]]', '[a-f]', '[!0-9]', '*', '?', 'a', '1', ' '];
    for (let i = 0; i < 5000; i++) {
      let p = '';
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) p += pieces[Math.floor(r() * pieces.length)];
      const s = pick(r, 'aZ1 ;f-\t', 3);
      expect([p, s, new GlobPattern(p).matches(s)]).toEqual([p, s, libc!.fnmatch(p, s, 0) === 0]);
    }
  });
});

describe('IP parsing', () => {
  it('IPv4', () => {
    expect(parseIPv4('10.1.2.3')).toBe((10 << 24) | (1 << 16) | (2 << 8) | 3);
    expect(parseIPv4('255.255.255.255')).toBe(-1);
    expect(parseIPv4('0.0.0.0')).toBe(0);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.', 'a.b.c.d', ' 1.2.3.4']) {
      expect(Number.isNaN(parseIPv4(bad))).toBe(true);
    }
  });

  it('IPv6', () => {
    const out = new Uint16Array(8);
    expect(parseIPv6('2001:db8::3', out)).toBe(true);
    expect([...out]).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 3]);
    expect(parseIPv6('::', out)).toBe(true);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('::ffff:1.2.3.4', out)).toBe(true);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    for (const bad of ['', ':', '1:2', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:', 'g::', '::1.2.3']) {
      expect(parseIPv6(bad, out)).toBe(false);
    }
  });

  it('prefixes and masks', () => {
    const a = new Uint16Array([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    const b = new Uint16Array([0x2001, 0xdb9, 0, 0, 0, 0, 0, 1]);
    expect(ipv6PrefixEqual(a, b, 31)).toBe(true);
    expect(ipv6PrefixEqual(a, b, 32)).toBe(false);
    expect(ipv6PrefixEqual(a, b, 0)).toBe(true);
    expect(ipv4Mask(0)).toBe(0);
    expect(ipv4Mask(8)).toBe(0xff000000 | 0);
    expect(ipv4Mask(32)).toBe(-1);
  });

  it.skipIf(libc === null)('agrees with glibc inet_pton on random text', () => {
    const r = rng(4242);
    const out = new Uint16Array(8);
    const buf = Buffer.alloc(16);
    const samples = ['::1', '1::', 'fe80::1:2', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8'];
    for (let i = 0; i < 30000; i++) {
      const s = i < samples.length ? samples[i]! : pick(r, '0123f:::.', 14);
      const ok6 = libc!.inet_pton(10, s, buf) === 1;
      const ours6 = parseIPv6(s, out);
      expect([s, ours6]).toEqual([s, ok6]);
      if (ok6) expect([s, ...out]).toEqual([s, ...Array.from({ length: 8 }, (_, k) => buf.readUInt16BE(k * 2))]);
      const ok4 = libc!.inet_pton(2, s, buf) === 1;
      const ours4 = parseIPv4(s);
      expect([s, !Number.isNaN(ours4)]).toEqual([s, ok4]);
      if (ok4) expect(ours4).toBe(buf.readInt32BE(0));
    }
  });
});

describe('pmatch path prefixes (sysdig prefix_search.h examples)', () => {
  const set = new PathPrefixSet(['/var/run', '/etc', '/lib', '/usr/lib']);
  it.each([
    ['/var/run/docker', true],
    ['/var/run', true],
    ['/boot', false],
    ['/var/lib/messages', false],
    ['/var', false],
    ['/var/running', false],
    ['/etc/passwd', true],
    ['//etc//passwd', true],
    ['etc/passwd', true],
    ['/usr/lib64', false],
    ['/usr/lib/x', true],
    ['', false],
    ['/', false],
  ])('%s -> %s', (path, expected) => {
    expect(set.matches(path)).toBe(expected);
  });

  it('normalizes search paths and keeps the shortest prefix', () => {
    expect(new PathPrefixSet(['//usr///lib/']).matches('/usr/lib/a')).toBe(true);
    expect(new PathPrefixSet(['/usr/lib', '/usr']).matches('/usr/bin')).toBe(true);
    expect(new PathPrefixSet(['/usr', '/usr/lib']).matches('/usr/bin')).toBe(true);
  });

  it('a root search path matches everything', () => {
    expect(new PathPrefixSet(['/']).matches('')).toBe(true);
    expect(new PathPrefixSet(['/']).matches('anything')).toBe(true);
    expect(new PathPrefixSet(['']).matches('/x')).toBe(true);
  });
});
