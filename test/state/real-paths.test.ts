/**
 * The real bytes of file names shown cleaned: concatenatePaths says when it
 * replaced an unprintable byte (clean names never do), realPath() resolves
 * keeping them, and RealPaths answers the file-name fields of a row with a
 * bounded memory.
 */
import { describe, expect, it } from 'vitest';
import { concatenatePaths, realPath } from '../../src/state/paths.js';
import { MAX_NAMES, RealPaths } from '../../src/state/real-paths.js';

describe('paths: cleaned for display, real for programs', () => {
  it('reports an unprintable byte replaced, and only then', () => {
    expect([...concatenatePaths('/tmp/', 'a\nb\x1bc.txt')]).toEqual(['/tmp/a.b.c.txt', true, true]);
    expect([...concatenatePaths('/tmp/', 'plain.txt')]).toEqual(['/tmp/plain.txt', true, false]);
    // the slow path for a printable name ("." components) is not a replacement
    expect([...concatenatePaths('/tmp/', './x/../.hidden')]).toEqual(['/tmp/.hidden', true, false]);
    expect([...concatenatePaths('', '/etc/../etc/passwd')]).toEqual(['/etc/passwd', false, false]);
  });

  it('realPath() normalises as sysdig does but keeps the bytes', () => {
    expect(realPath('/tmp/', 'a\nb\x1bc.txt')).toBe('/tmp/a\nb\x1bc.txt');
    expect(realPath('/tmp/', './d\t/../e\x7f')).toBe('/tmp/e\x7f');
    expect(realPath('/ignored/', '/abs//x\ny/')).toBe('/abs/x\ny');
  });
});

describe('RealPaths', () => {
  it('gives fd.name, fd.directory and fd.filename their real values; others as shown', () => {
    const r = new RealPaths();
    expect(r.realValue('fd.name', '/tmp/a.b')).toBe('/tmp/a.b'); // nothing noted: as shown
    r.note('/tmp/d.r/a.b', '/tmp/d\rr/a\nb');
    expect(r.realValue('fd.name', '/tmp/d.r/a.b')).toBe('/tmp/d\rr/a\nb');
    expect(r.realValue('fd.directory', '/tmp/d.r')).toBe('/tmp/d\rr');
    expect(r.realValue('fd.filename', 'a.b')).toBe('a\nb');
    expect(r.realValue('proc.name', '/tmp/d.r/a.b')).toBe('/tmp/d.r/a.b');
    expect(r.realValue('fd.name', '/tmp/other')).toBe('/tmp/other');
  });

  it('holds at most MAX_NAMES names, the oldest leaving first; a name noted again is the newest', () => {
    const r = new RealPaths();
    r.note('/n.0', '/n\n0');
    for (let i = 1; i <= MAX_NAMES; i++) {
      r.note(`/n.${i}`, `/n\n${i}`);
      if (i === MAX_NAMES / 2) r.note('/n.0', '/n\n0'); // refreshed half-way
    }
    expect(r.size).toBe(MAX_NAMES);
    expect(r.path('/n.0')).toBe('/n\n0');
    expect(r.path('/n.1')).toBe('/n.1'); // the oldest left
    expect(r.path(`/n.${MAX_NAMES}`)).toBe(`/n\n${MAX_NAMES}`);
    r.note('/same', '/same'); // a clean name is never held
    expect(r.size).toBe(MAX_NAMES);
  });
});
