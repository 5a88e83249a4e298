import { describe, expect, it } from 'vitest';
import { ParamType as T, PrintFormat as F } from '../../src/event/types.js';
import { doubleText, fieldValueText, ipv4Text, l4protoText, sockFamilyText } from '../../src/fields/render.js';

const text = (type: T, fmt: F, v: Parameters<typeof fieldValueText>[1]): string => fieldValueText({ type, printFormat: fmt }, v);

describe('fieldValueText (sysdig rawval_to_string)', () => {
  it('prints <NA> for a missing value', () => {
    expect(text(T.CHARBUF, F.NA, undefined)).toBe('<NA>');
    expect(text(T.UINT64, F.DEC, undefined)).toBe('<NA>');
  });

  it('prints signed integers in decimal, hex, octal and padded forms', () => {
    expect(text(T.INT64, F.DEC, -2)).toBe('-2');
    expect(text(T.INT64, F.ID, 17497)).toBe('17497');
    expect(text(T.INT32, F.ID, 0xffffffff)).toBe('-1');
    expect(text(T.INT16, F.ID, 3)).toBe('3');
    expect(text(T.INT32, F.HEX, 0x559c)).toBe('559C');
    expect(text(T.INT32, F.HEX, -1)).toBe('FFFFFFFF');
    expect(text(T.INT64, F.OCT, 8)).toBe('10');
    expect(text(T.INT64, F.PADDED_DEC, 42)).toBe('000000042');
    expect(text(T.INT64, F.DEC, -(2n ** 63n))).toBe('-9223372036854775808');
  });

  it('prints unsigned integers, ports and times like printf %u / %lu', () => {
    expect(text(T.UINT32, F.DEC, 4294967295)).toBe('4294967295');
    expect(text(T.UINT32, F.HEX, 255)).toBe('255');
    expect(text(T.UINT16, F.OCT, 8)).toBe('10');
    expect(text(T.PORT, F.DEC, 443)).toBe('443');
    expect(text(T.UINT64, F.DEC, 2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(text(T.UINT64, F.HEX, 255)).toBe('FF');
    expect(text(T.ABSTIME, F.DEC, 1534527348515736214n)).toBe('1534527348515736214');
    expect(text(T.RELTIME, F.PADDED_DEC, 5)).toBe('000000005');
    expect(text(T.RELTIME, F.DEC, 1500)).toBe('1500');
  });

  it('prints doubles with one decimal, rounding ties to even as printf does', () => {
    expect(text(T.DOUBLE, F.NA, 0)).toBe('0.0');
    expect(text(T.DOUBLE, F.NA, 12.5)).toBe('12.5');
    expect(doubleText(0.25)).toBe('0.2');
    expect(doubleText(0.75)).toBe('0.8');
    expect(doubleText(-0.25)).toBe('-0.2');
    expect(doubleText(2.35)).toBe('2.4');
    expect(doubleText(1 / 3)).toBe('0.3');
    expect(doubleText(100)).toBe('100.0');
    expect(doubleText(-0)).toBe('-0.0');
    expect(doubleText(Infinity)).toBe('inf');
    expect(doubleText(1e21)).toBe('1000000000000000000000.0');
  });

  it('prints booleans as true/false', () => {
    expect(text(T.BOOL, F.NA, true)).toBe('true');
    expect(text(T.BOOL, F.NA, false)).toBe('false');
    expect(text(T.BOOL, F.NA, 1)).toBe('true');
    expect(text(T.BOOL, F.NA, 0)).toBe('false');
  });

  it('prints addresses', () => {
    expect(ipv4Text(0x7f000001)).toBe('127.0.0.1');
    expect(text(T.IPADDR, F.NA, 0xc0a80001)).toBe('192.168.0.1');
    expect(text(T.IPV4ADDR, F.NA, 0x0a000001)).toBe('10.0.0.1');
    expect(text(T.IPADDR, F.NA, '2001:db8::3')).toBe('2001:db8::3');
    expect(text(T.IPNET, F.NA, 0x0a000000)).toBe('10.0.0.0');
  });

  it('prints strings as they are and byte buffers up to their first NUL', () => {
    expect(text(T.CHARBUF, F.NA, '/etc/passwd')).toBe('/etc/passwd');
    expect(text(T.CHARBUF, F.NA, '')).toBe('');
    expect(text(T.BYTEBUF, F.NA, '\x7fELF\x02\x01\x01\0\0\0')).toBe('\x7fELF\x02\x01\x01');
  });

  it('names l4 protocols and socket families', () => {
    expect(l4protoText(2)).toBe('tcp');
    expect(l4protoText(3)).toBe('udp');
    expect(l4protoText(4)).toBe('icmp');
    expect(l4protoText(5)).toBe('raw');
    expect(l4protoText(0)).toBe('<NA>');
    expect(text(T.L4PROTO, F.NA, 3)).toBe('udp');
    expect(sockFamilyText(2)).toBe('AF_INET');
    expect(sockFamilyText(10)).toBe('AF_INET6');
    expect(sockFamilyText(1)).toBe('AF_LOCAL'); // sysdig's name for 1 (domain=1(AF_LOCAL))
    expect(text(T.SOCKFAMILY, F.NA, 2)).toBe('AF_INET');
  });

  it('prints uids and gids as signed 32-bit numbers', () => {
    expect(text(T.UID, F.DEC, 1000)).toBe('1000');
    expect(text(T.GID, F.DEC, 0xffffffff)).toBe('-1');
  });
});
