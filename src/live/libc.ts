/**
 * The few libc calls live capture needs (mmap, poll, clock_gettime, ...),
 * bound through koffi. Loaded lazily, once per thread.
 */
import koffi from 'koffi';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const POLLIN = 1;
export const CLOCK_REALTIME = 0;
export const CLOCK_BOOTTIME = 7;
const SC_PAGESIZE = 30;
const SC_NPROCESSORS_CONF = 83;

export interface Libc {
  mmap(addr: bigint | null, length: number, prot: number, flags: number, fd: number, offset: number): bigint | null;
  munmap(addr: bigint, length: number): number;
  /** poll(2) on an array of struct pollfd held in a Buffer. */
  poll(fds: Buffer, nfds: number, timeoutMs: number): number;
  pollAsync(fds: Buffer, nfds: number, timeoutMs: number): Promise<number>;
  clockGettime(clock: number, ts: Buffer): number;
  sysconf(name: number): number;
  strerror(errnum: number): string;
  vsnprintf(buf: Buffer, n: number, fmt: bigint | string, ap: bigint): number;
  getpagesize(): number;
  errno(): number;
}

let libc: Libc | null = null;
let libcLib: ReturnType<typeof koffi.load> | null = null;

function loadLibc(): ReturnType<typeof koffi.load> {
  return (libcLib ??= koffi.load('libc.so.6'));
}

export function getLibc(): Libc {
  if (libc) return libc;
  const lib = loadLibc();
  const mmap = lib.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)');
  const munmap = lib.func('int munmap(void *addr, size_t length)');
  const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const clock_gettime = lib.func('int clock_gettime(int clk, void *ts)');
  const sysconf = lib.func('long sysconf(int name)');
  const strerror = lib.func('const char *strerror(int errnum)');
  const vsnprintf = lib.func('int vsnprintf(void *buf, size_t n, void *fmt, void *ap)');
  const MAP_FAILED = 0xffffffffffffffffn;
  libc = {
    mmap: (addr, length, prot, flags, fd, offset) => {
      const p = mmap(addr, length, prot, flags, fd, offset) as bigint | null;
      return p === null || p === MAP_FAILED ? null : p;
    },
    munmap: (addr, length) => munmap(addr, length) as number,
    poll: (fds, nfds, timeout) => poll(fds, nfds, timeout) as number,
    pollAsync: (fds, nfds, timeout) =>
      new Promise((resolve, reject) => {
        poll.async(fds, nfds, timeout, (err: unknown, res: number) => (err ? reject(err) : resolve(res)));
      }),
    clockGettime: (clk, ts) => clock_gettime(clk, ts) as number,
    sysconf: (name) => Number(sysconf(name)),
    strerror: (e) => strerror(e) as string,
    vsnprintf: (buf, n, fmt, ap) => vsnprintf(buf, n, fmt, ap) as number,
    getpagesize: () => Number(sysconf(SC_PAGESIZE)),
    errno: () => koffi.errno(),
  };
  return libc;
}

/** The socket calls a unix datagram sender needs (Node has no AF_UNIX datagram sockets). */
export interface SocketCalls {
  socket(domain: number, type: number, protocol: number): number;
  /** sendto(2); `addr` is a struct sockaddr in a Buffer. */
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  close(fd: number): number;
  errno(): number;
  strerror(errnum: number): string;
}

let socketCalls: SocketCalls | null = null;

export function getSocketCalls(): SocketCalls {
  if (socketCalls) return socketCalls;
  const lib = loadLibc();
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const sendto = lib.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
  const close = lib.func('int close(int fd)');
  socketCalls = {
    socket: (d, t, p) => socket(d, t, p) as number,
    sendto: (fd, buf, len, flags, addr, addrLen) => Number(sendto(fd, buf, len, flags, addr, addrLen)),
    close: (fd) => close(fd) as number,
    errno: () => koffi.errno(),
    strerror: (e) => getLibc().strerror(e),
  };
  return socketCalls;
}

export function configuredCpus(): number {
  return getLibc().sysconf(SC_NPROCESSORS_CONF);
}

/** One clock reading in ns (exact, as a bigint). */
export function clockNs(clock: number, ts: Buffer = Buffer.alloc(16)): bigint {
  if (getLibc().clockGettime(clock, ts) !== 0) throw new Error(`clock_gettime(${clock}) failed`);
  return ts.readBigInt64LE(0) * 1_000_000_000n + ts.readBigInt64LE(8);
}

/**
 * REALTIME - BOOTTIME, in ns: what turns bpf_ktime_get_boot_ns() into an
 * epoch timestamp. Takes the tightest of several bracketed samples.
 */
export function bootToEpochNs(): bigint {
  const ts = Buffer.alloc(16);
  let best = -1n;
  let bestOffset = 0n;
  for (let i = 0; i < 16; i++) {
    const b0 = clockNs(CLOCK_BOOTTIME, ts);
    const r = clockNs(CLOCK_REALTIME, ts);
    const b1 = clockNs(CLOCK_BOOTTIME, ts);
    const width = b1 - b0;
    if (best < 0n || width < best) {
      best = width;
      bestOffset = r - (b0 + width / 2n);
    }
  }
  return bestOffset;
}
