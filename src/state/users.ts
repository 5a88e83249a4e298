/**
 * Users and groups of the monitored machine (and of its containers), from the
 * capture's user-list block or /etc/passwd and /etc/group when live.
 */
import type { GroupRecord, UserRecord } from '../capture/records.js';

export class UserTable {
  private readonly users = new Map<string, UserRecord>();
  private readonly groups = new Map<string, GroupRecord>();

  private static key(id: number, container: string): string {
    return container === '' ? String(id) : `${container}/${id}`;
  }

  addUser(u: UserRecord): void {
    this.users.set(UserTable.key(u.uid, u.container), u);
  }
  addGroup(g: GroupRecord): void {
    this.groups.set(UserTable.key(g.gid, g.container), g);
  }
  user(uid: number, container = ''): UserRecord | undefined {
    return this.users.get(UserTable.key(uid, container)) ?? (container !== '' ? this.users.get(String(uid)) : undefined);
  }
  group(gid: number, container = ''): GroupRecord | undefined {
    return this.groups.get(UserTable.key(gid, container)) ?? (container !== '' ? this.groups.get(String(gid)) : undefined);
  }
  get userCount(): number {
    return this.users.size;
  }
}
