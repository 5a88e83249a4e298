/**
 * A view as declared in views/*.yaml: what csysdig calls view_info.
 * Pure data; the view loader validates files into this shape and the table
 * engine runs it.
 */

/** How a column's values combine: per key (aggregation) and when rows merge under a group-by key. */
/** DISTINCT (tsysdig): a text column lists each distinct value once (the processes of an alert rule). */
export type Aggregation = 'NONE' | 'SUM' | 'AVG' | 'TIME_AVG' | 'MAX' | 'MIN' | 'DISTINCT';

export interface ViewColumn {
  /** Header text. */
  name: string;
  /** Field extracted per event (sysdig field syntax, may carry an argument: evt.arg[0]). */
  field: string;
  description: string;
  /**
   * Display width in characters (0 = take the remaining width; -1 = not given
   * in the view file: csysdig then uses a width that depends on the field's
   * type, e.g. 8 for numbers, 32 for strings).
   */
  colsize: number;
  aggregation: Aggregation;
  groupbyAggregation: Aggregation;
  isKey: boolean;
  isGroupbyKey: boolean;
  isSorting: boolean;
  /** Column shown only when these tags are enabled (e.g. 'containers' with -pc). */
  tags: string[];
  /** Field used when drilling down from this column instead of `field` (csysdig filterfield). */
  filterField: string | null;
  /**
   * Cell colours by value: the cell's text (trimmed) → a colour name
   * (`red`, `yellow`, … optionally `bold red`), e.g. an alert's priority.
   * Null when the column is drawn in the row's colour (csysdig's way).
   */
  colors?: Readonly<Record<string, string>> | null;
  /**
   * csysdig filter_in_child_only: the drill-down filter on this key applies to
   * the child view only (tracer views). The loader always sets it (default false).
   */
  filterInChildOnly?: boolean;
}

export interface ViewAction {
  hotkey: string;
  command: string;
  description: string;
  askConfirmation: boolean;
  waitFinish: boolean;
}

/** What a list row drills into (view key row_events). */
export type RowEvents = 'process' | 'thread';

export interface ViewDef {
  id: string;
  name: string;
  description: string;
  tips: string[];
  tags: string[];
  /** 'spectrogram' (csysdig T_SPECTRO) is run as a table keyed on a quantized latency. */
  viewType: 'table' | 'list' | 'spectrogram';
  filter: string;
  /** Fields this view can be drilled into from ('' = top level). */
  appliesTo: string[];
  isRoot: boolean;
  drilldownTarget: string | null;
  /** When a field is missing on an event, count it with a default (0, "") instead of dropping the event. */
  useDefaults: boolean;
  /** Hidden views are not listed in the views menu (used only as drill-down targets). */
  isHidden: boolean;
  /** For list views: raise the drill depth by one when drilled into (csysdig drilldown_increase_depth). */
  drilldownIncreaseDepth: boolean;
  /** Spectrogram views only. */
  spectroType: string | null;
  /**
   * csysdig propagate_filter: when drilling down from this view, its filter is
   * added to the child's. The loader always sets it (default true).
   */
  propagateFilter?: boolean;
  /**
   * List views: Enter on a row opens the dig screen on the row's event,
   * filtered to its process (proc.pid) or its thread (thread.tid). The
   * loader always sets it (default 'process').
   */
  rowEvents?: RowEvents;
  /**
   * Table views: every sample shows the whole run so far, not only the last
   * interval (a count of alerts since the start, live as in a replay).
   */
  cumulative?: boolean;
  /** List views: rows newest first (the default is arrival order, oldest first). */
  newestFirst?: boolean;
  columns: ViewColumn[];
  actions: ViewAction[];
  /** Where it was loaded from (for error messages and the views menu). */
  source: string;
}
