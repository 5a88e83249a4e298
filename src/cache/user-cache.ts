/**
 * Files tsysdig keeps in the user's cache directory ($XDG_CACHE_HOME or
 * ~/.cache, under tsysdig/): results of parsing the YAML of views and rules
 * files, which cost more to redo on every run than to read back. A cache
 * that is missing, unreadable or damaged is ignored (the caller parses
 * again); writing is atomic (temporary file, rename) and private (0600), and
 * a cache that cannot be written only costs the parse next time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** tsysdig/SUB in the user's cache directory. */
export function userCacheDir(sub: string): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tsysdig', sub);
}

/**
 * A 64-bit FNV-1a-like hash of `text` (two 32-bit lanes), as 16 hex digits:
 * names a cache file after a path. (No crypto module to load for it, which
 * alone costs ~10 ms.)
 */
export function textHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The parsed JSON of a cache file, or undefined when it is missing or not JSON. */
export function readCacheJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Writes `value` as JSON to `file` (directories 0700, file 0600, atomically); failures are ignored. */
export function writeCacheJson(file: string, value: unknown): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // A read-only home only costs the parse next time.
  }
}
