/**
 * fs.path.*: the path a filesystem syscall acted on (libsinsp's "fs.path"
 * class), for the exit events of successful calls only: `name` for calls on
 * one path (mkdir, unlink, open, chmod, chown, umount ...), `source` and
 * `target` for calls on two (rename, link, symlink, mount). The `raw`
 * variants are the argument as passed; the others resolve a relative path
 * against the directory libsinsp uses: the dirfd for the *at() calls that
 * have one (fchmodat, fchownat, mkdirat, unlinkat, symlinkat's source,
 * renameat2), the fd's resolved name for openat, else the cwd.
 */
import { EV } from '../event/event-ids.js';
import type { ScapEvent } from '../event/scap-event.js';
import { ParamType } from '../event/types.js';
import { dirOf } from '../state/parse-fds.js';
import { concatenatePaths } from '../state/paths.js';
import { simpleField, type FieldDef, type Getter } from './define.js';
import { cwdOf, threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

type Role = 'name' | 'source' | 'target';

/** Where a path argument comes from: a parameter name, or the event's fd name. */
interface PathRule {
  readonly name?: string;
  readonly source?: string;
  readonly target?: string;
  /** Success: `res` == 0, or the created fd is not -1 (opens). */
  readonly success: 'res' | 'fd';
  /** How a relative path is resolved (see the module comment); per role for symlinkat and renameat2. */
  readonly dir: 'cwd' | 'dirfd' | 'openat' | 'symlinkat' | 'renameat2';
}

const FD_NAME = '<fd>';

const RULES = new Map<number, PathRule>([
  [EV.MKDIR_2_X, { name: 'path', success: 'res', dir: 'cwd' }],
  [EV.MKDIRAT_X, { name: 'path', success: 'res', dir: 'dirfd' }],
  [EV.RMDIR_2_X, { name: 'path', success: 'res', dir: 'cwd' }],
  [EV.UNLINK_2_X, { name: 'path', success: 'res', dir: 'cwd' }],
  [EV.UNLINKAT_2_X, { name: 'name', success: 'res', dir: 'dirfd' }],
  [EV.OPEN_X, { name: 'name', success: 'fd', dir: 'cwd' }],
  [EV.OPENAT_2_X, { name: 'name', success: 'fd', dir: 'openat' }],
  [EV.OPENAT2_X, { name: 'name', success: 'fd', dir: 'openat' }],
  [EV.FCHMODAT_X, { name: 'filename', success: 'res', dir: 'dirfd' }],
  [EV.CHMOD_X, { name: 'filename', success: 'res', dir: 'cwd' }],
  [EV.FCHMOD_X, { name: FD_NAME, success: 'res', dir: 'cwd' }],
  [EV.CHOWN_X, { name: 'path', success: 'res', dir: 'cwd' }],
  [EV.LCHOWN_X, { name: 'path', success: 'res', dir: 'cwd' }],
  [EV.FCHOWN_X, { name: FD_NAME, success: 'res', dir: 'cwd' }],
  [EV.FCHOWNAT_X, { name: 'pathname', success: 'res', dir: 'dirfd' }],
  [EV.QUOTACTL_X, { name: 'special', success: 'res', dir: 'cwd' }],
  [EV.RENAME_X, { source: 'oldpath', target: 'newpath', success: 'res', dir: 'cwd' }],
  [EV.RENAMEAT_X, { source: 'oldpath', target: 'newpath', success: 'res', dir: 'cwd' }],
  [EV.RENAMEAT2_X, { source: 'oldpath', target: 'newpath', success: 'res', dir: 'renameat2' }],
  [EV.LINK_2_X, { source: 'newpath', target: 'oldpath', success: 'res', dir: 'cwd' }],
  [EV.LINKAT_2_X, { source: 'newpath', target: 'oldpath', success: 'res', dir: 'cwd' }],
  [EV.SYMLINK_X, { source: 'linkpath', target: 'target', success: 'res', dir: 'cwd' }],
  [EV.SYMLINKAT_X, { source: 'linkpath', target: 'target', success: 'res', dir: 'symlinkat' }],
  [EV.MOUNT_X, { source: 'dev', target: 'dir', success: 'res', dir: 'cwd' }],
  [EV.UMOUNT_1_X, { name: 'name', success: 'res', dir: 'cwd' }],
  [EV.UMOUNT2_X, { name: 'name', success: 'res', dir: 'cwd' }],
]);

function paramNamed(ev: ScapEvent, name: string): number {
  const ps = ev.info.params;
  const n = Math.min(ev.nparams, ps.length);
  for (let i = 0; i < n; i++) if (ps[i]!.name === name) return i;
  return -1;
}

function succeeded(ev: ScapEvent, rule: PathRule): boolean {
  const i = paramNamed(ev, rule.success);
  return i >= 0 && (rule.success === 'res' ? ev.i64(i) === 0 : ev.i64(i) !== -1);
}

/** The raw path of `role` for the event, or undefined when the event has none or failed. */
function rawPath(ctx: EventContext, role: Role): string | undefined {
  const ev = ctx.ev;
  const rule = RULES.get(ev.type);
  const arg = rule?.[role];
  if (rule === undefined || arg === undefined || !succeeded(ev, rule)) return undefined;
  if (arg === FD_NAME) return ctx.engine.fd?.name;
  const i = paramNamed(ev, arg);
  if (i < 0) return undefined;
  const s = ev.str(i);
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** The directory a relative path of `role` is resolved against. */
function baseDir(ctx: EventContext, role: Role, path: string): string | undefined {
  const { ev, engine } = ctx;
  const t = threadOf(ctx);
  if (t === null) return undefined;
  const rule = RULES.get(ev.type)!;
  const dirfdAt = (name: string): string => {
    const i = paramNamed(ev, name);
    return i < 0 ? '<UNKNOWN>' : dirOf(engine, t, path, ev.i64(i));
  };
  switch (rule.dir) {
    case 'openat':
      return undefined; // the fd's own resolved name is the answer
    case 'dirfd':
      return dirfdAt('dirfd');
    case 'symlinkat':
      return role === 'source' ? dirfdAt('linkdirfd') : '<UNKNOWN>';
    case 'renameat2':
      return role === 'target' ? dirfdAt('newdirfd') : role === 'source' ? dirfdAt('olddirfd') : '<UNKNOWN>';
    case 'cwd':
      return cwdOf(engine, t) ?? t.cwd;
  }
}

function resolvedPath(ctx: EventContext, role: Role): string | undefined {
  const raw = rawPath(ctx, role);
  if (raw === undefined || threadOf(ctx) === null) return undefined;
  if (raw.startsWith('/')) return concatenatePaths('', raw)[0];
  const dir = baseDir(ctx, role, raw);
  if (dir === undefined) return ctx.engine.fd?.name ?? '<UNKNOWN>';
  return concatenatePaths(dir, raw)[0];
}

function field(name: string, desc: string, get: Getter): FieldDef {
  return simpleField({ name, type: ParamType.FSPATH, desc, category: 'fs.path', make: () => get });
}

export const FSPATH_FIELDS: readonly FieldDef[] = [
  field('fs.path.name', 'For any event type that deals with a filesystem path, the path the file syscall is operating on. This path is always fully resolved, prepending the thread cwd when needed.', (ctx) => resolvedPath(ctx, 'name')),
  field('fs.path.nameraw', 'For any event type that deals with a filesystem path, the path the file syscall is operating on. This path is always the path provided to the syscall and may not be fully resolved.', (ctx) => rawPath(ctx, 'name')),
  field('fs.path.source', 'For any event type that deals with a filesystem path, and specifically for a source and target like mv, cp, etc, the source path the file syscall is operating on. This path is always fully resolved, prepending the thread cwd when needed.', (ctx) => resolvedPath(ctx, 'source')),
  field('fs.path.sourceraw', 'For any event type that deals with a filesystem path, and specifically for a source and target like mv, cp, etc, the source path the file syscall is operating on. This path is always the path provided to the syscall and may not be fully resolved.', (ctx) => rawPath(ctx, 'source')),
  field('fs.path.target', 'For any event type that deals with a filesystem path, and specifically for a target and target like mv, cp, etc, the target path the file syscall is operating on. This path is always fully resolved, prepending the thread cwd when needed.', (ctx) => resolvedPath(ctx, 'target')),
  field('fs.path.targetraw', 'For any event type that deals with a filesystem path, and specifically for a target and target like mv, cp, etc, the target path the file syscall is operating on. This path is always the path provided to the syscall and may not be fully resolved.', (ctx) => rawPath(ctx, 'target')),
];
