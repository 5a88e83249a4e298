/**
 * Address text exactly as sysdig renders it (dotted quads, glibc inet_ntop
 * for IPv6, "ip:port->ip:port" tuples). Called when an fd gets its name or a
 * view needs the text, never per event on the counting paths.
 */

/** IPv4 address stored as the little-endian u32 of its wire bytes. */
export function ipv4ToString(ip: number): string {
  return `${ip & 255}.${(ip >>> 8) & 255}.${(ip >>> 16) & 255}.${ip >>> 24}`;
}

/** IPv6 text as glibc's inet_ntop writes it (RFC 5952 compression, embedded IPv4 for ::ffff:0:0/96 and ::/96). */
export function ipv6ToString(b: Uint8Array): string {
  const words = new Array<number>(8);
  for (let i = 0; i < 8; i++) words[i] = (b[i * 2]! << 8) | b[i * 2 + 1]!;
  // Longest run of zero words (length >= 2) is replaced by '::'.
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** True for ::ffff:a.b.c.d addresses. */
export function isIpv4MappedIpv6(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

export function ipv4Tuple(sip: number, sport: number, dip: number, dport: number): string {
  return `${ipv4ToString(sip)}:${sport}->${ipv4ToString(dip)}:${dport}`;
}

export function ipv6Tuple(sip: Uint8Array, sport: number, dip: Uint8Array, dport: number): string {
  return `${ipv6ToString(sip)}:${sport}->${ipv6ToString(dip)}:${dport}`;
}

/** Hex of a u64 read from `buf` at `off`, without leading zeros (printf "%lx"). */
export function u64Hex(buf: Uint8Array, off: number): string {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, 8);
  return dv.getBigUint64(0, true).toString(16);
}
