/**
 * File-descriptor parsers: open family, close, dup family, pipes, eventfd,
 * signalfd, timerfd, inotify, fcntl(F_DUPFD), chdir/fchdir.
 */
import { FdType } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EV } from '../event/event-ids.js';
import { P } from '../event/param-slots.js';
import type { StateEngine } from './engine.js';
import { FdFlag, FdInfo } from './fd-info.js';
import { concatenatePaths, realPath } from './paths.js';
import { setThreadCwd, threadCwd } from './parse-process.js';
import type { ThreadInfo } from './thread-info.js';

/** O_DIRECTORY as the scap format encodes open flags (PPM_O_DIRECTORY). */
const PPM_O_DIRECTORY = 1 << 10;
/** AT_FDCWD as the scap format encodes it. */
const PPM_AT_FDCWD = -100;
/** fcntl commands that duplicate an fd (PPM_FCNTL_F_DUPFD, PPM_FCNTL_F_DUPFD_CLOEXEC). */
const PPM_FCNTL_F_DUPFD = 1;
const PPM_FCNTL_F_DUPFD_CLOEXEC = 26;

/** One reusable template for fds being created (copied into the table by addFd). */
const tmpl = new FdInfo();

function resetTemplate(type: FdType, name: string): FdInfo {
  tmpl.type = type;
  tmpl.name = name;
  tmpl.nameRaw = '';
  tmpl.openFlags = 0;
  tmpl.dev = 0;
  tmpl.mountId = 0;
  tmpl.ino = 0;
  tmpl.flags = 0;
  tmpl.l4proto = 0;
  tmpl.sip4 = 0;
  tmpl.dip4 = 0;
  tmpl.sip6 = null;
  tmpl.dip6 = null;
  tmpl.sport = 0;
  tmpl.dport = 0;
  tmpl.unixSource = '';
  tmpl.unixDest = '';
  return tmpl;
}
export { resetTemplate as fdTemplate };

/** The directory a *at() path is relative to: the cwd for AT_FDCWD, else the dirfd's path. */
export function dirOf(engine: StateEngine, t: ThreadInfo, path: string, dirfd: number): string {
  if (path.length > 0 && path.charCodeAt(0) === 0x2f) return '';
  if (dirfd === PPM_AT_FDCWD) return threadCwd(engine, t);
  const f = t.getFd(dirfd);
  if (f === undefined) return '<UNKNOWN>';
  return f.name.endsWith('/') ? f.name : f.name + '/';
}

export function parseOpenExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null) return;
  const type = ev.type;
  const fd = ev.i64(0);
  const enter = engine.enterEvent(ev, t);
  let name: string;
  let flags: number;
  let dev = 0;
  let dir: string;
  if (type === EV.OPEN_X || type === EV.CREAT_X) {
    name = ev.str(1);
    flags = type === EV.OPEN_X ? ev.u32(2) : 0;
    const devIdx = type === EV.OPEN_X ? 4 : 3;
    if (ev.nparams > devIdx) dev = ev.u32(devIdx);
    if (enter !== null && enter.nparams >= (type === EV.OPEN_X ? 2 : 1)) {
      const en = enter.str(0);
      if (enter.paramLen[0] !== 0 && en !== '(NULL)') {
        name = en;
        flags = type === EV.OPEN_X ? enter.u32(1) : 0;
      }
    }
    dir = threadCwd(engine, t);
  } else if (type === EV.OPENAT_X) {
    // The old openat exit carries only the fd: everything else is in the enter event.
    if (enter === null) return;
    name = enter.str(1);
    flags = enter.u32(2);
    dir = dirOf(engine, t, name, enter.i64(0));
  } else {
    name = ev.str(2);
    flags = ev.u32(3);
    let dirfd = ev.i64(1);
    if (type === EV.OPENAT_2_X && ev.nparams > 5) dev = ev.u32(5);
    if (enter !== null && enter.nparams >= 3) {
      const en = enter.str(1);
      if (enter.paramLen[1] !== 0 && en !== '(NULL)') {
        name = en;
        flags = enter.u32(2);
        dirfd = enter.i64(0);
      }
    }
    dir = dirOf(engine, t, name, dirfd);
  }
  if (fd < 0) return;
  const resolved = concatenatePaths(dir, name);
  const full = resolved[0];
  // Rare: the name shows with '.' for unprintable bytes; keep the real one for actions.
  if (resolved[2]) engine.realPaths.note(full, realPath(dir, name));
  const f = resetTemplate((flags & PPM_O_DIRECTORY) !== 0 ? FdType.DIRECTORY : FdType.FILE_V2, full);
  f.nameRaw = name;
  f.openFlags = flags;
  f.dev = dev;
  engine.fd = t.addFd(fd, f);
}

export function parseCloseEnter(engine: StateEngine): void {
  if (engine.fd !== null) engine.fd.flags |= FdFlag.CLOSE_IN_PROGRESS;
}

export function parseCloseExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  const f = engine.fd;
  if (ev.i64(0) >= 0) {
    if (f === null || t === null) return;
    engine.scheduleFdRemoval(t.fdOwner ?? t, t.lastEventFd);
  } else if (f !== null) {
    f.flags &= ~FdFlag.CLOSE_IN_PROGRESS;
  }
}

/** dup, dup2, dup3 (res = new fd), and fcntl(F_DUPFD*). The source fd is the enter event's. */
export function parseDupExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null) return;
  const res = ev.i64(0);
  if (res < 0 || engine.fd === null) return;
  engine.fd = t.addFd(res, engine.fd);
}

export function parseFcntlExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null) return;
  const enter = engine.enterEvent(ev, t);
  if (enter === null) return;
  const cmd = enter.u8(1);
  if (cmd !== PPM_FCNTL_F_DUPFD && cmd !== PPM_FCNTL_F_DUPFD_CLOEXEC) return;
  parseDupExit(engine, ev);
}

export function parsePipeExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.i64(0) < 0) return;
  const type = ev.type;
  const fd1 = ev.i64(P.fd1[type]!);
  const fd2 = ev.i64(P.fd2[type]!);
  const ino = P.ino[type]! >= 0 ? ev.u64(P.ino[type]!) : 0;
  const f = resetTemplate(FdType.FIFO, '');
  f.ino = ino;
  engine.fd = t.addFd(fd1, f);
  t.addFd(fd2, f);
}

/** eventfd, signalfd, timerfd_create, inotify_init and friends: res is a new fd of a fixed type. */
export function parseSimpleFdExit(engine: StateEngine, ev: ScapEvent, type: FdType): void {
  const t = engine.thread;
  if (t === null) return;
  const fd = ev.i64(0);
  if (fd < 0) return;
  engine.fd = t.addFd(fd, resetTemplate(type, ''));
}

export function parseChdirExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || ev.i64(0) < 0) return;
  setThreadCwd(engine, t, ev.str(1));
}

export function parseFchdirExit(engine: StateEngine, ev: ScapEvent): void {
  const t = engine.thread;
  if (t === null || engine.fd === null || ev.i64(0) < 0) return;
  setThreadCwd(engine, t, engine.fd.name);
}
