/**
 * An append-only file of whole lines, optionally rotated the way Tetragon's
 * export file rotates (lumberjack): when the next line would take the file
 * past `maxBytes`, the file is renamed to `NAME-<UTC time>.EXT` (time as
 * 2006-01-02T15-04-05.000), a new file is started, and backups beyond
 * `maxBackups` (0: keep all) are removed, oldest first. Lines are written
 * with one write(2) per group of whole lines, so a reader never sees half a
 * line in a finished file and rotation never splits one: every line is in
 * exactly one file. A single line longer than `maxBytes` gets a file of its own.
 *
 * Files are created 0600 and a symbolic link at the path is refused
 * (O_NOFOLLOW), so a planted link cannot redirect the output.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** An output file that cannot be opened safely; main.ts knows it by name. */
export class OutputFileError extends Error {
  override name = 'OutputFileError';
}

const OPEN_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Opens `path` for appending, creating it 0600; a symlink or a non-regular file is refused. */
export function openAppend(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS, 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ELOOP') throw new OutputFileError(`refusing to write through the symbolic link ${path}`);
    throw new OutputFileError(`cannot open output file ${path}: ${e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOENT' ? 'no such directory' : e.message}`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new OutputFileError(`output file ${path} is not a regular file`);
  }
  return fd;
}

export interface RotationLimits {
  /** 0: never rotate. */
  maxBytes: number;
  /** Rotated files kept; 0 keeps all (lumberjack's MaxBackups). */
  maxBackups: number;
}

const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}$/;

/** lumberjack's backup name: NAME-2006-01-02T15-04-05.000.EXT, in UTC. */
export function backupName(path: string, when: Date): string {
  const ext = extname(path);
  const prefix = basename(path, ext);
  const stamp = when.toISOString().slice(0, 23).replace(/:/g, '-');
  return join(dirname(path), `${prefix}-${stamp}${ext}`);
}

export class LineFile {
  private fd = -1;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly limits: RotationLimits,
    /** Closed after every write (Falco's file_output without keep_alive), so an outside logrotate can move it. */
    private readonly keepOpen: boolean,
  ) {}

  private open(): void {
    if (this.fd >= 0) return;
    this.fd = openAppend(this.path);
    this.size = fstatSync(this.fd).size;
  }

  /** Appends whole lines (each already ending in \n). Throws OutputFileError or the write's error. */
  append(lines: readonly Buffer[]): void {
    this.open();
    try {
      let group: Buffer[] = [];
      let groupBytes = 0;
      for (const line of lines) {
        if (this.limits.maxBytes > 0 && this.size + groupBytes + line.length > this.limits.maxBytes && this.size + groupBytes > 0) {
          this.writeAll(group, groupBytes);
          group = [];
          groupBytes = 0;
          this.rotate();
        }
        group.push(line);
        groupBytes += line.length;
      }
      this.writeAll(group, groupBytes);
    } finally {
      if (!this.keepOpen) this.close();
    }
  }

  private writeAll(group: Buffer[], bytes: number): void {
    if (bytes === 0) return;
    const buf = group.length === 1 ? group[0]! : Buffer.concat(group, bytes);
    let off = 0;
    // Regular files take a whole write at once; the loop only guards against a short write (full disk).
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.size += buf.length;
  }

  private rotate(): void {
    this.close();
    let when = new Date();
    // Two rotations in one millisecond would give one name: the later takes the next free millisecond.
    while (exists(backupName(this.path, when))) when = new Date(when.getTime() + 1);
    renameSync(this.path, backupName(this.path, when));
    this.open();
    this.prune();
  }

  private prune(): void {
    if (this.limits.maxBackups <= 0) return;
    const ext = extname(this.path);
    const prefix = basename(this.path, ext) + '-';
    const dir = dirname(this.path);
    const backups = readdirSync(dir)
      .filter((n) => n.startsWith(prefix) && n.endsWith(ext) && STAMP.test(n.slice(prefix.length, n.length - ext.length)))
      .sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - this.limits.maxBackups))) unlinkSync(join(dir, old));
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
