/**
 * Live container rows (root, BTF and a docker engine): a container started
 * before the capture shows up with its name and image (metadata from the
 * Docker API, src/containers), and a capture written with -w carries the
 * container event, so a replay shows the same.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveSkipReason } from './harness.js';
import { TEST_IMAGE, ensureDocker, removeContainers, runContainer } from '../helpers/docker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin', 'tsysdig.js');
const live = liveSkipReason();
const docker = live === null ? await ensureDocker() : ({ ok: false, reason: live } as const);
if (!docker.ok) console.log(`[test/live] live container tests skipped: ${docker.reason}`);
const describeIt = docker.ok ? describe : describe.skip;

interface Doc {
  final: boolean;
  columns: { name: string }[];
  rows: { keyText: string; cells: { text: string; raw?: number }[] }[];
}

function finalDoc(stdout: string): Doc {
  const d = stdout.trim().split('\n').map((l) => JSON.parse(l) as Doc).find((x) => x.final);
  if (!d) throw new Error('no final document');
  return d;
}

describeIt('live containers', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-live-ct-'));
  afterAll(async () => {
    await removeContainers();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a running container has its name and image, live and in the replay of a -w capture', async () => {
    const c = await runContainer({ name: 'tsysdig-live-writer', workload: 'writer' });
    const cap = path.join(tmp, 'containers.scap');
    const r = spawnSync(process.execPath, [bin, '--json', '-v', 'containers', '-M', '3', '-d', '1000', '-w', cap], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const check = (d: Doc) => {
      const row = d.rows.find((x) => x.keyText === c.shortId);
      expect(row, `no row for ${c.shortId}: ${d.rows.map((x) => x.keyText).join(', ')}`).toBeDefined();
      const cell = (name: string) => row!.cells[d.columns.findIndex((k) => k.name === name)]!.text;
      expect(cell('NAME')).toBe(c.name);
      expect(cell('IMAGE')).toBe(TEST_IMAGE);
      expect(cell('ENGINE')).toBe('docker');
      expect(row!.cells[d.columns.findIndex((k) => k.name === 'PROCS')]!.raw).toBeGreaterThanOrEqual(1);
    };
    check(finalDoc(r.stdout));
    const replay = spawnSync(process.execPath, [bin, '--json', '-v', 'containers', '-r', cap], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(replay.status, replay.stderr).toBe(0);
    check(finalDoc(replay.stdout));
  });
});
