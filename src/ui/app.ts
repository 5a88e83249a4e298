/**
 * The full-screen application: csysdig's interaction model on top of a
 * Session (source -> state engine -> the current screen's consumer).
 *
 * Screens: a table view, a list view, the spectrogram, echo (F5), dig
 * (F6) and the overview (F3). Every move between screens goes through the selection stack
 * (selection.ts): Enter drills into the selected row, F2 switches view in
 * the same context, F5/F6/F12 open the selection's I/O, events or latency
 * spectrogram, an applied sysdig filter re-opens the view; Backspace undoes
 * the last of these, restoring view, sort, filter and selected row. On a
 * replay, Backspace shows the table kept on the stack and Enter the table
 * prepared during the read (DrillTables): neither reads the file again.
 *
 * The screen is redrawn when input arrives, when a sample arrives, and,
 * while a replay is being read, a few times a second for the progress bar.
 */
import { spawnSync } from 'node:child_process';
import { CaptureError } from '../capture/records.js';
import type { FieldRegistry } from '../fields/registry.js';
import { fieldValueText } from '../fields/render.js';
import { compileFilter } from '../filter/index.js';
import type { EventContext } from '../fields/types.js';
import { formatDuration } from '../view/cell-format.js';
import { isNumericType, type CellValue, type Sample } from '../view/table.js';
import type { ViewAction, ViewColumn, ViewDef } from '../view/view-def.js';
import type { ViewRegistry } from '../view/view-loader.js';
import type { SampleInfo } from '../view/view-runner.js';
import { ActionError, prepareAction, type PreparedAction } from './actions.js';
import { escapeControls } from '../format/control-text.js';
import { C } from './colors.js';
import { ListConsumer, TableConsumer, type Consumer } from './consumers.js';
import { DigConsumer } from './dig-view.js';
import { BUFFER_FORMATS, EchoConsumer, type BufferFormat } from './echo-view.js';
import { Prompt } from './filter-prompt.js';
import { menuActionAt, OVERVIEW_MENU, positionText, renderMenu, renderPosition, SPECTRO_MENU, TABLE_MENU, TABLE_MENU_WITH_ALERTS, TEXT_MENU, type MenuHit, type MenuItem } from './footer.js';
import { renderHeader, type HeaderHit } from './header.js';
import { helpLines } from './help.js';
import { isBackspace, isMove, QUIT_KEYS, SORT_HOTKEYS, type Move } from './keys.js';
import { ACTION_MENU_WIDTH, layout, MIN_HEIGHT, MIN_WIDTH, TABLE_Y, VIEW_MENU_WIDTH } from './layout.js';
import { viewInfoLines } from './legend.js';
import { findRow } from './search.js';
import { combineFilters, currentField, DIG_SCREEN, ECHO_SCREEN, filterValue, hierarchyFilter, selectionText, type ReadyTable, type SelectionEntry } from './selection.js';
import { DrillTables } from '../view/drill-tables.js';
import type { StateEngine } from '../state/engine.js';
import { OVERVIEW_SCREEN, OverviewScreen } from './overview.js';
import { OverviewSeries } from './overview-series.js';
import { Session, type RunSetup } from './session.js';
import { SideMenu } from './side-menu.js';
import { SpectroConsumer, SpectroWidget } from './spectro.js';
import { renderProgress, statusText, type RunProgress } from './status.js';
import { centre, TableWidget } from './table-widget.js';
import type { Display } from './term.js';
import { TextBuffer, TextView } from './text-view.js';
import type { EventSource } from '../session/event-source.js';
import { ViewsMenu, type RowViewEntry } from './views-menu.js';
import { historyProblem, rowSelection, windowAround, type EventWindow } from './row-drill.js';
import { rowOrigin, type RowOrigin } from '../view/list-rows.js';
import { replayHistory } from '../session/history-replay.js';
import type { MonitorRules } from '../cli/monitor-rules.js';
import { viewReadsAlerts } from '../view/view-columns.js';
import { attr, BOLD, DEFAULT } from './canvas.js';
import { RED, YELLOW } from './colors.js';
import { alertCountsText, historyText, severeAlerts, worstPriority } from './status.js';

export interface AppConfig {
  views: ViewRegistry;
  fields: FieldRegistry;
  source: EventSource;
  display: Display;
  /** Starting view id. */
  view: string;
  /** Command-line filter, ANDed with everything (csysdig's capture filter). */
  filter: string;
  intervalMs: number;
  /** Replays: stop after this many events / seconds of capture time (-n, -M; 0 = all). */
  count?: number;
  durationS?: number;
  /** Column tag: 'containers' with -pc, else 'default'. */
  tag: string;
  version: string;
  /** Shown on the message line when the screen opens (the `npm start` notice), until a key is pressed. */
  notice?: string;
  /** Show how many times the capture was read in the header's status (TSYSDIG_UI_DEBUG=reads): for tests. */
  showReads?: boolean;
  /**
   * Replays: prepare the Enter target's tables during a read and keep left
   * tables for Backspace (default true). False reads the capture again for
   * every screen, as before: the benchmark's "before" figures.
   */
  keepReplayTables?: boolean;
  /** --rules / --default-rules: the rules running with the views (the Alerts views, the status bar's counts). */
  rules?: MonitorRules | null;
  /** What each run gets besides the screen: rules, captures around alerts (src/ui/session.ts). */
  runSetup?: RunSetup;
}

type Overlay = { kind: 'help' | 'legend'; view: TextView };

/** Minimum time between two redraws caused by data (input redraws at once). */
const DATA_REDRAW_MS = 100;
/** Progress redraw period while a replay is being read. */
const PROGRESS_MS = 250;
/** How often the alert counts are looked at (a change redraws the status bar), and the flash's half period. */
const ALERTS_CHECK_MS = 250;
const FLASH_HALF_MS = 500;
/** How long the counts flash after a new Critical-or-worse alert. */
const FLASH_MS = 5000;
/** The Alerts view, where the A key goes. */
export const ALERTS_VIEW = 'alerts';
/** Said in place of an Alerts view when no rules run. */
export const NO_RULES_NOTICE = 'No rules loaded: start tsysdig with --rules FILE|DIR or --default-rules to see alerts';

export class App {
  private readonly session: Session;
  private readonly d: Display;
  private readonly cfg: AppConfig;

  // ---- where we are ----
  private screen: string;
  private hierarchy: SelectionEntry[] = [];
  private manualFilter = '';
  private filterIsSysdig = false;
  private paused = false;
  private screenError: string | null = null;

  // ---- table / list ----
  private readonly table = new TableWidget();
  private list: ListConsumer | null = null;
  private pendingKey: CellValue | null = null;
  private pendingSort: { col: number; asc: boolean } | null = null;
  private heldSample: { sample: Sample; info: SampleInfo; grouping: boolean } | null = null;
  private rate: number | null = null;
  private searchText = '';
  private searchMiss = false;
  /** Replays: the whole-capture table on screen, and its drill-down target's tables prepared with it. */
  private lastFinal: { sample: Sample; info: SampleInfo; grouping: boolean } | null = null;
  private drill: DrillTables | null = null;

  // ---- text screens ----
  private readonly text = new TextBuffer();
  private textView: TextView;
  private textConsumer: DigConsumer | EchoConsumer | null = null;
  /** Live: the list a row was drilled from, kept running for Backspace (its screen and drill depth). */
  private parkedList: { consumer: ListConsumer; screen: string; depth: number } | null = null;
  /** The dig screen opened from a list row: the window around the row's event (null: a plain F6). */
  private digWindow: EventWindow | null = null;
  private echoFormat: BufferFormat = 'dotted';

  // ---- spectrogram ----
  private spectro: SpectroConsumer | null = null;
  private readonly spectroWidget = new SpectroWidget();

  // ---- overview ----
  private overview: OverviewSeries | null = null;
  private readonly overviewScreen = new OverviewScreen();

  // ---- overlays ----
  private overlay: Overlay | null = null;
  private viewsMenu: ViewsMenu | null = null;
  private sortMenu: SideMenu<number> | null = null;
  private actionMenu: SideMenu<number> | null = null;
  private formatMenu: SideMenu<BufferFormat> | null = null;
  private prompt: Prompt | null = null;
  /** A one-line message above the footer (action errors, capture warnings); cleared by the next key. */
  private notice: string | null = null;

  // ---- rendering ----
  private menuHits: MenuHit[] = [];
  private headerHit: HeaderHit = { filterStart: 0, filterEnd: 0 };
  private renderTimer: NodeJS.Timeout | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  /** Live echo/dig: redraws when new lines arrived (no sample drives a text screen). */
  private liveTextTimer: NodeJS.Timeout | null = null;
  private lastRender = 0;
  private lastClick = { time: 0, x: -1, y: -1 };
  /** Alerts: the log and its version last drawn, the most Critical-or-worse alerts counted, and until when the counts flash. */
  private alertsTimer: NodeJS.Timeout | null = null;
  private alertsSeen = { version: -1, severe: 0, log: null as unknown };
  private flashUntil = 0;
  private busy = false;
  private quitting = false;
  private resolveQuit: ((code: number) => void) | null = null;

  constructor(cfg: AppConfig) {
    this.cfg = cfg;
    this.d = cfg.display;
    this.screen = cfg.view;
    this.textView = new TextView(() => this.text.lines, false, () => this.text.generation);
    this.notice = cfg.notice ?? null;
    this.session = new Session(
      cfg.source,
      {
        onEnd: () => this.onRunEnd(),
        onWarning: (m) => {
          this.notice = m;
        },
      },
      { count: cfg.count ?? 0, durationNs: (cfg.durationS ?? 0) * 1e9 },
      cfg.rules ?? null,
      cfg.runSetup,
    );
  }

  /** A line for the message line (an alert capture written), drawn at the next redraw. */
  showNotice(line: string): void {
    this.notice = line;
    this.dataChanged();
  }

  /** The alerts of the rules running with the views (null without --rules/--default-rules). */
  get alertLog(): import('../rules/alert-log.js').AlertLog | null {
    return this.session.alertLog;
  }

  /** With rules: redraw when alerts arrive; flash the counts on a new Critical-or-worse one. */
  private armAlerts(): void {
    if (this.cfg.rules === null || this.cfg.rules === undefined) return;
    this.alertsTimer = setInterval(() => {
      const log = this.session.alertLog;
      if (log === null) return;
      const seen = this.alertsSeen;
      const now = Date.now();
      const severe = severeAlerts(log.totals);
      // more Critical-or-worse alerts than ever counted (a replay's new read, which starts a new log, repeats known ones)
      if (severe > seen.severe) {
        this.flashUntil = now + FLASH_MS;
        seen.severe = severe;
      }
      const changed = seen.log !== log || seen.version !== log.version;
      seen.log = log;
      seen.version = log.version;
      if (changed || now < this.flashUntil + FLASH_HALF_MS) this.dataChanged();
    }, ALERTS_CHECK_MS);
  }

  /** The status bar's alert counts, coloured by the worst priority seen; reversed in turn while flashing. */
  private alertsStatus(): { text: string; attr: number } | null {
    const log = this.session.alertLog;
    if (log === null) return null;
    const now = Date.now();
    if (now < this.flashUntil && Math.floor(now / FLASH_HALF_MS) % 2 === 0) return { text: alertCountsText(log.totals), attr: C.error };
    const worst = worstPriority(log.totals);
    const a = worst < 0 ? C.accent : worst <= 2 ? attr(RED, DEFAULT, BOLD) : worst === 3 ? attr(RED, DEFAULT) : worst === 4 ? attr(YELLOW, DEFAULT) : C.accent;
    return { text: alertCountsText(log.totals), attr: a };
  }

  /** Starts the first screen; resolves with the exit code when the user quits. */
  run(): Promise<number> {
    const done = new Promise<number>((resolve) => {
      this.resolveQuit = resolve;
    });
    this.startScreen();
    this.armAlerts();
    this.render();
    return done;
  }

  // =====================================================================
  // Screens and the selection stack
  // =====================================================================

  private get view(): ViewDef | null {
    if (this.screen === DIG_SCREEN || this.screen === ECHO_SCREEN) return null;
    return this.cfg.views.get(this.screen) ?? null;
  }

  private isTextScreen(): boolean {
    return this.screen === DIG_SCREEN || this.screen === ECHO_SCREEN;
  }

  private isOverviewScreen(): boolean {
    return this.screen === OVERVIEW_SCREEN;
  }

  private isSpectroScreen(): boolean {
    return this.view?.viewType === 'spectrogram';
  }

  private isSpectroId(id: string): boolean {
    return this.cfg.views.get(id)?.viewType === 'spectrogram';
  }

  /** csysdig's create_complete_filter. */
  completeFilter(): string {
    if (this.filterIsSysdig && this.manualFilter !== '') return this.manualFilter;
    return this.selectionFilter(this.hierarchy, this.view);
  }

  /** The filter of a screen showing `view` under the selections `h` (no manual sysdig filter). */
  private selectionFilter(h: readonly SelectionEntry[], view: ViewDef | null): string {
    const f = combineFilters(this.cfg.filter, hierarchyFilter(h));
    return view !== null ? combineFilters(f, view.filter) : f;
  }

  /**
   * (Re)starts the current screen's run: csysdig's start() + restart_capture().
   * With `ready` (a replay table kept or prepared earlier), shows it instead
   * of reading the capture.
   */
  private startScreen(ready?: ReadyTable): void {
    this.disarmLiveText();
    this.lastFinal = null;
    this.drill = null;
    this.screenError = null;
    this.heldSample = null;
    this.rate = null;
    this.list = null;
    this.spectro = null;
    this.textConsumer = null;
    this.overview = null;
    this.table.clear();
    this.table.scrollX = 0;
    this.searchMiss = false;
    const filter = this.completeFilter();
    const reg = this.cfg.fields;
    const intervalNs = this.cfg.intervalMs * 1e6;
    const live = this.session.live;
    try {
      // Live echo/dig want whole buffers, tables only their lengths (csysdig: snaplen 2000 vs 80).
      this.cfg.source.setSnaplen?.(this.isTextScreen() ? 2000 : null);
      if (this.isTextScreen()) {
        this.text.clear();
        const wrap = this.screen === ECHO_SCREEN;
        this.textView = new TextView(() => this.text.lines, wrap, () => this.text.generation);
        this.textView.follow = live;
        if (live) this.armLiveText();
        const win = this.screen === DIG_SCREEN ? this.digWindow : null;
        this.session.start((engine) => {
          const c =
            this.screen === DIG_SCREEN
              ? new DigConsumer(filter, reg, engine, this.text, undefined, win, !live)
              : new EchoConsumer(filter, reg, engine, this.text, this.echoFormat, this.cfg.tag === 'containers');
          this.textConsumer = c;
          return c;
        });
        if (win !== null && live) this.digFromHistory(win);
      } else if (this.isOverviewScreen()) {
        this.session.start((engine) => {
          const c = new OverviewSeries(reg, engine, {
            intervalNs,
            filter,
            tag: this.cfg.tag,
            live,
            procsView: this.cfg.views.get('procs') ?? null,
            containersView: this.cfg.views.get('containers') ?? null,
            onChange: () => {
              if (live) this.dataChanged();
            },
          });
          this.overview = c;
          return c;
        });
      } else {
        const view = this.view;
        if (view === null) throw new Error(`unknown view '${this.screen}'`);
        if (view.viewType === 'spectrogram') {
          this.spectroWidget.top = live ? null : 0;
          const sliceNs = this.cfg.intervalMs === 2000 ? intervalNs / 4 : intervalNs;
          this.session.start((engine) => {
            const c = new SpectroConsumer(filter, reg, engine, sliceNs, () => this.d.width, () => this.dataChanged());
            this.spectro = c;
            return c;
          });
        } else if (view.viewType === 'list') {
          // Live, back from a row's drill-down: the same list, fed meanwhile, rows and keys kept.
          const parked = this.parkedList !== null && this.parkedList.depth === this.hierarchy.length && this.parkedList.screen === this.screen ? this.parkedList.consumer : null;
          this.parkedList = null;
          this.session.park(null);
          this.session.start((engine) => {
            const c = parked ?? new ListConsumer(view, reg, engine, { intervalNs, filter, tag: this.cfg.tag, keepTotals: !live }, (s, i, g) => {
              if (this.list === c) this.onSample(s, i, g);
            });
            this.list = c;
            this.table.sortCol = -1;
            this.table.sortAsc = true;
            return c;
          });
          // after the caller (Backspace) set the row to select again
          if (parked !== null) setImmediate(() => this.list === parked && parked.refresh());
          else {
            // a new list (the start above set this.list; TypeScript still sees the null of the screen's reset)
            const list = this.list as ListConsumer | null;
            if (list !== null && this.seedAlerts(view, filter, list)) list.refresh();
          }
        } else if (ready !== undefined) {
          this.session.settle();
          this.drill = ready.drill;
          this.table.sortCol = ready.sample.sortColumn;
          this.table.sortAsc = ready.sample.ascending;
        } else {
          let table: TableConsumer | null = null;
          this.session.start((engine): Consumer => {
            const drill = this.prepareDrill(view, engine);
            const c = new TableConsumer(view, reg, engine, { intervalNs, filter, tag: this.cfg.tag, keepTotals: !live, finalOnly: !live }, (s, i, g) => this.onSample(s, i, g), drill);
            this.drill = drill;
            this.table.sortCol = c.runner.interval.sortingColumn;
            this.table.sortAsc = c.runner.interval.sortAscending;
            table = c;
            return c;
          });
          if (table !== null) this.seedAlerts(view, filter, table);
        }
        if (this.pendingSort !== null) {
          this.table.sortCol = this.pendingSort.col;
          this.table.sortAsc = this.pendingSort.asc;
          this.pendingSort = null;
        }
        this.table.freeText = !this.filterIsSysdig ? this.manualFilter : '';
      }
      // An Alerts view without rules would stay empty for ever: say what to do instead.
      const v = this.view;
      if (v !== null && (this.cfg.rules === null || this.cfg.rules === undefined) && viewReadsAlerts(v)) this.screenError = NO_RULES_NOTICE;
    } catch (err) {
      // A screen that cannot start (a view naming a field this build lacks…) is reported in place.
      // A replay stops; a live source keeps running for the next screen.
      if (!this.session.live) this.session.cancel();
      this.screenError = err instanceof Error ? err.message : String(err);
    }
    this.table.scroll.selct = 0;
    this.table.scroll.firstRow = 0;
    this.table.followKey = false;
    this.table.selectedKey = null;
    if (ready !== undefined && this.screenError === null) this.onSample(ready.sample, ready.info, ready.grouping);
    this.armProgress();
  }

  /**
   * Live: a screen reading alert.* fields (Alerts, Alerts by Rule, one of
   * them drilled into) starts with the alerts fired before it opened, which
   * the session kept (AlertEvents); a replay's screen re-reads the capture
   * and needs none. True when any alert event was fed.
   */
  private seedAlerts(view: ViewDef, filter: string, c: Consumer): boolean {
    const store = this.session.alertEvents;
    if (store === null || store.size === 0 || !viewReadsAlerts(view, filter)) return false;
    return store.replay(this.session.engine, (ev, engine) => c.onEvent(ev, engine)) > 0;
  }

  /** Where Enter on `view` goes: its drill-down target, else the first view applying to the selection's field. */
  private drillTarget(view: ViewDef, field: string): ViewDef | undefined {
    let target: ViewDef | undefined;
    if (view.drilldownTarget !== null) target = this.cfg.views.get(view.drilldownTarget);
    return target ?? this.cfg.views.all().find((v) => v.appliesTo.includes(field));
  }

  /**
   * Replays: the tables Enter on `view` would show, prepared during this
   * read (DrillTables), so that drilling into any row needs no second read.
   * Null where it cannot be prepared (no target, a list or spectrogram
   * target, a filterfield): Enter then reads the capture again.
   */
  private prepareDrill(view: ViewDef, engine: StateEngine): DrillTables | null {
    if (this.session.live || view.viewType !== 'table' || this.cfg.keepReplayTables === false) return null;
    const kc = this.selectionKeyColumn(view);
    if (kc === undefined) return null;
    const target = this.drillTarget(view, kc.filterField ?? kc.field);
    if (target === undefined || !DrillTables.supports(kc, target)) return null;
    // The child's filter as drillDown() builds it, less the `field=value` of the selection itself.
    const entry = this.newEntry({ field: '', val: '', filterInChildOnly: false, viewFilter: view.propagateFilter !== false ? view.filter : '', rowKey: null, isDrilldown: true }, '', false, null);
    const filter = this.selectionFilter([...this.hierarchy, entry], target);
    try {
      return new DrillTables(target, this.cfg.fields, engine, { keyColumn: kc, filter, tag: this.cfg.tag });
    } catch {
      // A target that cannot run is reported when it is entered (by the re-read), as before.
      return null;
    }
  }

  /** The current replay table, finished, as the selection stack keeps it (null if there is none to keep). */
  private readyTable(): ReadyTable | null {
    const st = this.session.state;
    if (this.session.live || this.cfg.keepReplayTables === false || this.lastFinal === null || this.screenError !== null || !st.done || st.running) return null;
    if (this.isTextScreen() || this.view?.viewType !== 'table') return null;
    return { ...this.lastFinal, drill: this.drill };
  }

  private selectionKeyColumn(view: ViewDef): ViewColumn | undefined {
    return view.columns.find((c) => c.isGroupbyKey) ?? view.columns.find((c) => c.isKey);
  }

  /** The selected row as a drill-down selection: field, filter value, column. */
  private selection(): { field: string; val: string; column: ViewColumn; key: CellValue } | null {
    const view = this.view;
    const s = this.table.sample;
    const row = this.table.selectedRow();
    if (view === null || s === null || row === null || view.viewType !== 'table') return null;
    const kc = this.selectionKeyColumn(view);
    if (kc === undefined) return null;
    const text = fieldValueText(s.keyColumn.extractor.info, row.key);
    return { field: kc.filterField ?? kc.field, val: filterValue(text, isNumericType(s.keyColumn.type)), column: kc, key: row.key };
  }

  private pushEntry(
    e: Pick<SelectionEntry, 'field' | 'val' | 'filterInChildOnly' | 'viewFilter' | 'rowKey' | 'isDrilldown'>,
    prevManual = this.manualFilter,
    prevSysdig = this.filterIsSysdig,
  ): void {
    this.hierarchy.push(this.newEntry(e, prevManual, prevSysdig, this.readyTable()));
  }

  /** A selection-stack entry leaving the current screen (`saved`: its finished replay table). */
  private newEntry(
    e: Pick<SelectionEntry, 'field' | 'val' | 'filterInChildOnly' | 'viewFilter' | 'rowKey' | 'isDrilldown'>,
    prevManual: string,
    prevSysdig: boolean,
    saved: ReadyTable | null,
  ): SelectionEntry {
    return {
      ...e,
      prevScreen: this.screen,
      prevMenuEntry: 0,
      prevSortCol: this.table.sortCol,
      prevSortAsc: this.table.sortAsc,
      prevManualFilter: prevManual,
      prevFilterIsSysdig: prevSysdig,
      saved,
    };
  }

  /** Enter (csysdig drilldown): into the view's drill-down target, or the first view applying to the key field. */
  drillDown(targetId?: string): boolean {
    const sel = this.selection();
    const view = this.view;
    if (sel === null || view === null) return false;
    const target = targetId !== undefined ? this.cfg.views.get(targetId) : this.drillTarget(view, sel.field);
    if (target === undefined) {
      this.notice = targetId !== undefined ? `no view '${targetId}'` : `nothing to drill down into from ${sel.field}`;
      return false;
    }
    // A replay whose read prepared this target's tables: the selected row's table, no second read.
    const d = this.drill;
    const info = this.lastFinal?.info;
    const ready: ReadyTable | undefined =
      d !== null && d.ready && d.target.id === target.id && d.field === sel.field && info !== undefined && this.readyTable() !== null
        ? { sample: d.sample(sel.key), info, grouping: d.grouping, drill: null }
        : undefined;
    this.paused = false;
    this.pushEntry({
      field: sel.field,
      val: sel.val,
      filterInChildOnly: sel.column.filterInChildOnly === true,
      viewFilter: view.propagateFilter !== false ? view.filter : '',
      rowKey: sel.key,
      isDrilldown: true,
    });
    this.screen = target.id;
    this.manualFilter = '';
    this.filterIsSysdig = false;
    this.startScreen(ready);
    return true;
  }

  /** F5 / F6 (csysdig spy_selection): the selection's I/O data or events. */
  private spy(screen: string): void {
    const sel = this.selection();
    const view = this.view;
    if (sel === null || view === null) return;
    this.digWindow = null;
    this.pushEntry({
      field: sel.field,
      val: sel.val,
      filterInChildOnly: sel.column.filterInChildOnly === true,
      viewFilter: view.propagateFilter !== false ? view.filter : '',
      rowKey: sel.key,
      isDrilldown: true,
    });
    this.screen = screen;
    this.manualFilter = '';
    this.filterIsSysdig = false;
    this.startScreen();
  }

  // ---- list rows: each remembers its event (src/view/list-rows.ts) ----

  /** The selected list row's event (null on table views, or without a row). */
  private rowOrigin(): RowOrigin | null {
    return this.list === null ? null : rowOrigin(this.table.selectedRow());
  }

  /** The process of the selected list row, for the views F2 offers for it (null: none). */
  private rowProcess(): number | null {
    const o = this.rowOrigin();
    return o === null || o.pid < 0 ? null : o.pid;
  }

  /**
   * Enter on a list row: the dig screen on the events of the row's process
   * (or thread, view key row_events) in a window around the row's event,
   * that event highlighted. A replay reads the window from the capture; live
   * shows what the history holds, or says in one line why it cannot.
   */
  drillIntoRow(): boolean {
    const view = this.view;
    const row = this.table.selectedRow();
    const o = rowOrigin(row);
    if (view === null || row === null || o === null) return false;
    const sel = rowSelection(o, view.rowEvents ?? 'process');
    if (sel === null) {
      this.notice = `the process of event ${o.evtNum} is unknown: no events to show`;
      return false;
    }
    if (this.session.live) {
      const why = historyProblem(this.session.history, o);
      if (why !== null) {
        this.notice = why;
        return false;
      }
    }
    this.parkList();
    this.pushEntry({ field: sel.field, val: sel.val, filterInChildOnly: false, viewFilter: '', rowKey: row.key, isDrilldown: true });
    this.paused = false;
    this.digWindow = windowAround(o);
    this.screen = DIG_SCREEN;
    this.manualFilter = '';
    this.filterIsSysdig = false;
    this.startScreen();
    return true;
  }

  /** F2 on a list row: a view of the row's process (its files, connections, children…), filtered to it. */
  private drillRowInto(target: ViewDef, entry: RowViewEntry): void {
    const row = this.table.selectedRow();
    this.parkList();
    this.pushEntry({ field: entry.field, val: String(entry.pid), filterInChildOnly: false, viewFilter: '', rowKey: row?.key ?? null, isDrilldown: true });
    this.paused = false;
    this.screen = target.id;
    this.manualFilter = '';
    this.filterIsSysdig = false;
    this.startScreen();
  }

  /** Live: keeps the current list running while a row's drill-down is open, for Backspace. */
  private parkList(): void {
    if (!this.session.live || this.list === null) return;
    this.parkedList = { consumer: this.list, screen: this.screen, depth: this.hierarchy.length };
    this.session.park(this.list);
  }

  /** Live: the window's events already past, from the history, before the new ones arrive. */
  private digFromHistory(win: EventWindow): void {
    const history = this.session.history;
    const c = this.textConsumer;
    if (history === null || !(c instanceof DigConsumer)) return;
    replayHistory(history, this.session.engine, win.fromNs, win.toNs, (ev, engine) => c.onEvent(ev, engine));
    this.revealAnchor();
  }

  /** Brings the highlighted event of a row's window into view. */
  private revealAnchor(): void {
    const c = this.textConsumer;
    if (this.digWindow === null || !(c instanceof DigConsumer) || c.anchorLine < 0) return;
    this.textView.reveal(c.anchorLine);
  }

  /** Backspace (csysdig drillup). */
  drillUp(): boolean {
    const e = this.hierarchy.pop();
    if (e === undefined) return false;
    this.paused = false;
    this.digWindow = null;
    this.screen = e.prevScreen;
    if (this.isSpectroId(e.prevScreen)) {
      this.manualFilter = '';
      this.filterIsSysdig = false;
    } else {
      this.manualFilter = e.prevManualFilter;
      this.filterIsSysdig = e.prevFilterIsSysdig;
    }
    this.pendingSort = { col: e.prevSortCol, asc: e.prevSortAsc };
    // Set first: a kept table (e.saved) is shown inside startScreen and selects the row at once.
    if (e.rowKey !== null) this.pendingKey = e.rowKey;
    this.startScreen(e.saved ?? undefined);
    if (e.rowKey !== null && this.pendingKey !== null) this.table.selectedKey = e.rowKey;
    return true;
  }

  /** csysdig switch_view: the same selection, another view (also used to apply a sysdig filter). */
  private switchView(id: string, prevManual = this.manualFilter, prevSysdig = this.filterIsSysdig): void {
    const last = this.hierarchy[this.hierarchy.length - 1];
    const cur = this.view;
    const key = cur !== null ? this.selectionKeyColumn(cur) : undefined;
    this.pushEntry(
      last !== undefined
        ? { field: last.field, val: last.val, filterInChildOnly: key?.filterInChildOnly === true, viewFilter: last.viewFilter, rowKey: null, isDrilldown: false }
        : { field: '', val: '', filterInChildOnly: false, viewFilter: '', rowKey: null, isDrilldown: false },
      prevManual,
      prevSysdig,
    );
    // csysdig forgets the selected row here; keeping it lets Backspace land on the same row.
    this.hierarchy[this.hierarchy.length - 1]!.rowKey = this.table.selectedKey;
    if (id !== this.screen) {
      this.manualFilter = '';
      this.paused = false;
    }
    this.screen = id;
    this.startScreen();
  }

  // =====================================================================
  // Data
  // =====================================================================

  private onSample(sample: Sample, info: SampleInfo, grouping: boolean): void {
    if (!this.session.live && !info.final) return;
    if (!this.session.live) this.lastFinal = { sample, info, grouping };
    if (info.timeDeltaNs > 0) this.rate = info.events / (info.timeDeltaNs / 1e9);
    if (this.paused) {
      this.heldSample = { sample, info, grouping };
      return;
    }
    this.showSample(sample, info, grouping);
    this.dataChanged();
  }

  private showSample(sample: Sample, info: SampleInfo, grouping: boolean): void {
    this.table.setSample(sample, info, grouping);
    if (this.pendingKey !== null) {
      this.table.selectKey(this.pendingKey);
      this.pendingKey = null;
    }
    // Live lists follow their end while the last row is selected (csysdig follow_end).
    // (A newest-first list, such as the Alerts, shows its newest rows at the top: nothing to follow.)
    if (this.list !== null && this.session.live && this.view?.newestFirst !== true && this.table.scroll.selct >= this.table.rows.length - 2) this.table.move('end');
  }

  private onRunEnd(): void {
    const st = this.session.state;
    if (st.error !== null && st.error !== undefined) {
      const msg = st.error instanceof Error ? st.error.message : String(st.error);
      if (st.error instanceof CaptureError) {
        this.notice = `capture error: ${msg}`;
      } else this.screenError = msg;
    }
    if (this.session.state.done && this.isTextScreen()) {
      this.textView.top = 0;
      this.textView.follow = false;
      this.revealAnchor();
    }
    this.dataChanged();
  }

  /** Data changed: redraw, at most every DATA_REDRAW_MS. */
  private dataChanged(): void {
    if (this.renderTimer !== null || this.quitting) return;
    const wait = Math.max(0, DATA_REDRAW_MS - (Date.now() - this.lastRender));
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, wait);
  }

  /**
   * Live echo and dig fill their text buffer from events, with no sample to
   * announce it: check a few times a second whether lines arrived and redraw.
   */
  private armLiveText(): void {
    let gen = this.text.generation;
    let n = this.text.lines.length;
    this.liveTextTimer = setInterval(() => {
      if (this.text.generation === gen && this.text.lines.length === n) return;
      gen = this.text.generation;
      n = this.text.lines.length;
      this.dataChanged();
    }, DATA_REDRAW_MS * 2);
  }

  private disarmLiveText(): void {
    if (this.liveTextTimer !== null) clearInterval(this.liveTextTimer);
    this.liveTextTimer = null;
  }

  /** While a replay is read, redraw the progress a few times a second. */
  private armProgress(): void {
    if (this.progressTimer !== null || this.session.live) return;
    this.progressTimer = setInterval(() => {
      if (!this.session.state.running) {
        if (this.progressTimer !== null) clearInterval(this.progressTimer);
        this.progressTimer = null;
      }
      this.render();
    }, PROGRESS_MS);
  }

  // =====================================================================
  // Input
  // =====================================================================

  handleKey(name: string, ch?: string): void {
    if (this.busy || this.quitting) return;
    try {
      this.notice = null;
      this.key(name, ch);
    } catch (err) {
      this.notice = err instanceof Error ? err.message : String(err);
    }
    if (!this.quitting) this.render();
  }

  private key(name: string, ch: string | undefined): void {
    // CTRL+C is an interrupt, as for any command: exit 130, as on SIGINT.
    if (name === 'C-c') return this.quit(130);
    if (this.overlay !== null) return this.overlayKey(name);
    if (this.prompt !== null) return this.promptKey(name, ch);
    if (this.viewsMenu !== null) return this.viewsMenuKey(name);
    if (this.sortMenu !== null) return this.sortMenuKey(name);
    if (this.actionMenu !== null) return this.actionMenuKey(name);
    if (this.formatMenu !== null) return this.formatMenuKey(name);
    if (this.isTextScreen()) {
      if (this.textKey(name)) return;
    } else if (this.isOverviewScreen()) {
      if (this.overviewKey(name)) return;
    } else if (this.isSpectroScreen()) {
      if (this.spectroKey(name)) return;
    } else if (this.tableKey(name)) return;
    this.globalKey(name);
  }

  private globalKey(name: string): void {
    if (QUIT_KEYS.has(name)) return this.quit();
    switch (name) {
      case 'f1':
      case 'h':
      case '?':
        this.overlay = { kind: 'help', view: new TextView(() => helpLines(this.cfg.version), true) };
        return;
      case 'p':
        this.togglePause();
        return;
      case 'f2':
        if (this.isTextScreen()) return;
        this.viewsMenu = new ViewsMenu(this.cfg.views, currentField(this.hierarchy), this.screen, this.cfg.tag, this.rowProcess());
        return;
      case 'f3':
        this.openOverview();
        return;
      case 'f4':
      case '\\':
        if (this.isOverviewScreen()) return;
        this.openFilterPrompt(this.filterIsSysdig);
        return;
      case 'f7': {
        const v = this.view;
        if (v === null) return;
        const lines = viewInfoLines(v, this.cfg.tag);
        this.overlay = { kind: 'legend', view: new TextView(() => lines, true) };
        return;
      }
      case 'f8':
        this.openActionMenu();
        return;
      case 'A':
        // the Alerts view, in the current selection's context (as F2 would switch to it)
        if (this.cfg.views.get(ALERTS_VIEW) !== undefined && this.screen !== ALERTS_VIEW) this.switchView(ALERTS_VIEW);
        return;
      default:
    }
  }

  private togglePause(): void {
    this.paused = !this.paused;
    for (const c of [this.textConsumer, this.spectro]) if (c !== null && this.session.live) c.paused = this.paused;
    if (!this.paused && this.heldSample !== null) {
      const h = this.heldSample;
      this.heldSample = null;
      this.showSample(h.sample, h.info, h.grouping);
    }
  }

  private tableKey(name: string): boolean {
    const t = this.table;
    if (isMove(name)) {
      t.move(name);
      return true;
    }
    switch (name) {
      case 'left':
        t.scrollLeft();
        return true;
      case 'right':
        t.scrollRight(this.d.width);
        return true;
      case 'enter':
        if (this.list !== null) this.drillIntoRow();
        else this.drillDown();
        return true;
      case 'backspace':
      case 'C-h':
        // At the top there is nothing to go back to: Backspace clears the text filter and search shown in the header.
        if (!this.drillUp() && (this.manualFilter !== '' || this.searchText !== '') && !this.filterIsSysdig) {
          this.searchText = '';
          this.applyFreeText('');
        }
        return true;
      case 'f12':
      case 'S-f12':
        if (this.selection() !== null) this.drillDown(name === 'f12' ? 'spectro_all' : 'spectro_file');
        return true;
      case 'c':
      case 'delete':
        if (this.list !== null) {
          this.list.clear();
          this.table.clear();
          return true;
        }
        break;
      default:
    }
    // The view's action hotkeys come before the global keys (as in csysdig's curses_table).
    const v = this.view;
    if (v !== null) {
      const a = v.actions.find((x) => x.hotkey === name);
      if (a !== undefined) {
        void this.runAction(a);
        return true;
      }
    }
    const si = SORT_HOTKEYS.indexOf(name);
    if (si >= 0 && name.length === 1) {
      this.sortBy(si);
      return true;
    }
    switch (name) {
      case 'f5':
      case 'e':
        if (this.list === null && this.table.rows.length > 0) this.spy(ECHO_SCREEN);
        return true;
      case 'f6':
      case 'd':
        if (this.list === null && this.table.rows.length > 0) this.spy(DIG_SCREEN);
        return true;
      case 'f9':
        this.openSortMenu();
        return true;
      case '>':
      case '<':
        this.shiftSort(name === '>' ? 1 : -1);
        return true;
      case 'C-f':
      case '/':
        this.prompt = new Prompt('search', false, this.searchText);
        return true;
      case 'C-n':
        this.searchNext();
        return true;
      default:
        return false;
    }
  }

  private textKey(name: string): boolean {
    const tv = this.textView;
    if (isMove(name)) {
      tv.scroll(name);
      return true;
    }
    switch (name) {
      case 'enter':
        tv.scroll('down');
        return true;
      case ' ':
        tv.scroll('pagedown');
        return true;
      case 'left':
      case 'right':
        tv.scroll(name);
        return true;
      case 'backspace':
      case 'C-h':
      case 'escape':
        this.drillUp();
        return true;
      case 'c':
      case 'delete':
        this.text.clear();
        return true;
      case 'p':
        if (this.session.live) this.togglePause();
        return true;
      case 'f2':
        if (this.screen === ECHO_SCREEN) {
          const sel = BUFFER_FORMATS.findIndex((f) => f.value === this.echoFormat);
          this.formatMenu = new SideMenu('View As', BUFFER_FORMATS, VIEW_MENU_WIDTH, sel);
        }
        return true;
      case 'C-f':
        this.prompt = new Prompt('find', false, '');
        return true;
      case 'C-g':
        this.prompt = new Prompt('goto', false, '');
        return true;
      case 'C-n':
      case '/':
        if (!tv.find(tv.search, true)) this.searchMiss = true;
        return true;
      default:
        return false;
    }
  }

  private spectroKey(name: string): boolean {
    const rows = this.spectro?.rows.length ?? 0;
    if (isMove(name)) {
      this.spectroWidget.scroll(name, rows);
      return true;
    }
    switch (name) {
      case ' ':
        this.spectroWidget.scroll('pagedown', rows);
        return true;
      case 'backspace':
      case 'C-h':
        this.drillUp();
        return true;
      default:
        return false;
    }
  }

  /** F3: the overview, through the selection stack (Backspace comes back here). */
  private openOverview(): void {
    if (this.isOverviewScreen()) return;
    this.switchView(OVERVIEW_SCREEN);
  }

  private overviewKey(name: string): boolean {
    switch (name) {
      case 'backspace':
      case 'C-h':
      case 'escape':
        this.drillUp();
        return true;
      default:
        return false;
    }
  }

  private overlayKey(name: string): void {
    const o = this.overlay!;
    if (isMove(name)) {
      o.view.scroll(name);
      return;
    }
    if (name === ' ' || name === 'enter') {
      o.view.scroll(name === ' ' ? 'pagedown' : 'down');
      return;
    }
    if (QUIT_KEYS.has(name) && o.kind === 'help') return this.quit();
    this.overlay = null;
  }

  /**
   * Keys of an open side menu: arrows move, Enter picks the selection,
   * Escape, Backspace or the menu's own function key close it, q quits.
   * Returns false once the menu is to be closed.
   */
  private menuKey<T>(name: string, menu: { move(how: Move): void; readonly selected: T | undefined }, toggleKey: string, pick: (v: T) => void): boolean {
    if (isMove(name)) {
      menu.move(name);
      return true;
    }
    if (name === 'enter') {
      const v = menu.selected;
      if (v !== undefined) pick(v);
      return false;
    }
    if (name === 'escape' || isBackspace(name) || name === toggleKey) return false;
    if (QUIT_KEYS.has(name)) this.quit();
    return true;
  }

  private viewsMenuKey(name: string): void {
    const m = this.viewsMenu!;
    // Closed before switching: the switch renders without the menu.
    let pick: ViewDef | undefined;
    const menu = { move: (how: Move) => m.menu.move(how), get selected() { return m.selected; } };
    let forRow: RowViewEntry | null = null;
    if (!this.menuKey(name, menu, 'f2', (v: ViewDef) => ((pick = v), (forRow = m.selectedRowEntry)))) this.viewsMenu = null;
    if (pick === undefined) return;
    if (forRow !== null) this.drillRowInto(pick, forRow);
    else this.switchView(pick.id);
  }

  private formatMenuKey(name: string): void {
    let format: BufferFormat | undefined;
    if (this.menuKey(name, this.formatMenu!, 'f2', (e) => (format = e.value))) return;
    this.formatMenu = null;
    if (format !== undefined && format !== this.echoFormat) {
      this.echoFormat = format;
      this.startScreen();
    }
  }

  private openSortMenu(): void {
    const s = this.table.sample;
    if (s === null) return;
    const entries = s.columns.map((c, i) => ({ name: c.column.name, value: i })).filter((e) => e.name !== 'NA');
    const sel = Math.max(
      0,
      entries.findIndex((e) => e.value === this.table.sortCol),
    );
    this.sortMenu = new SideMenu('Select sort column', entries, VIEW_MENU_WIDTH, sel);
  }

  private sortMenuKey(name: string): void {
    let col: number | undefined;
    if (this.menuKey(name, this.sortMenu!, 'f9', (e) => (col = e.value))) return;
    this.sortMenu = null;
    if (col !== undefined) this.sortBy(col);
  }

  private sortBy(col: number): void {
    this.table.sortBy(col);
  }

  private shiftSort(dir: number): void {
    const s = this.table.sample;
    if (s === null || s.columns.length === 0) return;
    const n = s.columns.length;
    const cur = this.table.sortCol < 0 ? 0 : this.table.sortCol;
    this.table.sortBy((((cur + dir) % n) + n) % n);
  }

  private searchNext(): void {
    const s = this.table.sample;
    if (s === null || this.searchText === '') return;
    const i = findRow(this.table.rows, s.columns, this.searchText, this.table.scroll.selct + 1);
    if (i >= 0) this.table.gotoRow(i);
    else this.searchMiss = true;
  }

  // ---- prompts ----

  private openFilterPrompt(sysdig: boolean): void {
    const initial = sysdig ? (this.filterIsSysdig && this.manualFilter !== '' ? this.manualFilter : this.completeFilter()) : this.filterIsSysdig ? '' : this.manualFilter;
    this.prompt = new Prompt('filter', sysdig, initial);
  }

  private promptKey(name: string, ch: string | undefined): void {
    const p = this.prompt!;
    if (name === 'f1') {
      this.overlay = { kind: 'help', view: new TextView(() => helpLines(this.cfg.version), true) };
      return;
    }
    if (isMove(name) && !this.isTextScreen() && (name === 'up' || name === 'down' || name === 'pageup' || name === 'pagedown')) {
      this.table.move(name);
      return;
    }
    if (p.kind === 'filter' && name === 'f2') {
      const sysdig = !p.sysdig;
      if (!sysdig) this.applyFreeText('');
      this.openFilterPrompt(sysdig);
      return;
    }
    if (name === 'escape') {
      p.set('');
      if (p.kind === 'filter' && !p.sysdig) this.applyFreeText('');
      if (p.kind === 'search') this.searchText = '';
      this.prompt = null;
      this.searchMiss = false;
      return;
    }
    if (name === 'enter' || name === 'f4' || name === 'C-f') {
      this.closePrompt();
      return;
    }
    if (!p.edit(name, ch)) return;
    this.searchMiss = false;
    switch (p.kind) {
      case 'filter':
        if (!p.sysdig) this.applyFreeText(p.text);
        break;
      case 'search': {
        this.searchText = p.text;
        const s = this.table.sample;
        if (s === null || p.text === '') break;
        const i = findRow(this.table.rows, s.columns, p.text, 0);
        if (i >= 0) this.table.gotoRow(i);
        else this.searchMiss = true;
        break;
      }
      case 'find':
        if (!this.textView.find(p.text, false)) this.searchMiss = true;
        break;
      case 'goto':
        break;
    }
  }

  private applyFreeText(text: string): void {
    this.manualFilter = text;
    this.filterIsSysdig = false;
    this.table.freeText = text;
    this.table.rebuild();
  }

  private closePrompt(): void {
    const p = this.prompt!;
    if (p.kind === 'goto') {
      const n = Number(p.text);
      if (p.text !== '' && (!Number.isInteger(n) || !this.textView.gotoLine(n))) {
        p.setError(new Error(`no line ${p.text}`));
        return;
      }
      this.prompt = null;
      return;
    }
    if (p.kind !== 'filter' || !p.sysdig) {
      this.prompt = null;
      this.searchMiss = false;
      return;
    }
    // A sysdig expression: compile it first; a bad one keeps the prompt open with the error in place.
    const text = p.text.trim();
    if (text !== '') {
      try {
        compileFilter<EventContext>(text, this.cfg.fields);
      } catch (err) {
        p.setError(err);
        return;
      }
    }
    this.prompt = null;
    const prevManual = this.manualFilter;
    const prevSysdig = this.filterIsSysdig;
    this.manualFilter = text;
    this.filterIsSysdig = text !== '';
    // As csysdig, applying an expression re-opens the view through the selection stack: Backspace undoes it.
    this.switchView(this.screen, prevManual, prevSysdig);
  }

  // ---- actions ----

  private openActionMenu(): void {
    const v = this.view;
    if (v === null || this.isTextScreen()) return;
    const entries = v.actions.length > 0 ? v.actions.map((a, i) => ({ name: `(${a.hotkey}) ${a.description}`, value: i })) : [{ name: '<NO ACTIONS>', value: -1 }];
    this.actionMenu = new SideMenu('Select Action', entries, ACTION_MENU_WIDTH, 0);
  }

  private actionMenuKey(name: string): void {
    let index = -1;
    if (this.menuKey(name, this.actionMenu!, 'f8', (e) => (index = e.value))) return;
    this.actionMenu = null;
    const a = index >= 0 ? this.view?.actions[index] : undefined;
    if (a !== undefined) void this.runAction(a);
  }

  /** Runs a view action on the selected row, with the terminal handed to the command. */
  async runAction(a: ViewAction): Promise<void> {
    const s = this.table.sample;
    const row = this.table.selectedRow();
    if (s === null || row === null) return;
    let cmd: PreparedAction;
    try {
      const realPaths = this.session.engine.realPaths;
      cmd = prepareAction(a.command, s.columns, s.keyColumn, row, (field, shown) => realPaths.realValue(field, shown));
    } catch (err) {
      this.notice = err instanceof ActionError ? `action: ${err.message}` : String(err);
      this.render();
      return;
    }
    // A replay's values describe the recorded machine: a PID there may be nothing, or another process, here.
    const replay = !this.session.live;
    this.busy = true;
    try {
      await this.d.suspend(async (io) => {
        if (replay) {
          io.write(`This row comes from the capture ${escapeControls(this.cfg.source.name)}: its PID and other values are the recorded machine's;\n`);
          io.write('here that process may not exist, or may be another process.\n');
        }
        if (a.askConfirmation || replay) {
          io.write(`Confirm command '${cmd.display}'? [y/N] `);
          const k = await io.key();
          io.write('\n');
          if (k !== 'y' && k !== 'Y') return;
        }
        io.cooked(true);
        const r = spawnSync('/bin/sh', ['-c', cmd.script], { stdio: 'inherit', env: { ...process.env, ...cmd.env } });
        io.cooked(false);
        if (r.error !== undefined) io.write(`tsysdig: cannot run the command: ${r.error.message}\n`);
        if (a.waitFinish) {
          io.write('Command finished. Press ENTER to return to tsysdig.');
          for (;;) {
            const k = await io.key();
            if (k === 'enter') break;
          }
        }
      });
    } finally {
      this.busy = false;
    }
    this.render();
  }

  // ---- mouse ----

  handleMouse(m: { x: number; y: number; action: string }): void {
    if (this.busy || this.quitting) return;
    const { x, y } = m;
    const lay = layout(this.d.width, this.d.height);
    if (m.action === 'wheelup' || m.action === 'wheeldown') {
      const k = m.action === 'wheelup' ? 'up' : 'down';
      for (let i = 0; i < 3; i++) this.handleKey(k);
      return;
    }
    if (m.action !== 'mousedown') return;
    const now = Date.now();
    const double = now - this.lastClick.time < 400 && this.lastClick.y === y;
    this.lastClick = { time: now, x, y };
    this.notice = null;
    if (y === lay.footerY) {
      const a = menuActionAt(this.menuHits, x);
      if (a !== null) this.handleKey(a);
      return;
    }
    if (this.overlay !== null) return;
    if (y === 1 && x >= this.headerHit.filterStart && x <= this.headerHit.filterEnd && this.prompt === null) {
      this.openFilterPrompt(true);
      this.render();
      return;
    }
    const menu = this.viewsMenu?.menu ?? this.sortMenu ?? this.actionMenu ?? this.formatMenu;
    if (menu !== null && menu !== undefined && x < menu.width) {
      const i = menu.entryAt(y, TABLE_Y);
      if (i >= 0) {
        menu.scroll.selct = i;
        if (double) this.handleKey('enter');
        else this.render();
      }
      return;
    }
    if (this.isTextScreen() || this.isSpectroScreen() || this.isOverviewScreen() || this.viewsMenu !== null) return;
    const tx = this.sortMenu !== null ? VIEW_MENU_WIDTH : this.actionMenu !== null ? ACTION_MENU_WIDTH : 0;
    if (y === TABLE_Y) {
      this.sortBy(this.table.columnAt(x - tx));
      this.render();
      return;
    }
    if (y > TABLE_Y && y < lay.footerY) {
      const i = this.table.scroll.firstRow + (y - TABLE_Y - 1);
      if (i < this.table.rows.length) {
        this.table.gotoRow(i);
        this.table.scroll.firstRow = Math.min(this.table.scroll.firstRow, i);
        if (double) this.handleKey('enter');
        else this.render();
      }
    }
  }

  handleResize(): void {
    if (this.textView.wrap) this.textView.invalidate();
    this.render();
  }

  // =====================================================================
  // Drawing
  // =====================================================================

  private sourceText(): string {
    const src = this.cfg.source;
    if (src.live) return src.name; // 'Live System', or a stream's name and rate
    const c = this.session.capture;
    if (c === null) return src.name;
    return `${src.name} (${c.events} evts, ${formatDuration(c.lastTs - c.firstTs, 0)})`;
  }

  private screenName(): string {
    if (this.screen === ECHO_SCREEN) return 'I/O activity';
    if (this.screen === DIG_SCREEN) return 'sysdig output';
    if (this.isOverviewScreen()) return 'Overview';
    return this.view?.name ?? this.screen;
  }

  render(): void {
    if (this.quitting) return;
    if (this.renderTimer !== null) {
      clearTimeout(this.renderTimer);
      this.renderTimer = null;
    }
    this.lastRender = Date.now();
    const cv = this.d.canvas;
    const w = this.d.width;
    const h = this.d.height;
    cv.clear();
    if (w < MIN_WIDTH || h < MIN_HEIGHT) {
      cv.text(0, 0, `tsysdig needs a ${MIN_WIDTH}x${MIN_HEIGHT} terminal`, C.normal, w);
      this.d.flush(null);
      return;
    }
    const lay = layout(w, h);
    if (this.overlay !== null) {
      this.overlay.view.render(cv, 0, 0, w, h);
      this.d.flush(null);
      return;
    }
    const st = this.session.state;
    const reading = !this.session.live && st.running;
    this.headerHit = renderHeader(cv, {
      viewName: this.screenName(),
      selection: selectionText(this.hierarchy, (id) => this.isSpectroId(id)),
      source: this.sourceText(),
      filter: this.completeFilter(),
      textFilter: !this.filterIsSysdig ? this.manualFilter : '',
      search: this.searchText,
      paused: this.paused,
      status: this.statusLine(reading) + (this.cfg.showReads === true && !this.session.live ? ` reads ${this.session.reads}` : ''),
      alerts: this.alertsStatus(),
    });

    const bodyH = lay.footerY - TABLE_Y;
    let position: string | null = null;
    let menu: MenuItem[] = this.cfg.rules ? TABLE_MENU_WITH_ALERTS : TABLE_MENU;
    if (this.screenError !== null) {
      centre(cv, 0, TABLE_Y + Math.floor(bodyH / 2), w, ` ${this.screenError} `, C.failed);
    } else if (this.isTextScreen()) {
      menu = TEXT_MENU;
      cv.fill(0, TABLE_Y, w, C.functionBar);
      const x0 = this.formatMenu !== null ? VIEW_MENU_WIDTH : 0;
      if (reading) renderProgress(cv, x0, TABLE_Y + 1, w - x0, bodyH - 1, this.progress());
      else {
        this.textView.render(cv, x0, TABLE_Y + 1, w - x0, bodyH - 1);
        if (st.done && this.text.lines.length === 0) centre(cv, x0, TABLE_Y + Math.floor(bodyH / 2), w - x0, 'No Data For This Selection', C.normal);
        const p = this.textView.position();
        position = positionText(p.pos, p.total);
      }
      if (this.searchMiss) centre(cv, 0, TABLE_Y + Math.floor(bodyH / 2), w, '  NOT FOUND ', C.failed);
      this.formatMenu?.render(cv, TABLE_Y, bodyH);
    } else if (this.isOverviewScreen()) {
      menu = OVERVIEW_MENU;
      if (reading) renderProgress(cv, 0, TABLE_Y, w, bodyH, this.progress());
      else this.overviewScreen.render(cv, TABLE_Y, bodyH, { series: this.overview, alertLog: this.session.alertLog, colour: this.colour(), frozen: this.paused });
    } else if (this.isSpectroScreen()) {
      menu = SPECTRO_MENU;
      if (reading) renderProgress(cv, 0, TABLE_Y, w, bodyH, this.progress());
      else this.spectroWidget.render(cv, this.spectro?.rows ?? [], TABLE_Y, bodyH, st.done || this.session.live ? 'No Data For This View' : '');
    } else {
      const list = this.view?.viewType === 'list';
      if (list) menu = menu.filter((m) => m.key !== 'F5' && m.key !== 'F6').concat([{ key: 'c', label: 'Clear', action: 'c' }]);
      const x0 = this.sortMenu !== null ? VIEW_MENU_WIDTH : this.actionMenu !== null ? ACTION_MENU_WIDTH : 0;
      if (reading) renderProgress(cv, x0, TABLE_Y, w - x0, bodyH, this.progress());
      else {
        const searching = this.prompt !== null && (this.prompt.kind === 'search' || (this.prompt.kind === 'filter' && !this.prompt.sysdig));
        const empty = this.table.sample === null && this.session.live ? 'Collecting Data' : searching ? '' : 'No Data For This View';
        let errorText: string | undefined;
        if (this.searchMiss) errorText = ' NOT FOUND ';
        else if (searching && this.table.rows.length === 0 && this.table.sample !== null) errorText = ' NO MATCH ';
        this.table.render(cv, x0, TABLE_Y, w - x0, bodyH, { emptyText: empty, errorText, list });
        position = this.table.position();
      }
      if (this.sortMenu !== null) {
        const sel = this.sortMenu.entries.findIndex((e) => e.value === this.table.sortCol);
        this.sortMenu.marker = sel >= 0 ? { index: sel, text: this.table.sortAsc ? '(^)' : '(V)' } : null;
        this.sortMenu.render(cv, TABLE_Y, bodyH);
      }
      this.actionMenu?.render(cv, TABLE_Y, bodyH);
    }
    this.viewsMenu?.render(cv, lay.footerY);

    if (this.notice !== null) {
      cv.fill(0, lay.footerY - 1, w, C.error);
      cv.text(0, lay.footerY - 1, ` ${this.notice}`, C.error, w);
    }

    let cursor: { x: number; y: number } | null = null;
    if (this.prompt !== null) {
      const r = this.prompt.render(cv, lay.footerY);
      this.menuHits = r.hits;
      cursor = { x: r.cursorX, y: lay.footerY };
    } else {
      this.menuHits = renderMenu(cv, lay.footerY, menu);
    }
    if (position !== null) renderPosition(cv, lay.footerY, position);
    this.d.flush(cursor);
  }

  /** Whether to draw in colour: not with NO_COLOR (no-color.org) or on a terminal with fewer than 8 colours. */
  private colour(): boolean {
    if ((process.env.NO_COLOR ?? '') !== '') return false;
    return (this.d.colours ?? 256) >= 8;
  }

  /** The header's right side: rate, drops or progress, and the history's size with --history. */
  private statusLine(reading: boolean): string {
    const st = statusText({ live: this.session.live, reading, fraction: this.cfg.source.progress(), rate: this.rate, ...this.cfg.source.stats() });
    const h = this.session.history;
    if (h === null) return st;
    const ht = historyText(h.bytes, h.spanNs);
    return st === '' ? ht : `${ht}  ${st}`;
  }

  private progress(): RunProgress {
    const st = this.session.state;
    const c = this.session.capture;
    const eventsPerSec = st.elapsedMs >= 100 ? st.events / (st.elapsedMs / 1000) : null;
    return { fraction: this.cfg.source.progress(), events: st.events, firstTs: st.firstTs, lastTs: st.lastTs, totalNs: c === null ? null : c.lastTs - c.firstTs, eventsPerSec };
  }

  // =====================================================================

  quit(code = 0): void {
    if (this.quitting) return;
    this.quitting = true;
    if (this.renderTimer !== null) clearTimeout(this.renderTimer);
    if (this.progressTimer !== null) clearInterval(this.progressTimer);
    if (this.alertsTimer !== null) clearInterval(this.alertsTimer);
    this.alertsTimer = null;
    this.disarmLiveText();
    this.overviewScreen.destroy();
    this.renderTimer = null;
    this.progressTimer = null;
    void this.session.stop().finally(() => this.resolveQuit?.(code));
  }

  /** For tests: the current state of the screen. */
  get state(): { screen: string; hierarchy: readonly SelectionEntry[]; filter: string; rows: number; reads: number; reading: boolean; events: number } {
    const reading = !this.session.live && this.session.state.running;
    const events = this.session.capture?.events ?? 0;
    return { screen: this.screen, hierarchy: this.hierarchy, filter: this.completeFilter(), rows: this.table.rows.length, reads: this.session.reads, reading, events };
  }
}
