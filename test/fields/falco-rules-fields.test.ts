/**
 * Every field the current falcosecurity/rules files name (in conditions,
 * outputs and exception fields) resolves in tsysdig's registry, and every
 * operator their conditions and exceptions use compiles: the language and
 * fields a Falco-compatible rules engine needs (issue #10).
 *
 * Fields are found lexically: quoted strings are dropped (list items like
 * registry.k8s.io/... are values, not fields), then every class.name token
 * of a known field class is a field reference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileFilter } from '../../src/filter/index.js';
import { fieldRegistry } from '../../src/fields/registry.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'falco-rules');
const FIELD_RE = /(?<![\w.\/-])((?:evt|proc|thread|fd|fs\.path|container|user|group|k8s|syscall|fdlist)\.[A-Za-z0-9_.]*[A-Za-z0-9_](?:\[[^\]]*\])?)/g;
const OP_RE = /\s(=|!=|<=|>=|<|>|contains|icontains|bcontains|startswith|bstartswith|endswith|glob|in|intersects|pmatch|exists|regex)[\s(]/g;

interface Item {
  rule?: string;
  macro?: string;
  condition?: string;
  output?: string;
  exceptions?: { fields?: string | string[]; comps?: string | string[] }[];
}

function items(): { file: string; item: Item }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => (parse(readFileSync(join(DIR, file), 'utf8')) as Item[]).map((item) => ({ file, item })));
}

function fieldRefs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const { file, item } of items()) {
    const texts = [item.condition, item.output, ...(item.exceptions ?? []).flatMap((e) => [e.fields ?? []].flat())];
    for (const t of texts) {
      if (typeof t !== 'string') continue;
      for (const m of t.replace(/"[^"]*"|'[^']*'/g, '""').matchAll(FIELD_RE)) if (!out.has(m[1]!)) out.set(m[1]!, `${file} ${item.rule ?? item.macro ?? ''}`);
    }
  }
  return out;
}

describe('falcosecurity/rules (c72713e)', () => {
  const refs = fieldRefs();

  it('name many fields, which the extraction finds', () => {
    expect(refs.size).toBeGreaterThan(100);
    for (const f of ['proc.exe_ino.ctime', 'thread.cap_effective', 'evt.arg.flags', 'container.mount.dest[/proc*]', 'proc.aexepath[2]']) expect(refs.has(f)).toBe(true);
  });

  it('every field resolves in the registry', () => {
    const unknown: string[] = [];
    for (const [f, where] of refs) {
      let ok = false;
      try {
        ok = fieldRegistry.resolveText(f) !== null;
      } catch {
        ok = false;
      }
      if (!ok) unknown.push(`${f} (${where})`);
    }
    expect(unknown).toEqual([]);
  });

  it('every operator they use compiles on the fields they use it with', () => {
    const ops = new Set<string>();
    for (const { item } of items()) {
      if (typeof item.condition === 'string') for (const m of ` ${item.condition} `.matchAll(OP_RE)) ops.add(m[1]!);
      for (const e of item.exceptions ?? []) for (const c of [e.comps ?? []].flat()) ops.add(c);
    }
    expect([...ops].sort()).toEqual(expect.arrayContaining(['bcontains', 'endswith', 'glob', 'icontains', 'in', 'intersects', 'pmatch', 'startswith']));
    const sample: Record<string, string> = {
      bcontains: 'evt.buffer bcontains cafebabe',
      pmatch: 'fd.name pmatch (/etc, /usr)',
      intersects: 'proc.aname intersects (bash)',
      exists: 'proc.exe_ino.ctime exists',
      glob: 'container.mount.dest[/proc*] glob "/host*"',
      regex: 'proc.name regex "ba[sh]+"',
    };
    for (const op of ops) {
      const f = sample[op] ?? (op === 'in' ? 'proc.name in (a, b)' : `proc.name ${op} x`);
      expect(() => compileFilter(f, fieldRegistry, { andOrMixing: 'precedence' }), f).not.toThrow();
    }
  });
});
