/**
 * Block ids of the .scap file format, and the few sizes every block shares.
 *
 * A .scap file is a sequence of blocks, each framed as
 *   u32 type | u32 totalLength | body | padding to 4 bytes | u32 totalLength
 * (the pcapng framing, little-endian). The `_INT` ids are the numbers used
 * before the format's first public release; old files still carry them.
 */

export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,

  MACHINE_INFO: 0x201,
  MACHINE_INFO_INT: 0x8002abcd,

  PROCESS_LIST_V1: 0x202,
  PROCESS_LIST_V1_INT: 0x8000abcd,
  PROCESS_LIST_V2: 0x207,
  PROCESS_LIST_V2_INT: 0x8013abcd,
  PROCESS_LIST_V3: 0x209,
  PROCESS_LIST_V3_INT: 0x8014abcd,
  PROCESS_LIST_V4: 0x210,
  PROCESS_LIST_V5: 0x211,
  PROCESS_LIST_V6: 0x212,
  PROCESS_LIST_V7: 0x213,
  PROCESS_LIST_V8: 0x214,
  PROCESS_LIST_V9: 0x215,

  FD_LIST: 0x203,
  FD_LIST_INT: 0x8001abcd,
  FD_LIST_V2: 0x218,

  EVENT: 0x204,
  EVENT_INT: 0x8010abcd,
  EVENT_V2: 0x216,
  EVENT_V2_LARGE: 0x221,
  EVENT_FLAGS: 0x208,
  EVENT_FLAGS_V2: 0x217,
  EVENT_FLAGS_V2_LARGE: 0x222,

  INTERFACE_LIST: 0x205,
  INTERFACE_LIST_INT: 0x8011abcd,
  INTERFACE_LIST_V2: 0x219,

  USER_LIST: 0x206,
  USER_LIST_INT: 0x8012abcd,
  USER_LIST_V2: 0x220,
} as const;

/** Section header magic as read little-endian from a file written on a little-endian host. */
export const SECTION_MAGIC = 0x1a2b3c4d;
/** The same magic as it reads from a file written big-endian (not supported). */
export const SECTION_MAGIC_SWAPPED = 0x4d3c2b1a;
/** Highest major format version this reader understands (as in libscap). */
export const SUPPORTED_MAJOR_VERSION = 1;

/** u32 type + u32 total length. */
export const BLOCK_HEADER_SIZE = 8;
/** The trailing u32 copy of the total length. */
export const BLOCK_TRAILER_SIZE = 4;
/** Smallest well-formed block: header and trailer around an empty body. */
export const MIN_BLOCK_SIZE = BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE;
/**
 * Largest block we accept. Real blocks stay far below this (a process list of
 * tens of thousands of threads is a few MiB); a bigger length is damage, and
 * refusing it keeps a flipped length bit from making us buffer the whole file.
 */
export const MAX_BLOCK_SIZE = 256 * 1024 * 1024;
/**
 * Largest total length of a non-large event block. libscap reads these into a
 * 64 KiB buffer, so a writer could never have produced more (event length is
 * capped by u16 parameter lengths); anything bigger is damage.
 */
export const MAX_SMALL_EVENT_BLOCK_SIZE = BLOCK_HEADER_SIZE + 65536;

/** How an event block lays out its event. */
export interface EventBlockLayout {
  /** Header carries nparams (v2) or not (v1: nparams is inferred). */
  readonly hasNparams: boolean;
  /** Parameter length width: 2, or 4 for large-payload blocks. */
  readonly lenSize: 2 | 4;
  /** A u32 of dump flags follows the cpu id (EVF blocks). */
  readonly hasFlags: boolean;
}

const V1: EventBlockLayout = { hasNparams: false, lenSize: 2, hasFlags: false };
const V1_FLAGS: EventBlockLayout = { hasNparams: false, lenSize: 2, hasFlags: true };
const V2: EventBlockLayout = { hasNparams: true, lenSize: 2, hasFlags: false };
const V2_FLAGS: EventBlockLayout = { hasNparams: true, lenSize: 2, hasFlags: true };
const V2_LARGE: EventBlockLayout = { hasNparams: true, lenSize: 4, hasFlags: false };
const V2_LARGE_FLAGS: EventBlockLayout = { hasNparams: true, lenSize: 4, hasFlags: true };

/** The event layout of an event block type, or undefined for any other block. */
export function eventBlockLayout(type: number): EventBlockLayout | undefined {
  switch (type) {
    case BlockType.EVENT:
    case BlockType.EVENT_INT:
      return V1;
    case BlockType.EVENT_FLAGS:
      return V1_FLAGS;
    case BlockType.EVENT_V2:
      return V2;
    case BlockType.EVENT_FLAGS_V2:
      return V2_FLAGS;
    case BlockType.EVENT_V2_LARGE:
      return V2_LARGE;
    case BlockType.EVENT_FLAGS_V2_LARGE:
      return V2_LARGE_FLAGS;
    default:
      return undefined;
  }
}

/** Block type as it appears in messages: 0x216. */
export function hexType(type: number): string {
  return '0x' + type.toString(16);
}
