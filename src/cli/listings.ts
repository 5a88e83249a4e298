/**
 * `tsysdig -l` (the filter fields, like `sysdig -l`) and `tsysdig --list-views`.
 */
import { fieldRegistry } from '../fields/registry.js';
import { loadViews } from '../view/view-loader.js';

export function fieldListText(): string {
  let out = '';
  for (const cls of fieldRegistry.classes()) {
    out += `----------------------\nField Class: ${cls.name}${cls.description !== '' ? ` (${cls.description})` : ''}\n\n`;
    for (const f of cls.fields) {
      const name = f.arg === 'none' ? f.name : `${f.name}[ARG]`;
      out += `${name.padEnd(24)} ${f.description}\n`;
    }
    out += '\n';
  }
  return out;
}

export function viewListText(viewsDirs: string[]): string {
  const registry = loadViews(viewsDirs);
  let out = 'View ID                 Name\n';
  for (const v of registry.list()) out += `${v.id.padEnd(24)}${v.name}\n`;
  return out;
}
