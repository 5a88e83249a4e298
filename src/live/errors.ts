/**
 * Live-capture failures as one-line messages that say what to do.
 *
 * Every failure of the live path is a LiveError with a `kind`; `oneLine()`
 * renders it for the status bar / stderr, e.g.
 *   "live capture unavailable: needs root (or CAP_BPF+CAP_PERFMON): run with sudo"
 */
import fs from 'node:fs';
import os from 'node:os';

export type LiveErrorKind =
  | 'unsupported' // not Linux x86_64
  | 'not-root' // missing privileges
  | 'no-btf' // kernel without BTF
  | 'no-libbpf' // libbpf.so.1 not installed
  | 'no-probe' // probe object not built
  | 'open' // bpf_object__open failed
  | 'load' // verifier / kernel refused the object
  | 'attach' // attaching a program failed
  | 'map' // map access failed
  | 'ring'; // mapping / reading the ring buffer failed

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  7: 'E2BIG',
  12: 'ENOMEM',
  13: 'EACCES',
  16: 'EBUSY',
  22: 'EINVAL',
  95: 'EOPNOTSUPP',
  524: 'ENOTSUPP',
};

export class LiveError extends Error {
  readonly kind: LiveErrorKind;
  readonly errno: number;
  /** Last lines of the libbpf / verifier log, when relevant. */
  detail: string[] = [];

  constructor(kind: LiveErrorKind, message: string, errno = 0) {
    super(message);
    this.name = 'LiveError';
    this.kind = kind;
    this.errno = Math.abs(errno);
  }

  /** What the user should do about it. */
  get hint(): string {
    return hintFor(this);
  }

  /** "live capture unavailable: <what happened>: <what to do>" */
  oneLine(): string {
    const en = this.errno ? ` (${ERRNO_NAMES[this.errno] ?? `errno ${this.errno}`})` : '';
    const verifier = this.kind === 'load' ? lastVerifierLine(this.detail) : '';
    const what = `${this.message}${en}${verifier ? `: ${verifier}` : ''}`;
    return `live capture unavailable: ${what} — ${this.hint}`;
  }
}

function hintFor(e: LiveError): string {
  switch (e.kind) {
    case 'unsupported':
      return 'live capture needs Linux on x86_64; replay a .scap file instead (-r FILE)';
    case 'not-root':
      return 'run as root (sudo), or grant CAP_BPF and CAP_PERFMON';
    case 'no-btf':
      return 'the kernel needs CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux); use a distribution kernel >= 5.8 or replay a .scap file';
    case 'no-libbpf':
      return 'install libbpf: apt-get install libbpf1';
    case 'no-probe':
      return 'build the probe: npm run setup (needs clang, llvm, libbpf-dev, bpftool)';
    case 'open':
      if (e.errno === 2) return 'build the probe: npm run setup';
      return 'rebuild the probe: rm -rf probe/build && npm run setup';
    case 'load':
    case 'attach':
      if (e.errno === 1 || e.errno === 13)
        return 'run as root (sudo) with CAP_BPF+CAP_PERFMON; kernel lockdown (integrity/confidentiality) also forbids it';
      if (e.errno === 12) return 'not enough locked memory for the ring buffer: lower --ring-size';
      if (e.kind === 'attach') return 'this kernel lacks the needed tracepoints (needs >= 5.8 with BTF)';
      return 'this kernel refused the probe; rebuild it for this kernel (rm -rf probe/build && npm run setup) or report the verifier message';
    case 'map':
      return 'the probe and tsysdig are out of step: rebuild (npm run setup)';
    case 'ring':
      return 'cannot map the ring buffer: run as root, or lower --ring-size';
  }
}

function lastVerifierLine(lines: string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l || l.startsWith('--') || l.startsWith('libbpf: prog') || /^processed \d+ insns/.test(l)) continue;
    return l.replace(/^libbpf: /, '').slice(0, 160);
  }
  return '';
}

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** Effective capability set of this process (from /proc/self/status). */
export function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt('0x' + m[1]) : 0n;
  } catch {
    return 0n;
  }
}

export function hasBpfPrivileges(caps = effectiveCaps()): boolean {
  const has = (c: bigint) => ((caps >> c) & 1n) === 1n;
  return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
}

export const BTF_PATH = '/sys/kernel/btf/vmlinux';

/**
 * Checks everything that can be checked before touching the kernel.
 * Returns the first problem found, or null when live capture can be tried.
 */
export function preflight(probePath: string): LiveError | null {
  if (os.platform() !== 'linux' || os.arch() !== 'x64') {
    return new LiveError('unsupported', `this is ${os.platform()}/${os.arch()}`);
  }
  if (!hasBpfPrivileges()) {
    return new LiveError('not-root', 'needs root (or CAP_BPF+CAP_PERFMON)');
  }
  // $TSYSDIG_BTF: the kernel BTF file (as for probe/build.sh); libbpf itself reads the kernel's
  const btf = process.env.TSYSDIG_BTF || BTF_PATH;
  if (!fs.existsSync(btf)) {
    return new LiveError('no-btf', `kernel BTF not found (${btf})`);
  }
  if (!fs.existsSync(probePath)) {
    return new LiveError('no-probe', `probe object not found (${probePath})`);
  }
  return null;
}

/** Any error as a one-line live-capture message. */
export function describeLiveError(err: unknown): string {
  if (err instanceof LiveError) return err.oneLine();
  return `live capture unavailable: ${(err as Error)?.message ?? String(err)}`;
}
