/**
 * Strings to bytes with the project's convention (see line-sink.ts):
 * U+0000..U+00FF are single bytes, anything above is UTF-8. A string with no
 * character above U+00FF (the common case) is one latin1 conversion.
 */
const WIDE = /[^\u0000-\u00ff]/;
const WIDE_RUNS = /[^\u0000-\u00ff]+/g;

export function encodeText(s: string): Buffer {
  if (!WIDE.test(s)) return Buffer.from(s, 'latin1');
  const parts: Buffer[] = [];
  let last = 0;
  WIDE_RUNS.lastIndex = 0;
  for (let m = WIDE_RUNS.exec(s); m !== null; m = WIDE_RUNS.exec(s)) {
    if (m.index > last) parts.push(Buffer.from(s.slice(last, m.index), 'latin1'));
    // A surrogate pair is two wide characters, so it stays in one run.
    parts.push(Buffer.from(m[0], 'utf8'));
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push(Buffer.from(s.slice(last), 'latin1'));
  return Buffer.concat(parts);
}

/** Byte length of encodeText(s) without building it when s is all single bytes. */
export function encodedLength(s: string): number {
  return WIDE.test(s) ? encodeText(s).length : s.length;
}
