/**
 * Test harness for live capture: decides whether live tests can run here,
 * captures events of this process's descendants while workloads run, and
 * offers small queries over the captured events.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { ScapEvent } from '../../src/event/scap-event.js';
import { EXECVE_LIBS_PARAMS, hasExecveLibsParams } from '../../src/event/execve-libs-params.js';
import { EVENT_TABLE } from '../../src/event/event-table.js';
import { ParamType as T } from '../../src/event/types.js';
import { LiveSource, defaultProbePath, type LiveOptions } from '../../src/live/live-source.js';
import { preflight, LiveError } from '../../src/live/errors.js';
import { libbpf } from '../../src/live/libbpf.js';

/** Why live tests cannot run here, or null when they can. */
export function liveSkipReason(): string | null {
  const pre = preflight(defaultProbePath());
  if (pre) {
    // The probe not being built is only a reason to skip when the toolchain is missing.
    if (pre.kind === 'no-probe' && fs.existsSync('/usr/bin/clang')) return null;
    return pre.oneLine();
  }
  try {
    libbpf();
  } catch (err) {
    return err instanceof LiveError ? err.oneLine() : String(err);
  }
  return null;
}

/** A captured event: its bytes (header included) and the CPU it came from. */
export interface Captured {
  raw: Buffer;
  cpu: number;
  num: number;
}

const PROC_EVENTS = new Set(['clone', 'clone3', 'fork', 'vfork']);

/**
 * Captures the events of every process descending from this one (the
 * capturing process itself is excluded by the probe) until stopped.
 */
export class Capture {
  readonly src: LiveSource;
  readonly events: Captured[] = [];
  /** tids of our descendants (and their threads) */
  readonly tids = new Set<number>();
  private running: Promise<void> | null = null;
  private readonly ev = new ScapEvent();

  constructor(opts: LiveOptions = {}) {
    this.src = LiveSource.open(opts);
  }

  start(): void {
    this.src.start();
    const self = process.pid;
    this.running = this.src.run(
      {
        onEvent: (ev) => {
          let ours = this.tids.has(ev.tid);
          if (!ours && !ev.isEnter && PROC_EVENTS.has(ev.info.name) && ev.i64(0) === 0) {
            // child side of a fork: adopt it when its parent is us or one of ours
            const ptid = ev.i64(5);
            const pid = ev.i64(4);
            if (ptid === self || this.tids.has(ptid) || this.tids.has(pid)) {
              this.tids.add(ev.tid);
              ours = true;
            }
          }
          if (!ours) return;
          if (!ev.isEnter && PROC_EVENTS.has(ev.info.name) && ev.i64(0) > 0) this.tids.add(ev.i64(0));
          this.events.push({ raw: Buffer.from(ev.raw()), cpu: ev.cpu, num: ev.num });
        },
      },
      { idleMs: 20 },
    );
  }

  async stop(): Promise<void> {
    this.src.stop();
    await this.running;
    this.src.close();
  }

  /** Decoded view of every captured event matching pred (a fresh ScapEvent each). */
  find(pred: (ev: ScapEvent) => boolean): ScapEvent[] {
    const out: ScapEvent[] = [];
    for (const c of this.events) {
      const ev = new ScapEvent();
      const bad = ev.decode(c.raw, 0, c.raw.length, 2, true);
      if (bad) throw new Error(`captured event does not decode: ${bad}`);
      ev.cpu = c.cpu;
      ev.num = c.num;
      if (pred(ev)) out.push(ev);
    }
    return out;
  }

  /** Events of process pid (all its threads). */
  ofPid(pid: number, name?: string): ScapEvent[] {
    const tids = this.threadsOf(pid);
    return this.find((ev) => tids.has(ev.tid) && (name === undefined || ev.info.name === name));
  }

  /** tids belonging to process pid (the main thread plus threads it cloned). */
  threadsOf(pid: number): Set<number> {
    const tids = new Set<number>([pid]);
    for (const c of this.events) {
      const ev = this.ev;
      ev.decode(c.raw, 0, c.raw.length, 2, true);
      if (!ev.isEnter && PROC_EVENTS.has(ev.info.name) && ev.i64(0) === 0 && ev.i64(4) === pid) tids.add(ev.tid);
    }
    return tids;
  }

  /** Waits until pred holds over the captured events (or throws after timeoutMs). */
  async waitFor(what: string, pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for the procexit event of pid. */
  async waitExit(pid: number, timeoutMs = 10_000): Promise<ScapEvent> {
    let found: ScapEvent | undefined;
    await this.waitFor(`procexit of ${pid}`, () => {
      found = this.find((ev) => ev.tid === pid && ev.info.name === 'procexit')[0];
      return !!found;
    }, timeoutMs);
    return found!;
  }
}

export interface RunResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Spawns a workload and resolves when it exits. */
export function run(cmd: string, args: string[], opts: SpawnOptions & { killAfterMs?: number; killSignal?: NodeJS.Signals } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const { killAfterMs, killSignal, ...spawnOpts } = opts;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...spawnOpts });
    let stdout = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.on('error', (err) => {
      // spawn errors (ENOENT) still ran a child that failed its execve
      if (child.pid !== undefined) resolve({ pid: child.pid, code: null, signal: null, stdout });
      else reject(err);
    });
    if (killAfterMs !== undefined) setTimeout(() => child.kill(killSignal ?? 'SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => resolve({ pid: child.pid!, code, signal, stdout }));
  });
}

/** Node binary, for workloads written in JS. */
export const NODE = process.execPath;

/** Little-endian IPv4 bytes of a dotted quad as they appear in tuples (network order). */
export function ipv4(addr: string): Buffer {
  return Buffer.from(addr.split('.').map(Number));
}

/** Parses a PT_SOCKTUPLE (IPv4) parameter. */
export function tuple4(b: Buffer): { family: number; sip: string; sport: number; dip: string; dport: number } | null {
  if (b.length !== 13 || b[0] !== 2) return null;
  return {
    family: b[0]!,
    sip: [...b.subarray(1, 5)].join('.'),
    sport: b.readUInt16LE(5),
    dip: [...b.subarray(7, 11)].join('.'),
    dport: b.readUInt16LE(11),
  };
}

const FIXED: Partial<Record<number, number>> = {
  [T.INT8]: 1, [T.UINT8]: 1, [T.FLAGS8]: 1, [T.SIGTYPE]: 1, [T.ENUMFLAGS8]: 1,
  [T.INT16]: 2, [T.UINT16]: 2, [T.FLAGS16]: 2, [T.SYSCALLID]: 2, [T.ENUMFLAGS16]: 2,
  [T.INT32]: 4, [T.UINT32]: 4, [T.FLAGS32]: 4, [T.UID]: 4, [T.GID]: 4, [T.MODE]: 4, [T.ENUMFLAGS32]: 4,
  [T.INT64]: 8, [T.UINT64]: 8, [T.ERRNO]: 8, [T.FD]: 8, [T.PID]: 8, [T.RELTIME]: 8, [T.ABSTIME]: 8,
};

/** Every parameter has the size and shape its table type demands. */
export function checkShape(ev: ScapEvent): string | null {
  const info = EVENT_TABLE[ev.type];
  if (!info) return `unknown type ${ev.type}`;
  if (ev.type >= 336) return `type ${ev.type} is beyond the 0.29 table`;
  // execve carries the libs layout's capability and exe-inode parameters after the 0.29 table's.
  const params = hasExecveLibsParams(ev.type) ? [...info.params, ...EXECVE_LIBS_PARAMS] : info.params;
  if (ev.nparams !== params.length) return `${info.name}(${ev.type}): ${ev.nparams} params, table has ${params.length}`;
  for (let i = 0; i < ev.nparams; i++) {
    const p = params[i]!;
    const len = ev.paramLen[i]!;
    const fixed = FIXED[p.type];
    if (fixed !== undefined && len !== fixed) return `${info.name}(${ev.type}).${p.name}: length ${len}, want ${fixed}`;
    if ((p.type === T.CHARBUF || p.type === T.FSPATH || p.type === T.FSRELPATH) && len > 0 && ev.buf[ev.paramOff[i]! + len - 1] !== 0)
      return `${info.name}(${ev.type}).${p.name}: string not NUL-terminated`;
    if (p.type === T.SOCKTUPLE && len > 0) {
      const fam = ev.u8(i);
      if (!((fam === 2 && len === 13) || (fam === 10 && len === 37) || (fam === 1 && len >= 18)))
        return `${info.name}(${ev.type}).${p.name}: bad tuple (family ${fam}, length ${len})`;
    }
    if (p.type === T.SOCKADDR && len > 0) {
      const fam = ev.u8(i);
      if (!((fam === 2 && len === 7) || (fam === 10 && len === 19) || (fam === 1 && len >= 2)))
        return `${info.name}(${ev.type}).${p.name}: bad sockaddr (family ${fam}, length ${len})`;
    }
  }
  return null;
}

