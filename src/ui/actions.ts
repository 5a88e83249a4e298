/**
 * View actions (F8, or a view's hotkeys): command lines whose %field names
 * are replaced by the selected row's values, then run by /bin/sh with the
 * terminal handed over (the full-screen UI is suspended and restored around
 * the command, as csysdig does with endwin()/reset_prog_mode()).
 *
 * Values come from a capture, i.e. possibly from an attacker, so each one is
 * shell-quoted: a process called `x; rm -rf ~` is passed as one argument,
 * never run.
 */
import { fieldValueText } from '../fields/render.js';
import type { SampleRow, TableColumn } from '../view/table.js';

/** Quotes `s` for /bin/sh: as is when it is made of safe characters, else in single quotes. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A field name after '%': letters, digits, '_' and '.', with an optional [argument]. */
const FIELD_REF = /%([A-Za-z_][A-Za-z0-9_.]*[A-Za-z0-9_](?:\[[^\]\s]*\])?)/g;

export class ActionError extends Error {}

/**
 * Replaces every %field of `command` with the quoted value of that field in
 * `row` (the column showing the field; the row's key when the key is that
 * field). Throws ActionError naming the first field the view lacks.
 */
export function substituteCommand(command: string, columns: readonly TableColumn[], keyColumn: TableColumn | null, row: SampleRow): string {
  return command.replace(FIELD_REF, (_m, name: string) => {
    const j = columns.findIndex((c) => c.column.field === name || c.extractor.info.name === name);
    if (j >= 0) return shellQuote(fieldValueText(columns[j]!.extractor.info, row.values[j]!));
    if (keyColumn !== null && (keyColumn.column.field === name || keyColumn.extractor.info.name === name)) {
      return shellQuote(fieldValueText(keyColumn.extractor.info, row.key));
    }
    throw new ActionError(`field '${name}' not found in this view`);
  });
}
