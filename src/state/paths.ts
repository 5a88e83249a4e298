/**
 * Path joining and normalisation with sysdig's exact rules, so fd names and
 * resolved paths match the reference output byte for byte:
 * "." and "./" components are dropped, "../" rewinds one component (never
 * above the root), repeated separators collapse, a trailing separator is
 * removed, and unprintable characters become '.'.
 *
 * The '.' is for display (sysdig's fd.name); a program acting on the file (a
 * view action's `less %fd.name`) needs the real bytes, so the result also
 * says whether any were replaced, and realPath() resolves keeping them.
 */

function isPrintable(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** Set by appendSanitized when it replaced an unprintable character. */
let replacedUnprintable = false;

/**
 * Appends normalised `path` to `prefix`; `prefix` may be rewound into by "..".
 * Unprintable characters become '.', unless `keepBytes`.
 */
function appendSanitized(prefix: string, path: string, keepBytes = false): string {
  const out: number[] = [];
  for (let i = 0; i < prefix.length; i++) out.push(prefix.charCodeAt(i));
  const base = 0;
  const n = path.length;
  let i = 0;
  const rewind = (delta: number): void => {
    if (out.length <= base + 1) {
      i += delta;
      return;
    }
    out.pop();
    while (out.length - 1 >= base && out.length >= base + 1 && out[out.length - 1] !== 0x2f) out.pop();
    i += delta;
  };
  while (i < n) {
    const c = path.charCodeAt(i);
    if (c === 0) break;
    if (!isPrintable(c)) {
      replacedUnprintable = true;
      out.push(keepBytes ? c : 0x2e);
      i++;
      continue;
    }
    const c1 = i + 1 < n ? path.charCodeAt(i + 1) : 0;
    const c2 = i + 2 < n ? path.charCodeAt(i + 2) : 0;
    if (c === 0x2e && c1 === 0x2e && c2 === 0x2f) {
      rewind(3);
    } else if (c === 0x2e && c1 === 0x2e) {
      if (c2 === 0) rewind(2);
      else {
        out.push(0x2e, 0x2e);
        i += 2;
      }
    } else if (c === 0x2e && c1 === 0x2f) {
      i += 2;
    } else if (c === 0x2e) {
      if (c1 === 0) i++;
      else {
        out.push(c);
        i++;
      }
    } else if (c === 0x2f) {
      if (out.length > base && out[out.length - 1] === 0x2f) i++;
      else {
        out.push(c);
        i++;
      }
    } else {
      out.push(c);
      i++;
    }
  }
  if (out.length > base + 1 && out[out.length - 1] === 0x2f) out.pop();
  return String.fromCharCode(...out);
}

/**
 * True when normalisation cannot change `path`: printable, no "." components,
 * no doubled or trailing separator. Most paths are like this, and skip the
 * character-by-character rewrite.
 */
function isClean(path: string): boolean {
  const n = path.length;
  let prev = 0x2f;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
    if (c === 0x2e && prev === 0x2f) return false; // "." or ".." component, or a dot-file (rare): take the slow path
    if (c === 0x2f && prev === 0x2f && i > 0) return false;
    if (c === 0x2e && i + 1 < n && path.charCodeAt(i + 1) === 0x2f) return false; // "x./" quirk
    prev = c;
  }
  return !(n > 1 && prev === 0x2f);
}

/** Reusable result: callers read it immediately. */
const result: [string, boolean, boolean] = ['', false, false];

/**
 * Resolves `path` against directory `dir` (which ends with '/') the way sysdig
 * does. Returns [resolved, wasRelative, replacedUnprintable] (a shared tuple:
 * read it at once); the last is true when some character of `path` was
 * unprintable and shows as '.' (clean paths never take that branch).
 */
export function concatenatePaths(dir: string, path: string): [string, boolean, boolean] {
  replacedUnprintable = false;
  if (path.length !== 0 && path.charCodeAt(0) !== 0x2f) {
    result[0] = isClean(path) && dir.endsWith('/') && dir.length > 0 ? dir + path : appendSanitized(dir, path);
    result[1] = true;
  } else {
    result[0] = isClean(path) ? path : appendSanitized('', path);
    result[1] = false;
  }
  result[2] = replacedUnprintable;
  return result;
}

/**
 * `path` resolved against `dir` as concatenatePaths does, but with its
 * unprintable characters kept: the name a program must be given to open
 * the file. Called only for names concatenatePaths reported as replaced.
 */
export function realPath(dir: string, path: string): string {
  const relative = path.length !== 0 && path.charCodeAt(0) !== 0x2f;
  return appendSanitized(relative ? dir : '', path, true);
}

/** Ensures a directory string ends with '/', as thread cwds are kept. */
export function withTrailingSlash(dir: string): string {
  return dir.endsWith('/') ? dir : dir + '/';
}

/** fd.directory's rule: everything before the last '/', "/" for top-level names (a name ending in '/' is its own directory). */
export function pathDirectory(path: string): string {
  const pos = path.lastIndexOf('/');
  if (pos > 0) return pos < path.length - 1 ? path.slice(0, pos) : path;
  return '/';
}

/** fd.filename's rule: what follows the last '/' ("/" when there is none, the whole name when it ends in '/'). */
export function pathFilename(path: string): string {
  const pos = path.lastIndexOf('/');
  if (pos < 0) return '/';
  return pos < path.length - 1 ? path.slice(pos + 1) : path;
}
