/**
 * ThreadInfo: one thread of the monitored machine, as rebuilt from the
 * capture's process list and the process-lifecycle events.
 *
 * Threads of one process share the main thread's fd table when created with
 * CLONE_FILES, exactly as the kernel does, so an fd opened by any thread is
 * seen by all of them. The fields prefixed `last` are the per-thread scratch
 * that pairs an exit event with its enter event.
 */
import type { CapSets, ExeInode } from '../capture/records.js';
import { FdInfo } from './fd-info.js';

/** Clone flags the engine acts on (PPM_CL_*). */
export const enum CloneFlag {
  CLONE_FILES = 1 << 0,
  CLONE_FS = 1 << 1,
  CLONE_THREAD = 1 << 13,
  CLONE_INVERTED = 1 << 16,
  NAME_CHANGED = 1 << 17,
  CLOSED = 1 << 18,
  ACTIVE = 1 << 19,
  CLONE_VFORK = 1 << 27,
  CHILD_IN_PIDNS = 1 << 29,
  IS_MAIN_THREAD = 1 << 30,
}

export const NO_UID = 0xffffffff;

export class ThreadInfo {
  tid: number;
  pid: number;
  ptid = -1;
  /** Session and process-group ids; -1 until known (sysdig's defaults). */
  sid = -1;
  vpgid = -1;
  vtid = -1;
  vpid = -1;
  comm = '<NA>';
  exe = '<NA>';
  exepath = '';
  args: string[] = [];
  env: string[] = [];
  /** Working directory, with a trailing '/'; '' until known (sysdig's default, e.g. for threads the capture never described). */
  cwd = '';
  root = '/';
  fdlimit = -1;
  flags = 0;
  uid = NO_UID;
  gid = NO_UID;
  loginuid = NO_UID;
  tty = 0;
  vmsizeKb = 0;
  vmrssKb = 0;
  vmswapKb = 0;
  pfmajor = 0;
  pfminor = 0;
  cloneTs = 0;
  /** The clone timestamp exactly (ScapEvent u32 halves) when the capture saw the clone; 0/0 otherwise. */
  cloneTsHi = 0;
  cloneTsLo = 0;
  /** Whether the executable is writable by the user that started it (proc.is_exe_writable). */
  exeWritable = false;
  /** Whether the executable sits in an overlayfs upper layer / is a memfd (execve flags PPM_EXE_UPPER_LAYER, PPM_EXE_FROM_MEMFD). */
  exeUpperLayer = false;
  exeFromMemfd = false;
  /** The executable's inode; null when the capture or the probe did not carry it. */
  exeIno: ExeInode | null = null;
  /** Capability sets; null when unknown (sysdig-era captures), which libsinsp shows as no capabilities. */
  caps: CapSets | null = null;
  /** Start of the thread's PID namespace (its init process), ns since the epoch; 0n when unknown (container.start_ts). */
  pidnsInitStartTs = 0n;
  cgroups: string[] = [];
  /** Container id ('' = host). */
  containerId = '';
  /** This thread's own fd table (used when it does not share its process's). */
  readonly ownFds = new Map<number, FdInfo>();
  /** The thread holding the fd table this thread uses (itself or its process's main thread). */
  fdOwner: ThreadInfo | null = null;

  // ---- enter/exit pairing scratch ----
  /** Type of the last enter event seen on this thread (-1: none). */
  lastEventType = -1;
  /**
   * fd the thread's current event refers to: the fd argument of the last
   * enter event (-1: none), or the fd the last exit created. Starts at 0 as
   * in sysdig, whose fd fields read it for a thread's first, unpaired exit.
   */
  lastEventFd = 0;
  /** Timestamp (ns, double) of the last enter event, for latency. */
  lastEnterTs = 0;
  /** The same timestamp exactly, as ScapEvent's u32 halves (for latency to the nanosecond). */
  lastEnterTsHi = 0;
  lastEnterTsLo = 0;
  /** Latency of the current exit event (ns). */
  latency = 0;
  /** Copy of the last stored enter event (for calls whose exit needs enter arguments). */
  lastEnter: Buffer | null = null;
  lastEnterLen = 0;
  lastEnterLenSize: 2 | 4 = 2;
  lastEnterHasNparams = true;
  lastEnterValid = false;

  // ---- accounting used by views ----
  /** CPU time (ns) reported by procinfo events: user, system. */
  cpuUserNs = 0;
  cpuSysNs = 0;
  /** Timestamp of the last event of this thread. */
  lastSeenTs = 0;
  /**
   * For a main thread: how many of its process's other threads (created with
   * CLONE_THREAD) are in the table (sysdig's m_nchilds; proc.nthreads is this + 1).
   * While non-zero, the main thread outlives its own exit.
   */
  nchilds = 0;

  /** Derived command-line texts, cached by the fields that read them per event (src/fields/thread-text.ts). */
  texts: object | null = null;

  constructor(tid: number, pid = tid) {
    this.tid = tid;
    this.pid = pid;
  }

  get isMainThread(): boolean {
    return this.tid === this.pid;
  }

  /** The fd table this thread uses. */
  get fds(): Map<number, FdInfo> {
    return this.fdOwner !== null ? this.fdOwner.ownFds : this.ownFds;
  }

  getFd(fd: number): FdInfo | undefined {
    return this.fds.get(fd);
  }

  /** Installs (a copy of) `info` as fd `fd`, replacing any previous one. */
  addFd(fd: number, info: FdInfo): FdInfo {
    const table = this.fds;
    let cur = table.get(fd);
    if (cur === undefined) {
      cur = new FdInfo();
      table.set(fd, cur);
    }
    cur.copyFrom(info);
    cur.fd = fd;
    // As sysdig's add_fd: the fd just installed is the one the event refers to (fd.num).
    this.lastEventFd = fd;
    return cur;
  }

  removeFd(fd: number): void {
    this.fds.delete(fd);
  }
}
