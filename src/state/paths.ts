/**
 * Path joining and normalisation with sysdig's exact rules, so fd names and
 * resolved paths match the reference output byte for byte:
 * "." and "./" components are dropped, "../" rewinds one component (never
 * above the root), repeated separators collapse, a trailing separator is
 * removed, and unprintable characters become '.'.
 */

function isPrintable(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** Appends normalised `path` to `prefix`; `prefix` may be rewound into by "..". */
function appendSanitized(prefix: string, path: string): string {
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
      out.push(0x2e);
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

/** Reusable result pair: callers read it immediately. */
const result: [string, boolean] = ['', false];

/**
 * Resolves `path` against directory `dir` (which ends with '/') the way sysdig
 * does. Returns [resolved, wasRelative] (a shared tuple: read it at once).
 */
export function concatenatePaths(dir: string, path: string): [string, boolean] {
  if (path.length !== 0 && path.charCodeAt(0) !== 0x2f) {
    result[0] = isClean(path) && dir.endsWith('/') && dir.length > 0 ? dir + path : appendSanitized(dir, path);
    result[1] = true;
  } else {
    result[0] = isClean(path) ? path : appendSanitized('', path);
    result[1] = false;
  }
  return result;
}

/** Ensures a directory string ends with '/', as thread cwds are kept. */
export function withTrailingSlash(dir: string): string {
  return dir.endsWith('/') ? dir : dir + '/';
}
