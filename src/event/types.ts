/**
 * The event model: the vocabulary of the scap event table.
 *
 * Every event that flows through tsysdig — replayed from a .scap file or
 * drained from the live eBPF ring — has the scap layout: a fixed header
 * (ts u64, tid u64, len u32, type u16, nparams u32), then one length per
 * parameter (u16, or u32 for large-payload events), then the parameter bytes.
 * The numeric ids below are the on-disk values of that format, so they must
 * never be renumbered.
 */

/** Parameter value types (scap PT_*). */
export const enum ParamType {
  NONE = 0,
  INT8 = 1,
  INT16 = 2,
  INT32 = 3,
  INT64 = 4,
  UINT8 = 5,
  UINT16 = 6,
  UINT32 = 7,
  UINT64 = 8,
  CHARBUF = 9,
  BYTEBUF = 10,
  ERRNO = 11,
  SOCKADDR = 12,
  SOCKTUPLE = 13,
  FD = 14,
  PID = 15,
  FDLIST = 16,
  FSPATH = 17,
  SYSCALLID = 18,
  SIGTYPE = 19,
  RELTIME = 20,
  ABSTIME = 21,
  PORT = 22,
  L4PROTO = 23,
  SOCKFAMILY = 24,
  BOOL = 25,
  IPV4ADDR = 26,
  DYN = 27,
  FLAGS8 = 28,
  FLAGS16 = 29,
  FLAGS32 = 30,
  UID = 31,
  GID = 32,
  DOUBLE = 33,
  SIGSET = 34,
  CHARBUFARRAY = 35,
  CHARBUF_PAIR_ARRAY = 36,
  IPV4NET = 37,
  IPV6ADDR = 38,
  IPV6NET = 39,
  IPADDR = 40,
  IPNET = 41,
  MODE = 42,
  FSRELPATH = 43,
  ENUMFLAGS8 = 44,
  ENUMFLAGS16 = 45,
  ENUMFLAGS32 = 46,
  /** A file descriptor encoded in 32 bits (newer captures). */
  FD32 = 47,
  /** A pid encoded in 32 bits (newer captures). */
  PID32 = 48,
}

/** How a numeric parameter is printed (scap PF_*). */
export const enum PrintFormat {
  NA = 0,
  DEC = 1,
  HEX = 2,
  PADDED_DEC = 3,
  ID = 4,
  DIR = 5,
  OCT = 6,
}

/** Event categories (scap EC_*). The I/O values are a sub-range masked by IO_BASE. */
export const enum EventCategory {
  UNKNOWN = 0,
  OTHER = 1,
  FILE = 2,
  NET = 3,
  IPC = 4,
  MEMORY = 5,
  PROCESS = 6,
  SLEEP = 7,
  SYSTEM = 8,
  SIGNAL = 9,
  USER = 10,
  TIME = 11,
  PROCESSING = 12,
  IO_BASE = 32,
  IO_READ = 32,
  IO_WRITE = 33,
  IO_OTHER = 34,
  WAIT = 64,
  SCHEDULER = 128,
  INTERNAL = 256,
}

/** Event flags (scap EF_*). */
export const enum EventFlag {
  NONE = 0,
  CREATES_FD = 1 << 0,
  DESTROYS_FD = 1 << 1,
  USES_FD = 1 << 2,
  READS_FROM_FD = 1 << 3,
  WRITES_TO_FD = 1 << 4,
  MODIFIES_STATE = 1 << 5,
  UNUSED = 1 << 6,
  WAITS = 1 << 7,
  SKIPPARSERESET = 1 << 8,
  OLD_VERSION = 1 << 9,
  DROP_SIMPLE_CONS = 1 << 10,
  LARGE_PAYLOAD = 1 << 11,
}

/** One symbolic value of a flags/enum parameter, e.g. { name: 'O_RDONLY', value: 1 }. */
export interface FlagName {
  readonly name: string;
  readonly value: number;
}

/** Static description of one event parameter. */
export interface ParamInfo {
  readonly name: string;
  readonly type: ParamType;
  readonly fmt: PrintFormat;
  /** Symbolic names for FLAGS*, MODE and enum-like parameters. */
  readonly flags?: readonly FlagName[];
  /**
   * For PT_DYN parameters: the type chosen by the parameter's leading index byte.
   */
  readonly dynTypes?: readonly ParamType[];
  /** For FSRELPATH parameters: index of the parameter holding the directory fd. */
  readonly dirfdParam?: number;
}

/** Static description of one event type (one row of the event table). */
export interface EventInfo {
  readonly name: string;
  readonly category: EventCategory;
  readonly flags: number;
  readonly params: readonly ParamInfo[];
}

/** Event direction, derived from the id: even ids are enter ('>'), odd ids are exit ('<'). */
export function isEnter(type: number): boolean {
  return (type & 1) === 0;
}

/** Size in bytes of the scap event header (ts, tid, len, type, nparams), packed. */
export const EVENT_HEADER_SIZE = 26;
/** Size of the header of events from v1 capture blocks, which lack nparams. */
export const EVENT_HEADER_SIZE_V1 = 22;
