/**
 * IP address parsing that allocates nothing, so `fd.sip = 10.0.0.1` and
 * `fd.net = 10.0.0.0/8` can be evaluated per event on string field values.
 *
 * IPv4 addresses are handled as signed 32-bit integers (`a<<24|b<<16|c<<8|d`,
 * then `|0`) so they stay small integers in V8; IPv6 addresses are written
 * into a caller-owned Uint16Array(8) (eight 16-bit groups, network order).
 */

const NOT_IPV4 = NaN;

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parse dotted-quad IPv4 in s[from, to). Returns the address as a signed
 * int32, or NaN when the text is not strictly a.b.c.d with decimal octets
 * 0..255 and no leading zeros (glibc inet_pton's rules, which sysdig uses).
 */
export function parseIPv4(s: string, from = 0, to = s.length): number {
  let acc = 0;
  let octets = 0;
  let val = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && val === 0) return NOT_IPV4;
      val = val * 10 + (c - 48);
      if (val > 255) return NOT_IPV4;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || octets === 3) return NOT_IPV4;
      acc = (acc << 8) | val;
      octets++;
      val = 0;
      digits = 0;
    } else {
      return NOT_IPV4;
    }
  }
  if (digits === 0 || octets !== 3) return NOT_IPV4;
  return (acc << 8) | val;
}

/**
 * Parse IPv6 text in s[from, to) into `out` (8 groups). Accepts `::`
 * compression and a trailing dotted IPv4 part (`::ffff:1.2.3.4`), like
 * inet_pton. Returns false (leaving `out` in an unspecified state) when
 * the text is not an IPv6 address.
 */
export function parseIPv6(s: string, out: Uint16Array, from = 0, to = s.length): boolean {
  let i = from;
  let n = 0;
  let gap = -1;
  if (to - from < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    i += 2;
    gap = 0;
  }
  while (i < to) {
    const start = i;
    let val = 0;
    let digits = 0;
    while (i < to) {
      const h = hexDigit(s.charCodeAt(i));
      if (h < 0) break;
      val = val * 16 + h;
      digits++;
      i++;
    }
    if (i < to && s.charCodeAt(i) === 46) {
      // Embedded IPv4 in the last 32 bits.
      if (n > 6) return false;
      const v4 = parseIPv4(s, start, to);
      if (v4 !== v4) return false;
      out[n++] = (v4 >>> 16) & 0xffff;
      out[n++] = v4 & 0xffff;
      i = to;
      break;
    }
    if (digits === 0 || digits > 4 || n >= 8) return false;
    out[n++] = val;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === to) {
      return false;
    }
  }
  if (gap < 0) return n === 8;
  if (n === 8) return false;
  const shift = 8 - n;
  for (let k = n - 1; k >= gap; k--) out[k + shift] = out[k]!;
  for (let k = gap; k < gap + shift; k++) out[k] = 0;
  return true;
}

/** True when the first `bits` bits of a and b are equal. */
export function ipv6PrefixEqual(a: Uint16Array, b: Uint16Array, bits: number): boolean {
  let k = 0;
  for (; bits >= 16; bits -= 16, k++) if (a[k] !== b[k]) return false;
  if (bits === 0) return true;
  const mask = (0xffff << (16 - bits)) & 0xffff;
  return (a[k]! & mask) === (b[k]! & mask);
}

/** IPv4 netmask (signed int32) with `bits` leading ones. */
export function ipv4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) | 0;
}
