/**
 * Evaluating a compiled filter allocates nothing.
 *
 * 1. Structure: the compiled filter is a tree of evaluator class instances
 *    whose behaviour lives on their prototypes. No node holds a function of
 *    its own (a closure), and evaluating 100,000 events leaves the set of
 *    objects reachable from the tree exactly as it was: nothing is created
 *    or cached lazily.
 * 2. Heap: with V8's gc exposed, the young generation does not grow while
 *    the filter runs over 100,000 events, whereas a loop that makes one
 *    closure per event visibly does (the control proves the probe works).
 *    No timing is involved.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as evaluators from '../../src/filter/evaluators.js';
import { compileFilter, type CompiledFilter } from '../../src/filter/index.js';
import { resolver, RowField, type Row } from './fake-fields.js';

const FILTER =
  "(proc.name in (cat, bash, zsh) or proc.cmdline icontains PASSWD or proc.name glob '[a-c]*') " +
  'and evt.num >= 3 and evt.num < 1000000 and evt.rawtime > 5 and not evt.failed = true ' +
  'and not fd.name pmatch (/proc, /sys) and (fd.name startswith /etc or fd.name endswith .so or fd.name contains lib) ' +
  'and (fd.sip = ::1 or fd.sip = 10.0.0.1 or fd.net = 192.168.0.0/16 or fd.snet = 2001:db8::/32 or fd.sip in (1.1.1.1, ::2)) ' +
  'and proc.name != init and proc.aname[1] exists and evt.num in (1, 2, 3, 9, 10) and thread.cpu <= 0.5';

// Float field values are integers here on purpose: V8 boxes a fractional number
// each time it is read out of an object, and that boxing belongs to the field
// extractor (RowField.get), not to the filter. The float comparison itself
// (`thread.cpu <= 0.5`) allocates nothing.
const ROWS: Row[] = [
  {
    'proc.name': 'cat', 'proc.cmdline': 'cat /etc/passwd', 'proc.aname[1]': 'bash', 'evt.num': 9, 'evt.rawtime': 10n,
    'evt.failed': false, 'fd.name': '/etc/passwd', 'fd.sip': '::1', 'fd.net': '10.0.0.1', 'thread.cpu': 0,
  },
  {
    'proc.name': 'bash', 'proc.cmdline': 'bash', 'proc.aname[1]': 'sshd', 'evt.num': 10, 'evt.rawtime': 1n << 62n,
    'evt.failed': false, 'fd.name': '/usr/lib/libc.so', 'fd.sip': 0xc0a80101, 'fd.net': 0xc0a80101, 'thread.cpu': 0,
  },
  {
    'proc.name': 'curl', 'proc.cmdline': 'curl x', 'proc.aname[1]': 'bash', 'evt.num': 2, 'evt.rawtime': 6,
    'evt.failed': true, 'fd.name': '/proc/1/stat', 'fd.sip': '2001:db8::5', 'fd.snet': '2001:db8::5', 'thread.cpu': 1,
  },
  {}, // nothing applies
];

/** Everything reachable from `root` through own properties, Set/Map entries and typed arrays' elements excluded. */
function reachable(root: object): Set<object> {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) continue;
    if (v instanceof Set) for (const x of v) stack.push(x);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    for (const key of Reflect.ownKeys(v)) stack.push((v as Record<string | symbol, unknown>)[key]);
  }
  return seen;
}

const EVALUATOR_CLASSES = Object.values(evaluators).filter((x): x is abstract new (...a: never[]) => object => typeof x === 'function');

function runMany(f: CompiledFilter<Row>, n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) if (f.test(ROWS[i & 3]!)) kept++;
  return kept;
}

describe('allocation-free evaluation', () => {
  const f = compileFilter(FILTER, resolver);

  it('the filter exercises every kind of node and passes some events', () => {
    expect(ROWS.map((r) => f.test(r))).toEqual([true, true, false, false]);
    const kinds = new Set([...reachable(f.root)].map((o) => o.constructor.name));
    for (const k of ['AndEval', 'OrEval', 'NotEval', 'InSetCheck', 'IContainsCheck', 'GlobCheck', 'GreaterEqCheck', 'LessCheck',
      'GreaterCheck', 'LessEqCheck', 'EqCheck', 'PmatchCheck', 'StartsWithCheck', 'EndsWithCheck', 'ContainsCheck', 'IpCheck', 'ExistsCheck']) {
      expect(kinds).toContain(k);
    }
  });

  it('is a tree of evaluator class instances with no closures of their own', () => {
    const nodes: object[] = [];
    const walk = (e: evaluators.Evaluator<Row>) => {
      nodes.push(e);
      if (e instanceof evaluators.AndEval || e instanceof evaluators.OrEval) e.operands.forEach(walk);
      if (e instanceof evaluators.NotEval) walk(e.operand);
    };
    walk(f.root);
    expect(nodes.length).toBeGreaterThan(20);
    for (const node of nodes) {
      expect(EVALUATOR_CLASSES.some((C) => node instanceof C)).toBe(true);
      // `test` comes from the class, not from a per-node closure.
      expect(Object.prototype.hasOwnProperty.call(node, 'test')).toBe(false);
    }
    // No function hangs anywhere off the compiled graph (methods live on prototypes,
    // which are not own properties); the fields are RowField instances.
    for (const obj of reachable(f.root)) {
      if (typeof obj === 'function') throw new Error(`a function is reachable from the tree: ${String(obj).slice(0, 60)}`);
    }
    expect([...reachable(f.root)].filter((o) => o instanceof RowField).length).toBeGreaterThan(5);
  });

  it('evaluating 100,000 events creates no objects reachable from the tree', () => {
    const before = reachable(f.root);
    runMany(f, 100_000);
    const after = reachable(f.root);
    expect(after.size).toBe(before.size);
    for (const o of after) expect(before.has(o)).toBe(true);
  });

  it('does not grow the young generation (gc exposed through v8 flags)', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const youngUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
    const growth = (fn: () => void): number => {
      fn(); // warm up: compile, feedback vectors
      gc();
      const before = youngUsed();
      fn();
      return youngUsed() - before;
    };
    const keep: (() => number)[] = new Array(16);
    const closures = () => {
      for (let i = 0; i < 10_000; i++) keep[i & 15] = () => i;
    };
    const filterRuns = () => {
      runMany(f, 10_000);
    };
    // Measured in rounds of 10,000 events so that a scavenge (which would reset the
    // counter) cannot hide per-event allocation in every round.
    const control = growth(closures);
    expect(control).toBeGreaterThan(100_000); // >= 10 bytes per closure: the probe sees allocation
    for (let round = 0; round < 10; round++) {
      expect(growth(filterRuns)).toBeLessThan(16_384); // < 2 bytes per event: nothing per event
    }
  });
});
