/**
 * The information page of a view (F7, and next to the views menu):
 * name, description, tips, columns, id, filter and action hotkeys, laid out
 * as csysdig's curses_viewinfo_page.
 */
import type { ViewDef } from '../view/view-def.js';
import { C } from './colors.js';
import { plain, type StyledLine } from './text-view.js';

export function viewInfoLines(view: ViewDef, tag = 'default'): StyledLine[] {
  const out: StyledLine[] = [];
  out.push(plain(view.name, C.label));
  out.push(plain(view.description));
  out.push([]);
  if (view.tips.length > 0) {
    out.push(plain('Tips', C.label));
    for (const t of view.tips) {
      out.push(plain(t));
      out.push([]);
    }
  }
  out.push(plain('Columns', C.label));
  for (const c of view.columns) {
    if (c.isKey || c.isGroupbyKey) continue;
    if (c.tags.length > 0 && !c.tags.includes(tag)) continue;
    out.push([
      { text: c.name, attr: C.accent },
      { text: `: ${c.description}`, attr: C.normal },
    ]);
  }
  out.push([]);
  out.push(plain('ID', C.label));
  out.push(plain(view.id));
  out.push([]);
  if (view.filter !== '') {
    out.push(plain('Filter', C.label));
    out.push(plain(view.filter));
    out.push([]);
  }
  if (view.actions.length > 0) {
    out.push(plain('Action Hotkeys', C.label));
    for (const a of view.actions) {
      out.push([
        { text: a.hotkey, attr: C.accent },
        { text: `: ${a.description} (${a.command})`, attr: C.normal },
      ]);
    }
  }
  return out;
}
