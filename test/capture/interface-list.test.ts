import { describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import type { InterfaceRecord } from '../../src/capture/records.js';
import { Bytes, ScapBuilder, iface } from './scap-builder.js';
import { readBytes } from './helpers.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

const IFACES: InterfaceRecord[] = [
  iface({ name: 'lo', addr: Uint8Array.of(127, 0, 0, 1), netmask: Uint8Array.of(255, 0, 0, 0), bcast: Uint8Array.of(127, 0, 0, 1), linkspeed: 0 }),
  iface({ name: 'enp0s3', linkspeed: 10000 }),
  iface({
    name: 'lo', family: 6,
    addr: hex('00000000000000000000000000000001'), netmask: hex('ffffffffffffffffffffffffffffffff'), bcast: hex('00000000000000000000000000000000'),
    linkspeed: 0,
  }),
  iface({
    name: 'br-6b29403107ad', family: 6,
    addr: hex('fe800000000000000a0027fffe19228f'), netmask: hex('ffffffffffffffff0000000000000000'), bcast: hex('00000000000000000000000000000000'),
    linkspeed: 2 ** 40,
  }),
];

function capture(build: (b: ScapBuilder) => void): Buffer {
  const b = new ScapBuilder().sectionHeader();
  build(b);
  return b.build();
}

describe('interface list blocks', () => {
  test('v2 (0x219): IPv4 and IPv6 entries, every field', async () => {
    const { sink, error } = await readBytes(capture((b) => b.interfaceList(2, IFACES)));
    expect(error).toBeNull();
    expect(sink.interfaces).toEqual(IFACES);
  });

  test('v1 (0x205): entries with linkspeed (kinds 1, 2)', async () => {
    const { sink, error } = await readBytes(capture((b) => b.interfaceList(1, IFACES)));
    expect(error).toBeNull();
    expect(sink.interfaces).toEqual(IFACES);
  });

  test('v1: entries without linkspeed (kinds 3, 4) read as linkspeed 0', async () => {
    const { sink, error } = await readBytes(capture((b) => b.interfaceList(1, IFACES, { noLinkspeed: true })));
    expect(error).toBeNull();
    expect(sink.interfaces).toEqual(IFACES.map((i) => ({ ...i, linkspeed: 0 })));
  });

  test('v2 with the no-linkspeed kinds', async () => {
    const { sink } = await readBytes(capture((b) => b.interfaceList(2, IFACES, { noLinkspeed: true })));
    expect(sink.interfaces).toEqual(IFACES.map((i) => ({ ...i, linkspeed: 0 })));
  });

  test('v1 under its pre-release _INT id', async () => {
    expect(BlockType.INTERFACE_LIST_INT).toBe(0x8011abcd);
    const { sink } = await readBytes(capture((b) => b.interfaceList(1, IFACES, { int: true })));
    expect(sink.interfaces).toEqual(IFACES);
  });

  test('v2 entry lengths do not count themselves; appended bytes are stepped over', async () => {
    const { sink, error } = await readBytes(capture((b) => b.interfaceList(2, IFACES, { extra: Buffer.alloc(9, 0xcc) })));
    expect(error).toBeNull();
    expect(sink.interfaces).toEqual(IFACES);
  });

  test('v2: an unknown kind is stepped over with a warning', async () => {
    const unknown = new Bytes().u16(9).u16(2).raw(Buffer.from('xx')).build();
    const { sink, error } = await readBytes(capture((b) => b.interfaceList(2, IFACES, { rawEntries: [unknown] })));
    expect(error).toBeNull();
    expect(sink.interfaces).toEqual(IFACES);
    expect(sink.warnings).toEqual([expect.stringMatching(/unknown kind 9/)]);
  });

  test('v1: an unknown kind is damage', async () => {
    const unknown = new Bytes().u16(9).u16(2).raw(Buffer.from('xx')).build();
    const { error } = await readBytes(capture((b) => b.interfaceList(1, [], { rawEntries: [unknown] })));
    expect(error?.message).toMatch(/unknown interface kind 9/);
  });

  test('a name running past the entry is damage', async () => {
    const bad = new Bytes().u16(1).u16(500).raw(Buffer.alloc(20)).raw(Buffer.from('eth0')).build();
    const { error } = await readBytes(capture((b) => b.interfaceList(2, [], { rawEntries: [bad] })));
    expect(error?.message).toMatch(/field 'name' needs 500 bytes/);
  });
});
