/**
 * StateEngine: rebuilds the machine's state (threads, fd tables, users,
 * containers) from a capture's snapshot blocks and its event stream.
 *
 * Replay and live capture both feed it: snapshot records first (process and
 * fd lists, or the /proc bootstrap), then every event through process().
 * After process(ev) returns, `thread`, `fd` and `errorCode` describe the
 * event just parsed, for formatters, filters and views to read.
 *
 * The rules follow sysdig's, because the event listing and the tables must
 * match its output: enter events record their fd argument on the thread,
 * exit events find it there; an fd closed or a thread exited is removed only
 * when the *next* event arrives, so the closing event itself still sees it.
 */
import { FdType, type CaptureSink, type FdRecord, type GroupRecord, type InterfaceRecord, type MachineInfo, type ThreadRecord, type UserRecord } from '../capture/records.js';
import { ScapEvent } from '../event/scap-event.js';
import { EventFlag } from '../event/types.js';
import { EV } from '../event/event-ids.js';
import { FdFlag, FdInfo, L4 } from './fd-info.js';
import { ipv4ToString, ipv6Tuple, ipv4Tuple, ipv6ToString, isIpv4MappedIpv6 } from './inet.js';
import { withTrailingSlash } from './paths.js';
import { CloneFlag, ThreadInfo } from './thread-info.js';
import { UserTable } from './users.js';
import { NetworkInterfaces } from './interfaces.js';
import { containerFromCgroups, type ContainerInfo, type ContainerType, emptyContainer } from './containers.js';
import { parseEvent } from './parsers.js';
import { AlertSlot } from './alert-slot.js';

export class StateEngine {
  readonly threads = new Map<number, ThreadInfo>();
  readonly users = new UserTable();
  readonly interfaces = new NetworkInterfaces();
  readonly containers = new Map<string, ContainerInfo>();
  machine: MachineInfo | null = null;
  /** Alerts the rules fired on the current event (filled by the rules consumer, read by the alert.* fields). */
  readonly alerts = new AlertSlot();

  // ---- the event just processed ----
  /** Thread of the current event (null for machine-level events). */
  thread: ThreadInfo | null = null;
  /** fd the current event operates on, when known. */
  fd: FdInfo | null = null;
  /** errno of the current exit event (positive), 0 when it succeeded. */
  errorCode = 0;
  /** True when the current exit event was paired with its enter event. */
  paired = false;
  /** Number of events processed. */
  nevents = 0;
  firstTs = 0;
  lastTs = 0;
  /**
   * Exact timestamp of the first event that is not a container event (the
   * origin of evt.reltime), as the two u32 halves of ScapEvent; 0/0 until seen.
   */
  firstEventTsHi = 0;
  firstEventTsLo = 0;
  /** True when the current event renamed the fd it used (a datagram socket's tuple changing): fd.name_changed. */
  fdNameChanged = false;

  /** Ports some process of the snapshot listens on, and whether the snapshot has been finalised. */
  private readonly serverPorts = new Set<number>();
  private snapshotDone = false;
  /** The last looked-up thread (see reset). */
  private cachedTid = -2;
  /** The last cgroup list resolved to a container, and the answer (see resolveContainer). */
  private lastCgroups: readonly string[] = [];
  private lastContainer: [string, ContainerType] | null = null;
  private cachedThread: ThreadInfo | null = null;

  // ---- deferred removals (applied when the next event arrives) ----
  private tidToRemove = -1;
  private fdOwnerToRemove: ThreadInfo | null = null;
  private readonly fdsToRemove: number[] = [];

  // ---------------- snapshot ingestion ----------------

  onMachineInfo(mi: MachineInfo): void {
    this.machine = mi;
  }

  onThread(r: ThreadRecord): void {
    const t = new ThreadInfo(r.tid, r.pid);
    t.ptid = r.ptid;
    t.sid = r.sid;
    t.vpgid = r.vpgid;
    t.comm = r.comm;
    t.exe = r.exe;
    t.exepath = r.exepath;
    t.args = r.args;
    t.env = r.env;
    t.cwd = withTrailingSlash(r.cwd);
    t.fdlimit = r.fdlimit;
    t.flags = r.flags;
    t.uid = r.uid;
    t.gid = r.gid;
    t.loginuid = r.loginuid;
    t.vmsizeKb = r.vmsizeKb;
    t.vmrssKb = r.vmrssKb;
    t.vmswapKb = r.vmswapKb;
    t.pfmajor = r.pfmajor;
    t.pfminor = r.pfminor;
    t.vtid = r.vtid;
    t.vpid = r.vpid;
    t.cgroups = r.cgroups;
    t.root = r.root;
    t.tty = r.tty;
    t.cloneTs = r.cloneTs;
    t.exeWritable = r.exeWritable;
    t.exeUpperLayer = r.exeUpperLayer ?? false;
    t.exeFromMemfd = r.exeFromMemfd ?? false;
    t.exeIno = r.exeIno ?? null;
    t.caps = r.caps ?? null;
    t.pidnsInitStartTs = r.pidnsInitStartTs ?? 0n;
    this.resolveContainer(t);
    this.addThread(t);
  }

  onFd(pid: number, r: FdRecord): void {
    let t = this.threads.get(pid);
    if (t === undefined) return;
    const f = new FdInfo();
    f.fd = r.fd;
    f.ino = r.ino;
    f.type = r.type;
    f.openFlags = r.openFlags;
    f.mountId = r.mountId;
    f.dev = r.dev;
    f.flags = 1; // FROM_PROC
    switch (r.type) {
      case FdType.IPV4_SOCK: {
        f.l4proto = r.l4proto as L4;
        f.sip4 = bytesToIpv4(r.sip);
        f.dip4 = bytesToIpv4(r.dip);
        f.sport = r.sport;
        f.dport = r.dport;
        if (f.l4proto === L4.TCP) f.flags |= FdFlag.SOCKET_CONNECTED;
        f.name = ipv4Tuple(f.sip4, f.sport, f.dip4, f.dport);
        break;
      }
      case FdType.IPV6_SOCK: {
        const sip = r.sip ?? new Uint8Array(16);
        const dip = r.dip ?? new Uint8Array(16);
        f.l4proto = r.l4proto as L4;
        f.sport = r.sport;
        f.dport = r.dport;
        if (f.l4proto === L4.TCP) f.flags |= FdFlag.SOCKET_CONNECTED;
        if (isIpv4MappedIpv6(sip) && isIpv4MappedIpv6(dip)) {
          // IPv4 peers of an IPv6 socket: sysdig shows them as the IPv4 connection they are.
          f.type = FdType.IPV4_SOCK;
          f.sip4 = bytesToIpv4(sip.subarray(12));
          f.dip4 = bytesToIpv4(dip.subarray(12));
          f.name = ipv4Tuple(f.sip4, f.sport, f.dip4, f.dport);
        } else {
          f.sip6 = sip;
          f.dip6 = dip;
          f.name = ipv6Tuple(sip, f.sport, dip, f.dport);
        }
        break;
      }
      case FdType.IPV4_SERVSOCK: {
        f.l4proto = r.l4proto as L4;
        f.sip4 = bytesToIpv4(r.sip);
        f.sport = r.sport;
        f.name = `${ipv4ToString(f.sip4)}:${f.sport}`;
        this.serverPorts.add(f.sport);
        break;
      }
      case FdType.IPV6_SERVSOCK: {
        f.l4proto = r.l4proto as L4;
        f.sip6 = r.sip ?? new Uint8Array(16);
        f.sport = r.sport;
        f.name = `${ipv6ToString(f.sip6)}:${f.sport}`;
        this.serverPorts.add(f.sport);
        break;
      }
      case FdType.UNIX_SOCK:
        f.unixSource = r.unixSource;
        f.unixDest = r.unixDest;
        f.name = r.name;
        // A named unix socket is the listening end.
        f.flags |= r.name === '' ? FdFlag.ROLE_CLIENT : FdFlag.ROLE_SERVER;
        break;
      default:
        f.name = r.name;
    }
    // Snapshot fds do not become the thread's "current" fd (sysdig adds them to the table directly).
    const lastFd = t.lastEventFd;
    t.addFd(r.fd, f);
    t.lastEventFd = lastFd;
  }

  /**
   * Once the snapshot is in: connected IPv4 sockets of the process list are
   * oriented client→server, using the ports some process listens on (as
   * sysdig does, since /proc does not say which end initiated).
   */
  private finishSnapshot(): void {
    this.snapshotDone = true;
    for (const t of this.threads.values()) {
      for (const f of t.ownFds.values()) {
        if (f.type !== FdType.IPV4_SOCK) continue;
        if (this.serverPorts.has(f.sport)) {
          const ip = f.sip4;
          const port = f.sport;
          f.sip4 = f.dip4;
          f.sport = f.dport;
          f.dip4 = ip;
          f.dport = port;
          f.name = ipv4Tuple(f.sip4, f.sport, f.dip4, f.dport);
          f.flags |= FdFlag.ROLE_SERVER;
        } else f.flags |= FdFlag.ROLE_CLIENT;
      }
    }
  }

  onInterface(i: InterfaceRecord): void {
    this.interfaces.add(i);
  }

  onUser(u: UserRecord): void {
    this.users.addUser(u);
  }

  onGroup(g: GroupRecord): void {
    this.users.addGroup(g);
  }

  /**
   * A CaptureSink that feeds this engine the snapshot (machine, threads,
   * fds, interfaces, users, groups) and hands each event to `onEvent`, which
   * is expected to call `process(ev)` itself (callers differ in what they do
   * around it: preamble handling, limits, filters).
   */
  sink(onEvent: CaptureSink['onEvent'], onWarning?: (message: string) => void): CaptureSink {
    return {
      onMachineInfo: (mi) => this.onMachineInfo(mi),
      onThread: (t) => this.onThread(t),
      onFd: (pid, fd) => this.onFd(pid, fd),
      onInterface: (i) => this.onInterface(i),
      onUser: (u) => this.onUser(u),
      onGroup: (g) => this.onGroup(g),
      onWarning,
      onEvent,
    };
  }

  // ---------------- thread table ----------------

  /** Adds a thread, wiring its fd table to its process's when it shares it. */
  addThread(t: ThreadInfo): void {
    const replaced = this.threads.get(t.tid);
    if (replaced !== undefined && replaced !== t) this.dropChildCount(replaced);
    this.threads.set(t.tid, t);
    if (t.tid === this.cachedTid) this.cachedThread = t;
    if (t.tid !== t.pid) {
      const main = this.threads.get(t.pid);
      if (main !== undefined && (t.flags & CloneFlag.CLONE_FILES) !== 0) t.fdOwner = main;
      if (main !== undefined && (t.flags & CloneFlag.CLONE_THREAD) !== 0) main.nchilds++;
    } else {
      // Threads already known for this process (process lists are not ordered) now share its table.
      let nchilds = 0;
      for (const other of this.threads.values()) {
        if (other.pid === t.tid && other !== t) {
          if ((other.flags & CloneFlag.CLONE_FILES) !== 0) other.fdOwner = t;
          if ((other.flags & CloneFlag.CLONE_THREAD) !== 0) nchilds++;
        }
      }
      t.nchilds = nchilds;
    }
  }

  /** A thread leaving the table no longer counts among its main thread's children. */
  private dropChildCount(t: ThreadInfo): void {
    if ((t.flags & CloneFlag.CLONE_THREAD) === 0 || t.tid === t.pid) return;
    const main = this.threads.get(t.pid);
    if (main !== undefined && main !== t && main.nchilds > 0) main.nchilds--;
  }

  /**
   * The thread with this tid, creating a placeholder ("<NA>") when the
   * capture never described it, as sysdig does for threads born before the
   * capture's process list.
   */
  getOrCreateThread(tid: number): ThreadInfo {
    let t = this.threads.get(tid);
    if (t === undefined) {
      t = new ThreadInfo(tid, tid);
      // As sysdig does for a thread made up on the spot: its children are the threads naming it as their process.
      for (const other of this.threads.values()) if (other.pid === tid) t.nchilds++;
      this.threads.set(tid, t);
      if (tid === this.cachedTid) this.cachedThread = t;
    }
    return t;
  }

  /**
   * Removes a thread. Unless forced, a main thread whose process still has
   * other threads stays (sysdig keeps it until the last thread exits).
   */
  removeThread(tid: number, force = true): void {
    const t = this.threads.get(tid);
    if (t === undefined) return;
    if (!force && t.nchilds !== 0) return;
    this.dropChildCount(t);
    this.threads.delete(tid);
    if (tid === this.cachedTid) this.cachedThread = null;
    if (t.nchilds !== 0) {
      // Forced removal of a main thread others still refer to: recount every process's threads.
      for (const o of this.threads.values()) o.nchilds = 0;
      for (const o of this.threads.values()) {
        if ((o.flags & CloneFlag.CLONE_THREAD) !== 0 && o.tid !== o.pid) {
          const m = this.threads.get(o.pid);
          if (m !== undefined) m.nchilds++;
        }
      }
    }
  }

  resolveContainer(t: ThreadInfo): void {
    // Process starts come in runs from one cgroup (a shell's children, a
    // container's workers): the last list's answer is reused when the list is
    // the same, saving the runtime-by-runtime pattern search.
    let found: [string, ContainerType] | null;
    if (sameStrings(t.cgroups, this.lastCgroups)) found = this.lastContainer;
    else {
      found = containerFromCgroups(t.cgroups);
      this.lastCgroups = t.cgroups;
      this.lastContainer = found;
    }
    if (found === null) {
      t.containerId = '';
      return;
    }
    const [id, type] = found;
    t.containerId = id;
    if (!this.containers.has(id)) this.containers.set(id, emptyContainer(id, type));
  }

  addContainer(c: ContainerInfo): void {
    this.containers.set(c.id, c);
  }

  // ---------------- per-event processing ----------------

  /** Parses one event into the state. Afterwards `thread`, `fd`, `errorCode` describe it. */
  process(ev: ScapEvent): void {
    if (!this.snapshotDone) this.finishSnapshot();
    this.nevents++;
    const ts = ev.ts;
    if (this.firstTs === 0) this.firstTs = ts;
    this.lastTs = ts;
    if (this.firstEventTsHi === 0 && this.firstEventTsLo === 0 && ev.type !== EV.CONTAINER_JSON_E && ev.type !== EV.CONTAINER_JSON_2_E) {
      this.firstEventTsHi = ev.tsHi;
      this.firstEventTsLo = ev.tsLo;
    }
    this.applyDeferredRemovals();
    this.fd = null;
    this.errorCode = 0;
    this.paired = false;
    // As in sysdig, the parsers run whatever reset() concluded: each checks the thread/fd it needs.
    this.reset(ev);
    const fdBefore = this.fd as FdInfo | null;
    const nameBefore = fdBefore !== null ? fdBefore.name : '';
    parseEvent(this, ev);
    this.fdNameChanged = fdBefore !== null && (this.fd as FdInfo | null) === fdBefore && fdBefore.name !== nameBefore;
  }

  /** Removes the fd closed / thread exited by the previous event. */
  private applyDeferredRemovals(): void {
    if (this.tidToRemove !== -1) {
      this.removeThread(this.tidToRemove, false);
      this.tidToRemove = -1;
    }
    if (this.fdOwnerToRemove !== null) {
      const owner = this.fdOwnerToRemove;
      for (let i = 0; i < this.fdsToRemove.length; i++) owner.removeFd(this.fdsToRemove[i]!);
      this.fdsToRemove.length = 0;
      this.fdOwnerToRemove = null;
    }
  }

  scheduleThreadRemoval(tid: number): void {
    this.tidToRemove = tid;
  }

  scheduleFdRemoval(t: ThreadInfo, fd: number): void {
    this.fdOwnerToRemove = t;
    this.fdsToRemove.push(fd);
  }

  /**
   * Finds the event's thread and fd and pairs exit with enter, as sysdig's
   * parser reset does. Returns false when the event should not be parsed
   * further (unpaired exit, unknown fd).
   */
  private reset(ev: ScapEvent): boolean {
    const type = ev.type;
    const info = ev.info;
    const eflags = info.flags;
    if ((eflags & EventFlag.SKIPPARSERESET) !== 0) {
      // procinfo events still name their thread (for CPU accounting); others don't.
      this.thread = type === EV.PROCINFO_E ? (this.threads.get(ev.tid) ?? null) : null;
      return false;
    }
    if (type === EV.CONTAINER_JSON_E || type === EV.CONTAINER_JSON_2_E) {
      this.thread = null; // container events: machine-level
      return true;
    }
    if (type === EV.SCHEDSWITCH_6_E) {
      // Context switches only refresh counters: they neither create threads nor
      // disturb the enter/exit pairing of the syscall they interrupt.
      this.thread = this.threads.get(ev.tid) ?? null;
      return false;
    }
    const isClone = isCloneExit(type);
    let t: ThreadInfo | null;
    // Runs of events from the same thread are the norm: skip the map lookup for them.
    if (ev.tid === this.cachedTid) t = this.cachedThread;
    else {
      t = this.threads.get(ev.tid) ?? null;
      this.cachedTid = ev.tid;
      this.cachedThread = t;
    }
    if (t === null && !isClone) t = this.getOrCreateThread(ev.tid);
    this.thread = t;
    if (t === null) return false;
    if (!isClone) t.flags |= CloneFlag.ACTIVE;
    t.lastSeenTs = ev.ts;
    if ((type & 1) === 0) {
      // enter event
      t.lastEventFd = -1;
      t.lastEventType = type;
      if ((eflags & EventFlag.USES_FD) !== 0 && ev.nparams > 0) {
        t.lastEventFd = ev.i64(0);
        this.fd = t.getFd(t.lastEventFd) ?? null;
      }
      t.latency = 0;
      t.lastEnterTs = ev.ts;
      t.lastEnterTsHi = ev.tsHi;
      t.lastEnterTsLo = ev.tsLo;
      return true;
    }
    // exit event
    // Exact to the nanosecond: the difference of the u32 halves, not of the rounded doubles.
    if (t.lastEnterTs !== 0) t.latency = (ev.tsHi - t.lastEnterTsHi) * 4294967296 + (ev.tsLo - t.lastEnterTsLo);
    if (type === t.lastEventType + 1) {
      t.lastEnterValid = true;
      this.paired = true;
    } else {
      t.lastEnterValid = false;
      return false;
    }
    if (ev.nparams !== 0) {
      const p0 = info.params[0];
      if (p0 !== undefined && (p0.name === 'res' || p0.name === 'fd')) {
        const res = ev.i64(0);
        if (res < 0) this.errorCode = -res;
      }
    }
    if ((eflags & EventFlag.USES_FD) !== 0) {
      this.fd = t.getFd(t.lastEventFd) ?? null;
      if (this.fd === null) return false;
    }
    return true;
  }

  /** Keeps a copy of the current enter event on its thread, for the exit parser. */
  storeEnterEvent(ev: ScapEvent, t: ThreadInfo): void {
    const len = ev.len;
    if (t.lastEnter === null || t.lastEnter.length < len) t.lastEnter = Buffer.allocUnsafe(Math.max(len, 256));
    ev.buf.copy(t.lastEnter, 0, ev.base, ev.base + len);
    t.lastEnterLen = len;
    t.lastEnterLenSize = ev.lenSize;
    t.lastEnterHasNparams = ev.hasNparams;
  }

  /**
   * The enter event paired with the current exit event, decoded into a
   * scratch ScapEvent, or null when it was not stored or does not match.
   */
  enterEvent(exit: ScapEvent, t: ThreadInfo): ScapEvent | null {
    if (!t.lastEnterValid || t.lastEnter === null || t.lastEnterLen === 0) return null;
    const e = this.scratch;
    if (e.decode(t.lastEnter, 0, t.lastEnterLen, t.lastEnterLenSize, t.lastEnterHasNparams) !== null) return null;
    if (e.type !== exit.type - 1) {
      t.lastEnterValid = false;
      return null;
    }
    return e;
  }

  /** Scratch event for decoding stored enter events. */
  private readonly scratch = new ScapEvent();
}

function bytesToIpv4(b: Uint8Array | null): number {
  if (b === null || b.length < 4) return 0;
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** clone/fork/vfork/clone3 exit events (all versions): their thread may not exist yet. */
export function isCloneExit(type: number): boolean {
  switch (type) {
    case EV.CLONE_11_X:
    case EV.CLONE_16_X:
    case EV.CLONE_17_X:
    case EV.CLONE_20_X:
    case EV.FORK_X:
    case EV.FORK_17_X:
    case EV.FORK_20_X:
    case EV.VFORK_X:
    case EV.VFORK_17_X:
    case EV.VFORK_20_X:
    case EV.CLONE3_X:
      return true;
    default:
      return false;
  }
}

/** Whether two string lists hold the same strings in the same order. */
function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
