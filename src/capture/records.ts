/**
 * What a capture source hands to its consumer besides events: the snapshot
 * blocks at the start of a .scap file (machine info, process list, fd lists,
 * interfaces, users), or the equivalent built from /proc for live capture.
 *
 * These are plain records, produced once per capture and not on the per-event
 * path, so clarity wins over allocation here.
 */
import type { ScapEvent } from '../event/scap-event.js';

/** scap fd types, as stored in fd-list blocks (scap_fd_type). */
export const enum FdType {
  UNINITIALIZED = -1,
  UNKNOWN = 0,
  FILE = 1,
  DIRECTORY = 2,
  IPV4_SOCK = 3,
  IPV6_SOCK = 4,
  IPV4_SERVSOCK = 5,
  IPV6_SERVSOCK = 6,
  FIFO = 7,
  UNIX_SOCK = 8,
  EVENT = 9,
  UNSUPPORTED = 10,
  SIGNALFD = 11,
  EVENTPOLL = 12,
  INOTIFY = 13,
  TIMERFD = 14,
  NETLINK = 15,
  FILE_V2 = 16,
}

export interface SectionHeader {
  major: number;
  minor: number;
}

export interface MachineInfo {
  numCpus: number;
  memoryBytes: number;
  maxEventSize: number;
  hostname: string;
  /** Highest pid on the host (pid_max), when the source knows it (.scap machine info does). */
  maxPid?: number;
}

/**
 * The executable's inode as the newest execve versions carry it (libs
 * layout, parameters 23-25) and the /proc scan reads it: inode number and
 * the change/modification times in ns since the epoch (bigint: they exceed
 * 2^53). Shared, never mutated, between the threads of a process.
 */
export interface ExeInode {
  readonly ino: number;
  readonly ctimeNs: bigint;
  readonly mtimeNs: bigint;
  /** Process clone time minus ctime, as libsinsp computes it at exec (0n when the clone time is unknown); u64 wrap-around kept. */
  readonly ctimeDurationProcStart: bigint;
}

/** An ExeInode for a process started at `cloneTsNs` (0 when unknown), with libsinsp's derived duration. */
export function exeInode(ino: number, ctimeNs: bigint, mtimeNs: bigint, cloneTsNs: bigint): ExeInode {
  return { ino, ctimeNs, mtimeNs, ctimeDurationProcStart: cloneTsNs === 0n ? 0n : BigInt.asUintN(64, cloneTsNs - ctimeNs) };
}

/** Capability sets as bit masks (bit n = capability n, the kernel's and scap's numbering). */
export interface CapSets {
  readonly inheritable: number;
  readonly permitted: number;
  readonly effective: number;
}

/** One thread from a process-list block (fields absent from older block versions take defaults). */
export interface ThreadRecord {
  tid: number;
  pid: number;
  ptid: number;
  sid: number;
  vpgid: number;
  comm: string;
  exe: string;
  exepath: string;
  /** Command-line arguments (argv[1..]), already split. */
  args: string[];
  /** Environment entries, already split. */
  env: string[];
  cwd: string;
  fdlimit: number;
  flags: number;
  uid: number;
  gid: number;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  pfmajor: number;
  pfminor: number;
  vtid: number;
  vpid: number;
  /** cgroups as "subsys=path" entries, already split. */
  cgroups: string[];
  root: string;
  loginuid: number;
  exeWritable: boolean;
  /** Newer facts the live /proc scan fills (capture process lists of the 0.29 era lack them). */
  exeUpperLayer?: boolean;
  exeFromMemfd?: boolean;
  exeIno?: ExeInode | null;
  caps?: CapSets | null;
  pidnsInitStartTs?: bigint;
  cloneTs: number;
  tty: number;
}

/** One file descriptor from an fd-list block or from /proc. */
export interface FdRecord {
  fd: number;
  ino: number;
  type: FdType;
  /** File/directory/fifo/unix name; empty for sockets without one. */
  name: string;
  openFlags: number;
  mountId: number;
  dev: number;
  /** IP sockets: the layer-4 protocol as stored by scap (scap_l4_proto: 0 unknown, 1 n/a, 2 TCP, 3 UDP, 4 ICMP, 5 raw). */
  l4proto: number;
  /** Source/destination addresses: 4 bytes (IPv4) or 16 bytes (IPv6); for server sockets only `sip`/`sport`. */
  sip: Uint8Array | null;
  dip: Uint8Array | null;
  sport: number;
  dport: number;
  /** Unix sockets: kernel endpoint addresses (as hex strings, they exceed 2^53). */
  unixSource: string;
  unixDest: string;
}

export interface InterfaceRecord {
  name: string;
  family: 4 | 6;
  /** 4 or 16 bytes each. */
  addr: Uint8Array;
  netmask: Uint8Array;
  bcast: Uint8Array;
  linkspeed: number;
}

export interface UserRecord {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
  container: string;
}

export interface GroupRecord {
  gid: number;
  name: string;
  container: string;
}

/**
 * Receives everything a capture source produces, in file order.
 * onEvent's event object is reused for the next event: copy what you keep.
 */
export interface CaptureSink {
  onSectionHeader?(h: SectionHeader): void;
  onMachineInfo?(mi: MachineInfo): void;
  onThread?(t: ThreadRecord): void;
  /** An fd belonging to process `pid` (fd lists are per process). */
  onFd?(pid: number, fd: FdRecord): void;
  onInterface?(i: InterfaceRecord): void;
  onUser?(u: UserRecord): void;
  onGroup?(g: GroupRecord): void;
  /** Called for every event. Return false to stop reading (e.g. -n N reached). */
  onEvent(ev: ScapEvent): boolean | void;
  /** A recoverable problem (e.g. unknown block type skipped); shown once to the user. */
  onWarning?(message: string): void;
}

/** A capture that cannot be read further. `offset` is the byte offset (in the uncompressed stream) of the damage. */
export class CaptureError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}
