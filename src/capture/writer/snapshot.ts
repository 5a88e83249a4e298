/**
 * What a capture's metadata blocks are built from: the state engine's
 * threads, fd tables, machine info, containers, users, groups and
 * interfaces. A SnapshotRecorder is for callers that want to write lists
 * other than the engine's (tests write exactly what a source delivered).
 */
import { FdType, type FdRecord, type GroupRecord, type InterfaceRecord, type UserRecord } from '../records.js';
import type { FdInfo } from '../../state/fd-info.js';
import { LookupState, type ContainerInfo } from '../../state/containers.js';
import type { StateEngine } from '../../state/engine.js';

/** Users, groups and interfaces for ScapWriter.writeSnapshot. */
export interface SnapshotLists {
  interfaces?: readonly InterfaceRecord[];
  users?: readonly UserRecord[];
  groups?: readonly GroupRecord[];
}

/**
 * Keeps the interface, user and group records a capture source delivers,
 * for the snapshot. Feed it next to the engine (its methods match
 * CaptureSink's): `onUser: (u) => { engine.onUser(u); recorder.onUser(u); }`.
 */
export class SnapshotRecorder {
  readonly interfaces: InterfaceRecord[] = [];
  readonly users: UserRecord[] = [];
  readonly groups: GroupRecord[] = [];
  /** True once any interface/user record arrived (a source without such blocks leaves the lists out). */
  private sawInterfaces = false;
  private sawUsers = false;

  onInterface(i: InterfaceRecord): void {
    this.sawInterfaces = true;
    this.interfaces.push(i);
  }
  onUser(u: UserRecord): void {
    this.sawUsers = true;
    this.users.push(u);
  }
  onGroup(g: GroupRecord): void {
    this.sawUsers = true;
    this.groups.push(g);
  }

  get lists(): SnapshotLists {
    return {
      interfaces: this.sawInterfaces ? this.interfaces : undefined,
      users: this.sawUsers ? this.users : undefined,
      groups: this.sawUsers ? this.groups : undefined,
    };
  }
}

/**
 * The fd list of every thread, as it goes on file: a thread that shares its
 * process's fd table (CLONE_FILES) gets an empty list and the table is
 * written once, under the thread that owns it (as sysdig writes fds under
 * main threads only). A table whose owner left the thread table is written
 * under the first thread still using it.
 */
export function snapshotFds(engine: StateEngine): { tid: number; fds: FdRecord[] }[] {
  const out: { tid: number; fds: FdRecord[] }[] = [];
  const written = new Set<Map<number, FdInfo>>();
  for (const t of engine.threads.values()) {
    const owner = t.fdOwner;
    let table: Map<number, FdInfo> | null = null;
    if (owner === null || owner === t) table = t.ownFds;
    else if (engine.threads.get(owner.tid) !== owner) table = t.fds;
    if (table !== null && written.has(table)) table = null;
    const fds: FdRecord[] = [];
    if (table !== null) {
      written.add(table);
      for (const [num, f] of table) fds.push(fdRecordOf(num, f));
    }
    out.push({ tid: t.tid, fds });
  }
  return out;
}

function ipv4Bytes(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

/** The file-level record of one of the engine's fds. */
export function fdRecordOf(num: number, f: FdInfo): FdRecord {
  const v4 = f.type === FdType.IPV4_SOCK || f.type === FdType.IPV4_SERVSOCK;
  const v6 = f.type === FdType.IPV6_SOCK || f.type === FdType.IPV6_SERVSOCK;
  return {
    fd: num,
    ino: f.ino,
    type: f.type,
    name: f.name,
    openFlags: f.openFlags,
    mountId: f.mountId,
    dev: f.dev,
    l4proto: f.l4proto,
    sip: v4 ? ipv4Bytes(f.sip4) : v6 ? f.sip6 : null,
    dip: v4 ? ipv4Bytes(f.dip4) : v6 ? f.dip6 : null,
    sport: f.sport,
    dport: f.dport,
    unixSource: f.unixSource,
    unixDest: f.unixDest,
  };
}

/**
 * Containers worth a container event: those with metadata (from a runtime
 * or an earlier container event) and those whose lookup failed for good.
 * Placeholders made from a cgroup path alone are left out: they carry
 * nothing a replay could not rebuild from the cgroups itself.
 */
export function containersToWrite(engine: StateEngine): ContainerInfo[] {
  const out: ContainerInfo[] = [];
  for (const c of engine.containers.values()) {
    if (c.id === '' || c.id === 'host') continue;
    if (c.hasMetadata || c.lookupState === LookupState.FAILED) out.push(c);
  }
  return out;
}
