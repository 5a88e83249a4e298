/**
 * proc.*: the process of the event's thread (sysdig's "process" class,
 * process-wide half): identity, command line, parentage, fd usage, memory.
 *
 * Values are read from the thread the state engine attached to the event;
 * process-wide facts (threads, fds, fd limit, cwd) come from the process's
 * main thread, as in sysdig.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import type { ThreadInfo } from '../state/thread-info.js';
import type { CompareOp } from '../filter/field-api.js';
import { AnyOfNumber, AnyOfString } from './any-of.js';
import { argField, type FieldDef, type Getter, simpleField } from './define.js';
import { joinSpace, Memo } from './memo.js';
import { argsText, cmdlineText, exelineText } from './thread-text.js';
import { forEachAncestor, groupLeader, mainThreadOf, parentOf, threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

const C = 'proc';

type ThreadGetter = (t: ThreadInfo, ctx: EventContext) => ReturnType<Getter>;

/** A getter that applies only when the event has a thread. */
function onThread(get: ThreadGetter): Getter {
  return (ctx) => {
    const t = threadOf(ctx);
    return t === null ? undefined : get(t, ctx);
  };
}

function def(name: string, type: ParamType, fmt: PrintFormat, desc: string, make: () => ThreadGetter): FieldDef {
  return simpleField({ name, type, fmt, desc, category: C, make: () => onThread(make()) });
}
function str(name: string, desc: string, make: () => ThreadGetter): FieldDef {
  return def(name, ParamType.CHARBUF, PrintFormat.NA, desc, make);
}

/** The environment, space separated; the empty entries padding a truncated environment block are not part of it. */
function envText(env: readonly string[]): string {
  let n = env.length;
  while (n > 0 && env[n - 1] === '') n--;
  return joinSpace(n === env.length ? env : env.slice(0, n));
}


/** The ancestor `depth` levels above the process (0: the process's main thread itself). */
function ancestor(ctx: EventContext, t: ThreadInfo, depth: number): ThreadInfo | null {
  let m = mainThreadOf(ctx.engine, t);
  for (let j = 0; j < depth && m !== null; j++) m = parentOf(ctx.engine, m);
  return m;
}

/** What an ancestor field reads from each ancestor. */
const ANCESTOR_VALUE = {
  'proc.apid': (a: ThreadInfo): number | string => a.pid,
  'proc.aname': (a: ThreadInfo): number | string => a.comm,
  'proc.aexe': (a: ThreadInfo): number | string => a.exe,
  'proc.aexepath': (a: ThreadInfo): number | string => a.exepath,
} as const;

function ancestorField(name: keyof typeof ANCESTOR_VALUE, desc: string): FieldDef {
  const pid = name === 'proc.apid';
  const value = ANCESTOR_VALUE[name];
  return argField({
    name,
    type: pid ? ParamType.INT64 : ParamType.CHARBUF,
    fmt: pid ? PrintFormat.ID : PrintFormat.NA,
    desc,
    category: C,
    arg: 'optional',
    argSyntax: 'bracket',
    bind(arg, _o, syntax) {
      if (arg === undefined) {
        // Filter use without an index: true when any ancestor matches (see any-of.ts).
        const m = pid ? new AnyOfNumber(false) : new AnyOfString();
        return {
          normalizeLiteral: (text: string, op: CompareOp) => {
            m.record(text, op);
            return text;
          },
          anyOf: true,
          get: onThread((t, ctx) => {
            const main = mainThreadOf(ctx.engine, t);
            if (main === null) return undefined;
            let found: number | string | undefined;
            forEachAncestor(ctx.engine, main, (a) => {
              const v = value(a);
              if (pid ? (m as AnyOfNumber).matches(v as number) : (m as AnyOfString).matches(v as string)) {
                found = v;
                return false;
              }
              return true;
            });
            return found;
          }),
        };
      }
      if (syntax !== 'bracket' || !/^[0-9]+$/.test(arg.trim())) throw new Error(`${name} needs a numeric index, as in ${name}[1]`);
      const depth = Number(arg);
      return {
        get: onThread((t, ctx) => {
          const a = ancestor(ctx, t, depth);
          return a === null ? undefined : value(a);
        }),
      };
    },
  });
}

/** The parent process (sysdig's get_parent_thread) of the event's thread. */
function parentProcess(ctx: EventContext, t: ThreadInfo): ThreadInfo | null {
  return parentOf(ctx.engine, t);
}

function durationSince(t: ThreadInfo, ev: EventContext['ev']): number | undefined {
  if (t.cloneTs === 0) return undefined;
  if (t.cloneTsHi !== 0 || t.cloneTsLo !== 0) return (ev.tsHi - t.cloneTsHi) * 4294967296 + (ev.tsLo - t.cloneTsLo);
  return ev.ts - t.cloneTs;
}

/** A bigint ABSTIME as the number fields return when exact. */
function abstime(v: bigint): number | bigint {
  return v <= MAX_SAFE ? Number(v) : v;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const PROC_FIELDS: readonly FieldDef[] = [
  def('proc.pid', ParamType.INT64, PrintFormat.ID, 'the id of the process generating the event.', () => (t) => t.pid),
  str('proc.exe', 'the first command line argument (usually the executable name or a custom one).', () => (t) => t.exe),
  str('proc.name', 'the name (excluding the path) of the executable generating the event.', () => (t) => t.comm),
  str('proc.args', 'the arguments passed on the command line when starting the process generating the event.', () => (t) => argsText(t)),
  str('proc.env', 'the environment variables of the process generating the event.', () => {
    const m = new Memo<readonly string[]>(envText);
    // The environment is the process's: threads read their main thread's.
    return (t, ctx) => {
      const main = mainThreadOf(ctx.engine, t) ?? t;
      return m.get(main.env, undefined);
    };
  }),
  str('proc.cmdline', 'full process command line, i.e. proc.name + proc.args.', () => (t) => cmdlineText(t)),
  str('proc.exeline', 'full process command line, with exe as first argument, i.e. proc.exe + proc.args.', () => (t) => exelineText(t)),
  str('proc.cwd', 'the current working directory of the event.', () => (t, ctx) => mainThreadOf(ctx.engine, t)?.cwd),
  def(
    'proc.nthreads',
    ParamType.UINT32,
    PrintFormat.DEC,
    'the number of threads that the process generating the event currently has, including the main process thread.',
    () => (t, ctx) => {
      const m = mainThreadOf(ctx.engine, t);
      return m === null ? undefined : m.nchilds + 1;
    },
  ),
  def(
    'proc.nchilds',
    ParamType.UINT32,
    PrintFormat.DEC,
    'the number of child threads that the process generating the event currently has. This excludes the main process thread.',
    () => (t) => t.nchilds,
  ),
  def('proc.ppid', ParamType.INT64, PrintFormat.ID, 'the pid of the parent of the process generating the event.', () => (t, ctx) => {
    const m = mainThreadOf(ctx.engine, t);
    return m === null ? undefined : m.ptid;
  }),
  str('proc.pexe', 'The proc.exe (first command line argument argv[0]) of the parent process.', () => (t, ctx) => parentProcess(ctx, t)?.exe),
  str('proc.pexepath', 'The proc.exepath (full executable path) of the parent process.', () => (t, ctx) => parentProcess(ctx, t)?.exepath),
  str('proc.pname', 'the name (excluding the path) of the parent of the process generating the event.', () => (t, ctx) => parentOf(ctx.engine, t)?.comm),
  str('proc.pcmdline', 'the full command line (proc.name + proc.args) of the parent of the process generating the event.', () => {
    return (t, ctx) => {
      const p = parentOf(ctx.engine, t);
      return p === null ? undefined : cmdlineText(p);
    };
  }),
  ancestorField(
    'proc.apid',
    'the pid of one of the process ancestors. E.g. proc.apid[1] returns the parent pid, proc.apid[2] returns the grandparent pid, and so on. proc.apid[0] is the pid of the current process. proc.apid without arguments can be used in filters only and matches any of the process ancestors, e.g. proc.apid=1234.',
  ),
  ancestorField(
    'proc.aname',
    'the name (excluding the path) of one of the process ancestors. E.g. proc.aname[1] returns the parent name, proc.aname[2] returns the grandparent name, and so on. proc.aname[0] is the name of the current process. proc.aname without arguments can be used in filters only and matches any of the process ancestors, e.g. proc.aname=bash.',
  ),
  ancestorField(
    'proc.aexe',
    'The proc.exe (first command line argument argv[0]) for a specific process ancestor. proc.aexe[1] is the parent\'s, proc.aexe[2] the grandparent\'s, proc.aexe[0] the process\'s own. Without an index (filters only) it matches any ancestor, e.g. proc.aexe endswith java.',
  ),
  ancestorField(
    'proc.aexepath',
    'The proc.exepath (full executable path) for a specific process ancestor. proc.aexepath[1] is the parent\'s, proc.aexepath[2] the grandparent\'s, proc.aexepath[0] the process\'s own. Without an index (filters only) it matches any ancestor.',
  ),
  def(
    'proc.loginshellid',
    ParamType.INT64,
    PrintFormat.ID,
    'the pid of the oldest shell among the ancestors of the current process, if there is one. This field can be used to separate different user sessions, and is useful in conjunction with chisels like spy_user.',
    () => (t, ctx) => {
      const m = mainThreadOf(ctx.engine, t);
      if (m === null) return undefined;
      let res: number | undefined;
      const check = (a: ThreadInfo): boolean => {
        if (a.comm.endsWith('sh')) res = a.pid;
        return true;
      };
      check(m);
      forEachAncestor(ctx.engine, m, check);
      return res;
    },
  ),
  def('proc.duration', ParamType.RELTIME, PrintFormat.DEC, 'number of nanoseconds since the process started.', () => (t, { ev }) => durationSince(t, ev)),
  def('proc.ppid.duration', ParamType.RELTIME, PrintFormat.DEC, 'Number of nanoseconds since the parent process started.', () => (t, ctx) => {
    const p = parentProcess(ctx, t);
    return p === null ? undefined : durationSince(p, ctx.ev);
  }),
  def('proc.fdopencount', ParamType.UINT64, PrintFormat.DEC, 'number of open FDs for the process', () => (t, ctx) => {
    const m = mainThreadOf(ctx.engine, t);
    return m === null ? undefined : m.fds.size;
  }),
  def('proc.fdlimit', ParamType.INT64, PrintFormat.DEC, 'maximum number of FDs the process can open.', () => (t, ctx) => mainThreadOf(ctx.engine, t)?.fdlimit),
  def('proc.fdusage', ParamType.DOUBLE, PrintFormat.DEC, 'the ratio between open FDs and maximum available FDs for the process.', () => (t, ctx) => {
    const m = mainThreadOf(ctx.engine, t);
    if (m === null) return undefined;
    const limit = m.fdlimit;
    if (limit <= 0) return 0;
    const open = m.fds.size;
    return open <= limit ? (open * 100) / limit : 100;
  }),
  def('proc.vmsize', ParamType.UINT64, PrintFormat.DEC, 'total virtual memory for the process (as kb).', () => (t) => t.vmsizeKb),
  def('proc.vmrss', ParamType.UINT64, PrintFormat.DEC, 'resident non-swapped memory for the process (as kb).', () => (t) => t.vmrssKb),
  def('proc.vmswap', ParamType.UINT64, PrintFormat.DEC, 'swapped memory for the process (as kb).', () => (t) => t.vmswapKb),
  def('proc.vpid', ParamType.INT64, PrintFormat.ID, 'the id of the process generating the event as seen from its current PID namespace.', () => (t) => (t.vpid === -1 ? undefined : t.vpid)),
  def('proc.sid', ParamType.INT64, PrintFormat.ID, 'the session id of the process generating the event.', () => (t) => t.sid),
  str(
    'proc.sname',
    "the name of the current process's session leader. This is either the process with pid=proc.sid or the eldest ancestor that has the same sid as the current process.",
    () => (t, ctx) => groupLeader(ctx.engine, t, (x) => x.sid)?.comm,
  ),

  def('proc.tty', ParamType.INT32, PrintFormat.ID, 'The controlling terminal of the process. 0 for processes without a terminal.', () => (t) => t.tty),
  str('proc.exepath', 'The full executable path of the process.', () => (t) => t.exepath),
  def(
    'proc.vpgid',
    ParamType.INT64,
    PrintFormat.ID,
    'the process group id of the process generating the event, as seen from its current PID namespace.',
    () => (t) => t.vpgid,
  ),
  str(
    'proc.vpgid.name',
    "The name of the current process's process group leader: the process with proc.vpgid == proc.vpid, or the eldest ancestor that has the same vpgid as the current process.",
    () => (t, ctx) => (t.vpgid === -1 ? undefined : groupLeader(ctx.engine, t, (x) => x.vpgid)?.comm),
  ),
  str(
    'proc.vpgid.exe',
    "The first command line argument argv[0] of the current process's process group leader (see proc.vpgid.name).",
    () => (t, ctx) => (t.vpgid === -1 ? undefined : groupLeader(ctx.engine, t, (x) => x.vpgid)?.exe),
  ),
  str(
    'proc.vpgid.exepath',
    "The full executable path of the current process's process group leader (see proc.vpgid.name).",
    () => (t, ctx) => (t.vpgid === -1 ? undefined : groupLeader(ctx.engine, t, (x) => x.vpgid)?.exepath),
  ),
  def(
    'proc.is_vpgid_leader',
    ParamType.BOOL,
    PrintFormat.NA,
    "'true' if this process is the leader of the virtual process group, proc.vpgid == proc.vpid. For host processes vpgid and vpid reflect pgid and pid.",
    () => (t) => (t.vpgid === -1 || t.vpid === -1 ? undefined : t.vpgid === t.vpid),
  ),
  def('proc.is_container_healthcheck', ParamType.BOOL, PrintFormat.NA, "true if this process is running as a part of the container's health check.", () => () => false),
  def('proc.is_container_liveness_probe', ParamType.BOOL, PrintFormat.NA, "true if this process is running as a part of the container's liveness probe.", () => () => false),
  def('proc.is_container_readiness_probe', ParamType.BOOL, PrintFormat.NA, "true if this process is running as a part of the container's readiness probe.", () => () => false),
  def(
    'proc.is_exe_writable',
    ParamType.BOOL,
    PrintFormat.NA,
    "true if this process' executable file is writable by the same user that spawned the process.",
    () => (t) => t.exeWritable,
  ),
  def(
    'proc.is_exe_upper_layer',
    ParamType.BOOL,
    PrintFormat.NA,
    "'true' if this process' executable file is in upper layer in overlayfs.",
    () => (t) => t.exeUpperLayer,
  ),
  def(
    'proc.is_exe_from_memfd',
    ParamType.BOOL,
    PrintFormat.NA,
    "'true' if the executable file of the current process is an anonymous file created using memfd_create() and is being executed by referencing its file descriptor (fd).",
    () => (t) => t.exeFromMemfd,
  ),
  def('proc.exe_ino', ParamType.INT64, PrintFormat.DEC, 'The inode number of the executable file on disk. Can be correlated with fd.ino.', () => (t) => (t.exeIno === null || t.exeIno.ino === 0 ? undefined : t.exeIno.ino)),
  def(
    'proc.exe_ino.ctime',
    ParamType.ABSTIME,
    PrintFormat.DEC,
    'Last status change time of executable file (inode->ctime) as epoch timestamp in nanoseconds.',
    () => (t) => (t.exeIno === null || t.exeIno.ctimeNs === 0n ? undefined : abstime(t.exeIno.ctimeNs)),
  ),
  def(
    'proc.exe_ino.mtime',
    ParamType.ABSTIME,
    PrintFormat.DEC,
    'Last modification time of executable file (inode->mtime) as epoch timestamp in nanoseconds.',
    () => (t) => (t.exeIno === null || t.exeIno.mtimeNs === 0n ? undefined : abstime(t.exeIno.mtimeNs)),
  ),
  def(
    'proc.exe_ino.ctime_duration_proc_start',
    ParamType.ABSTIME,
    PrintFormat.DEC,
    'Number of nanoseconds between modifying status of executable image and spawning a new process using the changed executable image.',
    () => (t) => (t.exeIno === null || t.exeIno.ctimeDurationProcStart === 0n ? undefined : abstime(t.exeIno.ctimeDurationProcStart)),
  ),
  def(
    'proc.exe_ino.ctime_duration_pidns_start',
    ParamType.ABSTIME,
    PrintFormat.DEC,
    'Number of nanoseconds between PID namespace start ts and ctime exe file if PID namespace start predates ctime.',
    () => (t) => {
      const ns = t.pidnsInitStartTs;
      if (t.exeIno === null || ns === 0n || t.exeIno.ctimeNs <= ns) return undefined;
      return abstime(t.exeIno.ctimeNs - ns);
    },
  ),
];
