/**
 * JSON text as sysdig writes it (jsoncpp 1.9's FastWriter, which Debian's
 * sysdig 0.29.3 links): strings are read as UTF-8 and every code point
 * above 0x7F is written as \uXXXX (lower-case hex, surrogate pairs beyond
 * the BMP; malformed sequences become U+FFFD); control characters are
 * \b \f \n \r \t or \u00XX; '/' is not escaped.
 *
 * Our strings hold capture bytes one per char (latin1), so the UTF-8
 * decoding is done here on those bytes.
 */

const HEX = '0123456789abcdef';

function hex4(n: number): string {
  return '\\u' + HEX[(n >> 12) & 15]! + HEX[(n >> 8) & 15]! + HEX[(n >> 4) & 15]! + HEX[n & 15]!;
}

const REPLACEMENT = 0xfffd;

/** A latin1 (byte) string as a JSON string literal, quotes included. */
export function jsonQuote(s: string): string {
  // Fast path: nothing to escape (the common case for event text).
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return `"${s}"`;
  let out = '"';
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) & 0xff;
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
    }
    if (c < 0x20) {
      out += hex4(c);
      continue;
    }
    if (c < 0x80) {
      out += s[i];
      continue;
    }
    // jsoncpp's utf8ToCodepoint: it reads the continuation bytes without checking them.
    const left = n - i;
    let cp: number;
    const b = (k: number): number => s.charCodeAt(i + k) & 0x3f;
    if (c < 0xe0) {
      if (left < 2) cp = REPLACEMENT;
      else {
        cp = ((c & 0x1f) << 6) | b(1);
        i += 1;
        if (cp < 0x80) cp = REPLACEMENT;
      }
    } else if (c < 0xf0) {
      if (left < 3) cp = REPLACEMENT;
      else {
        cp = ((c & 0x0f) << 12) | (b(1) << 6) | b(2);
        i += 2;
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp < 0x800) cp = REPLACEMENT;
      }
    } else if (c < 0xf8) {
      if (left < 4) cp = REPLACEMENT;
      else {
        cp = ((c & 0x07) << 18) | (b(1) << 12) | (b(2) << 6) | b(3);
        i += 3;
        if (cp < 0x10000) cp = REPLACEMENT;
      }
    } else cp = REPLACEMENT;
    if (cp <= 0xffff) out += hex4(cp);
    else {
      cp -= 0x10000;
      out += hex4(0xd800 + ((cp >> 10) & 0x3ff)) + hex4(0xdc00 + (cp & 0x3ff));
    }
  }
  return out + '"';
}
