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

export class ViewsMenu {
  readonly menu: SideMenu<string>;
  private info: TextView;
  private infoFor = '';

  constructor(
    private readonly registry: ViewRegistry,
    field: string,
    currentViewId: string,
    private readonly tag: string,
  ) {
    const views = viewsFor(registry, field);
    const sel = Math.max(
      0,
      views.findIndex((v) => v.id === currentViewId),
    );
    this.menu = new SideMenu('Select View', views.map((v) => ({ name: v.name, value: v.id })), VIEW_MENU_WIDTH, sel);
    this.info = new TextView(() => [], true);
  }

  /** The highlighted view. */
  get selected(): ViewDef | undefined {
    const id = this.menu.selected?.value;
    return id === undefined ? undefined : this.registry.get(id);
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
