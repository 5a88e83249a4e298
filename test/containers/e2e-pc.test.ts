/**
 * `-pc` on replay: the process views get csysdig's container columns (VPID
 * and CONTAINER), with the same rows and values as `csysdig -pc --raw -r FILE
 * -v procs` (csysdig 0.29.3; reference output in test/golden/views/pc/,
 * made by `TZ=UTC csysdig -pc --raw -r FILE -v procs > …`). Checked through
 * the CLI, as a user runs it: `tsysdig --raw --final -pc -r FILE -v procs`.
 * csysdig's sort is unstable, so rows whose sorting value (CPU) ties may come
 * in any order: within each run of equal CPU the rows must be the same set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { GOLDEN, ROOT, fixturePath } from '../helpers/fixtures.js';

const SEP = '-'.repeat(22);

function lastTable(text: string): string[] {
  const lines = text.split('\n');
  const seps = lines.flatMap((l, i) => (l === SEP ? [i] : []));
  expect(seps.length).toBeGreaterThanOrEqual(2);
  return lines.slice(seps[seps.length - 2]! + 1, seps[seps.length - 1]);
}

/**
 * A container event shows as a pseudo-thread (PID -1, VPID -2) named after the
 * container. csysdig fills its PPID and USER from uninitialised memory now and
 * then (PPID 7955997369423586082, USER empty, on the demo capture): those rows
 * are compared by PID, VPID and CONTAINER only.
 */
function normalise(line: string): string {
  if (!/^\s*-1\s/.test(line)) return line;
  const t = line.trim().split(/\s+/);
  return `pseudo-thread vpid=${t[2]} container=${t[t.length - 1]}`;
}

/** procs -pc columns: PID PPID VPID CPU USER TH VIRT RES FILE NET CONTAINER Command. */
const cpuOf = (line: string): string => (line.startsWith('pseudo-thread') ? '0.00' : line.trim().split(/\s+/)[3]!);

const CASES = [
  { name: 'falco_psp_privileged', file: fixturePath('falco_psp_privileged') },
  { name: 'tsysdig-demo', file: join(ROOT, 'demo', 'tsysdig-demo.scap.gz') },
];

describe('-pc on replay matches csysdig -pc', () => {
  for (const c of CASES) {
    it(`procs -pc on ${c.name}`, () => {
      const want = lastTable(readFileSync(join(GOLDEN, 'views', 'pc', `${c.name}.procs.txt`), 'latin1')).map(normalise);
      const r = runCli(['--raw', '--final', '-pc', '-r', c.file, '-v', 'procs'], { env: { HOST_ROOT: '/nonexistent-tsysdig-host-root' } });
      expect(r.status, r.stderr).toBe(0);
      const got = lastTable(r.stdout).map(normalise);
      expect([...got].sort()).toEqual([...want].sort());
      let start = 0;
      for (let k = 1; k <= got.length; k++) {
        if (k === got.length || cpuOf(got[k]!) !== cpuOf(got[start]!)) {
          expect(new Set(got.slice(start, k))).toEqual(new Set(want.slice(start, k)));
          start = k;
        }
      }
    });
  }

  it('adds VPID and CONTAINER to the procs view (and nothing without -pc)', () => {
    const cols = (args: string[]) => {
      const r = runCli(['--json', '--final', '-r', fixturePath('falco_psp_privileged'), '-v', 'procs', ...args]);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { columns: { name: string }[] }).columns.map((k) => k.name);
    };
    expect(cols([])).toEqual(['PID', 'PPID', 'CPU', 'USER', 'TH', 'VIRT', 'RES', 'FILE', 'NET', 'Command']);
    expect(cols(['-pc'])).toEqual(['PID', 'PPID', 'VPID', 'CPU', 'USER', 'TH', 'VIRT', 'RES', 'FILE', 'NET', 'CONTAINER', 'Command']);
    expect(cols(['-pcontainer'])).toEqual(cols(['-pc']));
  });

  it('the container event pseudo-thread carries the container name, as in csysdig', () => {
    const r = runCli(['--raw', '--final', '-pc', '-r', fixturePath('falco_psp_privileged'), '-v', 'procs']);
    const rows = lastTable(r.stdout).filter((l) => !/ host /.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 3).concat(l.trim().split(/\s+/).slice(10, 11)))).toEqual([['-1', '0', '-2', 'epic_cray']]);
  });
});
