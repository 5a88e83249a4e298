/**
 * `tsysdig --agent` live (root + BPF; skipped with the reason otherwise): the
 * health endpoint answers, /metrics parses as Prometheus text and its counters
 * move under a workload, and the rotated capture keeps at most K complete
 * files, each mode 0600 and readable by `sysdig -r`.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveSkipReason } from '../live/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin', 'tsysdig.js');
const live = liveSkipReason();
if (live !== null) console.log(`[test/agent] agent tests skipped: ${live}`);
const hasSysdig = spawnSync('sysdig', ['--version'], { encoding: 'utf8' }).status === 0;

/** A strict reader of the Prometheus text format: every sample line has a declared family. */
function parsePrometheus(text: string): Map<string, number> {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      if (m[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(m[3]);
        expect(types.has(m[2]!), `TYPE ${m[2]} twice`).toBe(false);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    expect(types.has(m![1]!), `sample ${m![1]} without TYPE`).toBe(true);
    if (types.get(m![1]!) === 'counter') expect(m![1]!.endsWith('_total'), `counter ${m![1]} must end in _total`).toBe(true);
    samples.set(m![1]! + (m![2] ?? ''), Number(m![3]));
  }
  return samples;
}

async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? '' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(live === null ? describe : describe.skip)('tsysdig --agent', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-agent-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('serves /healthz and /metrics, counters move under a workload, and keeps at most K rotated captures', async () => {
    const dir = path.join(tmp, 'captures');
    const K = 2;
    const agent = spawn(process.execPath, [bin, '--agent', '--health-port', '0', '-w', dir, '--rotate-seconds', '2', '--rotate-keep', String(K), '-M', '11'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    agent.stdout.resume(); // its alerts and lifecycle records (checked in the next test)
    agent.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number>((resolve) => agent.once('close', (c) => resolve(c ?? -1)));
    let base = '';
    for (let i = 0; i < 100 && base === ''; i++) {
      base = /health on (http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(stderr)?.[1] ?? '';
      await sleep(100);
    }
    expect(base, stderr).not.toBe('');
    // healthy once events flow (per-thread CPU events arrive every second)
    let health = await get(`${base}/healthz`);
    for (let i = 0; i < 50 && health.status !== 200; i++) {
      await sleep(200);
      health = await get(`${base}/healthz`);
    }
    expect(health).toMatchObject({ status: 200, body: 'ok\n' });

    const first = await get(`${base}/metrics`);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m1 = parsePrometheus(first.body);
    // a syscall-heavy workload between two scrapes
    const work = spawnSync('/bin/sh', ['-c', `for i in $(seq 300); do cat /etc/hostname > ${tmp}/w.txt; done`]);
    expect(work.status).toBe(0);
    await sleep(4500); // long enough for more than K files at 2 s each (the agent also loads the stable rules at start)
    const m2 = parsePrometheus((await get(`${base}/metrics`)).body);
    for (const name of ['tsysdig_events_total', 'tsysdig_capture_events_total', 'tsysdig_capture_bytes_total', 'process_cpu_seconds_total']) {
      expect(m2.get(name), name).toBeGreaterThan(m1.get(name)!);
    }
    expect(m2.get('tsysdig_events_per_second')).toBeGreaterThan(0);
    expect(m2.get('tsysdig_up')).toBe(1);
    expect(m2.get('tsysdig_capture_files_closed_total')).toBeGreaterThanOrEqual(1);
    // more files are written than kept: the oldest are deleted (polled: rotation runs on the agent's own clock)
    let deleted = m2.get('tsysdig_capture_files_deleted_total') ?? 0;
    for (let i = 0; i < 40 && deleted < 1; i++) {
      await sleep(200);
      deleted = parsePrometheus((await get(`${base}/metrics`)).body).get('tsysdig_capture_files_deleted_total') ?? 0;
    }
    expect(deleted, 'more files were closed than K').toBeGreaterThanOrEqual(1);
    expect([...m2.keys()].some((k) => k.startsWith('tsysdig_drops_total{cpu="0"}'))).toBe(true);
    expect((await get(`${base}/nothing`)).status).toBe(404);

    expect(await exited, stderr).toBe(0);
    const files = fs.readdirSync(dir).sort();
    expect(files.filter((f) => f.endsWith('.part')), 'the current file is closed at exit').toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files.length, files.join(' ')).toBeLessThanOrEqual(K);
    for (const f of files) {
      expect(f).toMatch(/^tsysdig-\d{8}T\d{6}\.\d{3}Z\.scap$/);
      expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    }
    if (!hasSysdig) {
      console.log('[test/agent] sysdig not installed: the rotated files are read by tsysdig only');
    }
    for (const f of files) {
      const file = path.join(dir, f);
      // each file on its own is a complete capture: snapshot first, then events
      const ref = hasSysdig ? spawnSync('sysdig', ['-r', file, '-n', '50'], { encoding: 'utf8', timeout: 60_000 }) : null;
      if (ref !== null) {
        expect(ref.status, `sysdig -r ${f}: ${ref.stderr}`).toBe(0);
        // -n counts the internal (CPU-time) events too, which neither prints: the same lines as tsysdig's listing
        const mine = spawnSync(process.execPath, [bin, '--events', '-r', file, '-n', '50'], { cwd: root, encoding: 'utf8', env: { ...process.env, TZ: process.env.TZ ?? '' }, timeout: 60_000 });
        expect(ref.stdout.trim().split('\n').length, f).toBe(mine.stdout.trim().split('\n').length);
        expect(ref.stdout.trim().length, f).toBeGreaterThan(0);
      }
      const own = spawnSync(process.execPath, [bin, '--json', '-v', 'procs', '--final', '-r', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(own.status, own.stderr).toBe(0);
      expect((JSON.parse(own.stdout.trim().split('\n').pop()!) as { rows: unknown[] }).rows.length, f).toBeGreaterThan(5);
    }
  });

  it('refuses an address it cannot bind in one line', () => {
    const r = spawnSync(process.execPath, [bin, '--agent', '--health-address', '192.0.2.1', '-M', '1'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('tsysdig: cannot serve health on 192.0.2.1:8766: no such local address (--health-address/--health-port)');
  });
});

describe('--fetch-capture', () => {
  it('says in one line when kubectl is missing', () => {
    const r = spawnSync(process.execPath, [bin, '--fetch-capture', 'node-1'], { cwd: root, encoding: 'utf8', env: { ...process.env, KUBECTL: '/nonexistent/kubectl' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tsysdig: /nonexistent/kubectl not found (install kubectl, or set KUBECTL)\n');
  });
});

describe('rotation options', () => {
  it('--rotate-seconds needs -w DIR, and refuses a replay', () => {
    let r = spawnSync(process.execPath, [bin, '--rotate-seconds', '5', '--raw'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^tsysdig: --rotate-seconds needs -w DIR \(the directory of rotated captures\)/);
    r = spawnSync(process.execPath, [bin, '--agent', '-r', path.join(root, 'test/fixtures/falco_cat_write.scap')], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsysdig: --agent is live capture; replay a capture without --agent(; see tsysdig --help)?\n$/);
    r = spawnSync(process.execPath, [bin, '--rotate-keep', '0'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^tsysdig: option --rotate-keep needs a whole number of files, at least 1/);
  });

  it('prints alerts of the shipped stable rules and the lifecycle stream as JSON lines, and counts the alerts in /metrics', async () => {
    const agent = spawn(process.execPath, [bin, '--agent', '--health-port', '0', '-M', '8'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    agent.stdout.on('data', (d) => (stdout += d));
    agent.stderr.on('data', (d) => (stderr += d));
    const done = new Promise<number | null>((r) => agent.on('exit', (c) => r(c)));
    for (let i = 0; i < 100 && !/metrics on (http:\S+)/.test(stderr); i++) await sleep(100);
    const metricsUrl = /metrics on (http:\S+)/.exec(stderr)?.[1];
    expect(metricsUrl, stderr).toBeDefined();
    await sleep(2000); // the probe is attached once the health line is out; give the bootstrap a moment
    // a shell reading /etc/shadow: "Read sensitive file untrusted" in the stable rules
    for (let i = 0; i < 3; i++) spawnSync('/bin/sh', ['-c', 'cat /etc/shadow > /dev/null; exit 3']);
    await sleep(1000);
    const prom = parsePrometheus((await get(metricsUrl!)).body);
    expect(prom.get('tsysdig_alerts_total{priority="warning"}'), [...prom.keys()].join(' ')).toBeGreaterThan(0);
    expect(await done).toBe(0);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const alert = records.find((r) => r.rule === 'Read sensitive file untrusted');
    expect(alert, stdout.slice(0, 2000)).toBeDefined();
    expect(alert!.output_fields['fd.name']).toBe('/etc/shadow');
    const exec = records.find((r) => r.process_exec?.process?.binary?.endsWith('/cat') && r.process_exec.process.arguments === '/etc/shadow');
    expect(exec, 'process_exec of cat').toBeDefined();
    const exit = records.find((r) => r.process_exit?.process?.exec_id === exec!.process_exec.process.exec_id);
    expect(exit, 'its process_exit').toBeDefined();
  }, 60_000);
});
