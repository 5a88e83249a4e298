// Reads `sysdig -p "*@@%evt.num %FIELD"` output on stdin and writes the golden
// lines of one field: "NUM<TAB>VALUE" for the first event and for every event
// whose value differs from the previous event's (run-length form). Values are
// latin1 text with \\, \n, \r and \t escaped. Used by make-field-goldens.sh.
import { readFileSync } from 'node:fs';

let input = '\n' + readFileSync(0, 'latin1');
// Each record is "@@NUM VALUE\n"; the newline before the next "@@" ends it, and the last one ends the output.
if (input.endsWith('\n')) input = input.slice(0, -1);
const records = input.split('\n@@').slice(1);
let prev = null;
let out = '';
for (const rec of records) {
  const sp = rec.indexOf(' ');
  const num = sp < 0 ? rec : rec.slice(0, sp);
  const value = sp < 0 ? '' : rec.slice(sp + 1);
  if (value === prev) continue;
  prev = value;
  out += `${num}\t${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}\n`;
}
process.stdout.write(out, 'latin1');
