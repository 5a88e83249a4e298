/**
 * koffi bindings to libbpf.so.1 (libbpf >= 1.0 semantics: int-returning calls
 * return -errno, pointer-returning calls return NULL and set errno).
 *
 * Only what live capture needs: open/load/close an object, find maps and
 * programs, resize a map before load, attach/detach programs, and map
 * element access through the fd-based wrappers. libbpf's own log output
 * is captured (never printed) so errors can quote the verifier's last words.
 */
import koffi from 'koffi';
import { getLibc } from './libc.js';
import { LiveError } from './errors.js';

type Ptr = bigint;

export const LIBBPF_WARN = 0;
export const LIBBPF_INFO = 1;
export const LIBBPF_DEBUG = 2;

export type LibbpfLogFn = (level: number, message: string) => void;

interface Api {
  open_file(path: string, opts: null): Ptr | null;
  obj_load(obj: Ptr): number;
  obj_close(obj: Ptr): void;
  find_map(obj: Ptr, name: string): Ptr | null;
  find_prog(obj: Ptr, name: string): Ptr | null;
  next_prog(obj: Ptr, prev: Ptr | null): Ptr | null;
  prog_name(prog: Ptr): string;
  prog_fd(prog: Ptr): number;
  prog_set_autoload(prog: Ptr, autoload: boolean): number;
  prog_set_log_level(prog: Ptr, level: number): number;
  prog_attach(prog: Ptr): Ptr | null;
  link_destroy(link: Ptr): number;
  map_set_max_entries(map: Ptr, n: number): number;
  map_max_entries(map: Ptr): number;
  map_fd(map: Ptr): number;
  map_value_size(map: Ptr): number;
  map_update(fd: number, key: Buffer, value: Buffer, flags: number): number;
  map_lookup(fd: number, key: Buffer, value: Buffer): number;
  num_possible_cpus(): number;
  set_print(fn: Ptr | null): Ptr | null;
  get_error(ptr: Ptr | null): number;
}

let api: Api | null = null;
let logCb: Ptr | null = null;
const LOG_KEEP = 400;
const logTail: string[] = [];
let logSink: LibbpfLogFn | null = null;
let logPartial = '';

// libbpf prints the whole verifier log in one call and the va_list can be
// formatted only once: format into one large buffer (allocated on first
// use, pages are only touched as far as the text goes).
let printBuf: Buffer | null = null;

function onLibbpfPrint(level: number, fmt: Ptr, ap: Ptr): number {
  if (!printBuf) printBuf = Buffer.allocUnsafe((16 << 20) + 4096);
  const buf = printBuf;
  const n = getLibc().vsnprintf(buf, buf.length, fmt, ap);
  const text = logPartial + buf.toString('utf8', 0, Math.max(0, Math.min(n, buf.length - 1)));
  const lines = text.split('\n');
  logPartial = lines.pop() ?? '';
  // keep only the tail of very long logs (the verifier's conclusion is at the end)
  for (const line of lines.length > LOG_KEEP ? lines.slice(-LOG_KEEP) : lines) {
    logTail.push(line);
    if (logTail.length > LOG_KEEP) logTail.shift();
    if (logSink && level <= LIBBPF_INFO) logSink(level, line);
  }
  return 0;
}

/** Loads libbpf.so.1 ($TSYSDIG_LIBBPF overrides; once per thread). Throws LiveError('no-libbpf') when it is missing. */
export function libbpf(): Api {
  if (api) return api;
  let lib: ReturnType<typeof koffi.load>;
  // $TSYSDIG_LIBBPF names another copy (a path, or a soname for the loader)
  const name = process.env.TSYSDIG_LIBBPF || 'libbpf.so.1';
  try {
    lib = koffi.load(name);
  } catch (err) {
    throw new LiveError('no-libbpf', `cannot load ${name} (${(err as Error).message.split('\n')[0]})`);
  }
  koffi.opaque('bpf_object');
  koffi.opaque('bpf_map');
  koffi.opaque('bpf_program');
  koffi.opaque('bpf_link');
  const printFn = koffi.proto('int libbpf_print_fn(int level, void *fmt, void *ap)');
  const f = {
    open_file: lib.func('bpf_object *bpf_object__open_file(const char *path, void *opts)'),
    obj_load: lib.func('int bpf_object__load(bpf_object *obj)'),
    obj_close: lib.func('void bpf_object__close(bpf_object *obj)'),
    find_map: lib.func('bpf_map *bpf_object__find_map_by_name(bpf_object *obj, const char *name)'),
    find_prog: lib.func('bpf_program *bpf_object__find_program_by_name(bpf_object *obj, const char *name)'),
    next_prog: lib.func('bpf_program *bpf_object__next_program(bpf_object *obj, bpf_program *prev)'),
    prog_name: lib.func('const char *bpf_program__name(bpf_program *prog)'),
    prog_fd: lib.func('int bpf_program__fd(bpf_program *prog)'),
    prog_set_autoload: lib.func('int bpf_program__set_autoload(bpf_program *prog, bool autoload)'),
    prog_set_log_level: lib.func('int bpf_program__set_log_level(bpf_program *prog, uint32_t level)'),
    prog_attach: lib.func('bpf_link *bpf_program__attach(bpf_program *prog)'),
    link_destroy: lib.func('int bpf_link__destroy(bpf_link *link)'),
    map_set_max_entries: lib.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t max_entries)'),
    map_max_entries: lib.func('uint32_t bpf_map__max_entries(bpf_map *map)'),
    map_fd: lib.func('int bpf_map__fd(bpf_map *map)'),
    map_value_size: lib.func('uint32_t bpf_map__value_size(bpf_map *map)'),
    map_update: lib.func('int bpf_map_update_elem(int fd, void *key, void *value, uint64_t flags)'),
    map_lookup: lib.func('int bpf_map_lookup_elem(int fd, void *key, void *value)'),
    num_possible_cpus: lib.func('int libbpf_num_possible_cpus(void)'),
    set_print: lib.func('libbpf_print_fn *libbpf_set_print(libbpf_print_fn *fn)'),
    get_error: lib.func('long libbpf_get_error(void *ptr)'),
  };
  api = {
    open_file: (p, o) => f.open_file(p, o),
    obj_load: (o) => f.obj_load(o),
    obj_close: (o) => f.obj_close(o),
    find_map: (o, n) => f.find_map(o, n),
    find_prog: (o, n) => f.find_prog(o, n),
    next_prog: (o, p) => f.next_prog(o, p),
    prog_name: (p) => f.prog_name(p),
    prog_fd: (p) => f.prog_fd(p),
    prog_set_autoload: (p, a) => f.prog_set_autoload(p, a),
    prog_set_log_level: (p, l) => f.prog_set_log_level(p, l),
    prog_attach: (p) => f.prog_attach(p),
    link_destroy: (l) => f.link_destroy(l),
    map_set_max_entries: (m, n) => f.map_set_max_entries(m, n),
    map_max_entries: (m) => f.map_max_entries(m),
    map_fd: (m) => f.map_fd(m),
    map_value_size: (m) => f.map_value_size(m),
    map_update: (fd, k, v, fl) => f.map_update(fd, k, v, fl),
    map_lookup: (fd, k, v) => f.map_lookup(fd, k, v),
    num_possible_cpus: () => f.num_possible_cpus(),
    set_print: (fn) => f.set_print(fn),
    get_error: (p) => Number(f.get_error(p)),
  };
  // Capture libbpf's messages instead of letting it print to stderr.
  logCb = koffi.register(onLibbpfPrint, koffi.pointer(printFn));
  api.set_print(logCb);
  return api;
}

/** Forwards libbpf warnings/info lines to fn (null: keep them silent). */
export function setLibbpfLogger(fn: LibbpfLogFn | null): void {
  logSink = fn;
}

/** The last lines libbpf logged (verifier output included), oldest first. */
export function libbpfLogTail(max = 40): string[] {
  return logTail.slice(-max);
}
export function clearLibbpfLog(): void {
  logTail.length = 0;
  logPartial = '';
}

/**
 * The error of the pointer-returning call that just failed (returned NULL):
 * libbpf >= 1.0 leaves it in errno; libbpf_get_error(NULL) reads the same.
 */
function errnoNow(): number {
  const e = koffi.errno();
  return e !== 0 ? e : -libbpf().get_error(null);
}

export class BpfLink {
  constructor(
    private ptr: Ptr | null,
    readonly program: string,
  ) {}
  destroy(): void {
    if (this.ptr !== null) {
      libbpf().link_destroy(this.ptr);
      this.ptr = null;
    }
  }
}

export class BpfProgram {
  constructor(
    readonly ptr: Ptr,
    readonly name: string,
  ) {}
  setAutoload(on: boolean): void {
    libbpf().prog_set_autoload(this.ptr, on);
  }
  /** Verifier log level for the next load (1: log, 2: verbose, 4: statistics). */
  setLogLevel(level: number): void {
    libbpf().prog_set_log_level(this.ptr, level);
  }
  attach(): BpfLink {
    const link = libbpf().prog_attach(this.ptr);
    if (link === null) {
      const errno = errnoNow();
      throw new LiveError('attach', `cannot attach program ${this.name}`, errno);
    }
    return new BpfLink(link, this.name);
  }
  fd(): number {
    return libbpf().prog_fd(this.ptr);
  }
}

export class BpfMap {
  constructor(
    readonly ptr: Ptr,
    readonly name: string,
  ) {}
  setMaxEntries(n: number): void {
    const r = libbpf().map_set_max_entries(this.ptr, n);
    if (r < 0) throw new LiveError('load', `cannot resize map ${this.name} to ${n}`, -r);
  }
  maxEntries(): number {
    return libbpf().map_max_entries(this.ptr);
  }
  valueSize(): number {
    return libbpf().map_value_size(this.ptr);
  }
  fd(): number {
    return libbpf().map_fd(this.ptr);
  }
  update(key: Buffer, value: Buffer, flags = 0): void {
    const r = libbpf().map_update(this.fd(), key, value, flags);
    if (r < 0) throw new LiveError('map', `cannot update map ${this.name}`, -r);
  }
  lookup(key: Buffer, value: Buffer): boolean {
    return libbpf().map_lookup(this.fd(), key, value) === 0;
  }
}

export class BpfObject {
  private constructor(private ptr: Ptr | null) {}

  static open(path: string): BpfObject {
    const lib = libbpf();
    const obj = lib.open_file(path, null);
    if (obj === null) throw new LiveError('open', `cannot open BPF object ${path}`, errnoNow());
    return new BpfObject(obj);
  }

  private get handle(): Ptr {
    if (this.ptr === null) throw new Error('BPF object is closed');
    return this.ptr;
  }

  map(name: string): BpfMap {
    const m = libbpf().find_map(this.handle, name);
    if (m === null) throw new LiveError('open', `map ${name} not found in the probe object (stale probe? run npm run setup)`);
    return new BpfMap(m, name);
  }

  program(name: string): BpfProgram {
    const p = libbpf().find_prog(this.handle, name);
    if (p === null) throw new LiveError('open', `program ${name} not found in the probe object (stale probe? run npm run setup)`);
    return new BpfProgram(p, name);
  }

  programs(): BpfProgram[] {
    const lib = libbpf();
    const out: BpfProgram[] = [];
    for (let p = lib.next_prog(this.handle, null); p !== null; p = lib.next_prog(this.handle, p)) {
      out.push(new BpfProgram(p, lib.prog_name(p)));
    }
    return out;
  }

  load(): void {
    const r = libbpf().obj_load(this.handle);
    if (r < 0) throw new LiveError('load', 'the kernel rejected the probe', -r);
  }

  close(): void {
    if (this.ptr !== null) {
      libbpf().obj_close(this.ptr);
      this.ptr = null;
    }
  }
}

export function numPossibleCpus(): number {
  const n = libbpf().num_possible_cpus();
  if (n <= 0) throw new LiveError('load', 'cannot count possible CPUs', -n);
  return n;
}
