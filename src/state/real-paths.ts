/**
 * RealPaths: the real bytes of file names the state shows cleaned.
 *
 * fd.name shows a path's unprintable characters as '.' (sysdig's display
 * rule, which views and outputs must match), so a file called "a\nb" is
 * "/tmp/a.b" everywhere a value is read. A program acting on the file (a
 * view action's `less %fd.name`) needs the name the kernel knows. The open
 * parser notes such names here — only those: a clean name costs nothing —
 * and actions look up the value a row shows.
 *
 * Bounded: the oldest names leave once MAX_NAMES are held, so a process
 * opening endless odd names cannot grow the state. Two real names that
 * clean to the same text are one row of a view already; the newest wins.
 */
import { pathDirectory, pathFilename } from './paths.js';

/** Most names held (each at most a path long). */
export const MAX_NAMES = 1024;

export class RealPaths {
  /** Cleaned full path → real full path, oldest first (Map keeps insertion order). */
  private readonly byShown = new Map<string, string>();

  /** Records that `shown` (the cleaned path) stands for `real`. */
  note(shown: string, real: string): void {
    if (shown === real) return;
    this.byShown.delete(shown); // re-inserted as the newest
    this.byShown.set(shown, real);
    if (this.byShown.size > MAX_NAMES) this.byShown.delete(this.byShown.keys().next().value!);
  }

  get size(): number {
    return this.byShown.size;
  }

  /** The real path shown as `shown`, or `shown` itself when none is known. */
  path(shown: string): string {
    return this.byShown.get(shown) ?? shown;
  }

  /** The real directory shown as `shown` (fd.directory of a noted path), or `shown`. */
  directory(shown: string): string {
    for (const [s, r] of this.byShown) {
      if (pathDirectory(s) === shown) return pathDirectory(r);
    }
    return shown;
  }

  /** The real file name (no directory) shown as `shown` (fd.filename of a noted path), or `shown`. */
  filename(shown: string): string {
    for (const [s, r] of this.byShown) {
      if (pathFilename(s) === shown) return pathFilename(r);
    }
    return shown;
  }

  /**
   * The real value of field `field` shown as `shown`: the file-name fields
   * are looked up, any other value is its own real value.
   */
  realValue(field: string, shown: string): string {
    if (this.byShown.size === 0) return shown;
    switch (field) {
      case 'fd.name':
        return this.path(shown);
      case 'fd.directory':
        return this.directory(shown);
      case 'fd.filename':
        return this.filename(shown);
      default:
        return shown;
    }
  }
}
