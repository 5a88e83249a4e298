/**
 * `pmatch`: does any of a set of paths prefix the value, component-wise?
 *
 * sysdig (prefix_search.h) splits paths on '/', ignoring empty components,
 * and matches when every component of some search path equals the
 * corresponding leading component of the value:
 *   /var/run pmatches /var/run and /var/run/docker, not /var or /var/running;
 *   `//var//run`, `var/run` and `/var/run/` are all the same search path;
 *   `/` (no components) matches every value.
 *
 * Here the normalized search paths ("var/run") go into a character trie and
 * the value is walked character by character, normalizing slashes on the
 * fly, so matching allocates nothing (no split, no substrings).
 */

const SLASH = 47;

class TrieNode {
  readonly next = new Map<number, TrieNode>();
  /** A search path ends here (at a component boundary). */
  terminal = false;
}

export class PathPrefixSet {
  private readonly root = new TrieNode();

  constructor(paths: readonly string[]) {
    for (const p of paths) this.add(p);
  }

  private add(path: string): void {
    const normalized = path
      .split('/')
      .filter((c) => c.length > 0)
      .join('/');
    let node = this.root;
    for (let i = 0; i < normalized.length; i++) {
      const c = normalized.charCodeAt(i);
      let child = node.next.get(c);
      if (child === undefined) {
        child = new TrieNode();
        node.next.set(c, child);
      }
      node = child;
    }
    node.terminal = true;
  }

  matches(value: string): boolean {
    let node: TrieNode | undefined = this.root;
    if (node.terminal) return true;
    const n = value.length;
    let i = 0;
    while (i < n && value.charCodeAt(i) === SLASH) i++;
    let first = true;
    while (i < n) {
      if (!first) {
        node = node.next.get(SLASH);
        if (node === undefined) return false;
      }
      first = false;
      // One component.
      while (i < n) {
        const c = value.charCodeAt(i);
        if (c === SLASH) break;
        node = node.next.get(c);
        if (node === undefined) return false;
        i++;
      }
      if (node.terminal) return true;
      while (i < n && value.charCodeAt(i) === SLASH) i++;
    }
    return false;
  }
}
