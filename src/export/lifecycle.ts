/**
 * The process lifecycle stream (`tsysdig --lifecycle`): one record per
 * process start (a successful execve) and end (the main thread's procexit),
 * and with `net` per TCP connect / accept / close, in the forms Tetragon
 * exports (docs/export.md):
 *
 *   compact:  🚀 process NAMESPACE/POD BINARY ARGS
 *             💥 exit    NAMESPACE/POD BINARY ARGS CODE
 *             🔌 connect NAMESPACE/POD BINARY tcp SRC:PORT -> DST:PORT
 *   JSON:     {"process_exec":{"process":{…},"parent":{…}},"node_name":…,"time":…}
 *
 * Outside Kubernetes the container name stands where NAMESPACE/POD is;
 * on the host nothing does.
 *
 * exec_id is Tetragon's: base64("NODE:START_NS:PID"), START_NS being the
 * exec's time (the clone's for a process whose exec the run did not see),
 * so it is unique per execution and the exit carries the same one.
 *
 * A consumer: onEvent(ev, engine) after engine.process(ev). Events other
 * than execve/procexit (and connect/accept/close with `net`) are dismissed
 * by one table lookup, with no allocation.
 */
import type { ScapEvent } from '../event/scap-event.js';
import { EV } from '../event/event-ids.js';
import { SIGNAL_NAMES } from '../event/errno-names.js';
import type { ContainerInfo } from '../state/containers.js';
import type { StateEngine } from '../state/engine.js';
import { L4 } from '../state/fd-info.js';
import type { ThreadInfo } from '../state/thread-info.js';
import { jsonQuote } from '../format/json-text.js';
import type { LineSink } from '../cli/output-buffer.js';
import { fieldRegistry } from '../fields/registry.js';
import { fieldText } from '../fields/render.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';

export interface LifecycleOptions {
  json: boolean;
  /** Also TCP connects, accepts and closes. */
  net: boolean;
  /** node_name, and the first part of every exec_id. */
  nodeName: string;
  /** Kubernetes namespaces / pods to keep (empty: all). */
  namespaces: readonly string[];
  pods: readonly string[];
  /** Substrings of the binary to keep (empty: all). */
  processes: readonly string[];
  /** A sysdig filter the start / end / socket event must pass (null: none). */
  filter: ((ev: ScapEvent, engine: StateEngine) => boolean) | null;
}

const enum Kind {
  None = 0,
  Exec,
  Exit,
  Connect,
  Accept,
  Close,
}

/** Event type → what it means here (one lookup per event). */
const KINDS = new Uint8Array(1024);
for (const t of [EV.EXECVE_8_X, EV.EXECVE_13_X, EV.EXECVE_14_X, EV.EXECVE_15_X, EV.EXECVE_16_X, EV.EXECVE_17_X, EV.EXECVE_18_X, EV.EXECVE_19_X, EV.EXECVEAT_X]) KINDS[t] = Kind.Exec;
KINDS[EV.PROCEXIT_E] = Kind.Exit;
KINDS[EV.PROCEXIT_1_E] = Kind.Exit;
KINDS[EV.CONNECT_X] = Kind.Connect;
for (const t of [EV.ACCEPT_X, EV.ACCEPT4_X, EV.ACCEPT_5_X, EV.ACCEPT4_5_X, EV.ACCEPT4_6_X]) KINDS[t] = Kind.Accept;
KINDS[EV.CLOSE_X] = Kind.Close;

const NS_PER_S = 1_000_000_000n;

/**
 * Lines are byte strings (capture text is latin1, one char per byte, and the
 * output writes them so): the icons are held as their UTF-8 bytes.
 */
const utf8Bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const ICON_EXEC = utf8Bytes('🚀');
const ICON_EXIT = utf8Bytes('💥');
const ICON_SOCKET = utf8Bytes('🔌');
const ICON_CLOSE = utf8Bytes('🧹');
const EINPROGRESS = -115;

/** Kubernetes names from a container's labels (as the CRI sets them). */
function podOf(c: ContainerInfo | undefined): { namespace: string; name: string } | null {
  if (c === undefined) return null;
  const ns = c.labels['io.kubernetes.pod.namespace'];
  const name = c.labels['io.kubernetes.pod.name'];
  return ns !== undefined && name !== undefined ? { namespace: ns, name } : null;
}

/** protojson's Timestamp: RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits. */
export function protoTime(ns: bigint): string {
  const s = ns / NS_PER_S;
  const frac = Number(ns % NS_PER_S);
  const base = new Date(Number(s) * 1000).toISOString().slice(0, 19);
  if (frac === 0) return `${base}Z`;
  let f = String(frac).padStart(9, '0');
  if (f.endsWith('000000')) f = f.slice(0, 3);
  else if (f.endsWith('000')) f = f.slice(0, 6);
  return `${base}.${f}Z`;
}

/** Tetragon's exec_id: base64 of "NODE:START_NS:PID". */
export function execId(node: string, startNs: bigint, pid: number): string {
  return Buffer.from(`${node}:${startNs}:${pid}`, 'latin1').toString('base64');
}

export class LifecycleTracker {
  /** Exec time (ns) of each process whose exec the run saw; removed at its exit. */
  private readonly execTs = new Map<number, bigint>();
  private readonly ctx: EventContext;
  private readonly tuple: FieldExtractor;
  /** fd.lip, fd.lport, fd.rip, fd.rport: the socket's local and remote ends. */
  private readonly ends: FieldExtractor[];
  private readonly kinds: Uint8Array;

  constructor(
    private readonly out: LineSink,
    private readonly opts: LifecycleOptions,
  ) {
    this.ctx = { ev: null as unknown as ScapEvent, engine: null as unknown as StateEngine };
    this.tuple = fieldRegistry.resolve('fd.name', undefined)!;
    this.ends = ['fd.lip', 'fd.lport', 'fd.rip', 'fd.rport'].map((f) => fieldRegistry.resolve(f, undefined)!);
    this.kinds = KINDS.slice();
    if (!opts.net) for (let i = 0; i < this.kinds.length; i++) if (this.kinds[i]! >= Kind.Connect) this.kinds[i] = Kind.None;
  }

  onEvent(ev: ScapEvent, engine: StateEngine): void {
    const kind = ev.type < 1024 ? this.kinds[ev.type]! : Kind.None;
    if (kind === Kind.None) return;
    const t = engine.thread;
    if (t === null) return;
    switch (kind) {
      case Kind.Exec:
        if (ev.nparams < 1 || ev.i64(0) !== 0) return; // a failed execve starts nothing
        this.execTs.set(t.pid, ev.tsBig());
        if (this.keep(ev, engine, t)) this.emitExec(ev, engine, t);
        return;
      case Kind.Exit: {
        if (t.tid !== t.pid) return; // a thread, not the process
        if (this.keep(ev, engine, t)) this.emitExit(ev, engine, t);
        this.execTs.delete(t.pid);
        return;
      }
      default: {
        const fd = engine.fd;
        if (fd === null || fd.l4proto !== L4.TCP) return;
        if (kind === Kind.Connect) {
          const res = ev.i64(0);
          if (res !== 0 && res !== EINPROGRESS) return;
        } else if (kind === Kind.Accept && ev.i64(0) < 0) return;
        if (this.keep(ev, engine, t)) this.emitSocket(kind, ev, engine, t);
      }
    }
  }

  finish(): void {}

  private keep(ev: ScapEvent, engine: StateEngine, t: ThreadInfo): boolean {
    const o = this.opts;
    if (o.processes.length > 0) {
      const bin = binaryOf(t);
      if (!o.processes.some((p) => bin.includes(p))) return false;
    }
    if (o.namespaces.length > 0 || o.pods.length > 0) {
      const pod = podOf(engine.containers.get(t.containerId));
      if (pod === null) return false;
      if (o.namespaces.length > 0 && !o.namespaces.includes(pod.namespace)) return false;
      if (o.pods.length > 0 && !o.pods.some((p) => pod.name.startsWith(p))) return false;
    }
    return o.filter === null || o.filter(ev, engine);
  }

  private startOf(t: ThreadInfo): bigint {
    return this.execTs.get(t.pid) ?? BigInt(Math.round(t.cloneTs));
  }

  /** "NAMESPACE/POD ", "CONTAINER ", or "" on the host. */
  private where(engine: StateEngine, t: ThreadInfo): string {
    if (t.containerId === '' || t.containerId === 'host') return '';
    const c = engine.containers.get(t.containerId);
    const pod = podOf(c);
    if (pod !== null) return `${pod.namespace}/${pod.name} `;
    return `${c !== undefined && c.name !== '' ? c.name : t.containerId} `;
  }

  private emitExec(ev: ScapEvent, engine: StateEngine, t: ThreadInfo): void {
    if (!this.opts.json) {
      this.out.write(`${ICON_EXEC} process ${this.where(engine, t)}${binaryOf(t)}${argsText(t)}`);
      return;
    }
    this.out.write(this.record('process_exec', ev, engine, t, ''));
  }

  private emitExit(ev: ScapEvent, engine: StateEngine, t: ThreadInfo): void {
    const { code, signal } = exitStatus(ev);
    if (!this.opts.json) {
      this.out.write(`${ICON_EXIT} exit    ${this.where(engine, t)}${binaryOf(t)}${argsText(t)} ${signal !== '' ? signal : code}`);
      return;
    }
    let extra = '';
    if (signal !== '') extra += `,"signal":${jsonQuote(signal)}`;
    if (code !== 0) extra += `,"status":${code}`;
    extra += `,"time":"${protoTime(ev.tsBig())}"`;
    this.out.write(this.record('process_exit', ev, engine, t, extra));
  }

  private emitSocket(kind: Kind, ev: ScapEvent, engine: StateEngine, t: ThreadInfo): void {
    const verb = kind === Kind.Connect ? 'connect' : kind === Kind.Accept ? 'accept' : 'close';
    this.ctx.ev = ev;
    this.ctx.engine = engine;
    if (!this.opts.json) {
      const icon = kind === Kind.Close ? ICON_CLOSE : ICON_SOCKET;
      this.out.write(`${icon} ${verb.padEnd(7)} ${this.where(engine, t)}${binaryOf(t)} tcp ${fieldText(this.tuple, this.ctx).replace('->', ' -> ')}`);
      return;
    }
    const [lip, lport, rip, rport] = this.ends.map((f) => fieldText(f, this.ctx)) as [string, string, string, string];
    const extra = `,"socket":{"protocol":"TCP","saddr":${jsonQuote(lip)},"sport":${Number(lport) || 0},"daddr":${jsonQuote(rip)},"dport":${Number(rport) || 0}}`;
    this.out.write(this.record(`process_${verb}`, ev, engine, t, extra));
  }

  /** {"KIND":{"process":…,"parent":…EXTRA},"node_name":…,"time":…} */
  private record(kind: string, ev: ScapEvent, engine: StateEngine, t: ThreadInfo, extra: string): string {
    const parent = engine.threads.get(t.ptid);
    const p = parent !== undefined ? `,"parent":${this.processJson(engine, parent, null)}` : '';
    return `{"${kind}":{"process":${this.processJson(engine, t, parent ?? null)}${p}${extra}},"node_name":${jsonQuote(this.opts.nodeName)},"time":"${protoTime(ev.tsBig())}"}`;
  }

  /** Tetragon's Process message, with protojson's rule: empty and zero values are left out. */
  private processJson(engine: StateEngine, t: ThreadInfo, parent: ThreadInfo | null): string {
    const node = this.opts.nodeName;
    const start = this.startOf(t);
    let s = `{"exec_id":${jsonQuote(execId(node, start, t.pid))},"pid":${t.pid}`;
    if (t.uid !== 0xffffffff && t.uid !== 0) s += `,"uid":${t.uid}`;
    if (t.cwd !== '') s += `,"cwd":${jsonQuote(t.cwd.length > 1 && t.cwd.endsWith('/') ? t.cwd.slice(0, -1) : t.cwd)}`;
    s += `,"binary":${jsonQuote(binaryOf(t))}`;
    const args = t.args.join(' ');
    if (args !== '') s += `,"arguments":${jsonQuote(args)}`;
    s += `,"flags":"${this.execTs.has(t.pid) ? 'execve clone' : 'procFS'}"`;
    if (start !== 0n) s += `,"start_time":"${protoTime(start)}"`;
    s += `,"auid":${t.loginuid >>> 0}`;
    const c = t.containerId !== '' && t.containerId !== 'host' ? engine.containers.get(t.containerId) : undefined;
    if (c !== undefined) {
      const pod = podOf(c);
      s += `,"pod":{`;
      if (pod !== null) s += `"namespace":${jsonQuote(pod.namespace)},"name":${jsonQuote(pod.name)},`;
      s += `"container":{"id":${jsonQuote(c.fullId !== '' ? c.fullId : c.id)},"name":${jsonQuote(c.name)}`;
      s += `,"image":{"id":${jsonQuote(c.imageId)},"name":${jsonQuote(c.image)}}`;
      if (c.createdTime > 0) s += `,"start_time":"${protoTime(BigInt(c.createdTime) * NS_PER_S)}"`;
      if (t.vpid > 0) s += `,"pid":${t.vpid}`;
      s += '}';
      const labels = Object.entries(c.labels).filter(([k]) => !k.startsWith('io.kubernetes.'));
      if (pod !== null && labels.length > 0) s += `,"pod_labels":{${labels.map(([k, v]) => `${jsonQuote(k)}:${jsonQuote(v)}`).join(',')}}`;
      const workload = c.labels['io.kubernetes.container.name'];
      if (pod !== null && workload !== undefined) s += `,"workload":${jsonQuote(workload)}`;
      s += '}';
      s += `,"docker":${jsonQuote((c.fullId !== '' ? c.fullId : c.id).slice(0, 31))}`;
    }
    if (parent !== null) s += `,"parent_exec_id":${jsonQuote(execId(node, this.startOf(parent), parent.pid))}`;
    s += `,"tid":${t.tid}}`;
    return s;
  }
}

/** The executable's path (the name when the path is unknown, as in captures without it). */
function binaryOf(t: ThreadInfo): string {
  return t.exepath !== '' ? t.exepath : t.exe;
}

function argsText(t: ThreadInfo): string {
  return t.args.length === 0 ? '' : ' ' + t.args.join(' ');
}

/** Exit code and signal name: from the ret/sig parameters, or decoded from the wait status. */
function exitStatus(ev: ScapEvent): { code: number; signal: string } {
  if (ev.nparams >= 3) {
    const sig = ev.u8(2);
    return { code: ev.i64(1), signal: sig !== 0 ? (SIGNAL_NAMES.get(sig) ?? String(sig)) : '' };
  }
  if (ev.nparams === 0) return { code: 0, signal: '' };
  const status = ev.i64(0);
  const sig = status & 0x7f;
  return { code: (status >> 8) & 0xff, signal: sig !== 0 && sig !== 0x7f ? (SIGNAL_NAMES.get(sig) ?? String(sig)) : '' };
}
