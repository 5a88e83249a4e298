import { describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import type { GroupRecord, UserRecord } from '../../src/capture/records.js';
import { Bytes, ScapBuilder } from './scap-builder.js';
import { readBytes } from './helpers.js';

const USERS: UserRecord[] = [
  { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash', container: '' },
  { uid: 65534, gid: 65534, name: 'nobody', homedir: '/nonexistent', shell: '/usr/sbin/nologin', container: '' },
  { uid: 4294967294, gid: 1000, name: 'José', homedir: '', shell: '', container: '' },
];
const GROUPS: GroupRecord[] = [
  { gid: 0, name: 'root', container: '' },
  { gid: 27, name: 'sudo', container: '' },
];

function capture(build: (b: ScapBuilder) => void): Buffer {
  const b = new ScapBuilder().sectionHeader();
  build(b);
  return b.build();
}

describe('user list blocks', () => {
  for (const version of [1, 2] as const) {
    test(`v${version}: users and groups, every field`, async () => {
      const { sink, error } = await readBytes(capture((b) => b.userList(version, USERS, GROUPS)));
      expect(error).toBeNull();
      expect(sink.users).toEqual(USERS);
      expect(sink.groups).toEqual(GROUPS);
    });
  }

  test('v1 under its pre-release _INT id, groups before users', async () => {
    expect(BlockType.USER_LIST_INT).toBe(0x8012abcd);
    const { sink } = await readBytes(capture((b) => b.userList(1, USERS, GROUPS, { int: true, groupsFirst: true })));
    expect(sink.users).toEqual(USERS);
    expect(sink.groups).toEqual(GROUPS);
  });

  test('v2: bytes appended by a newer writer are stepped over', async () => {
    const { sink, error } = await readBytes(capture((b) => b.userList(2, USERS, GROUPS, { extra: Buffer.alloc(6, 0x5a) })));
    expect(error).toBeNull();
    expect(sink.users).toEqual(USERS);
    expect(sink.groups).toEqual(GROUPS);
  });

  test('v2: an entry length past the block is damage at the entry', async () => {
    const body = new Bytes().u32(400).u8(1).u32(0).str16('root').build();
    const { error } = await readBytes(capture((b) => b.block(BlockType.USER_LIST_V2, body)));
    expect(error?.message).toMatch(/user list block 0x220 \(v2\) entry: entry length 400 runs past the block/);
    expect(error!.offset).toBe(28 + 8);
  });

  test('v1: a truncated user entry is damage', async () => {
    const body = new Bytes().u8(0).u32(0).u32(0).u16(40).raw(Buffer.from('ro')).build();
    const { error } = await readBytes(capture((b) => b.block(BlockType.USER_LIST, body)));
    expect(error?.message).toMatch(/field 'name' needs 40 bytes/);
  });
});
