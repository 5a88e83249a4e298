/**
 * The overview screen (F3, `-v overview`): one screen of plots of the run.
 *
 *   summary line: events and their average rate, the last interval's rates, alerts
 *   event rate (line)            | CPU of the top processes (lines)
 *   network bytes/s (line)       | file bytes/s (line)
 *   alerts per minute (bars)     | last alerts (log)    | top containers (table)
 *
 * The panels are blessed-contrib widgets drawn on an off-screen blessed
 * screen (offscreen.ts) and copied onto the canvas; the screen is repainted
 * only when the data or the size changed. Without colour (NO_COLOR, or a
 * terminal with fewer than 8 colours) the charts become text: each series
 * as a sparkline with its last, average and peak value, the bars as counts.
 */
import blessed from 'blessed';
import type { AlertLog } from '../rules/alert-log.js';
import { cellText } from '../view/cell-text.js';
import { formatBytes } from '../view/cell-format.js';
import type { Canvas } from './canvas.js';
import { C } from './colors.js';
import { contribWidget, OffscreenScreen, type OffscreenElement } from './offscreen.js';
import type { OverviewInterval, OverviewSeries } from './overview-series.js';

/** The overview's screen id (as DIG_SCREEN / ECHO_SCREEN; also accepted by `-v`). */
export const OVERVIEW_SCREEN = 'overview';

/** Processes drawn in the CPU chart. */
const CPU_LINES = 4;
/** Priority groups of the alerts bar chart: [label, priorities, colour]; crit = emergency, alert, critical; info = notice, informational, debug. */
const PRIORITY_GROUPS: ReadonlyArray<[string, readonly number[], string]> = [
  ['crit', [0, 1, 2], 'red'],
  ['err', [3], 'magenta'],
  ['warn', [4], 'yellow'],
  ['info', [5, 6, 7], 'cyan'],
];
const NO_RULES = 'no rules loaded (--rules FILE or --default-rules)';
const blessedBox = (blessed as unknown as { box(o: Record<string, unknown>): OffscreenElement }).box;
const LINE_COLOURS = ['yellow', 'cyan', 'magenta', 'green', 'red'];

export interface OverviewData {
  series: OverviewSeries | null;
  alertLog: AlertLog | null;
  colour: boolean;
  /** Paused: keep showing what was drawn (a new size still repaints). */
  frozen?: boolean;
}

/** A chart and the box that replaces it when there is nothing to plot. */
interface ChartPanel {
  chart: OffscreenElement;
  note: OffscreenElement;
}

interface Panels {
  screen: OffscreenScreen;
  eventRate: OffscreenElement;
  cpu: ChartPanel;
  net: OffscreenElement;
  file: OffscreenElement;
  alerts: ChartPanel;
  log: OffscreenElement;
  containers: OffscreenElement;
}

/** Time of day of a capture timestamp, HH:MM:SS (local time, as sysdig prints). */
export function clockText(ns: number, withSeconds = true): string {
  const d = new Date(Math.floor(ns / 1e6));
  const p = (n: number): string => String(n).padStart(2, '0');
  return withSeconds ? `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : `${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A figure in few characters: whole numbers from 100 up, csysdig's byte scaling (K = 1024) from 1024 up. */
export function shortNumber(v: number): string {
  if (v >= 1024) return formatBytes(v, 12, false).trim();
  return Number.isInteger(v) || v >= 100 ? String(Math.round(v)) : v.toFixed(2);
}

export class OverviewScreen {
  private panels: Panels | null = null;
  /** What the panels show (size, colour, data versions) and their size: repaint only when it changed. */
  private key = '';
  private sizeKey = '';

  /** Draws the overview in rows y0..y0+h-1. */
  render(cv: Canvas, y0: number, h: number, d: OverviewData): void {
    const w = cv.width;
    const s = d.series;
    cv.text(0, y0, summaryText(s, d.alertLog), d.colour ? C.label : C.normal, w);
    if (s === null) return;
    const bodyY = y0 + 1;
    const bodyH = h - 1;
    const ivs = s.intervals();
    if (ivs.length === 0) {
      const t = 'Collecting Data';
      cv.text(Math.max(0, Math.floor((w - t.length) / 2)), bodyY + Math.floor(bodyH / 2), t, C.normal);
      return;
    }
    const key = `${w}x${bodyH}/${d.colour}/${s.version}/${d.alertLog?.version ?? -1}`;
    const sized = this.panels !== null && this.sizeKey === `${w}x${bodyH}/${d.colour}`;
    if (key !== this.key && !(d.frozen === true && sized)) {
      const sizeKey = `${w}x${bodyH}/${d.colour}`;
      let panels = this.panels;
      if (panels === null || !sized) {
        this.destroy();
        panels = this.panels = makePanels(w, bodyH, d.colour);
        this.sizeKey = sizeKey;
      }
      fillPanels(panels, s, d.alertLog, d.colour, w);
      panels.screen.paint();
      this.key = key;
    }
    this.panels?.screen.blit(cv, 0, bodyY, d.colour);
  }

  destroy(): void {
    this.panels?.screen.destroy();
    this.panels = null;
    this.key = '';
  }
}

/** The first line: what the run holds, in figures a test (or a person) can check. */
export function summaryText(s: OverviewSeries | null, log: AlertLog | null): string {
  if (s === null) return 'Overview';
  const dur = s.durationNs / 1e9;
  const last = s.intervals()[s.intervals().length - 1];
  let t = `Events ${s.events} in ${dur.toFixed(2)}s: ${s.eventRate().toFixed(1)}/s`;
  // "now": the last complete interval
  if (last !== undefined) t += `  now: net ${shortNumber(last.netBytes / (last.spanNs / 1e9))}B/s file ${shortNumber(last.fileBytes / (last.spanNs / 1e9))}B/s`;
  t += log === null ? '  alerts: no rules' : `  alerts: ${log.total}`;
  return t;
}

function border(colour: boolean): Record<string, unknown> {
  return { border: { type: 'line' }, style: { border: { fg: colour ? 'cyan' : 'default' }, label: { fg: colour ? 'cyan' : 'default' } } };
}

function makePanels(w: number, h: number, colour: boolean): Panels {
  const screen = new OffscreenScreen(w, h);
  const bottomH = Math.max(6, Math.floor(h * 0.28));
  const lineH = Math.max(5, Math.floor((h - bottomH) / 2));
  const line2H = Math.max(5, h - bottomH - lineH);
  const half = Math.floor(w / 2);
  const third = Math.floor(w / 3);
  const line = colour ? contribWidget('charts/line.js') : contribWidget('sparkline.js');
  const chart = (top: number, left: number, width: number, label: string, legend: boolean, height = lineH): OffscreenElement =>
    screen.add(line, {
      top,
      left,
      width,
      height,
      label,
      ...border(colour),
      showLegend: legend,
      legend: { width: Math.min(18, Math.floor(width / 3)) },
      abbreviate: true,
      // One y label per 4 pixel rows at most (closer labels overwrite each other); a chart of a text row or
      // two gets only 0, its scale being the peak in its title.
      numYLabels: height * 4 - 19 < 16 ? 1 : Math.min(5, Math.floor((height * 4 - 19) / 4)),
      wholeNumbersOnly: false,
      // Room for 5-character y labels ("3.38K" is 4 + the axis): blessed-contrib sizes it from the top label, which can be shorter than those below.
      xLabelPadding: 10,
      xPadding: 10,
      style: { line: 'yellow', text: colour ? 'green' : 'default', baseline: colour ? 'white' : 'default', ...border(colour).style as object },
      tags: true,
    });
  const bars = contribWidget('charts/stacked-bar.js');
  return {
    screen,
    eventRate: chart(0, 0, half, ' Events/s ', false),
    cpu: withNote(screen, chart(0, half, w - half, ' CPU% of the top processes ', w - half >= 60), { top: 0, left: half, width: w - half, height: lineH, label: ' CPU% of the top processes ' }, colour),
    net: chart(lineH, 0, half, ' Network bytes/s ', false, line2H),
    file: chart(lineH, half, w - half, ' File bytes/s ', false, line2H),
    alerts: withNote(screen, screen.add(bars, {
      top: lineH + line2H,
      left: 0,
      width: third,
      height: bottomH,
      label: ' Alerts per minute ',
      ...border(colour),
      barWidth: 4,
      barSpacing: 7,
      xOffset: 1,
      showLegend: false,
      barBgColor: PRIORITY_GROUPS.map((g) => g[2]),
      tags: true,
    }), { top: lineH + line2H, left: 0, width: third, height: bottomH, label: ' Alerts per minute ' }, colour),
    log: screen.add(contribWidget('log.js'), { top: lineH + line2H, left: third, width: third, height: bottomH, label: ' Last alerts ', ...border(colour), tags: false, bufferLength: 100 }),
    containers: screen.add(contribWidget('table.js'), {
      top: lineH + line2H,
      left: 2 * third,
      width: w - 2 * third,
      height: bottomH,
      label: ' Top containers ',
      ...border(colour),
      interactive: false,
      fg: 'default',
      columnSpacing: 2,
      columnWidth: [1],
    }),
  };
}

/** Text shown inside a blessed tagged string as is. */
function escapeTags(t: string): string {
  return t.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

/** A plain box over the chart's place, shown instead of it (hidden until then). */
function withNote(screen: OffscreenScreen, chart: OffscreenElement, place: Record<string, unknown>, colour: boolean): ChartPanel {
  const note = screen.add(blessedBox, { ...place, ...border(colour), hidden: true, tags: false });
  return { chart, note };
}

function showNote(p: ChartPanel, text: string | null): void {
  if (text === null) {
    p.note.hide();
    p.chart.show();
    return;
  }
  p.chart.hide();
  p.note.show();
  p.note.setContent(text);
}

/** The last intervals that fit in a chart `cols` columns wide (braille: 2 points a column). */
function visible(ivs: readonly OverviewInterval[], cols: number): readonly OverviewInterval[] {
  const n = Math.max(2, cols * 2 - 12);
  return ivs.length > n ? ivs.slice(ivs.length - n) : ivs;
}

function fillPanels(p: Panels, s: OverviewSeries, log: AlertLog | null, colour: boolean, w: number): void {
  const ivs = visible(s.intervals(), Math.floor(w / 2));
  const x = ivs.map((iv) => clockText(iv.endNs));
  const series = (el: OffscreenElement, label: string, values: number[]): void => {
    if (colour) (el as OffscreenElement & { setLabel(t: string): void }).setLabel(` ${label} (peak ${shortNumber(Math.max(0, ...values))}) `);
    setLines(el, [{ title: '', x, y: values }], colour);
  };
  // Per second of the time each interval covers (a replay's last one ends with the capture).
  series(p.eventRate, 'Events/s', ivs.map((iv) => iv.events / (iv.spanNs / 1e9)));
  series(p.net, 'Network bytes/s', ivs.map((iv) => iv.netBytes / (iv.spanNs / 1e9)));
  series(p.file, 'File bytes/s', ivs.map((iv) => iv.fileBytes / (iv.spanNs / 1e9)));

  // CPU: the processes busiest over the shown intervals, one line each.
  const withCpu = ivs.filter((iv) => iv.top !== null);
  const sums = new Map<number, { name: string; sum: number }>();
  for (const iv of withCpu) for (const t of iv.top!) {
    const e = sums.get(t.pid);
    if (e === undefined) sums.set(t.pid, { name: t.name, sum: t.cpu });
    else e.sum += t.cpu;
  }
  const top = [...sums.entries()].sort((a, b) => b[1].sum - a[1].sum).slice(0, CPU_LINES);
  if (top.length === 0 || withCpu.length === 0) showNote(p.cpu, 'no process used CPU in the shown intervals');
  else {
    showNote(p.cpu, null);
    // Without room for the legend box, the label names the lines, each in its line's colour.
    const chart = p.cpu.chart as OffscreenElement & { options: { showLegend: boolean }; setLabel(text: string): void };
    if (!chart.options.showLegend && colour) {
      let label = ' CPU%:';
      let room = (chart as unknown as { width: number }).width - 4 - label.length - 1;
      top.forEach(([pid, e], i) => {
        const name = `${e.name}(${pid})`;
        if (name.length + 1 > room) return;
        room -= name.length + 1;
        label += ` {${LINE_COLOURS[i % LINE_COLOURS.length]}-fg}${escapeTags(name)}{/}`;
      });
      chart.setLabel(`${label} `);
    }
    const cx = withCpu.map((iv) => clockText(iv.endNs));
    setLines(
      p.cpu.chart,
      top.map(([pid, e], i) => ({ title: `${e.name}(${pid})`, x: cx, y: withCpu.map((iv) => iv.top!.find((t) => t.pid === pid)?.cpu ?? 0), style: { line: LINE_COLOURS[i % LINE_COLOURS.length] } })),
      colour,
    );
  }

  if (log === null) {
    showNote(p.alerts, NO_RULES);
    (p.log as OffscreenElement & { setItems(items: string[]): void }).setItems([NO_RULES]);
  } else {
    setAlertBars(p.alerts, log, s, colour);
    const lines = log.recent(100).map((a) => `${clockText(Number(a.timeNs))} ${a.priorityName} ${a.rule}: ${a.output}`);
    const el = p.log as OffscreenElement & { setItems(items: string[]): void };
    el.setItems(lines.length > 0 ? lines : ['no alerts']);
  }

  const c = s.containers;
  const el = p.containers as OffscreenElement & { options: { columnWidth: number[] }; width: number };
  if (c === null) setTable(el, ['CONTAINER'], [['Collecting Data']]);
  else {
    const cols = c.sample.columns;
    const wanted = ['NAME', 'CPU', 'NET', 'FILE', 'PROCS', 'THREADS', 'RES', 'VIRT', 'IMAGE', 'ID', 'ENGINE'];
    const idx = wanted.map((n) => cols.findIndex((col) => col.column.name === n)).filter((i) => i >= 0);
    const rows = c.sample.rows.map((r) => idx.map((j) => cellText(cols[j]!, r.values[j]!, r.counts[j]!, c.info.timeDeltaNs, c.grouping).trim()));
    setTable(el, idx.map((j) => cols[j]!.column.name), rows.length > 0 ? rows : [['no containers']]);
  }
}

interface LineData {
  title: string;
  x: string[];
  y: number[];
  style?: { line: string };
}

/** A line chart's data; without colour the widget is a sparkline and gets one row of figures per series. */
function setLines(el: OffscreenElement, data: LineData[], colour: boolean): void {
  if (colour) {
    // blessed-contrib puts a point at plotHeight * (1 - v / maxY) - 2 pixels from the top (its default
    // maxY is 1.2 x the peak): on a short chart the peak lands above the canvas and is not drawn. Leave
    // the peak 2.5 pixels of room.
    const chart = el as OffscreenElement & { height: number; options: { maxY?: number } };
    const plotH = chart.height * 4 - 8 - 11;
    const peak = Math.max(0, ...data.flatMap((d) => d.y));
    chart.options.maxY = peak > 0 ? Math.max(peak * 1.2, peak / Math.max(0.2, 1 - 2.5 / plotH)) : 1;
    el.setData(data);
    return;
  }
  const titles = data.map((d) => {
    const last = d.y[d.y.length - 1] ?? 0;
    const avg = d.y.reduce((a, b) => a + b, 0) / Math.max(1, d.y.length);
    return `${d.title === '' ? '' : `${d.title} `}now ${shortNumber(last)} avg ${shortNumber(avg)} max ${shortNumber(Math.max(0, ...d.y))}`;
  });
  // The sparkline draws the first values that fit: give it the newest.
  const fit = Math.max(1, (el as OffscreenElement & { width: number }).width - 2);
  el.setData(titles, data.map((d) => d.y.slice(-fit)));
}

/** Smallest alerts panel (rows) that draws bars; a smaller one lists the counts. */
const MIN_BAR_ROWS = 9;

/**
 * Alerts per minute by priority group, for the minutes up to the newest
 * (the run's or the last alert's): stacked bars as many as fit, or, without
 * colour or room, one line of counts per minute.
 */
function setAlertBars(p: ChartPanel, log: AlertLog, s: OverviewSeries, colour: boolean): void {
  const el = p.chart as OffscreenElement & { width: number; height: number };
  const bars = colour && el.height >= MIN_BAR_ROWS;
  const n = bars ? Math.max(1, Math.floor((el.width - 3) / 7)) : Math.max(1, el.height - 3);
  const minutes = log.minutes();
  const endMinute = Math.floor(Math.max(s.lastTs, minutes[minutes.length - 1]?.minuteNs ?? 0) / 60e9) * 60e9;
  const cats: string[] = [];
  const data: number[][] = [];
  for (let m = endMinute - (n - 1) * 60e9; m <= endMinute; m += 60e9) {
    const mc = minutes.find((x) => x.minuteNs === m);
    cats.push(clockText(m, false));
    data.push(PRIORITY_GROUPS.map((g) => g[1].reduce((a, pr) => a + (mc?.byPriority[pr] ?? 0), 0)));
  }
  if (bars) {
    showNote(p, null);
    el.setData({ barCategory: cats, stackedCategory: PRIORITY_GROUPS.map((g) => g[0]), data });
    return;
  }
  const widths = PRIORITY_GROUPS.map((g) => g[0].length);
  const row = (first: string, cells: string[]): string => [first.padEnd(5), ...cells.map((c, k) => c.padStart(widths[k]!))].join(' ');
  showNote(p, [row('', PRIORITY_GROUPS.map((g) => g[0])), ...cats.map((c, k) => row(c, data[k]!.map(String)))].join('\n'));
}

/** The table's data, with the columns that fit its width (the first one always, cut to fit). */
function setTable(el: OffscreenElement & { options: { columnWidth: number[] }; width: number }, headers: string[], rows: string[][]): void {
  const room = el.width - 4;
  const widths: number[] = [];
  let used = 0;
  for (let j = 0; j < headers.length; j++) {
    const cw = Math.max(headers[j]!.length, ...rows.map((r) => (r[j] ?? '').length));
    if (j > 0 && used + cw > room) break;
    widths.push(Math.min(cw, room));
    used += cw + 1;
  }
  el.options.columnWidth = widths;
  const n = widths.length;
  el.setData({ headers: headers.slice(0, n), data: rows.map((r) => r.slice(0, n)) });
}
