/**
 * The YAML of a rules file as the rules reader walks it: maps, sequences and
 * scalars with their offsets, and the file's line starts (for locations).
 *
 * Parsing YAML is most of what loading rules costs (the falcosecurity stable
 * and incubating files: ~130 ms of ~250 ms, on every `--alerts` run), so the
 * parse is cached: the tree below is plain data, written as JSON to the
 * user's cache (rules-v1/, one file per rules file path, holding the text
 * it was parsed from, which a hit must equal) and read back in ~1 ms, without even loading the
 * `yaml` package. The tree offers the few `yaml` node methods the reader
 * uses (`has`, `get(key, true)`, `items`, `value`, `source`, `range`), with
 * the same meaning, so the reader reads either the same way.
 */
import path from 'node:path';
import type { LineCounter, Node as YamlNode } from 'yaml';
import { yaml } from '../yaml/lazy-yaml.js';
import { readCacheJson, textHash, userCacheDir, writeCacheJson } from '../cache/user-cache.js';

export type YNode = YScalar | YMap | YSeq | YOther | null | undefined;
type Value = YScalar | YMap | YSeq | YOther | null;

/** A scalar: `value` as the yaml package decodes it, `source` as written (for plain non-strings: "1.0"). */
export class YScalar {
  constructor(
    readonly range: readonly [number],
    readonly value: unknown,
    readonly source: string | undefined,
  ) {}
}

export interface YPair {
  key: Value;
  value: Value;
}

export class YMap {
  constructor(
    readonly range: readonly [number],
    readonly items: YPair[],
  ) {}

  /** The yaml package's findPair: the first pair whose key is the scalar `key`. */
  private find(key: string): YPair | undefined {
    for (const p of this.items) if (p.key instanceof YScalar && p.key.value === key) return p;
    return undefined;
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  get(key: string, _keepScalar: true): YNode {
    return this.find(key)?.value ?? undefined;
  }
}

export class YSeq {
  constructor(
    readonly range: readonly [number],
    readonly items: Value[],
  ) {}
}

/** Anything else (an alias): neither map, sequence nor scalar to the reader; `text` is how the yaml package prints it. */
export class YOther {
  constructor(
    readonly range: readonly [number],
    private readonly text: string,
  ) {}

  toString(): string {
    return this.text;
  }
}

export const isMap = (n: unknown): n is YMap => n instanceof YMap;
export const isSeq = (n: unknown): n is YSeq => n instanceof YSeq;
export const isScalar = (n: unknown): n is YScalar => n instanceof YScalar;

/** A parsed rules file: each document's root, and where each line starts. */
export interface RulesYaml {
  docs: YNode[];
  /** 1-based line and column of an offset, as the yaml package's LineCounter.linePos. */
  linePos(offset: number): { line: number; col: number };
}

/** The yaml package's LineCounter.linePos over `starts` (binary search). */
function linePosIn(starts: readonly number[]): (offset: number) => { line: number; col: number } {
  return (offset) => {
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    return { line: low, col: offset - starts[low - 1]! + 1 };
  };
}

// ---------------------------------------------------------------------------
// From the yaml package's tree

/** Set when a tree holds something the JSON cache cannot carry (aliases, values JSON cannot hold). */
interface Convert {
  cacheable: boolean;
}

function fromYaml(n: unknown, c: Convert): Value {
  const y = yaml();
  if (n === null || n === undefined) return null;
  const range: [number] = [(n as YamlNode).range?.[0] ?? 0];
  if (y.isScalar(n)) {
    const v = n.value;
    if (!(v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0)))) c.cacheable = false;
    // the reader needs the source text only of scalars that are not strings (yaml-cpp's "1.0" stays "1.0")
    return new YScalar(range, v, v === null || typeof v === 'string' ? undefined : (n.source as string | undefined));
  }
  if (y.isMap(n)) return new YMap(range, n.items.map((p) => ({ key: keyOf(p.key, c), value: fromYaml(p.value, c) })));
  if (y.isSeq(n)) return new YSeq(range, n.items.map((i) => fromYaml(i, c)));
  c.cacheable = false;
  return new YOther(range, String(n));
}

/** A pair's key; a key that is not a node (the parser makes none) or not a scalar keeps its printed form. */
function keyOf(k: unknown, c: Convert): Value {
  if (yaml().isNode(k)) {
    const v = fromYaml(k, c);
    if (!(v instanceof YScalar)) {
      c.cacheable = false;
      return new YOther(v?.range ?? [0], String(k));
    }
    return v;
  }
  c.cacheable = false;
  return new YOther([0], String(k));
}

// ---------------------------------------------------------------------------
// The cache: JSON arrays, tagged by their first element

type Packed = null | ['s', number, unknown, string?] | ['m', number, ...Packed[]] | ['q', number, ...Packed[]];

function pack(n: Value): Packed {
  if (n === null) return null;
  if (n instanceof YScalar) return n.source === undefined ? ['s', n.range[0], n.value] : ['s', n.range[0], n.value, n.source];
  if (n instanceof YMap) return ['m', n.range[0], ...n.items.flatMap((p) => [pack(p.key), pack(p.value)])];
  if (n instanceof YSeq) return ['q', n.range[0], ...n.items.map(pack)];
  throw new Error('not cacheable'); // excluded by Convert.cacheable
}

/** Rebuilds a tree; throws on anything a cache this code wrote cannot hold (the cache is then ignored). */
function unpack(p: unknown): Value {
  if (p === null) return null;
  if (!Array.isArray(p) || typeof p[1] !== 'number') throw new Error('damaged');
  const range: [number] = [p[1]];
  switch (p[0]) {
    case 's':
      if (p.length > 4 || (p[3] !== undefined && typeof p[3] !== 'string') || (p[2] !== null && typeof p[2] === 'object')) throw new Error('damaged');
      return new YScalar(range, p[2], p[3] as string | undefined);
    case 'm': {
      const items: YPair[] = [];
      if (p.length % 2 !== 0) throw new Error('damaged');
      for (let i = 2; i < p.length; i += 2) items.push({ key: unpack(p[i]), value: unpack(p[i + 1]) });
      return new YMap(range, items);
    }
    case 'q':
      return new YSeq(range, p.slice(2).map(unpack));
    default:
      throw new Error('damaged');
  }
}

interface CacheFile {
  /** The text parsed: a hit must be of exactly this text (one string comparison; hashing it in JS cost more). */
  text: string;
  lineStarts: number[];
  docs: Packed[];
}

function fromCache(file: string, text: string): RulesYaml | null {
  const c = readCacheJson(file) as CacheFile | undefined;
  if (c === undefined || c === null || typeof c !== 'object' || c.text !== text || !Array.isArray(c.docs) || !Array.isArray(c.lineStarts)) return null;
  if (!c.lineStarts.every((x) => typeof x === 'number')) return null;
  try {
    return { docs: c.docs.map(unpack), linePos: linePosIn(c.lineStarts) };
  } catch {
    return null;
  }
}

/** A YAML syntax error, in yaml-cpp's words. */
export class RulesYamlError {
  constructor(readonly message: string) {}
}

/**
 * Parses a rules file's text. `fileName` (a file read from disk) enables the
 * cache; text given some other way is parsed every time.
 */
export function parseRulesYaml(content: string, fileName?: string): RulesYaml | RulesYamlError {
  const cacheFile = fileName !== undefined ? path.join(userCacheDir('rules-v1'), `${textHash(path.resolve(fileName))}.json`) : null;
  if (cacheFile !== null) {
    const hit = fromCache(cacheFile, content);
    if (hit !== null) return hit;
  }
  const y = yaml();
  const lines = new y.LineCounter();
  const parsed = y.parseAllDocuments(content, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(parsed) ? parsed : [];
  for (const d of list) {
    const err = d.errors[0];
    if (err !== undefined) return new RulesYamlError(yamlCppMessage(content, err.code, err.message, err.pos[0], lines));
  }
  const c: Convert = { cacheable: true };
  const docs = list.map((d) => fromYaml(d.contents, c));
  if (cacheFile !== null && c.cacheable) writeCacheJson(cacheFile, { text: content, lineStarts: lines.lineStarts, docs: docs.map(pack) } satisfies CacheFile);
  return { docs, linePos: linePosIn(lines.lineStarts) };
}

/** A YAML syntax error in yaml-cpp's words where they are known ("illegal map value"), with its 1-based line and column. */
function yamlCppMessage(content: string, code: string, message: string, offset: number, lines: LineCounter): string {
  let at = offset;
  let text = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'BLOCK_AS_IMPLICIT_KEY') {
    // yaml-cpp stops at the ':' that opens the nested mapping.
    const colon = content.indexOf(':', offset);
    if (colon >= 0) at = colon;
    text = 'illegal map value';
  }
  const p = lines.linePos(at);
  return `yaml-cpp: error at line ${p.line}, column ${p.col}: ${text}`;
}
