/**
 * A private containerd with its CRI plugin, for the CRI tests: its own root,
 * state and socket under a temp folder (the machine's containerd, if any, is
 * left alone), no CNI (pods use the host network), the test image and a
 * "pause" image (the test image with CMD sleep, made with `docker commit`)
 * imported from Docker with `docker save | ctr import`. Pods are created
 * through the CRI API itself (RunPodSandbox, CreateContainer,
 * StartContainer), as a kubelet would, with a kubepods cgroup parent.
 *
 * Needs root, containerd, ctr and the Docker harness (for the images);
 * otherwise says why, for the caller to skip.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CriClient, GrpcCode } from '../../src/containers/cri-api.js';
import { ProtoMessage, ProtoWriter } from '../../src/containers/protobuf.js';
import { type DockerEnv, TEST_IMAGE } from '../helpers/docker.js';

export const PAUSE_IMAGE = 'tsysdig-pause';

export type CriEnv = { ok: true; socket: string; dir: string; client: CriClient; stop: () => Promise<void> } | { ok: false; reason: string };

function sh(cmd: string, args: string[], input?: NodeJS.ReadableStream): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (e, out, err) => resolve({ code: e === null ? 0 : 1, out: String(out), err: String(err) || String(e?.message ?? '') }));
    if (input !== undefined) input.pipe(child.stdin!);
  });
}

function which(cmd: string): boolean {
  return ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'].some((d) => fs.existsSync(path.join(d, cmd)));
}

export async function startContainerd(docker: DockerEnv): Promise<CriEnv> {
  if (!docker.ok) return { ok: false, reason: `needs Docker for its images (${docker.reason})` };
  if (!which('containerd') || !which('ctr')) return { ok: false, reason: 'containerd or ctr not installed' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-containerd-'));
  const socket = path.join(dir, 'containerd.sock');
  fs.writeFileSync(
    path.join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '[debug]',
      `  address = "${dir}/debug.sock"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "docker.io/library/${PAUSE_IMAGE}:latest"`,
      // a pod sandbox lowers its oom_score_adj, which needs CAP_SYS_RESOURCE (sandboxed CI runners lack it)
      '  restrict_oom_score_adj = true',
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      `    bin_dir = "${dir}/cni-bin"`,
      `    conf_dir = "${dir}/cni-conf"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${dir}/opt"`,
      '',
    ].join('\n'),
  );
  const log = fs.openSync(path.join(dir, 'containerd.log'), 'a');
  const child = spawn('containerd', ['--config', path.join(dir, 'config.toml')], { detached: true, stdio: ['ignore', log, log] });
  child.on('error', () => {});
  child.unref();
  fs.closeSync(log);
  const client = new CriClient(socket, 2000);
  const stop = async (): Promise<void> => {
    client.close();
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    await sh('umount', ['-R', `${dir}/state`]).catch(() => {});
    // its files go too, unless something is still mounted there
    if (!fs.readFileSync('/proc/self/mounts', 'utf8').includes(dir)) fs.rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 30_000;
  let ready = false;
  while (Date.now() < end && !ready) {
    if (fs.existsSync(socket)) {
      try {
        const v = await client.version();
        ready = v.runtimeName === 'containerd';
      } catch {
        // not yet
      }
    }
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }
  if (!ready) {
    await stop();
    return { ok: false, reason: `containerd's CRI did not answer on ${socket} (log ${dir}/containerd.log)` };
  }
  // images: the pause image is the test image sleeping
  let r = await sh('docker', ['image', 'inspect', PAUSE_IMAGE]);
  if (r.code !== 0) {
    const src = `tsysdig-pause-src-${process.pid}`;
    await sh('docker', ['create', '--name', src, TEST_IMAGE, '/bin/true']);
    r = await sh('docker', ['commit', '--change', 'CMD ["/bin/sleep","1000000"]', src, PAUSE_IMAGE]);
    await sh('docker', ['rm', '-f', src]);
    if (r.code !== 0) {
      await stop();
      return { ok: false, reason: `docker commit of the pause image failed: ${r.err.trim()}` };
    }
  }
  const save = spawn('docker', ['save', TEST_IMAGE, PAUSE_IMAGE], { stdio: ['ignore', 'pipe', 'ignore'] });
  r = await sh('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', '-'], save.stdout!);
  if (r.code !== 0) {
    await stop();
    return { ok: false, reason: `ctr images import failed: ${r.err.trim()}` };
  }
  return { ok: true, socket, dir, client, stop };
}

async function call(c: CriClient, method: string, body: ProtoWriter, service = 'RuntimeService'): Promise<ProtoMessage> {
  const r = await c.call(method, body.finish(), service);
  if (r.code !== GrpcCode.OK) throw new Error(`CRI ${method}: ${r.message || `gRPC status ${r.code}`}`);
  return ProtoMessage.decode(r.data);
}

export interface PodSpec {
  name: string;
  namespace: string;
  uid: string;
  /** Pod labels (on the sandbox). */
  labels: Record<string, string>;
  container: { name: string; labels?: Record<string, string>; command: string[] };
}

export interface RunningPod {
  /** The image's id ("sha256:…"), as the container was created from it. */
  imageRef: string;
  sandboxId: string;
  containerId: string;
  /** Host pid of the container's process. */
  pid: number;
  cgroupParent: string;
}

const NODE = 2; // NamespaceMode NODE: the host's network namespace (no CNI here)

/** Runs a pod (sandbox + one container) the way a kubelet does, with a cgroupfs kubepods parent. */
export async function runPod(c: CriClient, p: PodSpec): Promise<RunningPod> {
  const cgroupParent = `/kubepods/besteffort/pod${p.uid}`;
  const sandboxConfig = new ProtoWriter()
    .message(1, new ProtoWriter().string(1, p.name).string(2, p.uid).string(3, p.namespace))
    // no hostname: a host-network pod shares the host's UTS namespace
    .map(6, p.labels)
    .message(8, new ProtoWriter().string(1, cgroupParent).message(2, new ProtoWriter().message(1, new ProtoWriter().int(1, NODE))));
  const sandboxId = (await call(c, 'RunPodSandbox', new ProtoWriter().message(1, sandboxConfig))).string(1);
  // kubelet's labels on the container
  const labels = {
    'io.kubernetes.pod.name': p.name,
    'io.kubernetes.pod.namespace': p.namespace,
    'io.kubernetes.pod.uid': p.uid,
    'io.kubernetes.container.name': p.container.name,
    ...(p.container.labels ?? {}),
  };
  // like a kubelet, create the container from the image's id (ImageStatus → Image.id)
  const image = (await call(c, 'ImageStatus', new ProtoWriter().message(1, new ProtoWriter().string(1, `docker.io/library/${TEST_IMAGE}:latest`)), 'ImageService')).message(1);
  const imageRef = image?.string(1) ?? `docker.io/library/${TEST_IMAGE}:latest`;
  const cfg = new ProtoWriter()
    .message(1, new ProtoWriter().string(1, p.container.name))
    .message(2, new ProtoWriter().string(1, imageRef));
  for (const a of p.container.command) cfg.string(3, a);
  cfg.message(6, new ProtoWriter().string(1, 'POD_NAME').string(2, p.name)).map(9, labels);
  cfg.message(15, new ProtoWriter().message(2, new ProtoWriter().message(3, new ProtoWriter().int(1, NODE))));
  const containerId = (await call(c, 'CreateContainer', new ProtoWriter().string(1, sandboxId).message(2, cfg).message(3, sandboxConfig))).string(1);
  await call(c, 'StartContainer', new ProtoWriter().string(1, containerId));
  const st = await call(c, 'ContainerStatus', new ProtoWriter().string(1, containerId).bool(2, true));
  const info = JSON.parse(st.map(2).info ?? '{}') as { pid?: number };
  return { imageRef, sandboxId, containerId, pid: info.pid ?? 0, cgroupParent };
}

export async function removePod(c: CriClient, sandboxId: string): Promise<void> {
  await call(c, 'StopPodSandbox', new ProtoWriter().string(1, sandboxId)).catch(() => null);
  await call(c, 'RemovePodSandbox', new ProtoWriter().string(1, sandboxId)).catch(() => null);
}
