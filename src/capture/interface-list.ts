/**
 * Interface list blocks (IL v1 = 0x205 and its `_INT` id, IL v2 = 0x219):
 * the host's network interface addresses.
 *
 * Body: entries, then padding. An entry is
 *
 *   [v2: u32 entry length, NOT counting itself (unlike the other lists)]
 *   u16 kind | u16 name length | addresses | [u64 linkspeed] | name bytes
 *
 * with kind 1 = IPv4 (4-byte addr, netmask, broadcast, then linkspeed),
 * 2 = IPv6 (16-byte addr, netmask, broadcast, then linkspeed), and 3 / 4 the
 * same without linkspeed (older writers). Addresses are raw network-order
 * bytes. A v1 entry's size follows from its kind, so an unknown kind there is
 * damage; a v2 entry of unknown kind is stepped over with a warning.
 */
import { BLOCK_HEADER_SIZE, BlockType, hexType } from './block-types.js';
import { FieldCursor } from './field-cursor.js';
import type { InterfaceRecord } from './records.js';

const enum InterfaceKind {
  IPV4 = 1,
  IPV6 = 2,
  IPV4_NOLINKSPEED = 3,
  IPV6_NOLINKSPEED = 4,
}

export function isInterfaceListBlock(type: number): boolean {
  return type === BlockType.INTERFACE_LIST || type === BlockType.INTERFACE_LIST_INT || type === BlockType.INTERFACE_LIST_V2;
}

/** Parses an interface list block body, handing each address to `onInterface`. Throws CaptureError. */
export function parseInterfaceList(
  buf: Buffer,
  blockStart: number,
  bodyEnd: number,
  streamBase: number,
  blockType: number,
  onInterface: (i: InterfaceRecord) => void,
  warn: (message: string) => void,
): void {
  const hasLengths = blockType === BlockType.INTERFACE_LIST_V2;
  const what = `interface list block ${hexType(blockType)} (v${hasLengths ? 2 : 1})`;
  let pos = blockStart + BLOCK_HEADER_SIZE;
  while (bodyEnd - pos >= 4) {
    const c = new FieldCursor(buf, pos, bodyEnd, streamBase, what + ' entry');
    let entryEnd = -1;
    if (hasLengths) {
      const entryLen = c.u32('entry length');
      // 0 means "no length" here too: read the fixed layout, as libscap falls back to.
      if (entryLen !== 0) {
        if (entryLen > bodyEnd - c.pos) {
          throw c.errorAt(pos, `entry length ${entryLen} runs past the block (${bodyEnd - c.pos} bytes left)`);
        }
        entryEnd = c.pos + entryLen;
        c.end = entryEnd;
      }
    }
    const kind = c.u16('kind');
    const nameLen = c.u16('name length');
    const rec = readAddresses(c, kind, nameLen);
    if (rec === null) {
      if (entryEnd < 0) throw c.error(`unknown interface kind ${kind}`);
      warn(`${what}: skipped interface entries of unknown kind ${kind}`);
    } else {
      onInterface(rec);
    }
    pos = entryEnd >= 0 ? entryEnd : c.pos;
  }
}

function readAddresses(c: FieldCursor, kind: number, nameLen: number): InterfaceRecord | null {
  let family: 4 | 6;
  let hasLinkspeed: boolean;
  switch (kind) {
    case InterfaceKind.IPV4:
      family = 4;
      hasLinkspeed = true;
      break;
    case InterfaceKind.IPV6:
      family = 6;
      hasLinkspeed = true;
      break;
    case InterfaceKind.IPV4_NOLINKSPEED:
      family = 4;
      hasLinkspeed = false;
      break;
    case InterfaceKind.IPV6_NOLINKSPEED:
      family = 6;
      hasLinkspeed = false;
      break;
    default:
      return null;
  }
  const size = family === 4 ? 4 : 16;
  const addr = c.bytes(size, 'address');
  const netmask = c.bytes(size, 'netmask');
  const bcast = c.bytes(size, 'broadcast address');
  const linkspeed = hasLinkspeed ? c.u64('linkspeed') : 0;
  const name = c.text(nameLen, 'name');
  return { name, family, addr, netmask, bcast, linkspeed };
}
