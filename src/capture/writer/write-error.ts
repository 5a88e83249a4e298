/**
 * The one error type the capture writer throws for file system failures, with
 * a one-line message for the user:
 *
 *   cannot write capture /var/tmp/x.scap: ENOSPC (disk full)
 *   cannot create capture /root/x.scap: EACCES (permission denied)
 */

/** Short explanations of the errno codes a capture file can run into. */
const EXPLANATIONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'I/O error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such directory',
  // O_NOFOLLOW met a symbolic link at the target (never followed: it could point anywhere).
  ELOOP: 'the name is a symbolic link; not followed',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBADF: 'file is closed',
  EPIPE: 'broken pipe',
  ETXTBSY: 'file is busy',
};

export class CaptureWriteError extends Error {
  constructor(
    message: string,
    /** errno code ('ENOSPC') or '' when the failure has none. */
    readonly code: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'CaptureWriteError';
  }
}

/** The errno code of a Node file system error, or ''. */
export function errnoCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/**
 * Wraps a file system error: `cannot <verb> capture PATH: CODE (explanation)`.
 * Errors without an errno code keep their own (first line of) message.
 */
export function captureWriteError(verb: 'create' | 'write' | 'close', path: string, err: unknown): CaptureWriteError {
  if (err instanceof CaptureWriteError) return err;
  const code = errnoCode(err);
  let detail: string;
  if (code !== '') {
    const explained = EXPLANATIONS[code] ?? nodeExplanation(err);
    detail = explained !== '' ? `${code} (${explained})` : code;
  } else {
    detail = err instanceof Error ? err.message : String(err);
  }
  detail = detail.split('\n')[0]!;
  return new CaptureWriteError(`cannot ${verb} capture ${path}: ${detail}`, code, path);
}

/** "ENOSPC: no space left on device, write" -> "no space left on device". */
function nodeExplanation(err: unknown): string {
  if (!(err instanceof Error)) return '';
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(err.message);
  return m === null ? '' : m[1]!;
}
