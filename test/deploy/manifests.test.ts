/**
 * deploy/kubernetes rendered by `kubectl kustomize` (offline): the base and the
 * example overlay, and the DaemonSet checked against AGENT_RUNTIME — the
 * namespaces, privileges, mounts and environment the image test
 * (test/deploy/image.test.ts) needed for tsysdig in the container to see the
 * host as tsysdig on the host does.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AGENT_RUNTIME, IMAGE_VERSION, ROOT } from '../helpers/agent-image.js';

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const skip = kubectl.status === 0 ? null : 'kubectl not installed (Debian: kubernetes-client)';
if (skip !== null) console.log(`[test/deploy] manifest tests skipped: ${skip}`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

function render(dir: string): Obj[] {
  const r = spawnSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'kubernetes', dir)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
}

const find = (docs: Obj[], kind: string, name?: string): Obj => {
  const o = docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name || d.metadata.name.startsWith(`${name}-`)));
  expect(o, `${kind} ${name ?? ''} rendered`).toBeDefined();
  return o;
};

/** The checks every rendering must pass: the DaemonSet runs the agent as the image test ran it. */
function checkDaemonSet(docs: Obj[]): Obj {
  const ds = find(docs, 'DaemonSet', 'tsysdig');
  const pod = ds.spec.template.spec;
  const c = pod.containers.find((x: Obj) => x.name === 'tsysdig');
  expect(pod.hostPID).toBe(AGENT_RUNTIME.hostPID);
  expect(pod.hostNetwork).toBe(AGENT_RUNTIME.hostNetwork);
  expect(c.securityContext.privileged).toBe(AGENT_RUNTIME.privileged);
  // every node: a toleration for every taint
  expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
  // the mounts the image test used, read-only as there, from the same host paths
  for (const m of AGENT_RUNTIME.mounts) {
    const vm = c.volumeMounts.find((x: Obj) => x.mountPath === m.path);
    expect(vm, `mount ${m.path}`).toBeDefined();
    expect(vm.readOnly === true, `${m.path} read-only`).toBe(m.readOnly);
    const vol = pod.volumes.find((v: Obj) => v.name === vm.name);
    expect(vol.hostPath.path, `${m.path} from the host's ${m.host}`).toBe(m.host);
  }
  for (const [k, v] of Object.entries(AGENT_RUNTIME.env)) expect(c.env).toContainEqual({ name: k, value: v });
  expect(c.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  expect(c.env).toContainEqual({ name: 'FALCO_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  expect(c.env).toContainEqual({ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } });
  // the agent, health on the node's address where the kubelet probes it
  expect(c.args[0]).toBe('--agent');
  expect(c.args).toContain('--health-address=$(HOST_IP)');
  const port = Number(c.args.find((a: string) => a.startsWith('--health-port=')).split('=')[1]);
  expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port });
  expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port });
  // the rotated capture directory is a mount on the node, where --fetch-capture looks
  const dirArg = c.args[c.args.indexOf('-w') + 1];
  expect(dirArg).toBe('/var/lib/tsysdig/captures');
  expect(c.volumeMounts.some((x: Obj) => x.mountPath === dirArg)).toBe(true);
  expect(c.resources.requests.cpu).toBeDefined();
  expect(c.resources.limits.memory).toBeDefined();
  // the ServiceAccount exists and may only read
  expect(find(docs, 'ServiceAccount', pod.serviceAccountName).metadata.namespace).toBe('tsysdig');
  const role = find(docs, 'ClusterRole', 'tsysdig-read-pods');
  for (const rule of role.rules) expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v)), rule.verbs.join()).toBe(true);
  const binding = find(docs, 'ClusterRoleBinding', 'tsysdig-read-pods');
  expect(binding.subjects).toContainEqual({ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'tsysdig' });
  // the ConfigMaps it references are rendered (with their generated names)
  const cfg = pod.volumes.find((v: Obj) => v.name === 'config').configMap.name;
  expect(docs.some((d) => d.kind === 'ConfigMap' && d.metadata.name === cfg)).toBe(true);
  const envCm = c.envFrom[0].configMapRef.name;
  expect(docs.some((d) => d.kind === 'ConfigMap' && d.metadata.name === envCm)).toBe(true);
  return ds;
}

const configMap = (docs: Obj[], prefix: string): Obj => docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name.startsWith(`${prefix}-`));

(skip === null ? describe : describe.skip)('deploy/kubernetes', () => {
  it('the base renders a DaemonSet that runs the agent as the image test did', () => {
    const docs = render('base');
    const ds = checkDaemonSet(docs);
    expect(ds.spec.template.spec.containers[0].image).toBe(`tsysdig:${IMAGE_VERSION}`);
    expect(configMap(docs, 'tsysdig-agent').data).toEqual({ TSYSDIG_ROTATE_SECONDS: '60', TSYSDIG_ROTATE_KEEP: '5' });
    expect(Object.keys(configMap(docs, 'tsysdig-config').data).sort()).toEqual(['local_rules.yaml', 'outputs.yaml']);
  });

  it("the example overlay adds a team's rules, outputs, rotation and image without changing the rest", () => {
    const base = render('base');
    const docs = render('overlays/example');
    const ds = checkDaemonSet(docs);
    const c = ds.spec.template.spec.containers[0];
    expect(c.image).toBe(`registry.example.com/platform/tsysdig:${IMAGE_VERSION}`);
    expect(configMap(docs, 'tsysdig-agent').data).toEqual({ TSYSDIG_ROTATE_SECONDS: '120', TSYSDIG_ROTATE_KEEP: '15' });
    const cfg = configMap(docs, 'tsysdig-config').data;
    const dir = path.join(ROOT, 'deploy', 'kubernetes', 'overlays', 'example');
    expect(cfg['local_rules.yaml']).toBe(fs.readFileSync(path.join(dir, 'local_rules.yaml'), 'utf8'));
    expect(cfg['outputs.yaml']).toBe(fs.readFileSync(path.join(dir, 'outputs.yaml'), 'utf8'));
    expect(c.resources.limits.cpu).toBe('2');
    // a changed ConfigMap gets a new name, so the pods roll
    expect(configMap(docs, 'tsysdig-config').metadata.name).not.toBe(configMap(base, 'tsysdig-config').metadata.name);
    // everything the base checks is untouched: same mounts, args and security context
    const b = find(base, 'DaemonSet', 'tsysdig').spec.template.spec.containers[0];
    expect(c.volumeMounts).toEqual(b.volumeMounts);
    expect(c.args).toEqual(b.args);
    expect(c.securityContext).toEqual(b.securityContext);
  });
});
