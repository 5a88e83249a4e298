import { describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import { FdType, type FdRecord } from '../../src/capture/records.js';
import { Bytes, ScapBuilder, fdRecord } from './scap-builder.js';
import { readBytes } from './helpers.js';

const V6_A = Uint8Array.from(Buffer.from('20010db8000000000000000000000004', 'hex'));
const V6_B = Uint8Array.from(Buffer.from('20010db8000000000000000000000003', 'hex'));

/** One fd of every type the format defines, with every field of that type set. */
const ALL_TYPES: FdRecord[] = [
  fdRecord({ fd: 0, type: FdType.FILE, name: '/dev/null' }),
  fdRecord({ fd: 1, type: FdType.DIRECTORY, name: '/sys/fs/cgroup' }),
  fdRecord({ fd: 2, type: FdType.IPV4_SOCK, sip: Uint8Array.of(10, 0, 0, 79), dip: Uint8Array.of(50, 207, 137, 246), sport: 22, dport: 63740, l4proto: 2 }),
  fdRecord({ fd: 3, type: FdType.IPV6_SOCK, sip: V6_A, dip: V6_B, sport: 54405, dport: 1234, l4proto: 2 }),
  fdRecord({ fd: 4, type: FdType.IPV4_SERVSOCK, sip: Uint8Array.of(0, 0, 0, 0), sport: 80, l4proto: 2 }),
  fdRecord({ fd: 5, type: FdType.IPV6_SERVSOCK, sip: V6_A, sport: 443, l4proto: 3 }),
  fdRecord({ fd: 6, type: FdType.FIFO, name: 'pipe:[8764]' }),
  fdRecord({ fd: 7, type: FdType.UNIX_SOCK, name: '/run/systemd/private', unixSource: 'ffff8800372b6c00', unixDest: 'ffff8800372b7000' }),
  fdRecord({ fd: 8, type: FdType.EVENT, name: 'anon_inode:[eventfd]' }),
  fdRecord({ fd: 9, type: FdType.UNSUPPORTED, name: 'anon_inode:[perf_event]' }),
  fdRecord({ fd: 10, type: FdType.SIGNALFD, name: '' }),
  fdRecord({ fd: 11, type: FdType.EVENTPOLL, name: 'anon_inode:[eventpoll]' }),
  fdRecord({ fd: 12, type: FdType.INOTIFY, name: 'anon_inode:inotify' }),
  fdRecord({ fd: 13, type: FdType.TIMERFD, name: 'anon_inode:[timerfd]' }),
  fdRecord({ fd: 14, type: FdType.NETLINK, name: 'socket:[1234]' }),
  fdRecord({ fd: 15, type: FdType.FILE_V2, name: '/var/log/syslog', openFlags: 0x441, dev: 0x803 }),
  fdRecord({ fd: 16, type: FdType.UNKNOWN }),
  fdRecord({ fd: 9007199254740991, ino: 2 ** 52 + 3, type: FdType.FILE, name: 'big' }),
];

function capture(build: (b: ScapBuilder) => void): Buffer {
  const b = new ScapBuilder().sectionHeader();
  build(b);
  return b.build();
}

describe('fd list blocks', () => {
  test('v2 (0x218): every fd type and field', async () => {
    const { sink, error } = await readBytes(capture((b) => b.fdList(2, 4242, ALL_TYPES)));
    expect(error).toBeNull();
    expect(sink.fds).toEqual(ALL_TYPES.map((fd) => ({ pid: 4242, fd })));
  });

  test('v1 (0x203): every fd type; file entries have no dev (no length to tell)', async () => {
    const { sink, error } = await readBytes(capture((b) => b.fdList(1, 17, ALL_TYPES)));
    expect(error).toBeNull();
    expect(sink.fds).toEqual(ALL_TYPES.map((fd) => ({ pid: 17, fd: fd.type === FdType.FILE_V2 ? { ...fd, dev: 0 } : fd })));
  });

  test('v1 under its pre-release _INT id', async () => {
    const { sink } = await readBytes(capture((b) => b.fdList(1, 17, ALL_TYPES.slice(0, 3), { int: true })));
    expect(BlockType.FD_LIST_INT).toBe(0x8001abcd);
    expect(sink.fds.map((f) => f.fd)).toEqual(ALL_TYPES.slice(0, 3));
  });

  test('v2 file entry written before dev existed (length leaves no room): dev stays 0', async () => {
    const fd = ALL_TYPES.find((f) => f.type === FdType.FILE_V2)!;
    const { sink } = await readBytes(capture((b) => b.fdList(2, 1, [fd], { withDev: false })));
    expect(sink.fds[0]!.fd).toEqual({ ...fd, dev: 0 });
  });

  test('v2: bytes appended by a newer writer are stepped over', async () => {
    const { sink, error } = await readBytes(capture((b) => b.fdList(2, 3, ALL_TYPES.filter((f) => f.type !== FdType.FILE_V2), { extra: Buffer.alloc(11, 0xab) })));
    expect(error).toBeNull();
    expect(sink.fds.map((f) => f.fd)).toEqual(ALL_TYPES.filter((f) => f.type !== FdType.FILE_V2));
  });

  test('addresses are copies: they survive the reader reusing its buffer', async () => {
    const { sink } = await readBytes(capture((b) => b.fdList(2, 3, ALL_TYPES)), { windowSize: 64, chunk: 7 });
    expect(sink.fds.find((f) => f.fd.type === FdType.IPV6_SOCK)!.fd.sip).toEqual(V6_A);
  });

  test('an empty fd list (a process with no fds)', async () => {
    const { sink, error } = await readBytes(capture((b) => b.fdList(2, 3, [])));
    expect(error).toBeNull();
    expect(sink.fds).toEqual([]);
  });

  test('v2: an unknown fd type is stepped over with one warning', async () => {
    const future = new Bytes().u32(4 + 8 + 8 + 1 + 6).i64(20).u64(1).u8(99).raw(Buffer.from('abcdef')).build();
    // Two unknown entries between two known ones.
    const body = new Bytes().i64(3)
      .raw(entryV2(ALL_TYPES[0]!)).raw(future).raw(future).raw(entryV2(ALL_TYPES[1]!)).build();
    const withUnknown = capture((b) => b.block(BlockType.FD_LIST_V2, body));
    const { sink, error } = await readBytes(withUnknown);
    expect(error).toBeNull();
    expect(sink.fds.map((f) => f.fd.fd)).toEqual([0, 1]);
    expect(sink.warnings).toHaveLength(1);
    expect(sink.warnings[0]).toMatch(/unknown type/);
  });

  test('v1: an unknown fd type is damage (its size is unknowable)', async () => {
    const body = new Bytes().i64(3).i64(20).u64(1).u8(99).u16(0).build();
    const { error } = await readBytes(capture((b) => b.block(BlockType.FD_LIST, body)));
    expect(error?.message).toMatch(/unknown fd type/);
    expect(error!.offset).toBe(28 + 8 + 8 + 17);
  });

  test('v2: an entry length shorter than its fields is damage', async () => {
    const e = entryV2(ALL_TYPES[0]!);
    e.writeUInt32LE(10, 0);
    const { error } = await readBytes(capture((b) => b.block(BlockType.FD_LIST_V2, new Bytes().i64(1).raw(e).build())));
    expect(error?.message).toMatch(/fd list block 0x218 \(v2\) entry: field '\w+' needs/);
  });

  test('a block too short for its tid is damage', async () => {
    const { error } = await readBytes(capture((b) => b.block(BlockType.FD_LIST_V2, Buffer.alloc(4))));
    expect(error?.message).toMatch(/field 'tid' needs 8 bytes but only 4 remain/);
  });
});

function entryV2(fd: FdRecord): Buffer {
  // Reuse the builder's encoding by building a one-entry block and cutting the entry out of it.
  const block = new ScapBuilder().fdList(2, 0, [fd]).build();
  const len = block.readUInt32LE(16);
  return Buffer.from(block.subarray(16, 16 + len));
}
