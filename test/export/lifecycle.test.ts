/**
 * The lifecycle stream (--lifecycle) on real captures: every exec paired with
 * its exit by exec_id, exit codes and container names as the capture has
 * them; the compact lines; the filters. Expected values were read with
 * sysdig 0.29.3 (commands in the comments).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayLifecycle } from '../../src/cli/lifecycle-command.js';
import { LifecycleTracker, execId, protoTime, type LifecycleOptions } from '../../src/export/lifecycle.js';
import { compileEventFilter } from '../../src/cli/event-filter.js';
import { memoryOutput } from '../helpers/capture-output.js';
import { fixturePath } from '../helpers/fixtures.js';

const DEMO = join(import.meta.dirname, '../../demo/tsysdig-demo.scap.gz');

async function stream(file: string, o: Partial<LifecycleOptions> = {}): Promise<string[]> {
  const { out, text } = memoryOutput();
  const tracker = new LifecycleTracker(out, { json: false, net: false, nodeName: 'node1', namespaces: [], pods: [], processes: [], filter: null, ...o });
  await replayLifecycle(file, tracker, 0, out, () => {});
  return Buffer.from(text(), 'latin1').toString('utf8').split('\n').filter((l) => l !== '');
}

interface Rec {
  process_exec?: { process: Record<string, unknown>; parent?: Record<string, unknown> };
  process_exit?: { process: Record<string, unknown>; parent?: Record<string, unknown>; status?: number; signal?: string };
  process_connect?: { process: Record<string, unknown>; socket: Record<string, unknown> };
  node_name: string;
  time: string;
}

async function records(file: string, o: Partial<LifecycleOptions> = {}): Promise<Rec[]> {
  return (await stream(file, { ...o, json: true })).map((l) => JSON.parse(l) as Rec);
}

/** Every exec has exactly one exit with its exec_id, after it. */
function pairs(recs: Rec[]): Map<string, { exec: Rec; exit: Rec | null }> {
  const m = new Map<string, { exec: Rec; exit: Rec | null }>();
  for (const r of recs) {
    if (r.process_exec) {
      const id = r.process_exec.process.exec_id as string;
      expect(m.has(id), `exec_id ${id} used twice`).toBe(false);
      m.set(id, { exec: r, exit: null });
    } else if (r.process_exit) {
      const p = m.get(r.process_exit.process.exec_id as string);
      if (p !== undefined) {
        expect(p.exit, 'two exits for one exec').toBeNull();
        p.exit = r;
      }
    }
  }
  return m;
}

describe('lifecycle stream on captures', () => {
  it('falco_cat_write: cat /dev/null starts and exits 0 (sysdig: execve res=0 tid=20072, procexit status=0)', async () => {
    expect(await stream(fixturePath('falco_cat_write'))).toEqual(['🚀 process cat /dev/null', '💥 exit    cat /dev/null 0']);
    const recs = await records(fixturePath('falco_cat_write'));
    const [p] = [...pairs(recs).values()];
    expect(p!.exit).not.toBeNull();
    const exec = p!.exec.process_exec!;
    expect(exec.process).toMatchObject({ pid: 20072, tid: 20072, binary: 'cat', arguments: '/dev/null', flags: 'execve clone', auid: 4294967295 });
    expect(exec.process.exec_id).toBe(execId('node1', 1470327477881730713n, 20072));
    expect(Buffer.from(exec.process.exec_id as string, 'base64').toString()).toBe('node1:1470327477881730713:20072');
    expect(exec.process.start_time).toBe('2016-08-04T16:17:57.881730713Z');
    expect(exec.parent).toMatchObject({ pid: 11310, binary: '/bin/bash', uid: 1000, cwd: '/mnt/sf_mstemm/work/src/agent/build/release/userspace/dragent' });
    expect(exec.process.parent_exec_id).toBe(exec.parent!.exec_id);
    expect(p!.exit!.process_exit!.status).toBeUndefined(); // 0 is left out, as protojson does
    expect(p!.exit!.time).toBe('2016-08-04T16:17:57.882122308Z');
    expect(recs.every((r) => r.node_name === 'node1')).toBe(true);
  });

  it('libs_curl_google: curl starts and exits; with =net its TCP connect and close', async () => {
    expect(await stream(fixturePath('libs_curl_google'))).toEqual(['🚀 process curl -6 http://www.google.com', '💥 exit    curl -6 http://www.google.com 0']);
    const net = await stream(fixturePath('libs_curl_google'), { net: true });
    expect(net).toContain('🔌 connect curl tcp 2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140 -> 2607:f8b0:4004:802::2004:80');
    expect(net).toContain('🧹 close   curl tcp 2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140 -> 2607:f8b0:4004:802::2004:80');
    const recs = await records(fixturePath('libs_curl_google'), { net: true });
    const conn = recs.find((r) => r.process_connect)!.process_connect!;
    expect(conn.socket).toEqual({ protocol: 'TCP', saddr: '2600:1f18:262c:6542:9aa6:df7a:9a47:d29e', sport: 37140, daddr: '2607:f8b0:4004:802::2004', dport: 80 });
    const [p] = [...pairs(recs).values()];
    expect(conn.process.exec_id).toBe(p!.exec.process_exec!.process.exec_id);
    expect(p!.exit).not.toBeNull();
  });

  it('demo: 430 execs (sysdig: evt.type=execve and evt.dir=< and evt.res=SUCCESS), 507 exits (procexit of main threads), each exec joined to its exit, container names from the capture', async () => {
    const recs = await records(DEMO);
    expect(recs.filter((r) => r.process_exec).length).toBe(430);
    expect(recs.filter((r) => r.process_exit).length).toBe(507);
    const ps = [...pairs(recs).values()];
    // every process started in the capture ended in it, except those still running when it stopped
    const open = ps.filter((p) => p.exit === null).map((p) => p.exec.process_exec!.process.binary);
    expect(ps.length - open.length).toBeGreaterThan(400);
    for (const p of ps.filter((x) => x.exit !== null)) expect(p.exit!.process_exit!.status ?? 0).toBe(0); // sysdig: every procexit ret=0
    const names = new Map<string, number>();
    for (const r of recs) {
      const c = (r.process_exec ?? r.process_exit)!.process.pod as { container: { name: string; id: string } } | undefined;
      expect(c, 'every demo process runs in a container').toBeDefined();
      names.set(c!.container.name, (names.get(c!.container.name) ?? 0) + 1);
    }
    // sysdig -r demo -p '%container.name' "evt.type=procexit and thread.ismain=true": 152 files, 195 net, 155 procs
    expect(names.get('tsysdig-demo-files')).toBeGreaterThan(150);
    expect(names.get('tsysdig-demo-net')).toBeGreaterThan(190);
    expect(names.get('tsysdig-demo-procs')).toBeGreaterThan(150);
    const compact = await stream(DEMO);
    expect(compact).toContain('🚀 process tsysdig-demo-procs /bin/ls /');
    expect(compact).toContain('💥 exit    tsysdig-demo-procs /bin/ls / 0');
  });

  it('filters: --process substring of the binary, a sysdig filter, --namespace outside Kubernetes', async () => {
    const ls = await stream(DEMO, { processes: ['/bin/ls'] });
    expect(ls.length).toBeGreaterThan(10);
    expect(ls.every((l) => l.includes(' /bin/ls '))).toBe(true);
    const files = await stream(DEMO, { filter: compileEventFilter('container.name=tsysdig-demo-files') });
    expect(files.length).toBeGreaterThan(100);
    expect(files.every((l) => l.split(' ')[2] === 'tsysdig-demo-files' || l.split(' ').slice(0, 6).includes('tsysdig-demo-files'))).toBe(true);
    expect(await stream(DEMO, { namespaces: ['default'] })).toEqual([]);
  });

  it('times are protojson timestamps', () => {
    expect(protoTime(1470327477881730713n)).toBe('2016-08-04T16:17:57.881730713Z');
    expect(protoTime(1470327477881000000n)).toBe('2016-08-04T16:17:57.881Z');
    expect(protoTime(1470327477000000000n)).toBe('2016-08-04T16:17:57Z');
  });
});
