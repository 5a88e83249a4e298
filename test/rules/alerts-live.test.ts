/**
 * Live alerts (root + BPF): `tsysdig --alerts --json --rules F -M S` while
 * this test spawns a workload that opens a file with a name unique to the
 * run (ten times); the rule for it must fire with cat's name and the file name.
 * A filter argument restricting to another process must keep it quiet.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { liveSkipReason } from '../live/harness.js';

const reason = liveSkipReason();
if (reason) console.log(`[test/rules] live alert tests skipped: ${reason}`);
const describeLive = reason ? describe.skip : describe;

const dir = mkdtempSync(join(tmpdir(), 'tsysdig-live-rules-'));
const marker = join(dir, `marker-${process.pid}-${Date.now()}`);
writeFileSync(marker, 'x');
const rules = join(dir, 'live.yaml');
writeFileSync(
  rules,
  `- rule: marker opened
  desc: the test's marker file is opened
  condition: evt.type in (open, openat, openat2) and evt.dir=< and fd.name=${marker}
  output: "marker opened by %proc.name (pid=%proc.pid file=%fd.name)"
  priority: WARNING
  tags: [test]
`,
);

/** Runs tsysdig live for `seconds` while a shell opens the marker a few times; returns tsysdig's output and the workload pid. */
async function runWith(args: string[], seconds: number): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'tsysdig.js'), '--alerts', '--json', '--rules', rules, '-M', String(seconds), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // give the probe time to attach, then open the marker from a short-lived process
  await new Promise((r) => setTimeout(r, 3000));
  const w = spawnSync('sh', ['-c', `for i in 1 2 3 4 5 6 7 8 9 10; do cat ${marker} > /dev/null; sleep 0.3; done; echo $$`], { encoding: 'utf8' });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { code, stdout, stderr, pid: Number(w.stdout.trim()) };
}

describeLive('--alerts live', () => {
  it('a rule fires on a workload the test spawns', async () => {
    const r = await runWith([], 8);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const alerts = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const ours = alerts.filter((a) => a.rule === 'marker opened');
    // ten opens over 3 s; the probe may still be attaching for the first ones on a loaded machine
    expect(ours.length).toBeGreaterThanOrEqual(5);
    expect(ours.length).toBeLessThanOrEqual(10);
    for (const a of ours) {
      expect(a.priority).toBe('Warning');
      expect(a.output_fields['proc.name']).toBe('cat');
      expect(a.output_fields['fd.name']).toBe(marker);
      expect(a.output).toMatch(new RegExp(`Warning marker opened by cat \\(pid=\\d+ file=${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
    }
  }, 30_000);

  it('a filter argument restricts the events the rules see', async () => {
    const r = await runWith(['proc.name=nosuchprocessname'], 8);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  }, 30_000);
});
