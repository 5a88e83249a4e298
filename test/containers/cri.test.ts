/**
 * Against a REAL containerd CRI (a private instance, see containerd-harness):
 * a pod created through the CRI API like a kubelet would, its container's
 * process recognised from /proc/PID/cgroup under kubepods, and its metadata
 * (name, image, labels, pod, sandbox) fetched over gRPC by the manager.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { podLabels, podOf } from '../../src/containers/k8s.js';
import { ContainerMetadataManager } from '../../src/containers/manager.js';
import { type ContainerInfo, ContainerType, LookupState, matchContainer, parseProcCgroup } from '../../src/state/containers.js';
import { TEST_IMAGE, ensureDocker } from '../helpers/docker.js';
import { type CriEnv, type RunningPod, removePod, runPod, startContainerd } from './containerd-harness.js';

const docker = await ensureDocker();
const cri: CriEnv = await startContainerd(docker).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
if (!cri.ok) console.log(`[containerd CRI tests skipped] ${cri.reason}`);
const describeCri = cri.ok ? describe : describe.skip;

const POD_UID = '7c6b1a2e-4d3f-4a5b-8c9d-0e1f2a3b4c5d';

describeCri('real containerd CRI', () => {
  const env = cri as Extract<CriEnv, { ok: true }>;
  let pod: RunningPod;

  beforeAll(async () => {
    pod = await runPod(env.client, {
      name: 'web-0',
      namespace: 'prod',
      uid: POD_UID,
      labels: { app: 'web', tier: 'front' },
      container: { name: 'web', labels: { 'com.example.team': 'obs' }, command: ['/bin/sh', '-c', 'while true; do echo x >> /tmp/out; sleep 0.2; done'] },
    });
  });
  afterAll(async () => {
    if (pod !== undefined) await removePod(env.client, pod.sandboxId);
    await env.stop();
  });

  test('the container\'s process is recognised under kubepods; the runtime is left to the API', () => {
    expect(pod.pid).toBeGreaterThan(0);
    const text = fs.readFileSync(`/proc/${pod.pid}/cgroup`, 'utf8');
    console.log(`[cri] /proc/${pod.pid}/cgroup:\n${text.trim()}`);
    const m = matchContainer(parseProcCgroup(text));
    expect(m).toMatchObject({ id: pod.containerId.slice(0, 12), fullId: pod.containerId, type: ContainerType.CRI, podUid: POD_UID, cgroup: `${pod.cgroupParent}/${pod.containerId}` });
  });

  test('metadata over gRPC: name, image, labels, pod, ip; the pod sandbox too', async () => {
    const updates: ContainerInfo[] = [];
    const reasons: string[] = [];
    // no docker socket: the CRI answers alone; containerd's own socket path stands in for /run/containerd/containerd.sock
    const m = new ContainerMetadataManager({ dockerSocket: '/nonexistent/docker.sock', criSockets: [env.socket], onUpdate: (i) => updates.push(i), onReason: (r) => reasons.push(r) });
    try {
      const id = pod.containerId.slice(0, 12);
      const sid = pod.sandboxId.slice(0, 12);
      const placeholder = m.lookup(id, ContainerType.CRI);
      expect([placeholder.id, placeholder.name]).toEqual([id, '']);
      m.lookup(sid, ContainerType.CRI);
      await m.idle();
      const c = m.get(id)!;
      expect(c).toMatchObject({
        id, fullId: pod.containerId, type: ContainerType.CONTAINERD, name: 'web', image: `docker.io/library/${TEST_IMAGE}:latest`,
        imageRepo: `docker.io/library/${TEST_IMAGE}`, imageTag: 'latest', isPodSandbox: false, lookupState: LookupState.SUCCESSFUL, hasMetadata: true,
        ip: '', // host network
      });
      expect(pod.imageRef).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(c.imageId).toBe(pod.imageRef.slice('sha256:'.length));
      expect(c.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/); // an imported image has no registry digest: the runtime's image ref
      expect(c.env).toContain('POD_NAME=web-0');
      expect(c.createdTime).toBeGreaterThan(Math.floor(Date.now() / 1000) - 600);
      expect(c.labels).toMatchObject({ 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': POD_UID, 'com.example.team': 'obs' });
      expect(podOf(c)).toMatchObject({ name: 'web-0', namespace: 'prod', uid: POD_UID });
      const s = m.get(sid)!;
      expect(s).toMatchObject({ isPodSandbox: true, name: 'web-0', type: ContainerType.CONTAINERD, labels: { app: 'web', tier: 'front' } });
      // the pod's labels, as k8s.pod.labels shows them, come from the sandbox
      expect(podLabels({ ...c, labels: { ...c.labels, 'io.kubernetes.sandbox.id': pod.sandboxId } }, (x) => m.get(x))).toMatchObject({ app: 'web', tier: 'front' });
      expect(reasons).toEqual([]);
      expect(updates).toHaveLength(2);
    } finally {
      m.close();
    }
  });
});
