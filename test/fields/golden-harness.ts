/**
 * Replays a fixture through the state engine and the field registry and
 * compares every field of test/golden/fields/FIELDS, event by event, with
 * what sysdig 0.29.3 printed (test/golden/fields/<fixture>.txt), and every
 * filter of FILTERS with the events sysdig accepted (<fixture>.filters.txt).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureSink } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import type { ScapEvent } from '../../src/event/scap-event.js';
import { compileFilter } from '../../src/filter/index.js';
import { isContainerEvent, isInternalEvent } from '../../src/format/event-line.js';
import { FieldRegistry } from '../../src/fields/registry.js';
import { fieldValueText } from '../../src/fields/render.js';
import type { EventContext, FieldExtractor } from '../../src/fields/types.js';
import { StateEngine } from '../../src/state/engine.js';
import { fixturePath, GOLDEN } from '../helpers/fixtures.js';

export const FIELDS_DIR = join(GOLDEN, 'fields');
/** The synthetic capture (test/fields/synthetic-capture.ts) and its goldens. */
export const SYNTHETIC_DIR = join(FIELDS_DIR, 'synthetic');

function listFile(name: string): string[] {
  return readFileSync(join(FIELDS_DIR, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

export const goldenFields = (): string[] => listFile('FIELDS');
export const goldenFilters = (): string[] => listFile('FILTERS');

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

interface Expected {
  nums: number[];
  values: string[];
}

/** The golden of one fixture: field -> its run-length encoded values. */
export function readFieldGolden(fixture: string, dir = FIELDS_DIR): Map<string, Expected> {
  const text = readFileSync(join(dir, `${fixture}.txt`), 'latin1');
  const out = new Map<string, Expected>();
  let cur: Expected | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('== ')) {
      cur = { nums: [], values: [] };
      out.set(line.slice(3), cur);
    } else if (line !== '' && cur !== null) {
      const tab = line.indexOf('\t');
      cur.nums.push(Number(line.slice(0, tab)));
      cur.values.push(unescape(line.slice(tab + 1)));
    }
  }
  return out;
}

export function readFilterGolden(fixture: string, dir = FIELDS_DIR): Map<string, number[]> {
  const text = readFileSync(join(dir, `${fixture}.filters.txt`), 'latin1');
  const out = new Map<string, number[]>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!lines[i]!.startsWith('== ')) break;
    out.set(lines[i]!.slice(3), lines[i + 1]!.trim() === '' ? [] : lines[i + 1]!.trim().split(' ').map(Number));
  }
  return out;
}

/** Whether a value has the JavaScript type the field's kind promises (field-api.ts). */
function valueFits(kind: FieldExtractor['kind'], v: unknown): boolean {
  switch (kind) {
    case 'num':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    case 'float':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'ipaddr':
    case 'ipnet':
      return typeof v === 'number' || typeof v === 'string';
    default:
      return typeof v === 'string';
  }
}

/** A difference from sysdig that is documented in docs/compat.md ("Fields"). */
export interface Deviation {
  /** Why tsysdig differs (the compat.md entry). */
  reason: string;
  /** True when this event's difference is the documented one. */
  explains(sysdig: string, ours: string, ctx: EventContext): boolean;
}

/** A filter on which sysdig's answer is wrong for some events (docs/compat.md "Fields"). */
export interface FilterDeviation {
  reason: string;
  /** True for the events on which the filter's result is not compared. */
  ignore(ctx: EventContext): boolean;
}

export interface Mismatch {
  field: string;
  num: number;
  sysdig: string;
  ours: string;
}

export interface FieldRun {
  /** Undocumented differences (at most a few per field). */
  mismatches: Mismatch[];
  /** Events compared, and differences explained by a documented deviation, per field. */
  compared: number;
  explained: Map<string, number>;
  /** Filters whose accepted events differ: filter -> [sysdig, ours] (first differences). */
  filterMismatches: Map<string, { missing: number[]; extra: number[] }>;
  /** Fields whose extraction threw. */
  errors: Map<string, string>;
}

/**
 * Replays `fixture` once, checking fields (as sysdig -D shows them: every
 * event but the capture's leading container events) and filters (as sysdig
 * -d applies them: non-internal events, after parsing).
 */
export async function runFixture(
  fixture: string,
  deviations: ReadonlyMap<string, Deviation>,
  where: { capture: string; goldenDir: string } = { capture: fixturePath(fixture), goldenDir: FIELDS_DIR },
  filterDeviations: ReadonlyMap<string, FilterDeviation> = new Map(),
): Promise<FieldRun> {
  const golden = readFieldGolden(fixture, where.goldenDir);
  const filterGolden = readFilterGolden(fixture, where.goldenDir);
  const registry = new FieldRegistry();
  const engine = new StateEngine();
  const ctx: EventContext = { ev: null as unknown as ScapEvent, engine };

  const names = goldenFields();
  const missing = names.filter((f) => !golden.has(f));
  if (missing.length > 0) throw new Error(`${fixture}: no golden for ${missing.join(', ')} (run scripts/make-field-goldens.sh)`);
  const extractors: FieldExtractor[] = names.map((f) => {
    const ex = registry.resolveText(f);
    if (ex === null) throw new Error(`unknown field ${f}`);
    return ex;
  });
  const exp = names.map((f) => golden.get(f)!);
  const ptr = new Int32Array(names.length);
  const cur: string[] = names.map(() => '');
  const perField = new Map<string, number>();
  const run: FieldRun = { mismatches: [], compared: 0, explained: new Map(), filterMismatches: new Map(), errors: new Map() };

  const missingFilters = goldenFilters().filter((f) => !filterGolden.has(f));
  if (missingFilters.length > 0) throw new Error(`${fixture}: no golden for filters ${missingFilters.join(', ')} (run scripts/make-field-goldens.sh)`);
  const filters = [...filterGolden.keys()].map((text) => ({
    text,
    f: compileFilter<EventContext>(text, new FieldRegistry()),
    got: [] as number[],
    ignored: new Set<number>(),
    dev: filterDeviations.get(text),
  }));

  let preamble = true;
  const sink: CaptureSink = {
    onMachineInfo: (mi) => engine.onMachineInfo(mi),
    onThread: (t) => engine.onThread(t),
    onFd: (pid, fd) => engine.onFd(pid, fd),
    onInterface: (i) => engine.onInterface(i),
    onUser: (u) => engine.onUser(u),
    onGroup: (g) => engine.onGroup(g),
    onEvent: (ev: ScapEvent) => {
      engine.process(ev);
      if (preamble && !isContainerEvent(ev)) preamble = false;
      if (preamble) return;
      ctx.ev = ev;
      run.compared++;
      for (let i = 0; i < extractors.length; i++) {
        const e = exp[i]!;
        if (ptr[i]! < e.nums.length && e.nums[ptr[i]!] === ev.num) cur[i] = e.values[ptr[i]!++]!;
        let ours: string;
        try {
          const v = extractors[i]!.get(ctx);
          if (v !== undefined && !valueFits(extractors[i]!.kind, v)) {
            if (!run.errors.has(names[i]!)) run.errors.set(names[i]!, `#${ev.num}: ${typeof v} value for a '${extractors[i]!.kind}' field`);
          }
          // One get() per event: stateful fields (evt.deltatime, thread.cpu) advance on each call.
          const ex = extractors[i]!;
          ours = ex.text !== undefined ? (ex.text(ctx) ?? '<NA>') : fieldValueText(ex.info, v);
        } catch (err) {
          if (!run.errors.has(names[i]!)) run.errors.set(names[i]!, `#${ev.num}: ${(err as Error).stack ?? String(err)}`);
          continue;
        }
        const want = cur[i]!;
        if (ours === want) continue;
        const dev = deviations.get(names[i]!);
        if (dev !== undefined && dev.explains(want, ours, ctx)) {
          run.explained.set(names[i]!, (run.explained.get(names[i]!) ?? 0) + 1);
          continue;
        }
        const n = perField.get(names[i]!) ?? 0;
        perField.set(names[i]!, n + 1);
        if (n < 3) run.mismatches.push({ field: names[i]!, num: ev.num, sysdig: want, ours });
      }
      if (!isInternalEvent(ev)) {
        for (const fl of filters) {
          if (fl.dev !== undefined && fl.dev.ignore(ctx)) fl.ignored.add(ev.num);
          else if (fl.f.test(ctx)) fl.got.push(ev.num);
        }
      }
    },
  };
  await readCapture(where.capture, sink);
  for (let i = 0; i < names.length; i++) {
    if (ptr[i]! !== exp[i]!.nums.length) {
      run.mismatches.push({ field: names[i]!, num: exp[i]!.nums[ptr[i]!]!, sysdig: '(event not replayed)', ours: '' });
    }
  }
  for (const fl of filters) {
    const want = filterGolden.get(fl.text)!.filter((n) => !fl.ignored.has(n));
    const ws = new Set(want);
    const gs = new Set(fl.got);
    const missing = want.filter((n) => !gs.has(n)).slice(0, 5);
    const extra = fl.got.filter((n) => !ws.has(n)).slice(0, 5);
    if (missing.length > 0 || extra.length > 0) run.filterMismatches.set(fl.text, { missing, extra });
  }
  return run;
}
