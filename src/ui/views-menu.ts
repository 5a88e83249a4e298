/**
 * F2: the views menu. The left column lists the views that apply to the
 * current selection (csysdig's populate_view_sidemenu: at the top level the
 * views with "" in applies_to, after drilling into proc.pid those that list
 * proc.pid, …); the rest of the screen shows the highlighted view's
 * description, tips, columns, filter and actions.
 */
import type { ViewDef } from '../view/view-def.js';
import type { ViewRegistry } from '../view/view-loader.js';
import type { Canvas } from './canvas.js';
import { TABLE_Y, VIEW_MENU_WIDTH } from './layout.js';
import { viewInfoLines } from './legend.js';
import { SideMenu } from './side-menu.js';
import { TextView } from './text-view.js';

/** Views the menu offers for a selection on `field` ('' at the top), in menu order. */
export function viewsFor(registry: ViewRegistry, field: string): ViewDef[] {
  return registry.list().filter((v) => v.appliesTo.includes(field));
}

/** A menu entry that opens a view on the selected row's process: filtered on `field` = `pid`. */
export interface RowViewEntry {
  field: 'proc.pid' | 'proc.ppid';
  pid: number;
}

/** The view that lists a process's children (filtered on proc.ppid). */
export const CHILDREN_VIEW = 'procs';

/** The process views a row's menu puts first, after its children (what a person looks at first after an alert). */
const FIRST_ROW_VIEWS = ['files', 'connections'];

/** Views offered for a list row's process: its children, files and connections first, then the other views that apply to proc.pid. */
export function rowProcessViews(registry: ViewRegistry): { view: ViewDef; field: RowViewEntry['field']; name: string }[] {
  const out: { view: ViewDef; field: RowViewEntry['field']; name: string }[] = [];
  const children = registry.get(CHILDREN_VIEW);
  if (children !== undefined) out.push({ view: children, field: 'proc.ppid', name: 'Children' });
  const applying = viewsFor(registry, 'proc.pid');
  const rank = (v: ViewDef): number => {
    const i = FIRST_ROW_VIEWS.indexOf(v.id);
    return i < 0 ? FIRST_ROW_VIEWS.length : i;
  };
  // a stable sort: the rest keep the menu's order
  for (const v of [...applying].sort((a, b) => rank(a) - rank(b))) out.push({ view: v, field: 'proc.pid', name: v.name });
  return out;
}

export class ViewsMenu {
  readonly menu: SideMenu<string>;
  /** Menu rows (by index) that open a view on the row's process. */
  private readonly rowEntries = new Map<number, RowViewEntry>();
  private info: TextView;
  private infoFor = '';

  constructor(
    private readonly registry: ViewRegistry,
    field: string,
    currentViewId: string,
    private readonly tag: string,
    /** The selected list row's process (null: no row, or a table view). */
    rowPid: number | null = null,
  ) {
    const views = viewsFor(registry, field);
    const entries: { name: string; value: string }[] = [];
    if (rowPid !== null) {
      for (const r of rowProcessViews(registry)) {
        this.rowEntries.set(entries.length, { field: r.field, pid: rowPid });
        entries.push({ name: `\u00bb ${r.name}`, value: r.view.id });
      }
    }
    const first = entries.length;
    for (const v of views) entries.push({ name: v.name, value: v.id });
    // A row's process views come first and the first is selected; otherwise the current view.
    const sel = rowPid !== null ? 0 : Math.max(0, views.findIndex((v) => v.id === currentViewId)) + first;
    this.menu = new SideMenu(rowPid !== null ? `PID ${rowPid} / Views` : 'Select View', entries, VIEW_MENU_WIDTH, sel);
    this.info = new TextView(() => [], true);
  }

  /** The highlighted view. */
  get selected(): ViewDef | undefined {
    const id = this.menu.selected?.value;
    return id === undefined ? undefined : this.registry.get(id);
  }

  /** The highlighted entry when it opens a view on the row's process (null: a plain view switch). */
  get selectedRowEntry(): RowViewEntry | null {
    return this.rowEntries.get(this.menu.scroll.selct) ?? null;
  }

  render(cv: Canvas, footerY: number): void {
    const h = footerY - TABLE_Y;
    this.menu.render(cv, TABLE_Y, h);
    const v = this.selected;
    if (v !== undefined && v.id !== this.infoFor) {
      const lines = viewInfoLines(v, this.tag);
      this.info = new TextView(() => lines, true);
      this.infoFor = v.id;
    }
    const x = VIEW_MENU_WIDTH;
    this.info.render(cv, x, TABLE_Y, Math.max(1, cv.width - x), h);
  }
}
