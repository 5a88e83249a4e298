/**
 * Process lifecycle parsers: clone/fork/vfork/clone3, execve/execveat,
 * procexit, credential changes, memory counters and CPU usage.
 */
import { exeInode } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EV } from '../event/event-ids.js';
import { hasExecveLibsParams } from '../event/execve-libs-params.js';
import { P } from '../event/param-slots.js';
import type { StateEngine } from './engine.js';
import { concatenatePaths, withTrailingSlash } from './paths.js';
import { CloneFlag, NO_UID, ThreadInfo } from './thread-info.js';
import { parseContainerJson } from './containers.js';

/** Splits a NUL-separated argument/env/cgroup buffer into its strings (a trailing NUL ends the list). */
export function splitNulList(ev: ScapEvent, i: number): string[] {
  if (i < 0 || i >= ev.nparams) return [];
  const o = ev.paramOff[i]!;
  const end = o + ev.paramLen[i]!;
  const out: string[] = [];
  let start = o;
  for (let p = o; p < end; p++) {
    if (ev.buf[p] === 0) {
      out.push(ev.buf.toString('latin1', start, p));
      start = p + 1;
    }
  }
  if (start < end) out.push(ev.buf.toString('latin1', start, end));
  return out;
}

function strAt(ev: ScapEvent, i: number): string | null {
  return i >= 0 && i < ev.nparams ? ev.str(i) : null;
}

/** A thread's working directory: the kernel shares it among a process's threads, so it lives on the main thread. */
export function threadCwd(engine: StateEngine, t: ThreadInfo): string {
  if (t.tid === t.pid) return t.cwd;
  return (engine.threads.get(t.pid) ?? t).cwd;
}

export function setThreadCwd(engine: StateEngine, t: ThreadInfo, dir: string): void {
  const target = t.tid === t.pid ? t : (engine.threads.get(t.pid) ?? t);
  // chdir paths are resolved against the current directory, as the kernel does.
  target.cwd = withTrailingSlash(concatenatePaths(target.cwd, dir)[0]);
}

function copyIdentity(dst: ThreadInfo, src: ThreadInfo, withEnv: boolean): void {
  dst.comm = src.comm;
  dst.exe = src.exe;
  dst.exepath = src.exepath;
  dst.exeWritable = src.exeWritable;
  dst.exeUpperLayer = src.exeUpperLayer;
  dst.exeFromMemfd = src.exeFromMemfd;
  dst.exeIno = src.exeIno;
  dst.caps = src.caps;
  dst.pidnsInitStartTs = src.pidnsInitStartTs;
  dst.args = src.args;
  dst.root = src.root;
  dst.sid = src.sid;
  dst.vpgid = src.vpgid;
  dst.tty = src.tty;
  dst.loginuid = src.loginuid;
  if (withEnv) dst.env = src.env;
}

export function parseCloneExit(engine: StateEngine, ev: ScapEvent): void {
  const type = ev.type;
  let tid = ev.tid;
  let childTid = ev.i64(0);
  const flags = ev.u32(P.flags[type]!) >>> 0;
  if (childTid < 0) return;
  let vtid = tid;
  let vpid = -1;
  if (P.vtid[type]! >= 0 && P.vtid[type]! < ev.nparams) {
    vtid = ev.i64(P.vtid[type]!);
    vpid = ev.i64(P.vpid[type]!);
  }
  const inContainer = (flags & CloneFlag.CHILD_IN_PIDNS) !== 0 || tid !== vtid;
  let inverted = false;
  if (childTid === 0) {
    // The child's return: normally the parent's exit already created it.
    const cur = engine.thread;
    if (cur !== null) {
      if (inContainer) {
        cur.vtid = vtid;
        cur.vpid = vpid;
      }
      return;
    }
    // Child returned before the parent: create it from the child's view.
    const parentTid = (flags & CloneFlag.CLONE_THREAD) !== 0 ? ev.i64(P.pid[type]!) : ev.i64(P.ptid[type]!);
    inverted = true;
    childTid = tid;
    tid = parentTid;
  } else if (inContainer) {
    // A parent outside the child's pid namespace sees a pid it cannot use; the child's own exit will describe it.
    return;
  }
  const parent = engine.getOrCreateThread(tid);
  const existing = engine.threads.get(childTid);
  if (existing !== undefined) {
    if ((existing.flags & CloneFlag.CLONE_INVERTED) !== 0) return;
    engine.removeThread(childTid);
  }
  const child = new ThreadInfo(childTid, childTid);
  child.ptid = tid;
  const validParent = !(parent.comm === '<NA>' && parent.uid === NO_UID);
  if (validParent) {
    copyIdentity(child, parent, (flags & CloneFlag.CLONE_THREAD) === 0);
  } else {
    // The parent is a placeholder: take the identity from the event and teach it to the parent too.
    child.exe = strAt(ev, P.exe[type]!) ?? '<NA>';
    child.comm = P.comm[type]! >= 0 ? (strAt(ev, P.comm[type]!) ?? child.exe) : child.exe;
    child.args = splitNulList(ev, P.args[type]!);
    parent.comm = child.comm;
    parent.exe = child.exe;
    parent.exepath = child.exepath;
    parent.args = child.args;
  }
  child.pid = ev.i64(P.pid[type]!);
  child.flags = flags;
  if ((flags & CloneFlag.CLONE_THREAD) === 0) {
    child.pid = childTid;
    // A new process starts with a copy of its parent's fd table and cwd.
    for (const [fd, info] of parent.fds) child.ownFds.set(fd, info.clone());
    child.cwd = threadCwd(engine, parent);
  } else {
    const main = engine.threads.get(child.pid);
    if (main !== undefined && (flags & CloneFlag.CLONE_FILES) !== 0) child.fdOwner = main.fdOwner ?? main;
    child.cwd = threadCwd(engine, parent);
  }
  if (inverted) child.flags |= CloneFlag.CLONE_INVERTED;
  child.exe = strAt(ev, P.exe[type]!) ?? child.exe;
  child.comm = P.comm[type]! >= 0 ? (strAt(ev, P.comm[type]!) ?? child.exe) : child.exe;
  child.args = splitNulList(ev, P.args[type]!);
  child.fdlimit = ev.i64(P.fdlimit[type]!);
  if (P.pgftMaj[type]! >= 0) {
    child.pfmajor = ev.u64(P.pgftMaj[type]!);
    child.pfminor = ev.u64(P.pgftMin[type]!);
    child.vmsizeKb = ev.u32(P.vmSize[type]!);
    child.vmrssKb = ev.u32(P.vmRss[type]!);
    child.vmswapKb = ev.u32(P.vmSwap[type]!);
  }
  child.uid = ev.u32(P.uid[type]!) >>> 0;
  child.gid = ev.u32(P.gid[type]!) >>> 0;
  if (inContainer) {
    child.vtid = vtid;
    child.vpid = vpid;
  } else {
    child.vtid = child.tid;
    child.vpid = child.pid;
  }
  if (P.cgroups[type]! >= 0) {
    child.cgroups = splitNulList(ev, P.cgroups[type]!);
    engine.resolveContainer(child);
  } else {
    child.containerId = parent.containerId;
    child.cgroups = parent.cgroups;
  }
  child.cloneTs = ev.ts;
  child.cloneTsHi = ev.tsHi;
  child.cloneTsLo = ev.tsLo;
  engine.addThread(child);
}

export function parseExecveExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.i64(0) < 0) return;
  const type = ev.type;
  t.exe = ev.str(P.exe[type]!);
  t.comm = P.comm[type]! >= 0 && P.comm[type]! < ev.nparams ? ev.str(P.comm[type]!) : t.exe;
  t.args = splitNulList(ev, P.args[type]!);
  t.pid = ev.i64(P.pid[type]!);
  if (t.ptid === -1) t.ptid = ev.i64(P.ptid[type]!);
  t.fdlimit = ev.i64(P.fdlimit[type]!);
  if (P.pgftMaj[type]! >= 0 && P.pgftMaj[type]! < ev.nparams) {
    t.pfmajor = ev.u64(P.pgftMaj[type]!);
    t.pfminor = ev.u64(P.pgftMin[type]!);
    t.vmsizeKb = ev.u32(P.vmSize[type]!);
    t.vmrssKb = ev.u32(P.vmRss[type]!);
    t.vmswapKb = ev.u32(P.vmSwap[type]!);
  }
  if (P.env[type]! >= 0 && P.env[type]! < ev.nparams) t.env = splitNulList(ev, P.env[type]!);
  if (P.cgroups[type]! >= 0 && P.cgroups[type]! < ev.nparams) {
    t.cgroups = splitNulList(ev, P.cgroups[type]!);
    engine.resolveContainer(t);
  }
  if (P.tty[type]! >= 0 && P.tty[type]! < ev.nparams) t.tty = ev.i32(P.tty[type]!);
  if (type === EV.EXECVE_18_X || type === EV.EXECVE_19_X || type === EV.EXECVEAT_X) {
    const enter = engine.enterEvent(ev, t);
    if (enter !== null) {
      const pathIdx = type === EV.EXECVEAT_X ? 1 : 0;
      const path = enter.str(pathIdx);
      t.exepath = path.startsWith('<NA>') ? '<NA>' : concatenatePaths(t.cwd, path)[0];
    }
  }
  if (P.pgid[type]! >= 0 && P.pgid[type]! < ev.nparams) t.vpgid = ev.i64(P.pgid[type]!);
  if (P.loginuid[type]! >= 0 && P.loginuid[type]! < ev.nparams) t.loginuid = ev.u32(P.loginuid[type]!) >>> 0;
  // Parameter 19 of the newest execve layouts carries the PPM_EXE_* flags (sysdig reads it by position).
  if (ev.nparams > 19) {
    const xf = ev.u32(19);
    t.exeWritable = (xf & PPM_EXE_WRITABLE) !== 0;
    t.exeUpperLayer = (xf & PPM_EXE_UPPER_LAYER) !== 0;
    t.exeFromMemfd = (xf & PPM_EXE_FROM_MEMFD) !== 0;
  }
  if (hasExecveLibsParams(type)) parseExecveCapsAndInode(t, ev);
  const keep = t.flags & (CloneFlag.IS_MAIN_THREAD | CloneFlag.CLONE_INVERTED);
  t.flags = CloneFlag.ACTIVE | keep | CloneFlag.NAME_CHANGED;
}

const PPM_EXE_WRITABLE = 1 << 0;
const PPM_EXE_UPPER_LAYER = 1 << 1;
const PPM_EXE_FROM_MEMFD = 1 << 2;

/** Parameters 20-25 of the libs execve layout (see EXECVE_LIBS_PARAMS), read by position as libsinsp does. */
function parseExecveCapsAndInode(t: ThreadInfo, ev: ScapEvent): void {
  if (ev.nparams > 22 && ev.paramLen[22]! >= 8) t.caps = { inheritable: ev.u64(20), permitted: ev.u64(21), effective: ev.u64(22) };
  if (ev.nparams > 25 && ev.paramLen[25]! >= 8) t.exeIno = exeInode(ev.u64(23), ev.u64Big(24), ev.u64Big(25), t.cloneTsHi !== 0 || t.cloneTsLo !== 0 ? (BigInt(t.cloneTsHi) << 32n) | BigInt(t.cloneTsLo) : BigInt(t.cloneTs));
}

/** capset's exit: the thread's new capability sets (libsinsp's parse_capset_exit). */
export function parseCapsetExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.nparams < 4 || ev.i64(0) < 0) return;
  t.caps = { inheritable: ev.u64(1), permitted: ev.u64(2), effective: ev.u64(3) };
}

export function parseProcExit(engine: StateEngine): void {
  const t = engine.thread;
  if (t === null) return;
  t.flags |= CloneFlag.CLOSED;
  engine.scheduleThreadRemoval(t.tid);
}

export function parseProcInfo(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.nparams < 2) return;
  // procinfo carries cumulative CPU time in clock ticks (1/100 s).
  t.cpuUserNs = ev.u64(0) * 10_000_000;
  t.cpuSysNs = ev.u64(1) * 10_000_000;
}

export function parseMemoryExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.nparams < 4) return;
  const type = ev.type;
  t.vmsizeKb = ev.u32(P.vmSize[type]!);
  t.vmrssKb = ev.u32(P.vmRss[type]!);
  t.vmswapKb = ev.u32(P.vmSwap[type]!);
}

/** Context switch: page-fault counters for the thread, memory for its process's main thread. */
export function parseContextSwitch(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.nparams < 6) return;
  t.pfmajor = ev.u64(1);
  t.pfminor = ev.u64(2);
  const main = t.tid === t.pid ? t : engine.threads.get(t.pid);
  if (main === undefined) return;
  main.vmsizeKb = ev.u32(3);
  main.vmrssKb = ev.u32(4);
  main.vmswapKb = ev.u32(5);
}

export function parseSetIdExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.i64(0) < 0) return;
  const enter = engine.enterEvent(ev, t);
  if (enter === null) return;
  switch (ev.type) {
    case EV.SETUID_X:
      t.uid = enter.u32(0) >>> 0;
      break;
    case EV.SETGID_X:
      t.gid = enter.u32(0) >>> 0;
      break;
    case EV.SETRESUID_X: {
      const euid = enter.u32(1) >>> 0;
      if (euid !== NO_UID) t.uid = euid;
      break;
    }
    case EV.SETRESGID_X: {
      const egid = enter.u32(1) >>> 0;
      if (egid !== NO_UID) t.gid = egid;
      break;
    }
  }
}

export function parseContainerEvent(engine: StateEngine, ev: ScapEvent): void {
  const info = parseContainerJson(ev.str(0));
  if (info === null) return;
  engine.addContainer(info);
  // The event belongs to no real thread; like sysdig, show it as a pseudo-thread named after the container.
  const pseudo = new ThreadInfo(-1, -1);
  pseudo.vtid = -2;
  pseudo.vpid = -2;
  pseudo.comm = `container:${info.id}`;
  // sysdig builds it from a fresh threadinfo: no exe, uid/gid/ptid 0.
  pseudo.exe = '';
  pseudo.ptid = 0;
  pseudo.uid = 0;
  pseudo.gid = 0;
  pseudo.loginuid = 0;
  pseudo.containerId = info.id;
  engine.thread = pseudo;
}
