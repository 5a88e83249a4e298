/**
 * PROCINFO events from userspace: the CPU time of every live thread, about
 * once a second, as sysdig's eBPF mode produces them
 * (scap_procfs_get_threadlist + sinsp::get_procs_cpu_from_driver): one
 * `procinfo` event (id 234, cpu_usr and cpu_sys in clock ticks) per thread
 * whose utime or stime is not zero, read from /proc/PID/task/TID/stat.
 * thread.cpu (and so the procs / procs_cpu views) is the increase between
 * two of a thread's procinfo events.
 *
 * The events are encoded in the scap layout inside ring-buffer records
 * (8-byte record header, event, u16 CPU trailer, padded to 8 bytes): the
 * layout RingReader.copyOut() produces, so they travel the very same path
 * as the probe's events (walkCopiedRecords → ScapEvent.decode → sink) and
 * into captures written with -w.
 *
 * Cost per tick: one readdir of /proc, one per process's task directory,
 * and open/read/close of one small file per thread, into one reused
 * buffer; entries go to reused typed arrays, records into the caller's
 * buffer. Kernel threads (PF_KTHREAD) are left out: no process list entry
 * ever describes them, so their events would only cost.
 */
import fs from 'node:fs';
import { EV } from '../event/event-ids.js';
import { BPF_RINGBUF_HDR_SZ } from './ring-reader.js';
import { PF_KTHREAD, statTimesFromBytes } from './proc-parse.js';

/** Event header (26) + 2 u16 lengths + 2 u64 values. */
export const PROCINFO_EVENT_LEN = 26 + 4 + 16;
/** Ring record payload: the event and its u16 CPU trailer. */
const RECORD_PAYLOAD = PROCINFO_EVENT_LEN + 2;
/** One record in a copied batch, header and padding included. */
export const PROCINFO_RECORD_SIZE = (RECORD_PAYLOAD + BPF_RINGBUF_HDR_SZ + 7) & ~7;

export interface ProcInfoScanOptions {
  /** Threads of this process get no events (tsysdig itself); null: none excluded. */
  excludePid?: number | null;
  /** Prefix of /proc (default $HOST_ROOT or ''). */
  hostRoot?: string;
}

export class ProcInfoScanner {
  /** Threads found by the last scan. */
  count = 0;
  private tids = new Float64Array(1024);
  private utimes = new Float64Array(1024);
  private stimes = new Float64Array(1024);
  private readonly buf = Buffer.allocUnsafe(1024);
  private readonly times = { utime: 0, stime: 0, flags: 0 };
  private readonly proc: string;
  private readonly excludePid: number;

  constructor(opts: ProcInfoScanOptions = {}) {
    this.proc = `${opts.hostRoot ?? process.env.HOST_ROOT ?? ''}/proc`;
    this.excludePid = opts.excludePid === undefined ? process.pid : opts.excludePid === null ? -1 : opts.excludePid;
  }

  /** Reads the CPU times of every thread. Returns the number of threads with events to emit. */
  scan(): number {
    this.count = 0;
    let pids: string[];
    try {
      pids = fs.readdirSync(this.proc);
    } catch {
      return 0;
    }
    for (const p of pids) {
      const c = p.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(p);
      if (!Number.isInteger(pid) || pid === this.excludePid) continue;
      const taskDir = `${this.proc}/${p}/task`;
      let tasks: string[];
      try {
        tasks = fs.readdirSync(taskDir);
      } catch {
        continue; // exited
      }
      for (const t of tasks) {
        if (!this.readTask(`${taskDir}/${t}/stat`)) continue;
        const tm = this.times;
        if ((tm.flags & PF_KTHREAD) !== 0) break; // a kernel thread's process is all kernel threads
        if (tm.utime === 0 && tm.stime === 0) continue;
        this.push(Number(t), tm.utime, tm.stime);
      }
    }
    return this.count;
  }

  private readTask(path: string): boolean {
    let fd = -1;
    try {
      fd = fs.openSync(path, 'r');
      const n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
      return statTimesFromBytes(this.buf, n, this.times);
    } catch {
      return false;
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
  }

  private push(tid: number, utime: number, stime: number): void {
    if (this.count === this.tids.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.tids = grow(this.tids);
      this.utimes = grow(this.utimes);
      this.stimes = grow(this.stimes);
    }
    this.tids[this.count] = tid;
    this.utimes[this.count] = utime;
    this.stimes[this.count] = stime;
    this.count++;
  }

  /**
   * Writes records for entries [from, count) of the last scan into `dst`
   * (as many as fit), all with timestamp `tsNs` and CPU 0. Returns the
   * bytes written and the index of the first entry not written.
   */
  encode(dst: Buffer, from: number, tsNs: bigint): { bytes: number; next: number } {
    let off = 0;
    let i = from;
    for (; i < this.count && off + PROCINFO_RECORD_SIZE <= dst.length; i++) {
      writeProcInfoRecord(dst, off, tsNs, this.tids[i]!, this.utimes[i]!, this.stimes[i]!);
      off += PROCINFO_RECORD_SIZE;
    }
    return { bytes: off, next: i };
  }
}

/** One procinfo event, in a ring record, at dst[off, off + PROCINFO_RECORD_SIZE). */
export function writeProcInfoRecord(dst: Buffer, off: number, tsNs: bigint, tid: number, utime: number, stime: number): void {
  dst.writeUInt32LE(RECORD_PAYLOAD, off); // record length (no BUSY/DISCARD bits)
  dst.writeUInt32LE(0, off + 4);
  const e = off + BPF_RINGBUF_HDR_SZ;
  dst.writeBigUInt64LE(tsNs, e);
  dst.writeUInt32LE(tid >>> 0, e + 8);
  dst.writeUInt32LE(Math.floor(tid / 4294967296) >>> 0, e + 12);
  dst.writeUInt32LE(PROCINFO_EVENT_LEN, e + 16);
  dst.writeUInt16LE(EV.PROCINFO_E, e + 20);
  dst.writeUInt32LE(2, e + 22);
  dst.writeUInt16LE(8, e + 26);
  dst.writeUInt16LE(8, e + 28);
  writeU64(dst, e + 30, utime);
  writeU64(dst, e + 38, stime);
  dst.writeUInt16LE(0, e + PROCINFO_EVENT_LEN); // CPU trailer
  for (let p = e + RECORD_PAYLOAD; p < off + PROCINFO_RECORD_SIZE; p++) dst[p] = 0;
}

function writeU64(dst: Buffer, off: number, v: number): void {
  dst.writeUInt32LE(v % 4294967296 >>> 0, off);
  dst.writeUInt32LE(Math.floor(v / 4294967296) >>> 0, off + 4);
}
