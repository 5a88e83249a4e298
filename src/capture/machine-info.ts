/**
 * The machine info block: facts about the host the capture was taken on.
 *
 * Body (packed): u32 num_cpus | u64 memory bytes | u64 max pid |
 * char hostname[128] (NUL-terminated) | 4 x u64 reserved. Newer writers put
 * data in the reserved words (boot time, flags); nothing here needs them.
 */
import { BLOCK_HEADER_SIZE } from './block-types.js';
import { FieldCursor } from './field-cursor.js';
import type { MachineInfo } from './records.js';

const HOSTNAME_SIZE = 128;

/** Parses the machine info block body. Throws CaptureError if it is too short. */
export function parseMachineInfo(buf: Buffer, blockStart: number, bodyEnd: number, streamBase: number): MachineInfo {
  const c = new FieldCursor(buf, blockStart + BLOCK_HEADER_SIZE, bodyEnd, streamBase, 'machine info block');
  const numCpus = c.u32('num_cpus');
  const memoryBytes = c.u64('memory_size_bytes');
  const maxPid = c.u64('max_pid');
  const hostname = c.text(HOSTNAME_SIZE, 'hostname');
  // The file format has no max event size; 0 says "not recorded" to consumers that size buffers from it.
  return { numCpus, memoryBytes, maxEventSize: 0, hostname, maxPid };
}
