/**
 * Live-capture pieces that need no kernel: routing table, probe ABI
 * mirrors, ring record walking, error messages. Always run.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_TABLE } from '../../src/event/event-table.js';
import { EventFlag } from '../../src/event/types.js';
import { SYSCALL_EVENTS, buildRoutes, syscallName } from '../../src/live/routes.js';
import { PPM_SC_NAMES, X86_64_SYSCALLS } from '../../src/live/syscall-table.js';
import * as abi from '../../src/live/probe-abi.js';
import { walkCopiedRecords, BPF_RINGBUF_DISCARD_BIT } from '../../src/live/ring-reader.js';
import { LiveError, describeLiveError, preflight } from '../../src/live/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const header = fs.readFileSync(path.join(root, 'probe/tsysdig.h'), 'utf8');
const probeSrc = fs.readFileSync(path.join(root, 'probe/tsysdig.bpf.c'), 'utf8');
const defines = new Map<string, number>();
for (const m of header.matchAll(/^#define (\w+) \(?(-?(?:0x[0-9a-f]+|\d+))/gim)) defines.set(m[1]!, Number(m[2]));

describe('syscall routing', () => {
  it('uses only 0.29-era event pairs that are current (not OLD_VERSION) and named alike', () => {
    for (const [name, [e, x]] of Object.entries(SYSCALL_EVENTS)) {
      expect(e, name).toBeLessThan(336);
      expect(e % 2, name).toBe(0);
      expect(x, name).toBe(e + 1);
      const E = EVENT_TABLE[e]!;
      const X = EVENT_TABLE[x]!;
      expect(E.name, name).toBe(X.name);
      expect((E.flags | X.flags) & EventFlag.OLD_VERSION, name).toBe(0);
    }
  });

  it('routes every event id to a filler the probe implements', () => {
    const ids = new Map<number, string>();
    for (const [k, v] of defines) if (k.startsWith('PPME_')) ids.set(v, k);
    for (const [name, [e, x]] of Object.entries(SYSCALL_EVENTS)) {
      for (const id of [e, x]) {
        const def = ids.get(id);
        expect(def, `${name}: event ${id} has no PPME_ define in probe/tsysdig.h`).toBeDefined();
        // the probe's enter/exit dispatch has a case for it (fork/accept enters have no params but a case)
        expect(probeSrc.includes(`case ${def}:`), `${name}: no case ${def} in tsysdig.bpf.c`).toBe(true);
      }
    }
  });

  it('PPME_ defines match the event table names', () => {
    const src = fs.readFileSync(path.join(root, 'src/event/event-table.ts'), 'utf8');
    const tableNames = new Map<number, string>();
    for (const m of src.matchAll(/\/\* (\d+) (\w+) \*\//g)) if (!tableNames.has(Number(m[1]))) tableNames.set(Number(m[1]), m[2]!);
    for (const [k, v] of defines) {
      if (!k.startsWith('PPME_')) continue;
      expect(tableNames.get(v), k).toBe(k.slice(5));
    }
  });

  it('builds one route per syscall number: dedicated pairs, generic events with PPM_SC codes', () => {
    const routes = buildRoutes();
    expect(routes).toHaveLength(abi.MAX_SYSCALLS);
    expect(routes[0]).toEqual({ enterEvt: 6, exitEvt: 7, ppmSc: 3, flags: abi.ROUTE_USED }); // read
    expect(routes[110]).toEqual({ enterEvt: 0, exitEvt: 1, ppmSc: 41, flags: 0 }); // getppid
    expect(PPM_SC_NAMES[41]).toBe('getppid');
    expect(syscallName(110)).toBe('getppid');
    expect(routes[59]!.enterEvt).toBe(292); // execve
    const r2 = buildRoutes({ skip: ['read'], generic: ['write'] });
    expect(r2[0]!.flags & abi.ROUTE_SKIP).toBe(abi.ROUTE_SKIP);
    expect(r2[1]).toEqual({ enterEvt: 0, exitEvt: 1, ppmSc: 4, flags: 0 });
    const r3 = buildRoutes({ dedicatedOnly: true });
    expect(r3[110]!.flags & abi.ROUTE_SKIP).toBe(abi.ROUTE_SKIP);
  });

  it('has unique x86_64 syscall names', () => {
    const names = X86_64_SYSCALLS.filter((s) => s).map((s) => s![0]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('probe ABI mirror', () => {
  it('matches probe/tsysdig.h', () => {
    expect(defines.get('TSD_MAX_SYSCALLS')).toBe(abi.MAX_SYSCALLS);
    expect(defines.get('TSD_SNAPLEN_MAX')).toBe(abi.SNAPLEN_MAX);
    expect(defines.get('TSD_SNAPLEN_DEFAULT')).toBe(abi.SNAPLEN_DEFAULT);
    expect(defines.get('TSD_ROUTE_USED')).toBe(abi.ROUTE_USED);
    expect(defines.get('TSD_ROUTE_SKIP')).toBe(abi.ROUTE_SKIP);
    expect(defines.get('TSD_OFF_MASK')! - 8).toBe(abi.MAX_EVENT_LEN);
    // struct layouts: field lists in declaration order
    const fields = (name: string) => {
      const body = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(header)![1]!;
      return [...body.matchAll(/__u(\d+) (\w+);/g)].map((m) => `${m[2]}:${Number(m[1]) / 8}`);
    };
    expect(fields('tsd_settings')).toEqual(['boot_to_epoch_ns:8', 'self_tgid:4', 'snaplen:4', 'capture_on:4', 'flags:4']);
    expect(abi.SETTINGS_SIZE).toBe(24);
    expect(fields('tsd_route')).toEqual(['enter_evt:2', 'exit_evt:2', 'ppm_sc:2', 'flags:2']);
    expect(fields('tsd_counters')).toEqual(['n_evts:8', 'n_drops_full:8', 'n_drops_bug:8', 'n_truncated:8']);
  });

  it('encodes settings and routes as the probe reads them', () => {
    const b = abi.encodeSettings({ bootToEpochNs: 0x0102030405060708n, selfTgid: 42, snaplen: 80, captureOn: true, noWakeup: true });
    expect(b.readBigUInt64LE(0)).toBe(0x0102030405060708n);
    expect([b.readUInt32LE(8), b.readUInt32LE(12), b.readUInt32LE(16), b.readUInt32LE(20)]).toEqual([42, 80, 1, 1]);
    const r = Buffer.alloc(8);
    abi.encodeRoute({ enterEvt: 292, exitEvt: 293, ppmSc: 7, flags: 1 }, r, 0);
    expect([r.readUInt16LE(0), r.readUInt16LE(2), r.readUInt16LE(4), r.readUInt16LE(6)]).toEqual([292, 293, 7, 1]);
  });
});

describe('ring records', () => {
  function record(payload: Buffer, flags = 0): Buffer {
    const size = (payload.length + 8 + 7) & ~7;
    const b = Buffer.alloc(size);
    b.writeUInt32LE((payload.length | flags) >>> 0, 0);
    payload.copy(b, 8);
    return b;
  }
  it('walks copied batches, honouring lengths, 8-byte alignment and discarded records', () => {
    const batch = Buffer.concat([record(Buffer.from('abc')), record(Buffer.from('skip me'), BPF_RINGBUF_DISCARD_BIT), record(Buffer.from('0123456789'))]);
    const got: string[] = [];
    const n = walkCopiedRecords(batch, batch.length, (buf, off, len) => {
      got.push(buf.toString('utf8', off, off + len));
    });
    expect(n).toBe(2);
    expect(got).toEqual(['abc', '0123456789']);
    // a handler returning false stops the walk
    const first: string[] = [];
    walkCopiedRecords(batch, batch.length, (buf, off, len) => {
      first.push(buf.toString('utf8', off, off + len));
      return false;
    });
    expect(first).toEqual(['abc']);
  });
});

describe('live errors', () => {
  it('says what to do in one line', () => {
    const cases: [LiveError, RegExp][] = [
      [new LiveError('not-root', 'needs root (or CAP_BPF+CAP_PERFMON)'), /sudo/],
      [new LiveError('no-libbpf', 'cannot load libbpf.so.1'), /apt-get install libbpf1/],
      [new LiveError('no-probe', 'probe object not found'), /npm run setup/],
      [new LiveError('no-btf', 'kernel BTF not found'), /CONFIG_DEBUG_INFO_BTF/],
      [new LiveError('load', 'the kernel rejected the probe', 1), /EPERM.*root/],
    ];
    for (const [e, re] of cases) {
      const line = e.oneLine();
      expect(line).toMatch(/^live capture unavailable: /);
      expect(line).toMatch(re);
      expect(line).not.toContain('\n');
    }
    const v = new LiveError('load', 'the kernel rejected the probe', 13);
    v.detail = ['libbpf: prog x: -- BEGIN PROG LOAD LOG --', '12: (85) call bpf_probe_read_user#112', 'R2 unbounded memory access', 'processed 926 insns', '-- END PROG LOAD LOG --'];
    expect(v.oneLine()).toContain('R2 unbounded memory access');
    expect(describeLiveError(new Error('boom'))).toBe('live capture unavailable: boom');
  });

  it('preflight reports a missing probe object or missing privileges', () => {
    const e = preflight('/nonexistent/tsysdig.bpf.o');
    expect(e).not.toBeNull();
    expect(['not-root', 'no-btf', 'no-probe', 'unsupported']).toContain(e!.kind);
  });
});
