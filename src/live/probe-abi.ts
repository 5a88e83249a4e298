/**
 * The userspace side of the probe ABI: sizes, map names and struct layouts
 * mirrored from probe/tsysdig.h. Change both files together.
 */

/**
 * Programs LiveSource attaches. The object also holds tsd_sys_enter_full and
 * tsd_sys_exit_full, reached by tail call (the `enter_tail` / `exit_tail`
 * maps, filled by libbpf at load) and never attached.
 */
export const PROGRAMS = ['tsd_sys_enter', 'tsd_sys_exit', 'tsd_proc_exit', 'tsd_proc_fork'] as const;

export const MAP_EVENTS = 'events';
export const MAP_SETTINGS = 'settings';
export const MAP_ROUTES = 'routes';
export const MAP_COUNTERS = 'counters';

export const MAX_SYSCALLS = 512;
export const SNAPLEN_DEFAULT = 80;
export const SNAPLEN_MAX = 4096;
/** Largest event the probe emits (bytes, header included). */
export const MAX_EVENT_LEN = 0x3fff - 8;
/** Bytes after each event in its ring record: the u16 CPU id. */
export const RECORD_TRAILER = 2;

/**
 * Compact generic record (TSD_COMPACT_* in tsysdig.h): a ring record of
 * exactly this length is not a scap event but
 *   u64 ts | u32 tid | u32 word (bits 0-8 syscall nr, 9-17 PPM_SC code, 18 exit, 19-31 CPU)
 * standing for PPME_GENERIC_E (ID, nativeID) or PPME_GENERIC_X (ID).
 */
export const COMPACT_RECORD_LEN = 16;
export const COMPACT_NR_MASK = 0x1ff;
export const COMPACT_SC_SHIFT = 9;
export const COMPACT_SC_MASK = 0x1ff;
export const COMPACT_EXIT = 1 << 18;
export const COMPACT_CPU_SHIFT = 19;

/** struct tsd_settings (24 bytes). */
export const SETTINGS_SIZE = 24;
export interface ProbeSettings {
  bootToEpochNs: bigint;
  selfTgid: number;
  snaplen: number;
  captureOn: boolean;
  noWakeup: boolean;
}
export function encodeSettings(s: ProbeSettings): Buffer {
  const b = Buffer.alloc(SETTINGS_SIZE);
  b.writeBigUInt64LE(s.bootToEpochNs, 0);
  b.writeUInt32LE(s.selfTgid >>> 0, 8);
  b.writeUInt32LE(s.snaplen >>> 0, 12);
  b.writeUInt32LE(s.captureOn ? 1 : 0, 16);
  b.writeUInt32LE(s.noWakeup ? 1 : 0, 20);
  return b;
}

/** struct tsd_route (8 bytes). */
export const ROUTE_SIZE = 8;
export const ROUTE_USED = 1;
export const ROUTE_SKIP = 2;
export interface Route {
  enterEvt: number;
  exitEvt: number;
  ppmSc: number;
  flags: number;
}
export function encodeRoute(r: Route, b: Buffer, off: number): void {
  b.writeUInt16LE(r.enterEvt, off);
  b.writeUInt16LE(r.exitEvt, off + 2);
  b.writeUInt16LE(r.ppmSc, off + 4);
  b.writeUInt16LE(r.flags, off + 6);
}

/** struct tsd_counters (per CPU). */
export const COUNTERS_SIZE = 32;
export interface CpuCounters {
  events: number;
  dropsFull: number;
  dropsBug: number;
  truncated: number;
}
export function decodeCounters(b: Buffer, off: number): CpuCounters {
  return {
    events: Number(b.readBigUInt64LE(off)),
    dropsFull: Number(b.readBigUInt64LE(off + 8)),
    dropsBug: Number(b.readBigUInt64LE(off + 16)),
    truncated: Number(b.readBigUInt64LE(off + 24)),
  };
}
