/**
 * Users and groups of the monitored machine (and of its containers), from the
 * capture's user-list block or /etc/passwd and /etc/group when live.
 *
 * Kept as container id → numeric id → record, so a lookup (once per event for
 * user.name in the process views) builds no key string.
 */
import type { GroupRecord, UserRecord } from '../capture/records.js';

function put<T>(m: Map<string, Map<number, T>>, container: string, id: number, v: T): void {
  let inner = m.get(container);
  if (inner === undefined) {
    inner = new Map();
    m.set(container, inner);
  }
  inner.set(id, v);
}

function lookup<T>(m: Map<string, Map<number, T>>, id: number, container: string): T | undefined {
  const v = m.get(container)?.get(id);
  if (v !== undefined || container === '') return v;
  // A container without its own entry falls back to the host's, as sysdig does.
  return m.get('')?.get(id);
}

export class UserTable {
  private readonly users = new Map<string, Map<number, UserRecord>>();
  private readonly groups = new Map<string, Map<number, GroupRecord>>();
  private nusers = 0;

  addUser(u: UserRecord): void {
    put(this.users, u.container, u.uid, u);
    this.nusers++;
  }
  addGroup(g: GroupRecord): void {
    put(this.groups, g.container, g.gid, g);
  }
  user(uid: number, container = ''): UserRecord | undefined {
    return lookup(this.users, uid, container);
  }
  group(gid: number, container = ''): GroupRecord | undefined {
    return lookup(this.groups, gid, container);
  }
  get userCount(): number {
    return this.nusers;
  }
  /** Every user record (for writing a capture's user list). */
  allUsers(): UserRecord[] {
    return [...this.users.values()].flatMap((m) => [...m.values()]);
  }
  allGroups(): GroupRecord[] {
    return [...this.groups.values()].flatMap((m) => [...m.values()]);
  }
}
