/**
 * thread.*: the event's thread (sysdig's "process" class, per-thread half):
 * ids, page faults, memory of main threads, cgroups, and the CPU usage
 * derived from procinfo events.
 *
 * thread.cpu* and thread.totexectime keep per-thread state for each use of
 * the field, exactly as sysdig keeps it in per-check thread storage: the
 * last cumulative CPU time seen is remembered per thread, and the value is
 * the increase since, in ticks of 1/100 s (i.e. percent of one CPU over the
 * procinfo interval of one second), capped at 100.
 */
import { EV } from '../event/event-ids.js';
import { ParamType, PrintFormat } from '../event/types.js';
import type { CapSets } from '../capture/records.js';
import type { ThreadInfo } from '../state/thread-info.js';
import { argField, type FieldDef, type Getter, simpleField } from './define.js';
import { Memo } from './memo.js';
import { isMainThread, threadOf } from './thread-lookup.js';
import { tsDelta } from './time-text.js';
import type { EventContext } from './types.js';

const C = 'thread';

function onThread(get: (t: ThreadInfo, ctx: EventContext) => ReturnType<Getter>): Getter {
  return (ctx) => {
    const t = threadOf(ctx);
    return t === null ? undefined : get(t, ctx);
  };
}

function def(name: string, type: ParamType, fmt: PrintFormat, desc: string, make: () => Getter, tableOnly = false): FieldDef {
  return simpleField({ name, type, fmt, desc, category: C, make, ...(tableOnly ? { tableOnly } : {}) });
}

/** thread.cpu / .user / .system: CPU ticks consumed since the thread's previous procinfo event. */
function cpuGetter(user: boolean, system: boolean): () => Getter {
  return () => {
    const last = new WeakMap<ThreadInfo, number>();
    return (ctx) => {
      const ev = ctx.ev;
      const t = threadOf(ctx);
      if (t === null || ev.type !== EV.PROCINFO_E || ev.nparams < 2) return undefined;
      const total = (user ? ev.u64(0) : 0) + (system ? ev.u64(1) : 0);
      const prev = last.get(t) ?? 0;
      last.set(t, total);
      if (prev === 0) return 0;
      const d = total - prev;
      // An unsigned difference: a counter going backwards wraps to a huge value, capped like any other.
      return d < 0 || d > 100 ? 100 : d;
    };
  };
}

/** thread.exectime: time since the previous context switch on the same CPU (switch events only). */
class SwitchClock {
  private readonly hi: number[] = [];
  private readonly lo: number[] = [];

  exectime(ev: EventContext['ev']): number {
    if (ev.type !== EV.SCHEDSWITCH_1_E && ev.type !== EV.SCHEDSWITCH_6_E) return 0;
    const cpu = ev.cpu;
    const hi = this.hi[cpu] ?? 0;
    const lo = this.lo[cpu] ?? 0;
    this.hi[cpu] = ev.tsHi;
    this.lo[cpu] = ev.tsLo;
    return hi === 0 && lo === 0 ? 0 : tsDelta(ev, hi, lo);
  }
}

/**
 * A "subsys=path" cgroup entry as sysdig keeps it: split at the last '=',
 * with the kernel's newer controller names mapped to the classic ones
 * (io -> blkio, perf -> perf_event, mem -> memory, "_cgroup" suffixes dropped).
 */
export function splitCgroup(entry: string): [string, string] {
  const eq = entry.lastIndexOf('=');
  if (eq < 0) return [entry, ''];
  let sub = entry.slice(0, eq).replace('_cgroup', '');
  if (sub === 'perf') sub = 'perf_event';
  else if (sub === 'mem') sub = 'memory';
  else if (sub === 'io') sub = 'blkio';
  return [sub, entry.slice(eq + 1)];
}

/** Capability names by bit, as libsinsp's caps_to_string lists them (CAP_CHOWN is bit 0). */
const CAP_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** A capability mask as libsinsp prints it: the names of the set bits, space separated ('' for none). */
export function capsText(mask: number): string {
  const names: string[] = [];
  for (let i = 0; i < CAP_NAMES.length; i++) if (Math.floor(mask / 2 ** i) % 2 === 1) names.push(CAP_NAMES[i]!);
  return names.join(' ');
}

/**
 * thread.cap_*: libsinsp prints the set's names; a thread whose sets the
 * capture never carried has none (libsinsp's zeroed sets), so the value is
 * '' rather than <NA>. The text is cached per mask.
 */
function capField(name: string, desc: string, pick: (c: CapSets) => number): FieldDef {
  return def(name, ParamType.CHARBUF, PrintFormat.NA, desc, () => {
    const m = new Memo<number>(capsText);
    return onThread((t) => m.get(t.caps === null ? 0 : pick(t.caps), undefined));
  });
}

export const THREAD_FIELDS: readonly FieldDef[] = [
  def('thread.pfmajor', ParamType.UINT64, PrintFormat.DEC, 'number of major page faults since thread start.', () => onThread((t) => t.pfmajor)),
  def('thread.pfminor', ParamType.UINT64, PrintFormat.DEC, 'number of minor page faults since thread start.', () => onThread((t) => t.pfminor)),
  def('thread.tid', ParamType.INT64, PrintFormat.ID, 'the id of the thread generating the event.', () => ({ ev }) => ev.tid),
  def(
    'thread.ismain',
    ParamType.BOOL,
    PrintFormat.NA,
    "'true' if the thread generating the event is the main one in the process.",
    () => onThread((t) => isMainThread(t)),
  ),
  def(
    'thread.exectime',
    ParamType.RELTIME,
    PrintFormat.DEC,
    'CPU time spent by the last scheduled thread, in nanoseconds. Exported by switch events only.',
    () => {
      const clock = new SwitchClock();
      return ({ ev }) => clock.exectime(ev);
    },
  ),
  def(
    'thread.totexectime',
    ParamType.RELTIME,
    PrintFormat.DEC,
    'Total CPU time, in nanoseconds since the beginning of the capture, for the current thread. Exported by switch events only.',
    () => {
      const clock = new SwitchClock();
      const totals = new WeakMap<ThreadInfo, number>();
      return (ctx) => {
        const d = clock.exectime(ctx.ev);
        const t = threadOf(ctx);
        if (t === null) return undefined;
        const tot = (totals.get(t) ?? 0) + d;
        totals.set(t, tot);
        return tot;
      };
    },
  ),
  def('thread.cgroups', ParamType.CHARBUF, PrintFormat.NA, 'all the cgroups the thread belongs to, aggregated into a single string.', () => {
    const m = new Memo<readonly string[]>((cg) => cg.map((e) => { const [sub, path] = splitCgroup(e); return `${sub}=${path}`; }).join(' '));
    return onThread((t) => (t.cgroups.length === 0 ? undefined : m.get(t.cgroups, undefined)));
  }),
  argField({
    name: 'thread.cgroup',
    type: ParamType.CHARBUF,
    desc: 'the cgroup the thread belongs to, for a specific subsystem. E.g. thread.cgroup.cpuacct.',
    category: C,
    arg: 'required',
    argSyntax: 'dot',
    bind(arg, _o, syntax) {
      if (syntax !== 'dot' || !/^[A-Za-z_]+$/.test(arg!)) throw new Error(`thread.cgroup needs a subsystem name, as in thread.cgroup.cpuacct`);
      const want = arg!;
      return {
        get: onThread((t) => {
          for (const cg of t.cgroups) {
            const [sub, path] = splitCgroup(cg);
            if (sub === want) return path;
          }
          return undefined;
        }),
      };
    },
  }),
  def(
    'thread.vtid',
    ParamType.INT64,
    PrintFormat.ID,
    'the id of the thread generating the event as seen from its current PID namespace.',
    () => onThread((t) => (t.vtid === -1 ? undefined : t.vtid)),
  ),
  def('thread.cpu', ParamType.DOUBLE, PrintFormat.NA, 'the CPU consumed by the thread in the last second.', cpuGetter(true, true)),
  def('thread.cpu.user', ParamType.DOUBLE, PrintFormat.NA, 'the user CPU consumed by the thread in the last second.', cpuGetter(true, false)),
  def('thread.cpu.system', ParamType.DOUBLE, PrintFormat.NA, 'the system CPU consumed by the thread in the last second.', cpuGetter(false, true)),
  def(
    'thread.vmsize',
    ParamType.UINT64,
    PrintFormat.DEC,
    'For the process main thread, this is the total virtual memory for the process (as kb). For the other threads, this field is zero.',
    () => onThread((t) => (isMainThread(t) ? t.vmsizeKb : 0)),
  ),
  def(
    'thread.vmrss',
    ParamType.UINT64,
    PrintFormat.DEC,
    'For the process main thread, this is the resident non-swapped memory for the process (as kb). For the other threads, this field is zero.',
    () => onThread((t) => (isMainThread(t) ? t.vmrssKb : 0)),
  ),
  def(
    'thread.vmsize.b',
    ParamType.UINT64,
    PrintFormat.DEC,
    'For the process main thread, this is the total virtual memory for the process (in bytes). For the other threads, this field is zero.',
    () => onThread((t) => (isMainThread(t) ? t.vmsizeKb * 1024 : 0)),
    true,
  ),
  def(
    'thread.vmrss.b',
    ParamType.UINT64,
    PrintFormat.DEC,
    'For the process main thread, this is the resident non-swapped memory for the process (in bytes). For the other threads, this field is zero.',
    () => onThread((t) => (isMainThread(t) ? t.vmrssKb * 1024 : 0)),
    true,
  ),
  def(
    'thread.nametid',
    ParamType.CHARBUF,
    PrintFormat.NA,
    'this field chains the process name and tid of a thread and can be used as a specific identifier of a thread for a specific execve.',
    () => {
      const m = new Memo<string, number>((comm, tid) => comm + String(tid));
      return onThread((t, { ev }) => m.get(t.comm, ev.tid));
    },
    true,
  ),
  capField('thread.cap_permitted', 'The permitted capabilities set', (c) => c.permitted),
  capField('thread.cap_inheritable', 'The inheritable capabilities set', (c) => c.inheritable),
  capField('thread.cap_effective', 'The effective capabilities set', (c) => c.effective),
];
