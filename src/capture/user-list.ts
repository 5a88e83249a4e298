/**
 * User list blocks (UL v1 = 0x206 and its `_INT` id, UL v2 = 0x220): the
 * host's users and groups at capture start.
 *
 * Body: entries, then padding. An entry is
 *
 *   [v2: u32 entry length, counting itself]
 *   u8 kind (0 = user, anything else = group, as libscap reads it)
 *   user:  u32 uid, u32 gid, str name, str homedir, str shell
 *   group: u32 gid, str name
 *
 * (str = u16 length + bytes.) With v2 lengths, fields appended by newer
 * writers are stepped over.
 */
import { BLOCK_HEADER_SIZE, BlockType, hexType } from './block-types.js';
import { FieldCursor } from './field-cursor.js';
import type { GroupRecord, UserRecord } from './records.js';

const USER_KIND = 0;

export function isUserListBlock(type: number): boolean {
  return type === BlockType.USER_LIST || type === BlockType.USER_LIST_INT || type === BlockType.USER_LIST_V2;
}

/** Parses a user list block body, handing users and groups to the callbacks in file order. Throws CaptureError. */
export function parseUserList(
  buf: Buffer,
  blockStart: number,
  bodyEnd: number,
  streamBase: number,
  blockType: number,
  onUser: (u: UserRecord) => void,
  onGroup: (g: GroupRecord) => void,
): void {
  const hasLengths = blockType === BlockType.USER_LIST_V2;
  const what = `user list block ${hexType(blockType)} (v${hasLengths ? 2 : 1})`;
  let pos = blockStart + BLOCK_HEADER_SIZE;
  while (bodyEnd - pos >= 4) {
    const c = new FieldCursor(buf, pos, bodyEnd, streamBase, what + ' entry');
    let entryEnd = -1;
    if (hasLengths) {
      const entryLen = c.u32('entry length');
      if (entryLen !== 0) {
        if (entryLen > bodyEnd - pos) {
          throw c.errorAt(pos, `entry length ${entryLen} runs past the block (${bodyEnd - pos} bytes left)`);
        }
        entryEnd = pos + entryLen;
        c.end = entryEnd;
      }
    }
    const kind = c.u8('kind');
    if (kind === USER_KIND) {
      const uid = c.u32('uid');
      const gid = c.u32('gid');
      const name = c.str16('name');
      const homedir = c.str16('homedir');
      const shell = c.str16('shell');
      onUser({ uid, gid, name, homedir, shell, container: '' });
    } else {
      const gid = c.u32('gid');
      const name = c.str16('name');
      onGroup({ gid, name, container: '' });
    }
    pos = entryEnd >= 0 ? entryEnd : c.pos;
  }
}
