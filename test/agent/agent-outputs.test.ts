/**
 * `tsysdig --agent` records through the output channels (root + BPF; skipped
 * with the reason otherwise): with -o the alerts and lifecycle records go
 * where the configuration says, as `--alerts` does — here a file, with
 * stdout off — and /metrics reports each channel's drops from the channel's
 * own counters: a program that never reads its input (keep_alive, a queue
 * of 1) makes tsysdig_output_queue_drops_total move for that channel.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin', 'tsysdig.js');
const live = liveSkipReason();
if (live !== null) console.log(`[test/agent] agent output tests skipped: ${live}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `name{labels} value` samples of a Prometheus text body whose name is `name`. */
function samples(body: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m !== null && m[1] === name) out.push({ labels: m[2] ?? '', value: Number(m[3]) });
  }
  return out;
}

(live === null ? describe : describe.skip)('tsysdig --agent and the output channels', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-agent-out-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('-o sends the records to a file (not stdout), and /metrics counts a stuck program channel’s drops', async () => {
    const file = path.join(tmp, 'records.json');
    // A program that never reads: its pipe fills, then its queue (capacity 1), then lines are dropped.
    const program = 'sleep 37';
    const args = ['--agent', '--health-port', '0', '-M', '12'];
    for (const o of [
      'stdout_output.enabled=false',
      'file_output.enabled=true',
      `file_output.filename=${file}`,
      'program_output.enabled=true',
      'program_output.keep_alive=true',
      `program_output.program=${program}`,
      'outputs_queue.capacity=1',
    ])
      args.push('-o', o);
    const agent = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    agent.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    agent.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number>((resolve) => agent.once('close', (c) => resolve(c ?? -1)));
    let base = '';
    for (let i = 0; i < 150 && base === ''; i++) {
      base = /health on (http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(stderr)?.[1] ?? '';
      await sleep(100);
    }
    expect(base, stderr).not.toBe('');
    for (let i = 0; i < 50 && (await fetch(`${base}/healthz`)).status !== 200; i++) await sleep(200);

    // Process starts and ends: lifecycle records, far more than a pipe and a queue of 1 hold.
    const work = spawnSync('/bin/sh', ['-c', 'for i in $(seq 1500); do /bin/true; done']);
    expect(work.status).toBe(0);
    let drops: { labels: string; value: number }[] = [];
    for (let i = 0; i < 40; i++) {
      drops = samples(await (await fetch(`${base}/metrics`)).text(), 'tsysdig_output_queue_drops_total');
      if ((drops.find((d) => d.labels.includes('channel="program"'))?.value ?? 0) > 0) break;
      await sleep(200);
    }
    // One sample per configured channel, from that channel's counters.
    expect(drops.map((d) => d.labels).sort()).toEqual([`{channel="file",target="${file}"}`, `{channel="program",target="${program}"}`]);
    expect(drops.find((d) => d.labels.includes('channel="file"'))!.value).toBe(0);
    expect(drops.find((d) => d.labels.includes('channel="program"'))!.value).toBeGreaterThan(0);

    expect(await exited, stderr).toBe(0);
    expect(stdout, 'stdout_output is off: nothing on stdout').toBe('');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    for (const l of lines.slice(0, 50)) expect(() => JSON.parse(l), l).not.toThrow();
    expect(lines.some((l) => l.includes('/bin/true'))).toBe(true);
    // What the program channel dropped is said at exit, one line.
    expect(stderr).toMatch(/^tsysdig: output program sleep 37: \d+ of \d+ lines dropped/m);
  }, 120_000);
});
