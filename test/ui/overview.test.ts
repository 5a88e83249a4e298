/**
 * The overview (F3): its series checked exactly against the reference tools
 * on real captures (sysdig for events and bytes per interval, tsysdig's own
 * --raw for the procs and containers views it reuses), its drawing on a
 * text canvas with and without colour and with an AlertLog fed by hand,
 * and its keys in the application driven in-process.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import type { Alert } from '../../src/rules/alert.js';
import { AlertLog } from '../../src/rules/alert-log.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { App } from '../../src/ui/app.js';
import { TextCanvas } from '../../src/ui/canvas.js';
import { C } from '../../src/ui/colors.js';
import { clockText, OverviewScreen, summaryText } from '../../src/ui/overview.js';
import { OverviewSeries } from '../../src/ui/overview-series.js';
import { rawTableLines, RAW_SEPARATOR } from '../../src/view/raw-output.js';
import { loadViews } from '../../src/view/view-loader.js';
import { runCli } from '../helpers/cli.js';
import { FakeDisplay, untilScreen } from '../helpers/fake-display.js';
import { ROOT } from '../helpers/fixtures.js';

const DEMO = 'demo/tsysdig-demo.scap.gz';
const CURL = 'test/fixtures/libs_curl_google.scap';
const IV = 2_000_000_000;
const views = loadViews([], { userDir: null });

async function replaySeries(file: string, capacity?: number, intervalNs = IV): Promise<OverviewSeries> {
  const run = new CaptureSession(new ReplaySource(join(ROOT, file)), {});
  const reg = new FieldRegistry({ screenWidth: 160 });
  const series = new OverviewSeries(reg, run.engine, {
    intervalNs,
    filter: '',
    tag: 'default',
    live: false,
    procsView: views.get('procs') ?? null,
    containersView: views.get('containers') ?? null,
    ...(capacity !== undefined ? { capacity } : {}),
  });
  run.add(series);
  await run.run(new AbortController().signal);
  return series;
}

interface Bin {
  events: number;
  net: number;
  file: number;
}

/** sysdig's view of the capture: events, evt.buflen.net and evt.buflen.file per interval (keyed by the interval's end), first and last time. */
function sysdigBins(file: string, intervalNs = IV): { bins: Map<number, Bin>; events: number; first: bigint; last: bigint } {
  const out = execFileSync('sysdig', ['-r', join(ROOT, file), '-p', '*%evt.rawtime %evt.buflen.net %evt.buflen.file'], { encoding: 'latin1', maxBuffer: 1 << 28 });
  const bins = new Map<number, Bin>();
  const iv = BigInt(intervalNs);
  let events = 0;
  let first = -1n;
  let last = 0n;
  for (const line of out.split('\n')) {
    const [t, n, f] = line.split(' ');
    if (t === undefined || t === '') continue;
    const ts = BigInt(t);
    if (first < 0n) first = ts;
    last = ts;
    events++;
    const end = Number(((ts + iv - 1n) / iv) * iv);
    const b = bins.get(end) ?? { events: 0, net: 0, file: 0 };
    b.events++;
    if (n !== '<NA>') b.net += Number(n);
    if (f !== '<NA>') b.file += Number(f);
    bins.set(end, b);
  }
  return { bins, events, first, last };
}

describe('OverviewSeries on real captures', () => {
  for (const file of [CURL, DEMO]) {
    it(`${file}: events, network and file bytes per interval equal sysdig's`, async () => {
      const s = await replaySeries(file);
      const ref = sysdigBins(file);
      expect(s.events).toBe(ref.events);
      expect(s.firstTs).toBe(Number(ref.first));
      expect(s.lastTs).toBe(Number(ref.last));
      const got = new Map<number, Bin>();
      for (const iv of s.intervals()) {
        expect(iv.endNs % IV).toBe(0);
        if (iv.events > 0 || iv.netBytes > 0 || iv.fileBytes > 0) got.set(iv.endNs, { events: iv.events, net: iv.netBytes, file: iv.fileBytes });
      }
      expect(got).toEqual(ref.bins);
      // Consecutive intervals: empty ones are kept, so the x axis is capture time.
      const ends = s.intervals().map((iv) => iv.endNs);
      for (let i = 1; i < ends.length; i++) expect(ends[i]! - ends[i - 1]!).toBe(IV);
      // Rates divide by the time an interval covers: the whole interval, but the last one ends with the capture.
      // (libs_curl_google's internal records go on 2 s past its last event: its last interval with events is a whole one.)
      const lastIv = s.intervals()[s.intervals().length - 1]!;
      if (file === DEMO) expect(lastIv.spanNs).toBe(Number(ref.last - BigInt(lastIv.endNs - IV)));
      else expect(lastIv.spanNs).toBe(IV);
      for (const iv of s.intervals().slice(0, -1)) expect(iv.spanNs).toBe(IV);
      expect(s.durationNs).toBe(Number(ref.last - ref.first));
      expect(s.eventRate()).toBe(ref.events / (Number(ref.last - ref.first) / 1e9));
    });
  }

  it('keeps only the newest intervals (bounded memory)', async () => {
    const all = await replaySeries(DEMO);
    const few = await replaySeries(DEMO, 3);
    expect(all.intervals().length).toBeGreaterThan(3);
    expect(few.intervals().length).toBe(3);
    expect(few.intervals().map((x) => [x.endNs, x.events])).toEqual(all.intervals().slice(-3).map((x) => [x.endNs, x.events]));
    expect(few.events).toBe(all.events);
  });

  it("CPU per process equals the procs view's --raw tables, interval by interval", async () => {
    const s = await replaySeries(DEMO);
    const raw = runCli(['-r', DEMO, '--raw', '-v', 'procs']);
    expect(raw.status).toBe(0);
    // --raw on a replay: csysdig's leading empty table, one table per interval, the whole-capture table.
    const tables = raw.stdout.split(`${RAW_SEPARATOR}\n`).slice(1, -2);
    const sampled = s.intervals().filter((iv) => iv.top !== null);
    expect(sampled.length).toBe(tables.length);
    let compared = 0;
    sampled.forEach((iv, i) => {
      // PID PPID CPU ...: the rows that used CPU, busiest first (ties in PID order for the comparison).
      const expected = tables[i]!
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.trim().split(/\s+/))
        .filter((c) => Number(c[2]) > 0)
        .map((c) => `${c[0]}:${c[2]}`);
      const got = iv.top!.map((t) => `${t.pid}:${t.cpu.toFixed(2)}`);
      expect(got.length).toBe(Math.min(10, expected.length));
      for (const g of got) expect(expected).toContain(g);
      compared += got.length;
    });
    expect(compared).toBeGreaterThan(0);
  });

  it("the containers table is the Containers view's whole-capture table (--raw --final -v containers)", async () => {
    const s = await replaySeries(DEMO);
    const c = s.containers!;
    expect(c.info.final).toBe(true);
    const raw = runCli(['-r', DEMO, '--raw', '--final', '-v', 'containers']);
    expect(raw.status).toBe(0);
    expect(`${RAW_SEPARATOR}\n${rawTableLines(c.sample, c.info.timeDeltaNs, c.grouping).join('\n')}\n`).toBe(raw.stdout);
    expect(c.sample.rows.length).toBe(3);
  });
});


function alert(timeNs: bigint, priority: number, priorityName: Alert['priorityName'], rule: string, output: string): Alert {
  return { timeNs, priority, priorityName, rule, output, outputFields: {}, tags: [], source: 'syscall', hostname: 'h', tid: 1, pid: 1, eventNumber: 1, containerId: '' };
}

describe('OverviewScreen drawing', () => {
  const screens: OverviewScreen[] = [];
  afterEach(() => {
    for (const o of screens.splice(0)) o.destroy();
  });

  for (const [w, h] of [
    [80, 21],
    [200, 57],
  ] as const) {
    it(`draws every panel at ${w}x${h + 3} without characters it cannot show`, async () => {
      const s = await replaySeries(DEMO);
      const cv = new TextCanvas(w, h);
      const o = new OverviewScreen();
      screens.push(o);
      o.render(cv, 0, h, { series: s, alertLog: null, colour: true });
      const text = cv.lines().join('\n');
      expect(cv.lines()[0]).toBe(summaryText(s, null).slice(0, w));
      for (const title of ['Events/s', 'CPU%', 'Network bytes/s', 'File bytes/s', 'Alerts per minute', 'Last alerts', 'Top containers']) expect(text).toContain(title);
      expect(text).toContain('no rules loaded');
      expect(text).toContain('tsysdig-demo-files');
      // braille plots, and no '?' for a character the canvas refused
      expect(text).toMatch(/[\u2800-\u28ff]/);
      expect(text).not.toContain('?');
      expect(text).not.toContain('\x1b');
    });
  }

  it('shows the AlertLog: per-minute bars by priority and the newest alerts first', async () => {
    const s = await replaySeries(DEMO);
    const log = new AlertLog();
    const minute = BigInt(Math.floor(s.lastTs / 60e9) * 60e9);
    log.add(alert(minute + 1_000_000_000n, 2, 'Critical', 'Terminal shell in container', 'A shell was spawned (user=root)'));
    log.add(alert(minute + 2_000_000_000n, 4, 'Warning', 'Write below etc', 'File below /etc opened for writing'));
    log.add(alert(minute + 3_000_000_000n, 4, 'Warning', 'Write below etc', 'File below /etc opened again'));
    const cv = new TextCanvas(200, 40);
    const o = new OverviewScreen();
    screens.push(o);
    o.render(cv, 0, 40, { series: s, alertLog: log, colour: true });
    const lines = cv.lines();
    expect(lines[0]).toContain('alerts: 3');
    const logRows = lines.filter((l) => l.includes('Write below etc') || l.includes('Terminal shell'));
    expect(logRows.length).toBe(3);
    // newest first
    expect(logRows[0]).toContain(`${clockText(Number(minute + 3_000_000_000n))} Warning Write below etc: File below /etc opened again`);
    expect(logRows[2]).toContain('Critical Terminal shell in container');
    // the bar of the alerts' minute is labelled with it; the counts 1 (critical) and 2 (warning) are drawn in the bar
    const text = lines.join('\n');
    expect(text).toContain(clockText(Number(minute), false));
    expect(text).not.toContain('no rules loaded');
    // Without colour: the bars become counts per priority group, one line a minute, the newest last.
    const plain = new TextCanvas(200, 40);
    const o2 = new OverviewScreen();
    screens.push(o2);
    o2.render(plain, 0, 40, { series: s, alertLog: log, colour: false });
    const ptext = plain.lines().join('\n');
    expect(ptext).toContain('      crit err warn info');
    expect(ptext).toContain(`${clockText(Number(minute), false)}    1   0    2    0`);
  });

  it('without colour: text and sparklines, every cell in the default colours', async () => {
    const s = await replaySeries(DEMO);
    const cv = new TextCanvas(80, 21);
    const o = new OverviewScreen();
    screens.push(o);
    o.render(cv, 0, 21, { series: s, alertLog: null, colour: false });
    const text = cv.lines().join('\n');
    expect(text).not.toMatch(/[\u2800-\u28ff]/);
    expect(text).toMatch(/now \S+ avg \S+ max \S+/);
    expect(text).toMatch(/[\u2581-\u2588]/);
    for (let y = 0; y < 21; y++) for (let x = 0; x < 80; x++) expect((cv.attrAt(x, y) >> 9) & 0x1ff).toBe(0x1ff);
  });
});

describe('F3 in the application', () => {
  const apps: App[] = [];
  afterEach(() => {
    for (const a of apps.splice(0)) a.quit();
  });

  function open(view = 'procs'): { app: App; d: FakeDisplay } {
    const d = new FakeDisplay(120, 40);
    const app = new App({ views, fields: new FieldRegistry({ screenWidth: 120 }), source: new ReplaySource(join(ROOT, DEMO)), display: d, view, filter: '', intervalMs: 2000, tag: 'default', version: 'test' });
    void app.run();
    apps.push(app);
    return { app, d };
  }

  const until = (d: FakeDisplay, check: (l: string[]) => boolean, what: string): Promise<string[]> => untilScreen(d, check, what, 20_000);

  it('F3 opens the overview, Backspace and Escape come back; CTRL+N is search-next', async () => {
    const { app, d } = open();
    await until(d, (l) => l.some((x) => x.includes('containerd')), 'the processes');
    app.handleKey('f3');
    expect(app.state.screen).toBe('overview');
    const ov = await until(d, (l) => l[2]?.startsWith('Events 34648 in 7.96s') === true, 'the overview');
    expect(ov[0]).toMatch(/^Viewing: Overview/);
    app.handleKey('backspace');
    expect(app.state.screen).toBe('procs');
    app.handleKey('f3');
    app.handleKey('escape');
    expect(app.state.screen).toBe('procs');
    expect(app.state.hierarchy.length).toBe(0);
    // search: '/' text Enter, then CTRL+N finds the next match
    await until(d, (l) => l.some((x) => x.includes('containerd')), 'the processes again');
    app.handleKey('/');
    for (const ch of '/bin/sh') app.handleKey(ch, ch);
    app.handleKey('enter');
    const selected = (): number => d.canvas.lines().findIndex((l, i) => i > 2 && d.canvas.attrAt(0, i) === C.highlight && l.includes('/bin/sh'));
    const first = selected();
    app.handleKey('C-n');
    const second = selected();
    expect(first).toBeGreaterThan(2);
    expect(second).toBeGreaterThan(first);
  }, 60_000);

  it('-v overview starts on the overview', async () => {
    const { d } = open('overview');
    const l = await until(d, (x) => x[2]?.startsWith('Events 34648') === true, 'the overview');
    expect(l[l.length - 1]).toMatch(/^F1Help/);
  }, 30_000);
});
