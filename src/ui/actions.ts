/**
 * View actions (F8, or a view's hotkeys): command lines whose %field names
 * are replaced by the selected row's values, then run by /bin/sh with the
 * terminal handed over (the full-screen UI is suspended and restored around
 * the command, as csysdig does with endwin()/reset_prog_mode()).
 *
 * Values come from a capture, i.e. possibly from an attacker. The command
 * run never contains them: each %field becomes a reference to an
 * environment variable holding the value (TSYSDIG_F1 …), written for the
 * quoting it lands in (`"$V"` unquoted, `${V}` inside double quotes,
 * `'"$V"'` inside single quotes), so no quoting in a view's action can turn
 * a process called `$(reboot)` or `x; rm -rf ~` into shell syntax. The
 * confirmation shows the values themselves, shell-quoted.
 *
 * A row shows a file name with its unprintable bytes as '.' (sysdig's
 * display rule); the command gets the real name, which the state keeps for
 * such names (src/state/real-paths.ts), so `less %fd.name` opens the file.
 */
import { escapeControls } from '../format/control-text.js';
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
  return command.replace(FIELD_REF, (_m, name: string) => shellQuote(rowValue(name, columns, keyColumn, row)));
}

/** A command ready to run: the script for /bin/sh (values by reference), its environment, and the text to confirm. */
export interface PreparedAction {
  script: string;
  env: Record<string, string>;
  display: string;
}

type Quote = 'none' | 'single' | 'double';

/** The real value of a field shown as `shown` (StateEngine.realPaths.realValue); identity by default. */
export type RealValue = (field: string, shown: string) => string;

const shownValue: RealValue = (_field, shown) => shown;

/** The row's text for a field of the view, or ActionError. */
function rowValue(name: string, columns: readonly TableColumn[], keyColumn: TableColumn | null, row: SampleRow): string {
  const j = columns.findIndex((c) => c.column.field === name || c.extractor.info.name === name);
  if (j >= 0) return fieldValueText(columns[j]!.extractor.info, row.values[j]!);
  if (keyColumn !== null && (keyColumn.column.field === name || keyColumn.extractor.info.name === name)) return fieldValueText(keyColumn.extractor.info, row.key);
  throw new ActionError(`field '${name}' not found in this view`);
}

/** Capture text is bytes held as latin1: hand the program those bytes (as UTF-8 when they are UTF-8). */
function envText(v: string): string {
  const clean = v.replace(/\0/g, '');
  const utf8 = Buffer.from(clean, 'latin1').toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(Buffer.from(clean, 'latin1')) ? utf8 : clean;
}

export function prepareAction(
  command: string,
  columns: readonly TableColumn[],
  keyColumn: TableColumn | null,
  row: SampleRow,
  realValue: RealValue = shownValue,
): PreparedAction {
  const env: Record<string, string> = {};
  let script = '';
  let display = '';
  let q: Quote = 'none';
  const outer: Quote[] = [];
  let n = 0;
  for (let i = 0; i < command.length; ) {
    const ch = command[i]!;
    if (ch === '%') {
      FIELD_REF.lastIndex = i;
      const m = FIELD_REF.exec(command);
      if (m !== null && m.index === i) {
        const v = realValue(m[1]!, rowValue(m[1]!, columns, keyColumn, row));
        const name = `TSYSDIG_F${++n}`;
        env[name] = envText(v);
        script += q === 'none' ? `"$${name}"` : q === 'double' ? `\${${name}}` : `'"$${name}"'`;
        display += q === 'none' ? shellQuote(v) : q === 'double' ? v.replace(/["\\$`]/g, '\\$&') : v.replace(/'/g, `'\\''`);
        i += m[0].length;
        continue;
      }
    }
    let take = 1;
    // A command substitution starts a fresh quoting context, even inside double quotes.
    if (q !== 'single' && ch === '$' && command[i + 1] === '(') {
      outer.push(q);
      q = 'none';
      take = 2;
    } else if (q === 'none' && ch === ')' && outer.length > 0) q = outer.pop()!;
    else if (q !== 'single' && ch === '\\') take = 2;
    else if (q === 'none' && ch === "'") q = 'single';
    else if (q === 'single' && ch === "'") q = 'none';
    else if (q === 'none' && ch === '"') q = 'double';
    else if (q === 'double' && ch === '"') q = 'none';
    const t = command.slice(i, i + take);
    script += t;
    display += t;
    i += take;
  }
  FIELD_REF.lastIndex = 0;
  return { script, env, display: escapeControls(display) };
}
