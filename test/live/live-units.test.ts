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
import { RingRecordDecoder } from '../../src/live/ring-record.js';
import { ScapEvent } from '../../src/event/scap-event.js';
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
    // compact generic records
    expect(defines.get('TSD_COMPACT_LEN')).toBe(abi.COMPACT_RECORD_LEN);
    expect(defines.get('TSD_COMPACT_NR_MASK')).toBe(abi.COMPACT_NR_MASK);
    expect(defines.get('TSD_COMPACT_SC_SHIFT')).toBe(abi.COMPACT_SC_SHIFT);
    expect(defines.get('TSD_COMPACT_SC_MASK')).toBe(abi.COMPACT_SC_MASK);
    expect(defines.get('TSD_COMPACT_EXIT')).toBe(abi.COMPACT_EXIT);
    expect(defines.get('TSD_COMPACT_CPU_SHIFT')).toBe(abi.COMPACT_CPU_SHIFT);
    // every syscall number and PPM_SC code fits its field
    expect(abi.MAX_SYSCALLS - 1).toBeLessThanOrEqual(abi.COMPACT_NR_MASK);
    for (const sc of X86_64_SYSCALLS) if (sc) expect(sc[1]).toBeLessThanOrEqual(abi.COMPACT_SC_MASK);
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

describe('ring record decoding', () => {
  /** A compact generic record as the probe writes it. */
  function compact(ts: bigint, tid: number, nr: number, ppmSc: number, exit: boolean, cpu: number): Buffer {
    const b = Buffer.alloc(abi.COMPACT_RECORD_LEN);
    b.writeBigUInt64LE(ts, 0);
    b.writeUInt32LE(tid, 8);
    b.writeUInt32LE((nr | (ppmSc << abi.COMPACT_SC_SHIFT) | (exit ? abi.COMPACT_EXIT : 0) | (cpu << abi.COMPACT_CPU_SHIFT)) >>> 0, 12);
    return b;
  }
  /** The scap generic event the probe wrote before compact records (header, lengths, params). */
  function genericEvent(ts: bigint, tid: number, nr: number, ppmSc: number, exit: boolean): Buffer {
    const b = Buffer.alloc(exit ? 30 : 34);
    b.writeBigUInt64LE(ts, 0);
    b.writeBigUInt64LE(BigInt(tid), 8);
    b.writeUInt32LE(b.length, 16);
    b.writeUInt16LE(exit ? 1 : 0, 20);
    b.writeUInt32LE(exit ? 1 : 2, 22);
    if (exit) {
      b.writeUInt16LE(2, 26);
      b.writeUInt16LE(ppmSc, 28);
    } else {
      b.writeUInt16LE(2, 26);
      b.writeUInt16LE(2, 28);
      b.writeUInt16LE(ppmSc, 30);
      b.writeUInt16LE(nr, 32);
    }
    return b;
  }

  it('expands compact records into the generic events the probe used to write', () => {
    const dec = new RingRecordDecoder();
    const ev = new ScapEvent();
    const ts = 1733400000123456789n;
    const enter = compact(ts, 4194303, 110, 41, false, 8191);
    expect(dec.decode(ev, enter, 0, enter.length)).toBeNull();
    expect(ev.raw()).toEqual(genericEvent(ts, 4194303, 110, 41, false));
    expect([ev.type, ev.tid, ev.tsBig(), ev.nparams, ev.u16(0), ev.u16(1), ev.cpu]).toEqual([0, 4194303, ts, 2, 41, 110, 8191]);
    const exit = compact(ts + 1000n, 77, 511, 328, true, 1);
    expect(dec.decode(ev, exit, 0, exit.length)).toBeNull();
    expect(ev.raw()).toEqual(genericEvent(ts + 1000n, 77, 511, 328, true));
    expect([ev.type, ev.tid, ev.tsBig(), ev.nparams, ev.u16(0), ev.cpu]).toEqual([1, 77, ts + 1000n, 1, 328, 1]);
  });

  it('decodes scap records with their CPU trailer, alternating with compact ones', () => {
    const dec = new RingRecordDecoder();
    const ev = new ScapEvent();
    // a ring holding [scap event + cpu trailer][compact] back to back
    const full = genericEvent(5n, 9, 39, 40, false);
    const ring = Buffer.concat([full, Buffer.from([3, 0]), compact(6n, 9, 39, 40, true, 1)]);
    for (let i = 0; i < 3; i++) {
      expect(dec.decode(ev, ring, 0, full.length + 2)).toBeNull();
      expect([ev.type, ev.tsBig(), ev.u16(0), ev.u16(1), ev.cpu]).toEqual([0, 5n, 40, 39, 3]);
      expect(dec.decode(ev, ring, full.length + 2, abi.COMPACT_RECORD_LEN)).toBeNull();
      expect([ev.type, ev.tsBig(), ev.u16(0), ev.cpu]).toEqual([1, 6n, 40, 1]);
    }
    // a malformed scap record is reported, not decoded
    expect(dec.decode(ev, Buffer.alloc(20), 0, 20)).toMatch(/shorter than its header/);
  });

  it("keeps an expanded event's bytes intact while the next ones are decoded, across the arena's wrap", () => {
    const dec = new RingRecordDecoder();
    const ev = new ScapEvent();
    const held: { view: Buffer; want: Buffer }[] = [];
    let bad = 0;
    let checked = 0;
    for (let i = 0; i < 5000; i++) {
      const r = compact(BigInt(i) * 1000n, i, i % 512, i % 329, (i & 1) === 1, i % 4);
      if (dec.decode(ev, r, 0, r.length) !== null || ev.tid !== i) bad++;
      held.push({ view: ev.raw(), want: genericEvent(BigInt(i) * 1000n, i, i % 512, i % 329, (i & 1) === 1) });
      // the last 1000 events' bytes are still what they were
      if (held.length > 1000) held.shift();
      if (i % 97 === 0) for (const h of held) (checked++, h.view.equals(h.want) || bad++);
    }
    expect(checked).toBeGreaterThan(40_000);
    expect(bad).toBe(0);
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
