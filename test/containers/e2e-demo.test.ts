/**
 * The demo capture (demo/tsysdig-demo.scap.gz, recorded by
 * scripts/record-demo.sh): replayed, the containers view lists the three demo
 * containers with their names and image — from the container events in the
 * file, no engine needed — and each did the work it was started for. Runs
 * everywhere (no root, no docker).
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const DEMO = path.join(ROOT, 'demo', 'tsysdig-demo.scap.gz');

interface Doc {
  final: boolean;
  columns: { name: string }[];
  rows: { keyText: string; cells: { text: string; raw?: number }[] }[];
}

function table(args: string[]): { names: string[]; rows: Record<string, { text: string; raw?: number }>[] } {
  // No engine socket: names must come from the file, not from a docker that happens to run here.
  const r = runCli(['--json', '--final', '-r', DEMO, ...args], { env: { HOST_ROOT: '/nonexistent-tsysdig-host-root' } });
  expect(r.status, r.stderr).toBe(0);
  const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Doc);
  expect(docs).toHaveLength(1);
  const d = docs[0]!;
  expect(d.final).toBe(true);
  const names = d.columns.map((c) => c.name);
  return { names, rows: d.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row.cells[i]!]))) };
}

describe('demo capture', () => {
  it('is checked in, gzip, a few MB at most', () => {
    const st = fs.statSync(DEMO);
    expect(st.size).toBeLessThan(5 * 1024 * 1024);
    const head = Buffer.alloc(2);
    const fd = fs.openSync(DEMO, 'r');
    fs.readSync(fd, head, 0, 2, 0);
    fs.closeSync(fd);
    expect([...head]).toEqual([0x1f, 0x8b]);
  });

  it('replays the three containers with names, image and engine', () => {
    const { rows } = table(['-v', 'containers']);
    const byName = new Map(rows.map((r) => [r.NAME!.text, r]));
    expect([...byName.keys()].sort()).toEqual(['tsysdig-demo-files', 'tsysdig-demo-net', 'tsysdig-demo-procs']);
    for (const r of rows) {
      expect(r.IMAGE!.text).toBe('tsysdig-busybox');
      expect(r.ENGINE!.text).toBe('docker');
      expect(r.ID!.text).toMatch(/^[0-9a-f]{12}$/);
    }
    // each did its work: file bytes for the writer, network bytes for the client/server
    expect(byName.get('tsysdig-demo-files')!.FILE!.raw).toBeGreaterThan(0);
    expect(byName.get('tsysdig-demo-net')!.NET!.raw).toBeGreaterThan(0);
    expect(byName.get('tsysdig-demo-files')!.NET!.raw).toBe(0);
  });

  it('drills into the process container: only its processes', () => {
    const { rows } = table(['-v', 'containers']);
    const procs = rows.find((r) => r.NAME!.text === 'tsysdig-demo-procs')!;
    const files = rows.find((r) => r.NAME!.text === 'tsysdig-demo-files')!;
    const inProcs = table(['-pc', '-v', 'procs', `container.id=${procs.ID!.text}`]).rows;
    expect(inProcs.length).toBeGreaterThan(0);
    // Processes already running when the capture started show an empty CONTAINER, as in
    // csysdig: their first events come before the container event that names the container.
    for (const r of inProcs) expect(['', 'tsysdig-demo-procs']).toContain(r.CONTAINER!.text);
    expect(inProcs.some((r) => r.CONTAINER!.text === 'tsysdig-demo-procs')).toBe(true);
    expect(inProcs.every((r) => !/nc -l|echo "line/.test(r.Command!.text))).toBe(true);
    const cmds = inProcs.map((r) => r.Command!.text).join('\n');
    expect(cmds).toMatch(/\bsh -c while true; do \/bin\/true/);
    const inFiles = table(['-pc', '-v', 'procs', `container.id=${files.ID!.text}`]).rows;
    expect(inFiles.length).toBeGreaterThan(0);
    for (const r of inFiles) expect(['', 'tsysdig-demo-files']).toContain(r.CONTAINER!.text);
    expect(inFiles.map((r) => r.Command!.text).join('\n')).toMatch(/echo "line \$i" >> \/tmp\/log\.txt/);
    expect(inFiles.every((r) => !/bin\/true|nc -l/.test(r.Command!.text))).toBe(true);
  });
});
