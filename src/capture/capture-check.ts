/**
 * The check a capture named on the command line passes before anything is
 * shown: it exists, is a file, and starts like a .scap capture (plain or
 * gzip). A person who mistyped the name gets one line
 * (`cannot open capture F: no such file`) before any screen or table, not a
 * screen with Node's ENOENT text in it, nor a table header on stdout.
 *
 * Pipes and FIFOs (`-r /dev/stdin`) are not read ahead (their first bytes
 * would be lost): the reader reports their problems as it reads.
 */
import { stat } from 'node:fs/promises';
import { BlockType } from './block-types.js';
import { openByteSource } from './byte-source.js';
import { CaptureError } from './records.js';

export class CaptureOpenError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot ${reason.startsWith('it is the capture') ? 'write' : 'open'} capture ${path}: ${reason}`);
    this.name = 'CaptureOpenError';
  }
}

const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string') return ERRNO_REASONS[e.code] ?? e.code.toLowerCase();
  if (err instanceof CaptureError) return `not a capture (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

/** Resolves when `path` can be replayed; rejects with CaptureOpenError saying why not. */
export async function checkCaptureFile(path: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new CaptureOpenError(path, reasonOf(err));
  }
  if (st.isDirectory()) throw new CaptureOpenError(path, 'is a directory');
  if (!st.isFile()) return;
  const head = Buffer.alloc(4);
  let got = 0;
  try {
    const src = await openByteSource(path);
    try {
      while (got < head.length) {
        const n = await src.read(head, got, head.length - got);
        if (n === 0) break;
        got += n;
      }
    } finally {
      await src.close();
    }
  } catch (err) {
    throw new CaptureOpenError(path, reasonOf(err));
  }
  if (got === 0) throw new CaptureOpenError(path, 'empty file');
  if (got < 4 || head.readUInt32LE(0) !== BlockType.SECTION_HEADER) throw new CaptureOpenError(path, 'not a capture file (no .scap section header at its start)');
}

/**
 * `-r X -w X` (or a link to X) would truncate the capture before reading it:
 * refused when the output names the input's file (same device and inode).
 */
export async function checkNotInput(input: string, output: string): Promise<void> {
  let a;
  let b;
  try {
    [a, b] = await Promise.all([stat(input), stat(output)]);
  } catch {
    return; // the output does not exist yet: it can't be the input
  }
  if (a.dev === b.dev && a.ino === b.ino && a.isFile()) throw new CaptureOpenError(output, `it is the capture being read (${input}); write the copy to another file`);
}
