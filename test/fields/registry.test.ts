import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EV } from '../../src/event/event-ids.js';
import { ParamType, PrintFormat } from '../../src/event/types.js';
import { compileFilter } from '../../src/filter/index.js';
import { FieldRegistry, fieldRegistry } from '../../src/fields/registry.js';
import type { EventContext } from '../../src/fields/types.js';
import { StateEngine } from '../../src/state/engine.js';
import { ThreadInfo } from '../../src/state/thread-info.js';
import { FIELDS_DIR } from './golden-harness.js';
import { makeEvent } from './event-builder.js';

const reg = new FieldRegistry();

describe('FieldRegistry.resolve', () => {
  it('returns null for unknown fields', () => {
    expect(reg.resolve('proc.nam', undefined)).toBeNull();
    expect(reg.resolve('nosuch', undefined)).toBeNull();
    expect(reg.resolve('evt.argx', undefined)).toBeNull();
    expect(reg.resolve('fd.', undefined)).toBeNull();
    expect(reg.resolveText('proc.name extra')).toBeNull();
  });

  it('binds plain fields with their info', () => {
    const ex = reg.resolve('fd.sport', undefined)!;
    expect(ex.name).toBe('fd.sport');
    expect(ex.kind).toBe('num');
    expect(ex.info.type).toBe(ParamType.PORT);
    expect(reg.resolve('fd.sip', undefined)!.kind).toBe('ipaddr');
    expect(reg.resolve('fd.snet', undefined)!.kind).toBe('ipnet');
    expect(reg.resolve('thread.cpu', undefined)!.kind).toBe('float');
    expect(reg.resolve('evt.failed', undefined)!.kind).toBe('bool');
    expect(reg.resolve('evt.buffer', undefined)!.kind).toBe('bytes');
    expect(reg.resolve('proc.name', undefined)!.kind).toBe('str');
  });

  it('parses bracketed and dotted arguments', () => {
    expect(reg.resolve('proc.aname', '2')!.name).toBe('proc.aname[2]');
    expect(reg.resolveText('proc.apid[1]')!.name).toBe('proc.apid[1]');
    expect(reg.resolve('evt.arg', '0')!.name).toBe('evt.arg[0]');
    expect(reg.resolve('evt.arg.fd', undefined)!.name).toBe('evt.arg.fd');
    expect(reg.resolve('evt.type.is.open', undefined)!.name).toBe('evt.type.is.open');
    expect(reg.resolve('evt.type.is.3', undefined)!.info.type).toBe(ParamType.UINT32);
    expect(reg.resolve('k8s.pod.label.app.kubernetes.io/name', undefined)!.name).toBe('k8s.pod.label.app.kubernetes.io/name');
    expect(reg.resolve('thread.cgroup.cpuacct', undefined)!.name).toBe('thread.cgroup.cpuacct');
    expect(reg.resolve('container.mount.dest', '/var/*')!.name).toBe('container.mount.dest[/var/*]');
    expect(reg.resolve('evt.abspath.src', undefined)!.name).toBe('evt.abspath.src');
    expect(reg.resolve('evt.abspath', undefined)!.name).toBe('evt.abspath');
    expect(reg.resolve('evt.around', '1534527348515736214')!.info.filterOnly).toBe(true);
  });

  it('gives evt.rawarg the type of the argument it names', () => {
    expect(reg.resolve('evt.rawarg.res', undefined)!.info.type).toBe(ParamType.ERRNO);
    expect(reg.resolve('evt.rawarg.res', undefined)!.kind).toBe('num');
    expect(reg.resolve('evt.rawarg.name', undefined)!.kind).toBe('str');
    expect(reg.resolve('evt.rawarg.data', undefined)!.kind).toBe('bytes');
    expect(reg.resolve('evt.rawarg.mode', undefined)!.info.printFormat).toBe(PrintFormat.OCT);
  });

  it('rejects bad arguments with an explanation', () => {
    expect(() => reg.resolve('proc.aname', 'x')).toThrow(/numeric index/);
    expect(() => reg.resolve('evt.arg.nosuchparam', undefined)).toThrow('unknown event argument nosuchparam');
    expect(() => reg.resolve('evt.arg', 'fd')).toThrow(/not a valid number/);
    expect(() => reg.resolve('evt.type.is.nosuchevent', undefined)).toThrow('unknown event type nosuchevent');
    expect(() => reg.resolve('evt.type.is', '3')).toThrow(/after a dot/);
    expect(() => reg.resolve('proc.name', '1')).toThrow(/does not take an argument/);
    expect(() => reg.resolve('evt.arg', undefined)).toThrow(/requires an argument/);
    expect(() => reg.resolve('evt.abspath.x', undefined)).toThrow(/src or dst/);
    expect(() => reg.resolve('thread.cgroup.cpu-acct', undefined)).toThrow(/subsystem/);
  });

  it('validates literals the way sysdig does', () => {
    const ty = reg.resolve('evt.type', undefined)!;
    expect(ty.normalizeLiteral!('open', '=')).toBe('open');
    expect(ty.normalizeLiteral!('clock_gettime', '=')).toBe('clock_gettime');
    expect(() => ty.normalizeLiteral!('nosuch', '=')).toThrow('unknown event type nosuch');
    const port = reg.resolve('fd.sport', undefined)!;
    expect(port.normalizeLiteral!('http', '=')).toBe('80');
    expect(port.normalizeLiteral!('8080', '=')).toBe('8080');
    expect(() => port.normalizeLiteral!('nosuchservice', '=')).toThrow('unrecognized protocol nosuchservice');
  });

  it('binds a fresh extractor each time (per-use state is not shared)', () => {
    const a = reg.resolve('evt.deltatime', undefined)!;
    const b = reg.resolve('evt.deltatime', undefined)!;
    expect(a).not.toBe(b);
    const engine = new StateEngine();
    const e1 = makeEvent({ type: EV.READ_E, tid: 1, ts: 1000n });
    const e2 = makeEvent({ type: EV.READ_E, tid: 1, ts: 1500n });
    expect(a.get({ ev: e1, engine })).toBe(0);
    expect(a.get({ ev: e2, engine })).toBe(500);
    expect(b.get({ ev: e2, engine })).toBe(0);
  });
});

describe('FieldRegistry.list', () => {
  const list = fieldRegistry.list();

  it('lists every field once, described and classified', () => {
    const names = list.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const classes = new Set(['evt', 'proc', 'thread', 'user', 'group', 'container', 'fd', 'fdlist', 'fs.path', 'k8s', 'alert']);
    for (const f of list) {
      expect(f.description.length, f.name).toBeGreaterThan(5);
      expect(classes.has(f.category), f.name).toBe(true);
      expect(f.name === 'syscall.type' || f.name.startsWith(`${f.category}.`), f.name).toBe(true);
    }
    expect(fieldRegistry.classes().map((c) => c.name)).toEqual(['evt', 'proc', 'thread', 'user', 'group', 'container', 'fd', 'fdlist', 'fs.path', 'k8s', 'alert']);
  });

  it("has sysdig 0.29.3's type, print format and flags for every sysdig field", () => {
    const T: Record<string, ParamType> = {
      INT16: ParamType.INT16, INT32: ParamType.INT32, INT64: ParamType.INT64, UINT32: ParamType.UINT32, UINT64: ParamType.UINT64,
      CHARBUF: ParamType.CHARBUF, BYTEBUF: ParamType.BYTEBUF, RELTIME: ParamType.RELTIME, ABSTIME: ParamType.ABSTIME, PORT: ParamType.PORT,
      BOOL: ParamType.BOOL, DOUBLE: ParamType.DOUBLE, IPADDR: ParamType.IPADDR, IPNET: ParamType.IPNET, DYN: ParamType.DYN,
    };
    const F: Record<string, PrintFormat> = { NA: PrintFormat.NA, DEC: PrintFormat.DEC, HEX: PrintFormat.HEX, '10_PADDED_DEC': PrintFormat.PADDED_DEC, ID: PrintFormat.ID, DIR: PrintFormat.DIR, OCT: PrintFormat.OCT };
    const rows = readFileSync(join(FIELDS_DIR, 'sysdig-field-table.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t') as [string, string, string, string]);
    expect(rows.length).toBeGreaterThan(200);
    const extensions = new Set(list.map((f) => f.name));
    for (const [name, type, fmt, flags] of rows) {
      const info = fieldRegistry.info(name);
      expect(info, name).toBeDefined();
      expect([name, info!.type, info!.printFormat, info!.filterOnly === true, info!.tableOnly === true]).toEqual([
        name,
        T[type],
        F[fmt],
        flags.includes('FILTER_ONLY'),
        flags.includes('TABLE_ONLY'),
      ]);
      if (flags.includes('REQUIRES_ARGUMENT')) expect(info!.arg, name).not.toBe('none');
      extensions.delete(name);
    }
    // Fields sysdig 0.29.3 lacks: tsysdig extensions, and the libsinsp (Falco) fields the falcosecurity rules use.
    expect([...extensions].sort()).toEqual([
      // the alert a rule fired (rules in the monitor)
      'alert.count', 'alert.hostname', 'alert.num', 'alert.output', 'alert.priority', 'alert.rule', 'alert.severity', 'alert.source', 'alert.tags', 'alert.time',
      'container.ip', 'container.start_ts', 'evt.hostname', 'fd.ino', 'fd.nameraw', 'fd.types',
      'fs.path.name', 'fs.path.nameraw', 'fs.path.source', 'fs.path.sourceraw', 'fs.path.target', 'fs.path.targetraw',
      'proc.aexe', 'proc.aexepath', 'proc.exe_ino', 'proc.exe_ino.ctime', 'proc.exe_ino.ctime_duration_pidns_start',
      'proc.exe_ino.ctime_duration_proc_start', 'proc.exe_ino.mtime', 'proc.is_exe_from_memfd', 'proc.is_exe_upper_layer',
      'proc.is_vpgid_leader', 'proc.pexe', 'proc.pexepath', 'proc.ppid.duration', 'proc.vpgid.exe', 'proc.vpgid.exepath',
      'proc.vpgid.name', 'thread.cap_effective', 'thread.cap_inheritable', 'thread.cap_permitted',
    ]);
  });

  it("has every field csysdig's views and filters use", () => {
    const used = `container.name proc.pid thread.tid thread.cpu proc.exeline evt.buflen.net evt.buflen.file thread.vmsize.b thread.vmrss.b
      evt.count evt.time k8s.ns.name fd.name proc.vpid fd.sport evt.latency evt.latency.quantized container.id user.name proc.ppid evt.type
      evt.res proc.nthreads proc.name k8s.svc.id k8s.rs.id k8s.rc.id k8s.pod.id k8s.ns.id k8s.deployment.id fd.type fd.directory
      fd.containername evt.type.is.3 evt.cpu evt.count.exit evt.count.error.other evt.count.error.net evt.count.error.memory
      evt.count.error.file evt.count.error evt.buflen.net.out evt.buflen.net.in evt.buflen.file.out evt.buflen.file.in container.type
      thread.vtid thread.pfminor thread.pfmajor thread.nametid thread.cpu.user thread.cpu.system proc.fdusage proc.fdopencount proc.fdlimit
      k8s.pod.name k8s.svc.name k8s.rs.name k8s.rc.name k8s.deployment.name k8s.pod.labels k8s.svc.labels k8s.rs.labels k8s.rc.labels
      k8s.deployment.labels k8s.ns.labels fd.rport fd.rip fd.lport fd.lip fd.l4proto fd.containerdirectory evt.rawtime evt.count.threadinfo
      evt.count.procinfo evt.buflen.out evt.buflen.in evt.arg[0] evt.arg.fd container.image evt.dir evt.failed evt.is_io evt.is_io_write
      fd.typechar syscall.type evt.num evt.rawarg.res evt.info evt.args evt.category evt.datetime evt.outputtime evt.reltime evt.deltatime
      evt.is_io_read evt.is_wait evt.is_syscall proc.exe proc.exepath proc.args proc.cwd proc.env proc.pname proc.pcmdline proc.aname[2]
      proc.apid[2] proc.duration proc.loginshellid proc.sid proc.tty proc.vmsize proc.vmrss proc.vmswap thread.ismain thread.exectime
      fd.num fd.cip fd.sip fd.cport fd.sproto fd.cproto fd.is_server fd.filename fd.ino fd.dev group.name user.uid user.homedir user.shell
      user.loginuid container.image.repository container.image.tag container.image.id container.privileged container.ip`;
    const missing: string[] = [];
    for (const f of used.split(/\s+/).filter((x) => x !== '')) {
      // evt.is_syscall is not a sysdig 0.29.3 field: syscall.type is (see docs/compat.md).
      if (f === 'evt.is_syscall') continue;
      if (fieldRegistry.resolveText(f) === null) missing.push(f);
    }
    expect(missing).toEqual([]);
  });

  it('binds every field and reads it without throwing on an event without state', () => {
    const engine = new StateEngine();
    const ev = makeEvent({ type: EV.READ_X, tid: 42, params: [{ i64: 5 }, Buffer.from('hello')] });
    const ctx: EventContext = { ev, engine };
    for (const f of list) {
      const arg = f.arg === 'none' ? undefined : f.name === 'evt.around' ? '1' : f.name.startsWith('container.mount') || f.name === 'proc.aname' || f.name === 'proc.apid' || f.name === 'evt.arg' ? '0' : undefined;
      const text = f.arg === 'required' && arg === undefined ? `${f.name}.${f.name === 'evt.rawarg' ? 'res' : f.name === 'evt.type.is' ? 'open' : f.name === 'thread.cgroup' ? 'cpu' : 'app'}` : undefined;
      const ex = text !== undefined ? fieldRegistry.resolve(text, undefined) : fieldRegistry.resolve(f.name, arg);
      expect(ex, f.name).not.toBeNull();
      expect(() => ex!.get(ctx), f.name).not.toThrow();
    }
  });
});

describe('filters over the registry', () => {
  it('compiles and runs filters with any field', () => {
    const engine = new StateEngine();
    const t = new ThreadInfo(100, 100);
    t.comm = 'curl';
    engine.addThread(t);
    const ev = makeEvent({ type: EV.READ_E, tid: 100, params: [{ i64: 3 }, { u32: 10 }] });
    engine.process(ev);
    const ctx: EventContext = { ev, engine };
    expect(compileFilter<EventContext>('proc.name=curl and evt.type=read and evt.dir=">"', fieldRegistry).test(ctx)).toBe(true);
    expect(compileFilter<EventContext>('proc.name=curl and fd.port=53', fieldRegistry).test(ctx)).toBe(false);
    expect(compileFilter<EventContext>('evt.type.is.read=1 and thread.tid=100 and proc.pid=100', fieldRegistry).test(ctx)).toBe(true);
    expect(() => compileFilter<EventContext>('proc.nam=curl', fieldRegistry)).toThrow(/unrecognized field 'proc.nam'/);
    expect(() => compileFilter<EventContext>('evt.arg.nosuch=1', fieldRegistry)).toThrow(/unknown event argument nosuch/);
  });
});
