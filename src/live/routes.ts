/**
 * Syscall routing: which scap event pair each x86_64 syscall produces.
 *
 * The probe looks the syscall number up in its `routes` map, filled from
 * this table at start-up. Syscalls with a dedicated event use the latest
 * event version of the 0.29-era table (ids < 336, readable by sysdig 0.29);
 * every other syscall produces the generic pair (ids 0/1) carrying its
 * PPM_SC code and native number, so syscall views can still count it.
 */
import { X86_64_SYSCALLS } from './syscall-table.js';
import { MAX_SYSCALLS, ROUTE_SIZE, ROUTE_USED, ROUTE_SKIP, encodeRoute, type Route } from './probe-abi.js';

/** syscall name -> [enter event id, exit event id] */
export const SYSCALL_EVENTS: Readonly<Record<string, readonly [number, number]>> = {
  open: [2, 3],
  openat: [306, 307],
  openat2: [326, 327],
  creat: [58, 59],
  close: [4, 5],
  read: [6, 7],
  write: [8, 9],
  pread64: [112, 113],
  pwrite64: [114, 115],
  readv: [116, 117],
  writev: [118, 119],
  preadv: [120, 121],
  pwritev: [122, 123],
  sendfile: [188, 189],
  socket: [18, 19],
  bind: [20, 21],
  connect: [22, 23],
  listen: [24, 25],
  accept: [246, 247],
  accept4: [248, 249],
  sendto: [30, 31],
  recvfrom: [34, 35],
  sendmsg: [48, 49],
  recvmsg: [52, 53],
  shutdown: [36, 37],
  pipe: [60, 61],
  pipe2: [60, 61],
  dup: [124, 125],
  dup2: [124, 125],
  dup3: [124, 125],
  eventfd: [62, 63],
  eventfd2: [62, 63],
  unlink: [300, 301],
  unlinkat: [302, 303],
  rename: [174, 175],
  renameat: [176, 177],
  renameat2: [318, 319],
  mkdir: [276, 277],
  mkdirat: [304, 305],
  rmdir: [278, 279],
  chdir: [94, 95],
  fchdir: [96, 97],
  execve: [292, 293],
  execveat: [330, 331],
  clone: [222, 223],
  fork: [224, 225],
  vfork: [226, 227],
  clone3: [334, 335],
};

export interface RouteOptions {
  /** Syscall names for which nothing is emitted. */
  skip?: Iterable<string>;
  /** Emit only dedicated events (no generic events for other syscalls). */
  dedicatedOnly?: boolean;
  /** Syscall names reported with generic events even if they have a dedicated pair. */
  generic?: Iterable<string>;
}

/** The route of every syscall number (index = number). */
export function buildRoutes(opts: RouteOptions = {}): Route[] {
  const skip = new Set(opts.skip ?? []);
  const generic = new Set(opts.generic ?? []);
  const routes: Route[] = [];
  for (let nr = 0; nr < MAX_SYSCALLS; nr++) {
    const sc = X86_64_SYSCALLS[nr];
    const name = sc ? sc[0] : '';
    const ppmSc = sc ? sc[1] : 0;
    const ev = name && !generic.has(name) ? SYSCALL_EVENTS[name] : undefined;
    let flags = 0;
    if ((name && skip.has(name)) || (opts.dedicatedOnly && !ev)) flags |= ROUTE_SKIP;
    if (ev) flags |= ROUTE_USED;
    routes.push({ enterEvt: ev ? ev[0] : 0, exitEvt: ev ? ev[1] : 1, ppmSc, flags });
  }
  return routes;
}

export function encodeRoutes(routes: readonly Route[]): Buffer {
  const b = Buffer.alloc(routes.length * ROUTE_SIZE);
  routes.forEach((r, i) => encodeRoute(r, b, i * ROUTE_SIZE));
  return b;
}

/** x86_64 syscall name of a native number (for generic events), or `syscall_<nr>`. */
export function syscallName(nr: number): string {
  const sc = X86_64_SYSCALLS[nr];
  return sc ? sc[0] : `syscall_${nr}`;
}
