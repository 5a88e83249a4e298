/**
 * Against the REAL dockerd (started by the harness when needed): cgroup
 * recognition of container processes on this machine's cgroup layout, and
 * metadata of two named containers through ContainerMetadataManager — name,
 * image, id, labels, privileged flag, Kubernetes pod labels — into the state
 * engine, and out again as container events sysdig reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { encodeContainerEvent, toContainerJson } from '../../src/containers/container-json.js';
import { podLabels, podOf } from '../../src/containers/k8s.js';
import { ContainerMetadataManager } from '../../src/containers/manager.js';
import { type ContainerInfo, ContainerType, LookupState, matchContainer, parseContainerJson, parseProcCgroup } from '../../src/state/containers.js';
import { StateEngine } from '../../src/state/engine.js';
import { type RunningContainer, DOCKER_SOCKET, TEST_IMAGE, dockerApi, dockerDescribe, ensureDocker, removeContainers, runContainer } from '../helpers/docker.js';
import { EV_V2_LARGE, notification, scapFile, sysdig, sysdigPath } from './mini-scap.js';

const docker = await ensureDocker();
const describeDocker = dockerDescribe(docker);

const POD_UID = '5d2a1f8e-0c3b-4e7a-9f61-2b8d4c7e9a13';

/** How this machine mounts cgroups. */
function cgroupLayout(): { version: 'v1' | 'v2' | 'hybrid'; text: string } {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => {
    const [pre, post] = l.split(' - ');
    return { point: pre?.split(' ')[4] ?? '', fstype: post?.split(' ')[0] ?? '' };
  });
  const root = mounts.find((m) => m.point === '/sys/fs/cgroup');
  const v1 = mounts.filter((m) => m.fstype === 'cgroup').map((m) => path.basename(m.point));
  const v2 = mounts.filter((m) => m.fstype === 'cgroup2').map((m) => m.point);
  if (root?.fstype === 'cgroup2') return { version: 'v2', text: 'cgroup v2 (unified hierarchy at /sys/fs/cgroup)' };
  if (v2.length > 0) return { version: 'hybrid', text: `cgroup v1 controllers (${v1.join(', ')}) with an empty v2 hierarchy at ${v2.join(', ')} ("hybrid")` };
  return { version: 'v1', text: `cgroup v1 (${v1.join(', ')})` };
}

/** Pids seen in a container's cgroup over `ms` (the spawner's short-lived processes come and go). */
async function pidsOver(cgroupProcs: string, ms: number): Promise<Set<number>> {
  const seen = new Set<number>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const l of fs.readFileSync(cgroupProcs, 'utf8').split('\n')) if (l !== '') seen.add(Number(l));
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

describeDocker(`real dockerd (${docker.ok ? docker.version : ''})`, () => {
  let writer: RunningContainer;
  let spawner: RunningContainer;
  let priv: RunningContainer;
  let imageId = '';
  const labels = {
    'com.example.team': 'observability',
    'io.kubernetes.pod.name': 'web-0',
    'io.kubernetes.pod.namespace': 'prod',
    'io.kubernetes.pod.uid': POD_UID,
  };

  beforeAll(async () => {
    writer = await runContainer({ name: 'tsysdig-ct-writer', workload: 'writer', labels });
    spawner = await runContainer({ name: 'tsysdig-ct-spawner', workload: 'spawner', labels: { tier: 'batch' } });
    priv = await runContainer({ name: 'tsysdig-ct-priv', workload: 'sleeper', privileged: true });
    if (priv.note !== undefined) console.log(`[docker] ${priv.note}`);
    imageId = (JSON.parse((await dockerApi(`/images/${TEST_IMAGE}/json`)).body) as { Id: string }).Id.replace(/^sha256:/, '');
  });
  afterAll(async () => {
    await removeContainers();
  });

  test('the writer workload runs: its file grows', async () => {
    const out = `/proc/${writer.pid}/root/tmp/out.txt`;
    await new Promise((r) => setTimeout(r, 600));
    const a = fs.readFileSync(out, 'utf8').split('\n').length;
    await new Promise((r) => setTimeout(r, 600));
    expect(fs.readFileSync(out, 'utf8').split('\n').length).toBeGreaterThan(a);
  });

  test('/proc/PID/cgroup of container processes → the container (this machine\'s cgroup layout)', async () => {
    const layout = cgroupLayout();
    const info = JSON.parse((await dockerApi('/info')).body) as { CgroupDriver?: string; CgroupVersion?: string };
    const text = fs.readFileSync(`/proc/${writer.pid}/cgroup`, 'utf8');
    console.log(`[cgroup layout] ${layout.text}; dockerd: cgroup driver ${info.CgroupDriver}, cgroup version ${info.CgroupVersion}\n[cgroup layout] /proc/${writer.pid}/cgroup of ${writer.name}:\n${text.trim()}`);
    expect(info.CgroupVersion).toBe(layout.version === 'v2' ? '2' : '1');
    const entries = parseProcCgroup(text);
    const m = matchContainer(entries);
    expect(m).not.toBeNull();
    expect({ id: m!.id, fullId: m!.fullId, type: m!.type }).toEqual({ id: writer.shortId, fullId: writer.id, type: ContainerType.DOCKER });
    if (info.CgroupDriver === 'cgroupfs') expect(m!.cgroup).toBe(`/docker/${writer.id}`);
    else expect(m!.cgroup).toMatch(new RegExp(`/docker-${writer.id}\\.scope$`));
    // the probe's view (kernel controller names, full paths) reads the same
    expect(matchContainer(['cpuset', 'cpu', 'memory'].map((s) => `${s}=${m!.cgroup}`))!.id).toBe(writer.shortId);
    // and this test process itself is on the host
    expect(matchContainer(parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')))).toBeNull();

    // the spawner's short-lived processes, each recognised from its own /proc/PID/cgroup
    const memLine = fs.readFileSync(`/proc/${spawner.pid}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:memory:/.test(l) || l.startsWith('0::'))!;
    const rel = memLine.slice(memLine.indexOf(':', memLine.indexOf(':') + 1) + 1);
    const procs = layout.version === 'v2' ? `/sys/fs/cgroup${rel}/cgroup.procs` : `/sys/fs/cgroup/memory${rel}/cgroup.procs`;
    const pids = await pidsOver(procs, 1500);
    expect(pids.size).toBeGreaterThan(3);
    let checked = 0;
    for (const pid of pids) {
      let t: string;
      try {
        t = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      } catch {
        continue; // already gone
      }
      expect(matchContainer(parseProcCgroup(t))?.id).toBe(spawner.shortId);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('metadata of named containers: placeholders at once, then name, image, labels, privileged, pod', async () => {
    const updates: ContainerInfo[] = [];
    const reasons: string[] = [];
    const m = new ContainerMetadataManager({ dockerSocket: DOCKER_SOCKET, onUpdate: (i) => updates.push(i), onReason: (r) => reasons.push(r) });
    try {
      const t0 = performance.now();
      const first = [writer, spawner, priv].map((c) => m.lookup(c.shortId, ContainerType.DOCKER));
      expect(performance.now() - t0).toBeLessThan(50);
      expect(first.map((i) => [i.id, i.name, i.hasMetadata])).toEqual([writer, spawner, priv].map((c) => [c.shortId, '', false]));
      await m.idle();
      expect(updates).toHaveLength(3);
      const [w, s, p] = [writer, spawner, priv].map((c) => m.get(c.shortId)!);
      const now = Math.floor(Date.now() / 1000);
      for (const [info, c] of [[w!, writer], [s!, spawner], [p!, priv]] as const) {
        expect(info).toMatchObject({
          id: c.shortId, fullId: c.id, type: ContainerType.DOCKER, name: c.name, image: TEST_IMAGE, imageRepo: TEST_IMAGE, imageTag: 'latest',
          imageId, imageDigest: '', ip: '', isPodSandbox: false, lookupState: LookupState.SUCCESSFUL, hasMetadata: true,
          memoryLimit: 0, cpuShares: 1024, cpuQuota: 0, cpuPeriod: 100000,
        });
        expect(info.createdTime).toBeGreaterThan(now - 600);
        expect(info.createdTime).toBeLessThanOrEqual(now);
      }
      expect([w!.privileged, s!.privileged, p!.privileged]).toEqual([false, false, true]);
      expect(w!.labels).toEqual(labels);
      expect(s!.labels).toEqual({ tier: 'batch' });
      expect(podOf(w)).toEqual({ name: 'web-0', namespace: 'prod', uid: POD_UID, sandboxId: '' });
      expect(podOf(s)).toBeNull();
      expect(podLabels(w, (id) => m.get(id))).toEqual({});
      expect(reasons).toEqual([]);
      expect(m.reason()).toBeNull();
      // the same answer as the engine's own view of the container
      const inspect = JSON.parse((await dockerApi(`/containers/${writer.id}/json`)).body) as { Name: string; Config: { Labels: Record<string, string> } };
      expect(`/${w!.name}`).toBe(inspect.Name);
      expect(w!.labels).toEqual(inspect.Config.Labels);
    } finally {
      m.close();
    }
  });

  test('into the state engine: a thread seen before its metadata shows the id, then the name fills in', async () => {
    const engine = new StateEngine();
    const m = new ContainerMetadataManager({ onUpdate: (i) => engine.addContainer(i) });
    try {
      const cgroups = parseProcCgroup(fs.readFileSync(`/proc/${writer.pid}/cgroup`, 'utf8'));
      engine.onThread({
        tid: writer.pid, pid: writer.pid, ptid: 1, sid: 0, vpgid: 0, comm: 'sh', exe: '/bin/sh', exepath: '/bin/busybox', args: [], env: [], cwd: '/',
        fdlimit: 1024, flags: 0, uid: 0, gid: 0, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0, pfminor: 0, vtid: 1, vpid: 1, cgroups, root: '/',
        loginuid: -1, exeWritable: false, cloneTs: 0, tty: 0,
      } as Parameters<StateEngine['onThread']>[0]);
      const t = engine.threads.get(writer.pid)!;
      expect(t.containerId).toBe(writer.shortId);
      expect(engine.containers.get(writer.shortId)!.name).toBe('');
      const c = engine.containers.get(writer.shortId)!;
      m.lookup(c.id, c.type);
      await m.idle();
      expect(engine.containers.get(writer.shortId)!.name).toBe(writer.name);
    } finally {
      m.close();
    }
  });

  test('an id docker does not know: retried, then reported failed; docker is up, so no reason', async () => {
    const updates: ContainerInfo[] = [];
    const m = new ContainerMetadataManager({ retryBaseMs: 20, maxAttempts: 2, onUpdate: (i) => updates.push(i) });
    try {
      m.lookup('0123456789ab', ContainerType.DOCKER);
      const end = Date.now() + 5000;
      while (updates.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(updates.map((u) => [u.id, u.lookupState, u.hasMetadata])).toEqual([['0123456789ab', LookupState.FAILED, false]]);
      expect(m.reason()).toBeNull();
    } finally {
      m.close();
    }
  });

  const testSysdig = sysdigPath() !== null ? test : test.skip;
  testSysdig('the real metadata, written as container events, replays in sysdig 0.29.3 and in tsysdig', async () => {
    const m = new ContainerMetadataManager();
    try {
      m.lookup(writer.shortId, ContainerType.DOCKER);
      m.lookup(spawner.shortId, ContainerType.DOCKER);
      await m.idle();
      m.lookup(priv.shortId, ContainerType.DOCKER);
      await m.idle();
      const infos = [m.get(writer.shortId)!, m.get(spawner.shortId)!, m.get(priv.shortId)!];
      for (const i of infos) expect(parseContainerJson(toContainerJson(i))).toEqual({ ...i, env: [] });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-cdock-'));
      const file = path.join(dir, 'c.scap');
      const t0 = 1_700_000_000_000_000_000n;
      fs.writeFileSync(file, scapFile([{ blockType: 0x216, event: notification(1n, t0, 'x') }, ...infos.map((i, k) => ({ blockType: EV_V2_LARGE, event: encodeContainerEvent(i, t0 + 1n + BigInt(k)) }))]));
      const out = sysdig(['-r', file, '-p', '*%container.id %container.name %container.image %container.privileged %k8s.pod.name %k8s.ns.name', 'evt.type=container']);
      expect(out.trim().split('\n')).toEqual([
        `${writer.shortId} ${writer.name} ${TEST_IMAGE} false web-0 prod`,
        `${spawner.shortId} ${spawner.name} ${TEST_IMAGE} false <NA> <NA>`,
        `${priv.shortId} ${priv.name} ${TEST_IMAGE} true <NA> <NA>`,
      ]);
      fs.rmSync(dir, { recursive: true, force: true });
    } finally {
      m.close();
    }
  });
});
