import { describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, prepareAction, shellQuote, substituteCommand } from '../../src/ui/actions.js';
import type { SampleRow, TableColumn } from '../../src/view/table.js';
import type { ViewColumn } from '../../src/view/view-def.js';

const reg = new FieldRegistry();

function col(field: string, name = field): TableColumn {
  const ex = reg.resolveText(field)!;
  const column: ViewColumn = { name, field, description: '', colsize: 8, aggregation: 'NONE', groupbyAggregation: 'NONE', isKey: false, isGroupbyKey: false, isSorting: false, tags: [], filterField: null };
  return { column, extractor: ex, type: ex.info.type, printFormat: ex.info.printFormat, aggregation: 'NONE', groupbyAggregation: 'NONE' };
}

describe('view actions', () => {
  it('shell-quotes values that need it', () => {
    expect(shellQuote('17497')).toBe('17497');
    expect(shellQuote('/usr/bin/x')).toBe('/usr/bin/x');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('curl -6 http://x')).toBe("'curl -6 http://x'");
    expect(shellQuote("x'; rm -rf ~; echo '")).toBe(`'x'\\''; rm -rf ~; echo '\\'''`);
    expect(shellQuote('$(reboot)')).toBe("'$(reboot)'");
  });

  it('substitutes %field with the selected row, quoted', () => {
    const cols = [col('proc.pid'), col('proc.name'), col('proc.exeline')];
    const row: SampleRow = { key: 1, values: [17497, 'cu rl', 'curl -6 $(x)'], counts: [1, 1, 1] };
    expect(substituteCommand('kill -9 %proc.pid', cols, null, row)).toBe('kill -9 17497');
    expect(substituteCommand('gdb -p %proc.pid --batch -ex "quit"', cols, null, row)).toBe('gdb -p 17497 --batch -ex "quit"');
    expect(substituteCommand('echo %proc.name %proc.exeline', cols, null, row)).toBe("echo 'cu rl' 'curl -6 $(x)'");
    expect(substituteCommand('renice $(expr $(ps -h -p %proc.pid -o nice) + 1)', cols, null, row)).toBe('renice $(expr $(ps -h -p 17497 -o nice) + 1)');
  });

  it('uses the key when the field is only the key', () => {
    const key = col('container.id');
    const row: SampleRow = { key: 'abc123', values: [1], counts: [1] };
    expect(substituteCommand('docker inspect %container.id', [col('proc.pid')], key, row)).toBe('docker inspect abc123');
  });

  it('names a field the view does not have', () => {
    const row: SampleRow = { key: 1, values: [1], counts: [1] };
    expect(() => substituteCommand('less %fd.name', [col('proc.pid')], null, row)).toThrow(ActionError);
    expect(() => substituteCommand('less %fd.name', [col('proc.pid')], null, row)).toThrow("field 'fd.name' not found in this view");
  });

  it('no quoting in an action makes a value shell syntax (hostile process names, issue 15)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsysdig-action-'));
    const pwned = join(dir, 'pwned');
    const cols = [col('proc.name'), col('proc.exeline')];
    const hostile = [`$(touch ${pwned})`, `\`touch ${pwned}\``, `x'; touch ${pwned}; echo '`, `x"; touch ${pwned}; echo "`, `\\" ; touch ${pwned} #`, 'caf\xc3\xa9'];
    for (const name of hostile) {
      const row: SampleRow = { key: 1, values: [name, 'a b'], counts: [1, 1] };
      for (const cmd of ['printf %s %proc.name', 'printf %s "%proc.name"', "printf %s '%proc.name'", 'printf %s "$(printf %s %proc.name)"', 'printf %s "pre-%proc.name-post"', "printf %s 'pre-%proc.name-post'"]) {
        const p = prepareAction(cmd, cols, null, row);
        const r = spawnSync('/bin/sh', ['-c', p.script], { env: { ...process.env, ...p.env }, encoding: 'latin1' });
        expect(existsSync(pwned), `${cmd} with ${name}`).toBe(false);
        const want = Buffer.from(name, 'latin1').toString('latin1');
        expect(r.stdout.replace(/^pre-|-post$/g, ''), `${cmd} with ${name}`).toBe(want);
      }
    }
    // The confirmation shows the values, quoted for where they land.
    const row: SampleRow = { key: 1, values: ['cu rl', 'a b'], counts: [1, 1] };
    expect(prepareAction('kill %proc.name "%proc.exeline"', cols, null, row).display).toBe(`kill 'cu rl' "a b"`);
    expect(prepareAction('kill %proc.name', cols, null, row).script).toBe('kill "$TSYSDIG_F1"');
  });
});
