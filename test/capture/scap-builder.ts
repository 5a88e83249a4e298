/**
 * Test-only writer of .scap blocks, every version the reader supports.
 *
 * Written from the format description in docs/capture-format.md, so a test
 * can state a record, write it in a given block version, read it back and
 * compare every field. Knobs exist to damage the framing on purpose.
 */
import { BlockType } from '../../src/capture/block-types.js';
import { FdType, type FdRecord, type GroupRecord, type InterfaceRecord, type ThreadRecord, type UserRecord } from '../../src/capture/records.js';

/** Little-endian byte accumulator. */
export class Bytes {
  private readonly parts: Buffer[] = [];
  length = 0;

  raw(b: Uint8Array): this {
    const buf = Buffer.from(b);
    this.parts.push(buf);
    this.length += buf.length;
    return this;
  }
  u8(v: number): this {
    return this.raw(Buffer.of(v & 0xff));
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.raw(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.raw(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.raw(b);
  }
  u64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return this.raw(b);
  }
  i64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v));
    return this.raw(b);
  }
  /** u16 length + bytes, no NUL. */
  str16(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u16(b.length).raw(b);
  }
  /** u16 length + NUL-separated entries with a trailing NUL (as writers store args/env/cgroups). */
  list16(items: readonly string[]): this {
    const b = items.length === 0 ? Buffer.alloc(0) : Buffer.from(items.join('\0') + '\0', 'utf8');
    return this.u16(b.length).raw(b);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface BlockOptions {
  /** Overrides the leading total length. */
  length?: number;
  /** Overrides the trailing total length. */
  trailer?: number;
}

export type EventBlockKind = 'EV' | 'EV_INT' | 'EVF' | 'EV_V2' | 'EVF_V2' | 'EV_V2_LARGE' | 'EVF_V2_LARGE';

export const EVENT_BLOCK_IDS: Record<EventBlockKind, number> = {
  EV: BlockType.EVENT,
  EV_INT: BlockType.EVENT_INT,
  EVF: BlockType.EVENT_FLAGS,
  EV_V2: BlockType.EVENT_V2,
  EVF_V2: BlockType.EVENT_FLAGS_V2,
  EV_V2_LARGE: BlockType.EVENT_V2_LARGE,
  EVF_V2_LARGE: BlockType.EVENT_FLAGS_V2_LARGE,
};

export interface EventSpec {
  type: number;
  tid: number | bigint;
  ts: bigint;
  cpu?: number;
  /** Dump flags (EVF blocks only). */
  flags?: number;
  params: readonly Uint8Array[];
  /** Added to the event's len field (to reproduce writer mistakes). */
  lenDelta?: number;
  /** Bytes appended after the parameters, inside the event length. */
  tail?: Uint8Array;
}

/** Trailing fields of a v9 process entry, in the order the writers append them. */
export interface ThreadTrailer {
  /** Write pidns_init_start_ts + tty first (libs >= 0.10 layout). */
  v010?: { pidnsInitStartTs: bigint; tty: number };
  loginuid?: number;
  exeWritable?: boolean;
  /** Capability masks and later additions, as opaque bytes. */
  more?: Uint8Array;
}

const PL_IDS: Record<number, number> = {
  1: BlockType.PROCESS_LIST_V1,
  2: BlockType.PROCESS_LIST_V2,
  3: BlockType.PROCESS_LIST_V3,
  4: BlockType.PROCESS_LIST_V4,
  5: BlockType.PROCESS_LIST_V5,
  6: BlockType.PROCESS_LIST_V6,
  7: BlockType.PROCESS_LIST_V7,
  8: BlockType.PROCESS_LIST_V8,
  9: BlockType.PROCESS_LIST_V9,
};
const PL_INT_IDS: Record<number, number> = {
  1: BlockType.PROCESS_LIST_V1_INT,
  2: BlockType.PROCESS_LIST_V2_INT,
  3: BlockType.PROCESS_LIST_V3_INT,
};

export class ScapBuilder {
  private readonly out = new Bytes();

  /** Bytes written so far (= stream offset of the next block). */
  get length(): number {
    return this.out.length;
  }

  raw(b: Uint8Array): this {
    this.out.raw(b);
    return this;
  }

  /** A block: header, body, zero padding to 4, trailer. */
  block(type: number, body: Uint8Array, opts: BlockOptions = {}): this {
    const pad = (4 - (body.length % 4)) % 4;
    const total = 8 + body.length + pad + 4;
    this.out.u32(type).u32(opts.length ?? total).raw(body).raw(Buffer.alloc(pad)).u32(opts.trailer ?? total);
    return this;
  }

  sectionHeader(opts: { magic?: number; major?: number; minor?: number } & BlockOptions = {}): this {
    const body = new Bytes()
      .u32(opts.magic ?? 0x1a2b3c4d)
      .u16(opts.major ?? 1)
      .u16(opts.minor ?? 2)
      .u64(0xffffffffffffffffn)
      .build();
    return this.block(BlockType.SECTION_HEADER, body, opts);
  }

  machineInfo(mi: { numCpus: number; memoryBytes: number; maxPid: number; hostname: string }, int = false): this {
    const host = Buffer.alloc(128);
    host.write(mi.hostname, 'utf8');
    const body = new Bytes().u32(mi.numCpus).u64(mi.memoryBytes).u64(mi.maxPid).raw(host).u64(0).u64(0).u64(0).u64(0).build();
    return this.block(int ? BlockType.MACHINE_INFO_INT : BlockType.MACHINE_INFO, body);
  }

  /**
   * A process list block of `version` (1..9). v9 entries get their length
   * prefix and `trailing` fields (default: loginuid + exe_writable, as the
   * 0.29-era writer), then `extra` bytes a future writer might append.
   */
  processList(
    version: number,
    threads: readonly ThreadRecord[],
    opts: { int?: boolean; trailing?: ThreadTrailer; extra?: Uint8Array; entryLenDelta?: number } & BlockOptions = {},
  ): this {
    const body = new Bytes();
    for (const t of threads) {
      const e = new Bytes();
      e.i64(t.tid).i64(t.pid).i64(t.ptid);
      if (version >= 6) e.i64(t.sid);
      if (version >= 8) e.i64(t.vpgid);
      e.str16(t.comm).str16(t.exe);
      if (version >= 7) e.str16(t.exepath);
      e.list16(t.args).str16(t.cwd).u64(t.fdlimit).u32(t.flags).u32(t.uid).u32(t.gid);
      if (version >= 2) e.u32(t.vmsizeKb).u32(t.vmrssKb).u32(t.vmswapKb).u64(t.pfmajor).u64(t.pfminor);
      if (version >= 3) e.list16(t.env);
      if (version >= 4) e.i64(t.vtid).i64(t.vpid).list16(t.cgroups);
      if (version >= 5) e.str16(t.root);
      if (version >= 9) {
        const tr = opts.trailing ?? { loginuid: t.loginuid, exeWritable: t.exeWritable };
        if (tr.v010) e.u64(tr.v010.pidnsInitStartTs).u32(tr.v010.tty);
        if (tr.loginuid !== undefined) e.i32(tr.loginuid);
        if (tr.exeWritable !== undefined) e.u8(tr.exeWritable ? 1 : 0);
        if (tr.more) e.raw(tr.more);
        if (opts.extra) e.raw(opts.extra);
        const entry = e.build();
        body.u32(4 + entry.length + (opts.entryLenDelta ?? 0)).raw(entry);
      } else {
        body.raw(e.build());
      }
    }
    const id = opts.int ? PL_INT_IDS[version] : PL_IDS[version];
    if (id === undefined) throw new Error(`no block id for process list v${version}${opts.int ? ' INT' : ''}`);
    return this.block(id, body.build(), opts);
  }

  /** An fd list block (v1 or v2) for process `pid`. v2 entries may carry `extra` appended bytes. */
  fdList(
    version: 1 | 2,
    pid: number,
    fds: readonly FdRecord[],
    opts: { int?: boolean; extra?: Uint8Array; withDev?: boolean } & BlockOptions = {},
  ): this {
    const body = new Bytes().i64(pid);
    const entries = fds.map((fd) => fdEntry(fd, version === 2 && opts.withDev !== false));
    for (const e of entries) {
      if (version === 2) {
        const full = opts.extra ? Buffer.concat([e, opts.extra]) : e;
        body.u32(4 + full.length).raw(full);
      } else {
        body.raw(e);
      }
    }
    const id = version === 2 ? BlockType.FD_LIST_V2 : opts.int ? BlockType.FD_LIST_INT : BlockType.FD_LIST;
    return this.block(id, body.build(), opts);
  }

  /**
   * An interface list block. v1 entries use kinds 1/2 (with linkspeed) or,
   * with `noLinkspeed`, kinds 3/4. v2 entries may carry `extra` bytes.
   */
  interfaceList(
    version: 1 | 2,
    ifaces: readonly InterfaceRecord[],
    opts: { int?: boolean; noLinkspeed?: boolean; extra?: Uint8Array; rawEntries?: Uint8Array[] } & BlockOptions = {},
  ): this {
    const body = new Bytes();
    const entries = ifaces.map((i) => interfaceEntry(i, opts.noLinkspeed === true));
    if (opts.rawEntries) entries.push(...opts.rawEntries.map((b) => Buffer.from(b)));
    for (const e of entries) {
      if (version === 2) {
        const full = opts.extra ? Buffer.concat([e, opts.extra]) : e;
        body.u32(full.length).raw(full); // IL v2 lengths do not count themselves
      } else {
        body.raw(e);
      }
    }
    const id = version === 2 ? BlockType.INTERFACE_LIST_V2 : opts.int ? BlockType.INTERFACE_LIST_INT : BlockType.INTERFACE_LIST;
    return this.block(id, body.build(), opts);
  }

  /** A user list block: users first, then groups (as writers order them), unless `groupsFirst`. */
  userList(
    version: 1 | 2,
    users: readonly UserRecord[],
    groups: readonly GroupRecord[],
    opts: { int?: boolean; extra?: Uint8Array; groupsFirst?: boolean } & BlockOptions = {},
  ): this {
    const body = new Bytes();
    const us = users.map((u) => new Bytes().u8(0).u32(u.uid).u32(u.gid).str16(u.name).str16(u.homedir).str16(u.shell).build());
    const gs = groups.map((g) => new Bytes().u8(1).u32(g.gid).str16(g.name).build());
    for (const e of opts.groupsFirst ? [...gs, ...us] : [...us, ...gs]) {
      if (version === 2) {
        const full = opts.extra ? Buffer.concat([e, opts.extra]) : e;
        body.u32(4 + full.length).raw(full);
      } else {
        body.raw(e);
      }
    }
    const id = version === 2 ? BlockType.USER_LIST_V2 : opts.int ? BlockType.USER_LIST_INT : BlockType.USER_LIST;
    return this.block(id, body.build(), opts);
  }

  /** One event block of the given kind. */
  event(kind: EventBlockKind, ev: EventSpec, opts: BlockOptions = {}): this {
    const large = kind.endsWith('LARGE');
    const v2 = kind.includes('V2');
    const hasFlags = kind.startsWith('EVF');
    const lenSize = large ? 4 : 2;
    const tail = ev.tail ?? new Uint8Array(0);
    const paramBytes = ev.params.reduce((n, p) => n + p.length, 0);
    const hdr = v2 ? 26 : 22;
    const len = hdr + ev.params.length * lenSize + paramBytes + tail.length + (ev.lenDelta ?? 0);
    const e = new Bytes().u64(ev.ts).i64(ev.tid).u32(len).u16(ev.type);
    if (v2) e.u32(ev.params.length);
    for (const p of ev.params) {
      if (large) e.u32(p.length);
      else e.u16(p.length);
    }
    for (const p of ev.params) e.raw(p);
    e.raw(tail);
    const body = new Bytes().u16(ev.cpu ?? 0);
    if (hasFlags) body.u32(ev.flags ?? 0);
    body.raw(e.build());
    return this.block(EVENT_BLOCK_IDS[kind], body.build(), opts);
  }

  build(): Buffer {
    return this.out.build();
  }
}

function fdEntry(fd: FdRecord, withDev: boolean): Buffer {
  const e = new Bytes().i64(fd.fd).u64(fd.ino).u8(fd.type);
  switch (fd.type) {
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
      e.raw(fd.sip!).raw(fd.dip!).u16(fd.sport).u16(fd.dport).u8(fd.l4proto);
      break;
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
      e.raw(fd.sip!).u16(fd.sport).u8(fd.l4proto);
      break;
    case FdType.UNIX_SOCK:
      e.u64(BigInt('0x' + fd.unixSource)).u64(BigInt('0x' + fd.unixDest)).str16(fd.name);
      break;
    case FdType.FILE_V2:
      e.u32(fd.openFlags).str16(fd.name);
      if (withDev) e.u32(fd.dev);
      break;
    case FdType.UNKNOWN:
      break;
    default:
      e.str16(fd.name);
  }
  return e.build();
}

function interfaceEntry(i: InterfaceRecord, noLinkspeed: boolean): Buffer {
  const kind = i.family === 4 ? (noLinkspeed ? 3 : 1) : noLinkspeed ? 4 : 2;
  const name = Buffer.from(i.name, 'utf8');
  const e = new Bytes().u16(kind).u16(name.length).raw(i.addr).raw(i.netmask).raw(i.bcast);
  if (!noLinkspeed) e.u64(i.linkspeed);
  return e.raw(name).build();
}

// ---- record factories with every field set to something recognizable ----

export function thread(over: Partial<ThreadRecord> = {}): ThreadRecord {
  return {
    tid: 4242, pid: 4240, ptid: 1, sid: 4200, vpgid: 4201,
    comm: 'bash', exe: '/bin/bash', exepath: '/usr/bin/bash',
    args: ['-c', 'echo hi', ''], env: ['HOME=/root', 'TERM=xterm'], cwd: '/root/',
    fdlimit: 1048576, flags: 0x2000, uid: 1000, gid: 1001,
    vmsizeKb: 12345, vmrssKb: 2345, vmswapKb: 17, pfmajor: 5_000_000_000, pfminor: 77,
    vtid: 12, vpid: 10, cgroups: ['cpuset=/', 'memory=/user.slice'], root: '/',
    loginuid: 1000, exeWritable: true, cloneTs: 0, tty: 0,
    ...over,
  };
}

/** What a thread written as `version` reads back as: absent fields take the reader's defaults. */
export function threadAsVersion(t: ThreadRecord, version: number): ThreadRecord {
  const r = { ...t };
  if (version < 2) Object.assign(r, { vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0, pfminor: 0 });
  if (version < 3) r.env = [];
  if (version < 4) Object.assign(r, { vtid: -1, vpid: -1, cgroups: [] });
  if (version < 5) r.root = '';
  if (version < 6) r.sid = -1;
  if (version < 7) r.exepath = '';
  if (version < 8) r.vpgid = -1;
  if (version < 9) Object.assign(r, { loginuid: -1, exeWritable: false });
  r.cloneTs = 0;
  r.tty = 0;
  return r;
}

export function fdRecord(over: Partial<FdRecord> = {}): FdRecord {
  return {
    fd: 3, ino: 123456, type: FdType.FILE, name: '', openFlags: 0, mountId: 0, dev: 0, l4proto: 0,
    sip: null, dip: null, sport: 0, dport: 0, unixSource: '', unixDest: '',
    ...over,
  };
}

export function iface(over: Partial<InterfaceRecord> = {}): InterfaceRecord {
  return {
    name: 'eth0', family: 4,
    addr: Uint8Array.of(10, 0, 0, 5), netmask: Uint8Array.of(255, 255, 255, 0), bcast: Uint8Array.of(10, 0, 0, 255),
    linkspeed: 1000,
    ...over,
  };
}
