/**
 * user.* and group.*: the credentials of the event's thread, with names,
 * home and shell from the machine's user and group tables (the capture's
 * user list, or /etc/passwd and /etc/group live). As in sysdig 0.29.3 the
 * tables are the host's: ids are not looked up per container.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import type { ThreadInfo } from '../state/thread-info.js';
import { type FieldDef, type Getter, simpleField } from './define.js';
import { threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

const NO_ID = 0xffffffff;

function onThread(get: (t: ThreadInfo, ctx: EventContext) => ReturnType<Getter>): Getter {
  return (ctx) => {
    const t = threadOf(ctx);
    return t === null ? undefined : get(t, ctx);
  };
}

function def(category: string, name: string, type: ParamType, fmt: PrintFormat, desc: string, get: (t: ThreadInfo, ctx: EventContext) => ReturnType<Getter>): FieldDef {
  const g = onThread(get);
  return simpleField({ name, type, fmt, desc, category, make: () => g });
}

function userOf(ctx: EventContext, uid: number): { name: string; homedir: string; shell: string } | undefined {
  const u = uid >>> 0;
  return u === NO_ID ? undefined : ctx.engine.users.user(u);
}

export const USER_FIELDS: readonly FieldDef[] = [
  def('user', 'user.uid', ParamType.UINT32, PrintFormat.ID, 'user ID.', (t) => t.uid >>> 0),
  def('user', 'user.name', ParamType.CHARBUF, PrintFormat.NA, 'user name.', (t, ctx) => userOf(ctx, t.uid)?.name),
  def('user', 'user.homedir', ParamType.CHARBUF, PrintFormat.NA, 'home directory of the user.', (t, ctx) => userOf(ctx, t.uid)?.homedir),
  def('user', 'user.shell', ParamType.CHARBUF, PrintFormat.NA, "user's shell.", (t, ctx) => userOf(ctx, t.uid)?.shell),
  def('user', 'user.loginuid', ParamType.INT32, PrintFormat.ID, 'audit user id (auid).', (t) => t.loginuid | 0),
  def('user', 'user.loginname', ParamType.CHARBUF, PrintFormat.NA, 'audit user name (auid).', (t, ctx) => userOf(ctx, t.loginuid)?.name),
];

export const GROUP_FIELDS: readonly FieldDef[] = [
  def('group', 'group.gid', ParamType.UINT64, PrintFormat.ID, 'group ID.', (t) => t.gid >>> 0),
  def('group', 'group.name', ParamType.CHARBUF, PrintFormat.NA, 'group name.', (t, ctx) => {
    const g = t.gid >>> 0;
    return g === NO_ID ? undefined : ctx.engine.users.group(g)?.name;
  }),
];
