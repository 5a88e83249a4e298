/**
 * Live-capture benchmark: what tracing costs a syscall-heavy process, and
 * how fast the ring can be drained.
 *
 *   node dist/live/bench-ring.js [--calls N] [--ring MiB] [--runs R]
 *
 * Phases (each on a getppid(2) tight loop in a separate C process,
 * probe/bench/getppid.c, so every call is exactly one enter + one exit).
 * Costs are the workload's CPU time per call (BPF programs run on its
 * time), so they do not depend on where the scheduler puts the consumer;
 * wall-clock figures are printed alongside:
 *   1. no tracing                       ns per getppid
 *   2. minimal counting BPF program     ns per getppid (tp_btf sys_enter/exit, per-CPU counter)
 *   3. tsysdig probe + live drain       ns per getppid, events delivered, drops
 *                                       (a: timer-polled reader, b: kernel wake-ups)
 *   4. drain throughput                 events/s decoded from a pre-filled ring
 *   5. sustained rate without drops     throttled workload, highest rate with 0 drops
 *   6. saturation                       one full-speed producer per CPU: offered vs delivered
 * Needs root; builds the two helper binaries with clang on first use.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BpfObject } from './libbpf.js';
import { LiveSource, defaultProbePath, type LiveStats } from './live-source.js';
import type { CaptureSink } from '../capture/records.js';

const probeDir = path.dirname(path.dirname(defaultProbePath())); // <repo>/probe
const buildDir = path.join(probeDir, 'build');

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function buildHelpers(): { countObj: string; getppid: string } {
  const countObj = path.join(buildDir, 'count.bpf.o');
  const countSrc = path.join(probeDir, 'bench', 'count.bpf.c');
  if (!fs.existsSync(countObj) || fs.statSync(countSrc).mtimeMs > fs.statSync(countObj).mtimeMs) {
    sh('clang', ['-O2', '-g', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', buildDir, '-c', countSrc, '-o', countObj]);
  }
  const getppid = path.join(buildDir, 'getppid');
  const gsrc = path.join(probeDir, 'bench', 'getppid.c');
  if (!fs.existsSync(getppid) || fs.statSync(gsrc).mtimeMs > fs.statSync(getppid).mtimeMs) {
    sh('clang', ['-O2', '-o', getppid, gsrc]);
  }
  return { countObj, getppid };
}

interface LoopResult {
  calls: number;
  ns: number;
  /** wall clock */
  nsPerCall: number;
  /** CPU time of the workload process (includes the BPF programs run on its behalf) */
  cpuNsPerCall: number;
}

function runLoop(bin: string, args: string[]): Promise<LoopResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as LoopResult) : reject(new Error(`${bin} exited ${code}`))));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A sink that decodes the header only (what every consumer pays at least). */
function countingSink(): CaptureSink & { n: number } {
  const sink = {
    n: 0,
    onEvent(): void {
      sink.n++;
    },
  };
  return sink;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const calls = arg('--calls', 2_000_000);
  const runs = arg('--runs', 3);
  const ringMiB = arg('--ring', 64);
  const { countObj, getppid } = buildHelpers();
  const report: Record<string, unknown> = { calls, runs, ringMiB };

  // 1. no tracing
  const base: number[] = [];
  for (let i = 0; i < runs; i++) base.push((await runLoop(getppid, [String(calls)])).cpuNsPerCall);
  report.noTracingNsPerCall = median(base);
  console.log(`1. no tracing:            ${median(base).toFixed(1)} ns/getppid`);

  // 2. minimal counting program
  {
    const obj = BpfObject.open(countObj);
    obj.load();
    const links = obj.programs().map((p) => p.attach());
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) xs.push((await runLoop(getppid, [String(calls)])).cpuNsPerCall);
    for (const l of links) l.destroy();
    obj.close();
    report.countingNsPerCall = median(xs);
    console.log(`2. counting BPF program:  ${median(xs).toFixed(1)} ns/getppid`);
  }

  // 3. tsysdig attached, draining live in this process (a: timer-polled reader, the
  //    default; b: reader woken by the kernel whenever it has caught up)
  for (const noWakeup of [true, false]) {
    const tag = noWakeup ? '3a' : '3b';
    const xs: number[] = [];
    let last: LiveStats | null = null;
    let delivered = 0;
    let consumerNsPerEvent = 0;
    const walls: number[] = [];
    for (let i = 0; i < runs; i++) {
      const src = LiveSource.open({ ringBytes: ringMiB << 20, noWakeup });
      const sink = countingSink();
      src.start();
      const cpu0 = process.cpuUsage();
      const draining = src.run(sink, { idleMs: 10 });
      const r = await runLoop(getppid, [String(calls)]);
      await new Promise((res) => setTimeout(res, 200));
      src.stop();
      await draining;
      src.drain(sink);
      const cpu = process.cpuUsage(cpu0);
      consumerNsPerEvent = ((cpu.user + cpu.system) * 1000) / Math.max(1, sink.n);
      last = src.stats();
      delivered = sink.n;
      src.close();
      xs.push(r.cpuNsPerCall);
      walls.push(r.nsPerCall);
    }
    report[noWakeup ? 'tsysdigPolledNsPerCall' : 'tsysdigWokenNsPerCall'] = median(xs);
    report[noWakeup ? 'tsysdigPolledLast' : 'tsysdigWokenLast'] = { delivered, written: last?.written, dropsFull: last?.dropsFull, consumerNsPerEvent };
    console.log(
      `${tag}. tsysdig + live drain (${noWakeup ? 'polled reader' : 'kernel wake-ups'}): ${median(xs).toFixed(1)} ns/getppid (wall ${median(walls).toFixed(1)})  (last run: ${fmt(delivered)} events delivered, ${last?.dropsFull} dropped; consumer ${consumerNsPerEvent.toFixed(0)} ns CPU/event)`,
    );
  }

  // 4. drain throughput from a pre-filled ring
  {
    const src = LiveSource.open({ ringBytes: ringMiB << 20 });
    src.start();
    // about 80 bytes of ring per getppid: fill ~3/4 of the ring
    const fill = Math.floor(((ringMiB << 20) * 0.75) / 80);
    const fr = await runLoop(getppid, [String(fill)]);
    report.tsysdigNoConsumerNsPerCall = fr.cpuNsPerCall;
    console.log(`4. tsysdig, nobody draining: ${fr.cpuNsPerCall.toFixed(1)} ns/getppid (wall ${fr.nsPerCall.toFixed(1)})`);
    src.setCapture(false);
    const pending = src.reader.pending();
    const sink = countingSink();
    const t0 = process.hrtime.bigint();
    src.drain(sink);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    const st = src.stats();
    src.close();
    report.drainEventsPerSec = sink.n / dt;
    report.drainBytesPerSec = pending / dt;
    console.log(
      `4. drain throughput:      ${fmt(sink.n / dt)} events/s (${(pending / dt / 1e6).toFixed(0)} MB/s; ${fmt(sink.n)} events, ${st.dropsFull} dropped while filling)`,
    );
  }

  // 5. highest sustained rate without drops (throttled bursts of 1000 calls)
  {
    let best = 0;
    let bestDetail = '';
    for (const pauseUs of [2000, 1000, 500, 250, 100, 50, 0]) {
      const src = LiveSource.open({ ringBytes: ringMiB << 20 });
      const sink = countingSink();
      src.start();
      const draining = src.run(sink, { idleMs: 5 });
      const n = Math.min(calls, 1_000_000);
      const r = await runLoop(getppid, [String(n), pauseUs ? '1000' : '0', String(pauseUs)]);
      await new Promise((res) => setTimeout(res, 200));
      src.stop();
      await draining;
      src.drain(sink);
      const st = src.stats();
      src.close();
      const evRate = (2 * n) / (r.ns / 1e9);
      const detail = `${fmt(evRate)} events/s offered (pause ${pauseUs}us/1000 calls): ${st.dropsFull} dropped`;
      console.log(`5. ${detail}`);
      if (st.dropsFull === 0 && evRate > best) {
        best = evRate;
        bestDetail = detail;
      }
    }
    report.maxZeroDropEventsPerSec = best;
    console.log(`5. highest zero-drop rate with one producer: ${fmt(best)} events/s (${bestDetail})`);
  }

  // 6. every CPU producing at full speed (producers compete with the consumer)
  {
    const producers = Math.max(2, os.cpus().length);
    const src = LiveSource.open({ ringBytes: ringMiB << 20 });
    const sink = countingSink();
    src.start();
    const draining = src.run(sink, { idleMs: 5 });
    const n = Math.min(calls, 1_000_000);
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: producers }, () => runLoop(getppid, [String(n)])));
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    await new Promise((res) => setTimeout(res, 200));
    src.stop();
    await draining;
    src.drain(sink);
    const st = src.stats();
    src.close();
    const offered = (2 * n * producers) / dt;
    report.allCpus = { producers, offeredEventsPerSec: offered, delivered: sink.n, dropsFull: st.dropsFull };
    console.log(
      `6. ${producers} producers at full speed: ${fmt(offered)} events/s offered, ${fmt(sink.n)} delivered, ${fmt(st.dropsFull)} dropped (${((100 * st.dropsFull) / Math.max(1, st.written + st.dropsFull)).toFixed(1)}%)`,
    );
  }
  console.log(JSON.stringify(report));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

export const BENCH_FILE = fileURLToPath(import.meta.url);
