/**
 * Process list blocks (PL v1..v9, and the pre-release `_INT` ids of v1..v3).
 *
 * The body is a run of thread entries, then up to 3 bytes of padding. Each
 * version added fields, some in the middle of the entry, so the layout is
 * chosen per block type:
 *
 *   [v9: u32 entry length, counting itself]
 *   i64 tid, i64 pid, i64 ptid
 *   [v6+: i64 sid] [v8+: i64 vpgid]
 *   str comm, str exe, [v7+: str exepath], strlist args, str cwd
 *   u64 fdlimit, u32 flags, u32 uid, u32 gid
 *   [v2+: u32 vmsize_kb, u32 vmrss_kb, u32 vmswap_kb, u64 pfmajor, u64 pfminor]
 *   [v3+: strlist env]
 *   [v4+: i64 vtid, i64 vpid, strlist cgroups]
 *   [v5+: str root]
 *   [v9, when the entry length leaves room: trailing fields, see readTrailingFields]
 *
 * where str/strlist are a u16 byte count then bytes, not NUL-terminated;
 * lists separate their entries with NULs. From v9 on (format 1.2) the block
 * version is frozen and writers append fields instead; the entry length lets
 * us read the ones we know and step over the rest.
 */
import { BLOCK_HEADER_SIZE, BlockType, hexType } from './block-types.js';
import { FieldCursor } from './field-cursor.js';
import type { ThreadRecord } from './records.js';

/** Process list format version (1..9) of a block type, or 0 if the type is not a process list. */
export function processListVersion(type: number): number {
  switch (type) {
    case BlockType.PROCESS_LIST_V1:
    case BlockType.PROCESS_LIST_V1_INT:
      return 1;
    case BlockType.PROCESS_LIST_V2:
    case BlockType.PROCESS_LIST_V2_INT:
      return 2;
    case BlockType.PROCESS_LIST_V3:
    case BlockType.PROCESS_LIST_V3_INT:
      return 3;
    case BlockType.PROCESS_LIST_V4:
      return 4;
    case BlockType.PROCESS_LIST_V5:
      return 5;
    case BlockType.PROCESS_LIST_V6:
      return 6;
    case BlockType.PROCESS_LIST_V7:
      return 7;
    case BlockType.PROCESS_LIST_V8:
      return 8;
    case BlockType.PROCESS_LIST_V9:
      return 9;
    default:
      return 0;
  }
}

/**
 * Bytes of trailing fields that writers before libs 0.10 could put after
 * `root`: loginuid (4), exe_writable (1), three capability masks (24). More
 * than this means the 0.10+ layout, which inserts pidns_init_start_ts and tty
 * first. This is the rule libscap itself uses to tell the two apart.
 */
const PRE_0_10_TRAILER_MAX = 29;

/** Parses every thread entry of a process list block body, handing each to `onThread`. Throws CaptureError. */
export function parseProcessList(
  buf: Buffer,
  blockStart: number,
  bodyEnd: number,
  streamBase: number,
  blockType: number,
  onThread: (t: ThreadRecord) => void,
): void {
  const version = processListVersion(blockType);
  const what = `process list block ${hexType(blockType)} (v${version})`;
  let pos = blockStart + BLOCK_HEADER_SIZE;
  // Fewer than 4 bytes left is the padding (no entry is that small).
  while (bodyEnd - pos >= 4) {
    const c = new FieldCursor(buf, pos, bodyEnd, streamBase, what + ' entry');
    let entryEnd = -1;
    if (version >= 9) {
      const entryLen = c.u32('entry length');
      // 0 is what a writer without lengths would leave; libscap then reads the fixed fields only.
      if (entryLen !== 0) {
        if (entryLen > bodyEnd - pos) {
          throw c.errorAt(pos, `entry length ${entryLen} runs past the block (${bodyEnd - pos} bytes left)`);
        }
        entryEnd = pos + entryLen;
        c.end = entryEnd;
      }
    }
    const t = readFixedFields(c, version);
    if (entryEnd >= 0) {
      readTrailingFields(c, t);
      pos = entryEnd;
    } else {
      pos = c.pos;
    }
    onThread(t);
  }
}

function readFixedFields(c: FieldCursor, version: number): ThreadRecord {
  const tid = c.i64('tid');
  const pid = c.i64('pid');
  const ptid = c.i64('ptid');
  const sid = version >= 6 ? c.i64('sid') : -1;
  const vpgid = version >= 8 ? c.i64('vpgid') : -1;
  const comm = c.str16('comm');
  const exe = c.str16('exe');
  const exepath = version >= 7 ? c.str16('exepath') : '';
  const args = c.strList16('args');
  const cwd = c.str16('cwd');
  const fdlimit = c.i64('fdlimit');
  const flags = c.u32('flags');
  const uid = c.u32('uid');
  const gid = c.u32('gid');
  let vmsizeKb = 0, vmrssKb = 0, vmswapKb = 0, pfmajor = 0, pfminor = 0;
  if (version >= 2) {
    vmsizeKb = c.u32('vmsize_kb');
    vmrssKb = c.u32('vmrss_kb');
    vmswapKb = c.u32('vmswap_kb');
    pfmajor = c.u64('pfmajor');
    pfminor = c.u64('pfminor');
  }
  const env = version >= 3 ? c.strList16('env') : [];
  let vtid = -1, vpid = -1;
  let cgroups: string[] = [];
  if (version >= 4) {
    vtid = c.i64('vtid');
    vpid = c.i64('vpid');
    cgroups = c.strList16('cgroups');
  }
  const root = version >= 5 ? c.str16('root') : '';
  return {
    tid, pid, ptid, sid, vpgid, comm, exe, exepath, args, env, cwd, fdlimit, flags, uid, gid,
    vmsizeKb, vmrssKb, vmswapKb, pfmajor, pfminor, vtid, vpid, cgroups, root,
    loginuid: -1, exeWritable: false, cloneTs: 0, tty: 0,
  };
}

/**
 * Reads the appended fields a v9 entry's length leaves room for (the cursor
 * ends at the entry end), in the order writers appended them. Fields beyond
 * those (capabilities, exe inode data...) are not modelled and are stepped
 * over by the caller.
 */
function readTrailingFields(c: FieldCursor, t: ThreadRecord): void {
  if (c.remaining > PRE_0_10_TRAILER_MAX) {
    if (c.remaining >= 8) c.skip(8, 'pidns_init_start_ts');
    if (c.remaining >= 4) t.tty = c.u32('tty');
  }
  // loginuid is an int32 on file in the 0.29-era writer; -1 means "not set".
  if (c.remaining >= 4) t.loginuid = c.i32('loginuid');
  if (c.remaining >= 1) t.exeWritable = c.u8('exe_writable') !== 0;
}
