// Probe A/B benchmark (root): alternates BPF objects round-robin and reports, per configuration,
// the median CPU ns per getppid(2) of probe/build/getppid and the median BPF program time per
// syscall event (run_time_ns / run_cnt of the sys_enter/sys_exit programs, kernel.bpf_stats_enabled
// is turned on for the run and off after). Producer side only: tsysdig objects are loaded with
// LiveSource (settings + routes written, a 256 MiB ring, nobody draining).
//
//   node scripts/bench-probe-ab.mjs '[{"name":"none"},{"name":"ref","obj":"probe/build/count-ring.bpf.o"},
//                                    {"name":"tsysdig","obj":"probe/build/tsysdig.bpf.o","tsd":true}]'
//   env: CALLS (400000), ROUNDS (5), STATS=1 (program times)
// Built helpers: run `npm run bench:live` once (it builds count-ring.bpf.o and getppid).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const W = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { BpfObject } = await import(W + '/dist/live/libbpf.js');
const { LiveSource } = await import(W + '/dist/live/live-source.js');
const getppid = W + '/probe/build/getppid';
const calls = Number(process.env.CALLS ?? 400000);
const rounds = Number(process.env.ROUNDS ?? 5);
const stats = process.env.STATS === '1';
const configs = JSON.parse(process.argv[2]).map((c) => (c.obj ? { ...c, obj: path.resolve(W, c.obj) } : c)); // [{name, obj?, tsd?}]
const listProgs = () => JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j']).toString());
let mine = new Set();
function progStats() {
  const out = {};
  for (const p of listProgs()) if (mine.has(p.id)) out[p.name] = { ns: p.run_time_ns ?? 0, cnt: p.run_cnt ?? 0 };
  return out;
}
function attach(c) {
  if (c.tsd) {
    const src = LiveSource.open({ probePath: c.obj, ringBytes: 256 << 20 });
    src.start();
    return () => src.close();
  }
  const o = BpfObject.open(c.obj); o.load();
  const links = o.programs().map((p) => p.attach());
  return () => { for (const l of links) l.destroy(); o.close(); };
}
const res = Object.fromEntries(configs.map((c) => [c.name, { cpu: [], prog: [] }]));
if (stats) execFileSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=1']);
try {
  for (let r = 0; r < rounds; r++) {
    const order = configs.map((_, i) => configs[(i + r) % configs.length]);
    for (const c of order) {
      const before = new Set(listProgs().map((p) => p.id));
      const det = c.obj ? attach(c) : () => {};
      mine = new Set(listProgs().map((p) => p.id).filter((id) => !before.has(id)));
      const s0 = c.obj && stats ? progStats() : {};
      const out = JSON.parse(execFileSync(getppid, [String(calls)]).toString());
      const s1 = c.obj && stats ? progStats() : {};
      det();
      res[c.name].cpu.push(out.cpuNsPerCall);
      let ns = 0, cnt = 0;
      for (const k of Object.keys(s1)) if (/enter|exit/.test(k) && !/proc/.test(k)) { ns += s1[k].ns - (s0[k]?.ns ?? 0); cnt += s1[k].cnt - (s0[k]?.cnt ?? 0); }
      res[c.name].prog.push(cnt ? ns / cnt : 0);
    }
  }
} finally { if (stats) execFileSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=0']); }
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const c of configs) console.log(`${c.name.padEnd(16)} cpu/call median ${med(res[c.name].cpu).toFixed(1)}  [${res[c.name].cpu.map((x) => x.toFixed(0)).join(' ')}]  prog ns/event median ${med(res[c.name].prog).toFixed(1)} [${res[c.name].prog.map((x) => x.toFixed(1)).join(' ')}]`);
