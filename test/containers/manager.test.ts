/**
 * ContainerMetadataManager without a real engine: missing and hung sockets
 * (one reason, said once; the caller never waits), recovery when the engine
 * comes back, negative caching with backoff, and the Docker-compatible and
 * CRI clients against small local servers speaking their protocols.
 */
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { ContainerMetadataManager, requestMissingMetadata } from '../../src/containers/manager.js';
import { CriClient, applyContainerStatus } from '../../src/containers/cri-api.js';
import { DockerApiClient, cpusetCount, parseInspect, splitImage } from '../../src/containers/docker-api.js';
import { ProtoMessage, ProtoWriter } from '../../src/containers/protobuf.js';
import { SocketError } from '../../src/containers/unix-http.js';
import { type ContainerInfo, ContainerType, LookupState, emptyContainer } from '../../src/state/containers.js';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-ctm-'));
const sock = (name: string): string => path.join(DIR, name);
const NO_CRI = [sock('no-containerd.sock')];
const ID1 = '0b498d72a0955a5f69f6039b65ff196f6aff7a0fd1cbaf8580f388df3a397339';
const ID2 = 'e2c3bc5b8f7cd1f541bf2a3bcdbef29ac418d08b1d8fc4791bdf62629bf5a107';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  // last opened, first closed: clients before their servers
  for (const c of closers.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** A unix socket that accepts connections and never answers. */
async function hungSocket(p: string): Promise<{ connections: () => number }> {
  let n = 0;
  const held: net.Socket[] = [];
  const server = net.createServer((s) => {
    n++;
    held.push(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(p, r));
  closers.push(() => new Promise<void>((r) => {
    for (const s of held) s.destroy();
    server.close(() => r());
  }));
  return { connections: () => n };
}

type Handler = (url: string) => { status: number; body: unknown };

/** A Docker-compatible API on a unix socket. */
async function fakeDocker(p: string, handler: Handler): Promise<{ requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const { status, body } = handler(req.url ?? '');
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(p, r));
  const close = (): Promise<void> => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  closers.push(close);
  return { requests, close };
}

function inspectJson(id: string, name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: id,
    Created: '2024-05-01T10:20:30.123456789Z',
    Name: `/${name}`,
    Image: 'sha256:' + ID2,
    Config: { Image: 'tsysdig-busybox', Labels: { team: 'obs' }, Env: ['PATH=/bin', 'MESOS_TASK_ID=t.1'] },
    HostConfig: { NetworkMode: 'none', Privileged: false, Memory: 0, MemorySwap: 0, CpuShares: 0, CpuQuota: 0, NanoCpus: 0, CpuPeriod: 0, CpusetCpus: '' },
    NetworkSettings: { IPAddress: '', Ports: {} },
    Mounts: [],
    ...over,
  };
}

const IMAGE_JSON = { Id: 'sha256:' + ID2, RepoTags: ['tsysdig-busybox:latest'], RepoDigests: [] };

/** A CRI runtime (containerd-like) over gRPC on a unix socket. */
const frame = (msg: Buffer): Buffer => {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(msg.length, 1);
  return Buffer.concat([h, msg]);
};

async function fakeCri(p: string, opts: { v1: boolean }): Promise<{ paths: string[] }> {
  const paths: string[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const route = String(headers[':path']);
    paths.push(route);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const req = ProtoMessage.decode(body.subarray(5, 5 + body.readUInt32BE(1)));
      const reply = (code: number, msg?: Buffer): void => {
        if (msg === undefined) {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': 'not%20found' }, { endStream: true });
          return;
        }
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(code) }));
        stream.end(frame(msg));
      };
      if (!opts.v1 && route.startsWith('/runtime.v1.')) return reply(12);
      const method = route.split('/').pop();
      if (method === 'Version') return reply(0, new ProtoWriter().string(1, '0.1.0').string(2, 'containerd').string(3, 'v1.7.0').string(4, 'v1').finish());
      if (method === 'ContainerStatus') {
        if (req.string(1) !== ID1.slice(0, 12)) return reply(5);
        const info = JSON.stringify({
          sandboxID: ID2,
          config: { envs: [{ key: 'PATH', value: '/bin' }], image: { image: 'sha256:' + 'a'.repeat(64) }, linux: { security_context: { privileged: true } } },
          runtimeSpec: { linux: { resources: { memory: { limit: 134217728 }, cpu: { shares: 256, quota: 20000, period: 100000 } } } },
        });
        const status = new ProtoWriter()
          .string(1, ID1)
          .message(2, new ProtoWriter().string(1, 'web'))
          .int(4, 1_714_558_830_000_000_000n)
          .message(8, new ProtoWriter().string(1, 'docker.io/library/nginx:1.25'))
          .string(9, 'docker.io/library/nginx@sha256:' + 'b'.repeat(64))
          .map(12, { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.container.name': 'web' })
          .message(14, new ProtoWriter().string(1, '/data').string(2, '/srv/data').bool(3, true).int(5, 1));
        return reply(0, new ProtoWriter().message(1, status).map(2, { info }).finish());
      }
      if (method === 'PodSandboxStatus') {
        if (req.string(1) !== ID2 && req.string(1) !== ID2.slice(0, 12)) return reply(5);
        const st = new ProtoWriter()
          .string(1, ID2)
          .message(2, new ProtoWriter().string(1, 'web-0').string(2, 'uid-1').string(3, 'prod'))
          .message(5, new ProtoWriter().string(1, '10.244.1.7'))
          .map(7, { app: 'web', 'io.kubernetes.pod.name': 'web-0' });
        return reply(0, new ProtoWriter().message(1, st).finish());
      }
      return reply(12);
    });
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((r) => server.listen(p, r));
  closers.push(() => new Promise<void>((r) => {
    for (const s of sessions) s.destroy();
    server.close(() => r());
  }));
  return { paths };
}


describe('missing engine socket', () => {
  test('lookups return at once with the id; one reason, said once; containers wait instead of retrying each', async () => {
    const reasons: string[] = [];
    const updates: ContainerInfo[] = [];
    const docker = sock('missing/docker.sock');
    const m = new ContainerMetadataManager({ dockerSocket: docker, criSockets: NO_CRI, onReason: (r) => reasons.push(r), onUpdate: (i) => updates.push(i) });
    closers.push(() => m.close());
    const t0 = performance.now();
    const ids = ['aaaaaaaaaaa1', 'aaaaaaaaaaa2', 'aaaaaaaaaaa3', 'aaaaaaaaaaa4', 'aaaaaaaaaaa5'];
    const infos = ids.map((id) => m.lookup(id, ContainerType.DOCKER));
    expect(performance.now() - t0).toBeLessThan(50);
    expect(infos.map((i) => [i.id, i.name, i.hasMetadata])).toEqual(ids.map((id) => [id, '', false]));
    await m.idle();
    expect(reasons).toEqual([`docker: ${docker} not found — showing container ids only`]);
    expect(m.reason()).toBe(reasons[0]);
    expect(m.pending()).toBe(5);
    // Each container is delivered once as a failed lookup (shown by id), then waits for the engine.
    expect(updates.map((u) => [u.lookupState, u.hasMetadata])).toEqual(updates.map(() => [LookupState.FAILED, false]));
    expect(updates.map((u) => u.id).sort()).toEqual(ids);
    // more containers later: still said once
    m.lookup('aaaaaaaaaaa6', ContainerType.DOCKER);
    await m.idle();
    expect(reasons).toHaveLength(1);
  });

  test('a Kubernetes container with neither CRI nor docker: the CRI socket is the reason', async () => {
    const reasons: string[] = [];
    const m = new ContainerMetadataManager({ dockerSocket: sock('missing/docker.sock'), criSockets: [sock('missing/containerd.sock')], onReason: (r) => reasons.push(r) });
    closers.push(() => m.close());
    m.lookup('bbbbbbbbbbbb', ContainerType.CRI);
    await m.idle();
    expect(reasons).toEqual([`cri: ${sock('missing/containerd.sock')} not found — showing container ids only`]);
  });

  test('a socket file nobody listens on is "connection refused"', async () => {
    const p = sock('stale.sock');
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(p, r));
    await new Promise<void>((r) => s.close(() => r()));
    fs.writeFileSync(p, ''); // a plain file where the socket was
    const m = new ContainerMetadataManager({ dockerSocket: p, criSockets: NO_CRI });
    closers.push(() => m.close());
    m.lookup('cccccccccccc', ContainerType.DOCKER);
    await m.idle();
    expect(m.reason()).toBe(`docker: nothing listening on ${p} (connection refused) — showing container ids only`);
  });

  test('docker down on a node whose CRI runtime does not know the container: docker is the reason, the container waits for it', async () => {
    const reasons: string[] = [];
    const cri = sock('other-cri.sock');
    const srv = await fakeCri(cri, { v1: true });
    const docker = sock('missing/docker.sock');
    const m = new ContainerMetadataManager({ dockerSocket: docker, criSockets: [cri], retryBaseMs: 10, onReason: (r) => reasons.push(r) });
    closers.push(() => m.close());
    m.lookup('ffffffffffff', ContainerType.DOCKER);
    await m.idle();
    await sleep(50);
    expect(reasons).toEqual([`docker: ${docker} not found — showing container ids only`]);
    expect(m.pending()).toBe(1);
    // asked the CRI runtime once, no retry storm while docker is away
    expect(srv.paths.filter((x) => x.endsWith('/ContainerStatus'))).toHaveLength(1);
  });

  test('requestMissingMetadata: one call per refresh covers the containers of a state engine\'s table', async () => {
    const p = sock('table-docker.sock');
    const srv = await fakeDocker(p, (url) => (url.includes(`/containers/${ID1.slice(0, 12)}/json`) ? { status: 200, body: inspectJson(ID1, 'tab') } : { status: 404, body: {} }));
    const table = new Map<string, ContainerInfo>([[ID1.slice(0, 12), emptyContainer(ID1.slice(0, 12), ContainerType.DOCKER)], ['web01', { ...emptyContainer('web01', ContainerType.LXC) }]]);
    const m = new ContainerMetadataManager({ dockerSocket: p, criSockets: NO_CRI, onUpdate: (i) => table.set(i.id, i) });
    closers.push(() => m.close());
    requestMissingMetadata(table, m);
    await m.idle();
    await sleep(0);
    expect([table.get(ID1.slice(0, 12))!.name, table.get('web01')!.name]).toEqual(['tab', 'web01']);
    const n = srv.requests.length;
    requestMissingMetadata(table, m);
    await m.idle();
    expect(srv.requests.length).toBe(n);
  });

  test('lxc, libvirt-lxc, nspawn, bpm: no API, the name is the id at once', async () => {
    const updates: ContainerInfo[] = [];
    const m = new ContainerMetadataManager({ dockerSocket: sock('missing/docker.sock'), criSockets: NO_CRI, onUpdate: (i) => updates.push(i) });
    closers.push(() => m.close());
    const info = m.lookup('web01', ContainerType.LXC);
    expect([info.name, info.hasMetadata]).toEqual(['web01', true]);
    await sleep(0);
    expect(updates.map((u) => u.id)).toEqual(['web01']);
    expect(m.reason()).toBeNull();
  });
});

describe('hung engine socket', () => {
  test('docker: requests time out, the caller is never blocked, the engine is asked at most once per slot', async () => {
    const p = sock('hung-docker.sock');
    const hung = await hungSocket(p);
    const reasons: string[] = [];
    const m = new ContainerMetadataManager({ dockerSocket: p, criSockets: NO_CRI, timeoutMs: 300, concurrency: 2, onReason: (r) => reasons.push(r) });
    closers.push(() => m.close());
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) m.lookup(`ddddddddddd${i}`, ContainerType.DOCKER);
    const spent = performance.now() - t0;
    expect(spent).toBeLessThan(50);
    // the event loop keeps turning while lookups hang
    let ticks = 0;
    const iv = setInterval(() => ticks++, 20);
    await m.idle();
    clearInterval(iv);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(2000);
    expect(ticks).toBeGreaterThan(5);
    expect(reasons).toEqual([`docker: no answer from ${p} within 0.3 s — showing container ids only`]);
    // the first two timed out; the other four found the engine down without connecting
    expect(hung.connections()).toBe(2);
    expect(m.pending()).toBe(6);
  });

  test('CRI: a gRPC socket that never answers times out as well', async () => {
    const p = sock('hung-cri.sock');
    await hungSocket(p);
    const c = new CriClient(p, 300);
    closers.push(() => c.close());
    const t0 = performance.now();
    const err = await c.version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).kind).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});

describe('engine comes back, caching, retries', () => {
  test('containers waiting for a missing engine are looked up once it answers; the reason is withdrawn', async () => {
    const p = sock('late-docker.sock');
    const updates: ContainerInfo[] = [];
    const m = new ContainerMetadataManager({ dockerSocket: p, criSockets: NO_CRI, engineRetryMs: 100, onUpdate: (i) => updates.push(i) });
    closers.push(() => m.close());
    m.lookup(ID1.slice(0, 12), ContainerType.DOCKER);
    await m.idle();
    expect(m.reason()).not.toBeNull();
    const srv = await fakeDocker(p, (url) => {
      if (url.startsWith(`/v1.24/containers/${ID1.slice(0, 12)}/json`)) return { status: 200, body: inspectJson(ID1, 'late') };
      if (url.startsWith(`/v1.24/images/${ID2}/json`)) return { status: 200, body: IMAGE_JSON };
      if (url === '/v1.24/_ping') return { status: 200, body: 'OK' };
      return { status: 404, body: { message: 'no such thing' } };
    });
    await until(() => updates.some((u) => u.hasMetadata));
    expect(updates[0]).toMatchObject({ id: ID1.slice(0, 12), lookupState: LookupState.FAILED, hasMetadata: false });
    expect(updates.find((u) => u.hasMetadata)).toMatchObject({ id: ID1.slice(0, 12), fullId: ID1, name: 'late', image: 'tsysdig-busybox', imageRepo: 'tsysdig-busybox', imageTag: 'latest', imageId: ID2, lookupState: LookupState.SUCCESSFUL, hasMetadata: true, createdTime: 1714558830 });
    expect(m.reason()).toBeNull();
    expect(m.get(ID1.slice(0, 12))!.name).toBe('late');
    // cached: asking again makes no request
    const before = srv.requests.length;
    expect(m.lookup(ID1.slice(0, 12), ContainerType.DOCKER).name).toBe('late');
    await m.idle();
    expect(srv.requests.length).toBe(before);
  });

  test('a container the engine does not know: retried with a doubling backoff, then left alone', async () => {
    const p = sock('404-docker.sock');
    const srv = await fakeDocker(p, () => ({ status: 404, body: { message: 'No such container' } }));
    const updates: ContainerInfo[] = [];
    let now = 0;
    const m = new ContainerMetadataManager({ dockerSocket: p, criSockets: NO_CRI, retryBaseMs: 30, maxAttempts: 3, retryMaxMs: 10_000, onUpdate: (i) => updates.push(i), now: () => now });
    closers.push(() => m.close());
    const t0 = performance.now();
    m.lookup('eeeeeeeeeeee', ContainerType.DOCKER);
    await until(() => updates.length === 1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(30 + 60 - 5);
    const inspects = srv.requests.filter((u) => u.includes('/containers/eeeeeeeeeeee/json'));
    expect(inspects).toHaveLength(3);
    expect([updates[0]!.lookupState, updates[0]!.hasMetadata]).toEqual([LookupState.FAILED, false]);
    expect(m.reason()).toBeNull(); // the engine answered: nothing to explain
    // negative cache: no new request until retryMaxMs has passed
    m.lookup('eeeeeeeeeeee', ContainerType.DOCKER);
    await m.idle();
    expect(srv.requests.filter((u) => u.includes('/containers/eeeeeeeeeeee/json'))).toHaveLength(3);
    now += 10_001;
    m.lookup('eeeeeeeeeeee', ContainerType.DOCKER);
    await m.idle();
    expect(srv.requests.filter((u) => u.includes('/containers/eeeeeeeeeeee/json'))).toHaveLength(4);
  });

  test('an engine refusing API 1.24 is asked unversioned from then on', async () => {
    const p = sock('new-docker.sock');
    const srv = await fakeDocker(p, (url) => {
      if (url.startsWith('/v1.24/')) return { status: 400, body: { message: 'client version 1.24 is too old. Minimum supported API version is 1.44' } };
      if (url.startsWith(`/containers/${ID1.slice(0, 12)}/json`)) return { status: 200, body: inspectJson(ID1, 'modern') };
      if (url.startsWith(`/images/${ID2}/json`)) return { status: 200, body: IMAGE_JSON };
      return { status: 404, body: {} };
    });
    const c = new DockerApiClient(p, 1000);
    const info = await c.inspect({ id: ID1.slice(0, 12), type: ContainerType.DOCKER });
    expect(info!.name).toBe('modern');
    expect(srv.requests).toEqual([`/v1.24/containers/${ID1.slice(0, 12)}/json`, `/containers/${ID1.slice(0, 12)}/json`, `/images/${ID2}/json?digests=1`]);
  });

  test('podman\'s Docker-compatible API: image given by name, digest from the image list; rootless owner label', async () => {
    const p = sock('podman.sock');
    await fakeDocker(p, (url) => {
      if (url.startsWith(`/v1.24/containers/${ID1.slice(0, 12)}/json`)) {
        return { status: 200, body: inspectJson(ID1, 'pod-web', { Image: 'docker.io/library/busybox:1.36', Config: { Image: 'docker.io/library/busybox:1.36', Labels: { podman_owner_uid: '7' } } }) };
      }
      if (url.startsWith('/v1.24/images/json')) {
        return { status: 200, body: [{ Id: 'sha256:' + ID2, Names: ['docker.io/library/busybox:1.36'], Digest: 'sha256:' + 'f'.repeat(64), RepoTags: ['docker.io/library/busybox:1.36'] }] };
      }
      return { status: 404, body: {} };
    });
    const updates: ContainerInfo[] = [];
    const m = new ContainerMetadataManager({ podmanSocket: sock('none.sock'), podmanUserSocket: (uid) => (uid === 1000 ? p : sock('x.sock')), criSockets: NO_CRI, onUpdate: (i) => updates.push(i) });
    closers.push(() => m.close());
    m.lookup(ID1.slice(0, 12), ContainerType.PODMAN, { podmanUid: 1000 });
    await until(() => updates.length === 1);
    expect(updates[0]).toMatchObject({ type: ContainerType.PODMAN, name: 'pod-web', image: 'docker.io/library/busybox:1.36', imageRepo: 'docker.io/library/busybox', imageTag: '1.36', imageId: ID2, imageDigest: 'sha256:' + 'f'.repeat(64), labels: { podman_owner_uid: '1000' } });
  });

  test('a Kubernetes container (runtime unknown) that docker answers for becomes a docker container', async () => {
    const p = sock('k8s-docker.sock');
    await fakeDocker(p, (url) => (url.includes('/containers/') ? { status: 200, body: inspectJson(ID1, 'k8s_web_web-0_prod_uid_0', { Config: { Image: 'nginx:1.25', Labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod' } } }) } : { status: 404, body: {} }));
    const updates: ContainerInfo[] = [];
    const m = new ContainerMetadataManager({ dockerSocket: p, criSockets: NO_CRI, onUpdate: (i) => updates.push(i) });
    closers.push(() => m.close());
    m.lookup(ID1.slice(0, 12), ContainerType.CRI);
    await until(() => updates.length === 1);
    expect(updates[0]).toMatchObject({ type: ContainerType.DOCKER, image: 'nginx:1.25', imageRepo: 'nginx', imageTag: '1.25', labels: { 'io.kubernetes.pod.name': 'web-0' } });
    expect(m.reason()).toBeNull(); // the missing CRI socket did not matter
  });
});

describe('docker inspect mapping (sysdig\'s rules)', () => {
  test('ports, limits, cpus, healthcheck, mounts, privileged, sandbox name, long labels', () => {
    const long = 'x'.repeat(101);
    const root = inspectJson(ID1, 'k8s_POD_web-0_prod_uid_0', {
      Config: { Image: 'registry.local:5000/team/app:2.1@sha256:abcd', Labels: { keep: 'y', drop: long }, Healthcheck: { Test: ['CMD', '"/bin/check"', '--fast'] } },
      HostConfig: { NetworkMode: 'bridge', Privileged: true, Memory: 1 << 28, MemorySwap: 1 << 29, CpuShares: 512, CpuQuota: 0, NanoCpus: 1_500_000_000, CpuPeriod: 0, CpusetCpus: '0-3,8' },
      NetworkSettings: { IPAddress: '172.17.0.5', Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '53/udp': [{ HostIp: '0.0.0.0', HostPort: '53' }] } },
      Mounts: [{ Source: '/srv', Destination: '/data', Mode: 'z', RW: true, Propagation: 'rprivate' }],
    });
    const { info, followUps } = parseInspect(root, { id: ID1.slice(0, 12), type: ContainerType.DOCKER });
    expect(info).toMatchObject({
      name: 'k8s_POD_web-0_prod_uid_0', isPodSandbox: true, image: 'registry.local:5000/team/app:2.1@sha256:abcd', imageId: ID2,
      imageRepo: 'registry.local:5000/team/app', imageTag: '2.1', imageDigest: 'sha256:abcd', ip: '172.17.0.5', privileged: true,
      memoryLimit: 1 << 28, swapLimit: 1 << 29, cpuShares: 512, cpuQuota: 150000, cpuPeriod: 100000, cpusetCpuCount: 5,
      labels: { keep: 'y' }, mounts: [{ source: '/srv', dest: '/data', mode: 'z', rw: true, propagation: 'rprivate' }],
      healthProbes: [{ type: 'Healthcheck', exe: '/bin/check', args: ['--fast'] }],
      portMappings: [{ hostIp: 0, hostPort: 8080, containerPort: 80 }, { hostIp: 0, hostPort: 8080, containerPort: 80 }],
    });
    expect(followUps.imagePath).toBeNull(); // tag and digest known from the name
  });

  test('a container sharing another\'s network asks for that container\'s IP; CMD-SHELL health checks', () => {
    const { info, followUps } = parseInspect(inspectJson(ID1, 'side', { HostConfig: { NetworkMode: `container:${ID2}` }, Config: { Image: 'x', Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost || exit 1'] } } }), { id: 'x', type: ContainerType.DOCKER });
    expect(followUps.networkContainer).toBe(ID2);
    expect(info.healthProbes).toEqual([{ type: 'Healthcheck', exe: '/bin/sh', args: ['-c', 'curl -f localhost || exit 1'] }]);
  });

  test('the Kubernetes pod spec label gives the liveness probe', () => {
    const spec = JSON.stringify({ spec: { containers: [{ livenessProbe: { exec: { command: ['/bin/live', '-v'] } } }] } });
    const { info } = parseInspect(inspectJson(ID1, 'k8s_app', { Config: { Image: 'app', Labels: { 'annotation.kubectl.kubernetes.io/last-applied-configuration': spec } } }), { id: 'x', type: ContainerType.DOCKER });
    expect(info.healthProbes).toEqual([{ type: 'LivenessProbe', exe: '/bin/live', args: ['-v'] }]);
  });

  test('image names and cpuset lists', () => {
    expect(splitImage('redis')).toEqual({ repo: 'redis', tag: '', digest: '' });
    expect(splitImage('redis:7')).toEqual({ repo: 'redis', tag: '7', digest: '' });
    expect(splitImage('docker.io/library/redis:7@sha256:ab')).toEqual({ repo: 'docker.io/library/redis', tag: '7', digest: 'sha256:ab' });
    expect(splitImage('localhost:5000/app')).toEqual({ repo: 'localhost:5000/app', tag: '', digest: '' });
    expect([cpusetCount('0'), cpusetCount('0-3,8'), cpusetCount('2,4,6'), cpusetCount('x')]).toEqual([1, 5, 3, -1]);
  });
});

describe('CRI over gRPC (a local runtime speaking the CRI protocol)', () => {
  for (const v1 of [true, false]) {
    test(`container status → ContainerInfo (runtime.${v1 ? 'v1' : 'v1alpha2'})`, async () => {
      const p = sock(`cri-${v1}.sock`);
      const srv = await fakeCri(p, { v1 });
      const updates: ContainerInfo[] = [];
      const m = new ContainerMetadataManager({ dockerSocket: sock('missing/docker.sock'), criSockets: [sock('missing/c.sock'), p], onUpdate: (i) => updates.push(i) });
      closers.push(() => m.close());
      m.lookup(ID1.slice(0, 12), ContainerType.CONTAINERD);
      m.lookup(ID2.slice(0, 12), ContainerType.CONTAINERD); // the pod's sandbox
      await until(() => updates.length === 2);
      const web = updates.find((u) => u.id === ID1.slice(0, 12))!;
      expect(web).toMatchObject({
        type: ContainerType.CONTAINERD, fullId: ID1, name: 'web', createdTime: 1714558830, image: 'docker.io/library/nginx:1.25',
        imageRepo: 'docker.io/library/nginx', imageTag: '1.25', imageDigest: 'sha256:' + 'b'.repeat(64), imageId: 'a'.repeat(64),
        ip: '10.244.1.7', privileged: true, memoryLimit: 134217728, swapLimit: 134217728, cpuShares: 256, cpuQuota: 20000, env: ['PATH=/bin'],
        mounts: [{ source: '/srv/data', dest: '/data', mode: '', rw: false, propagation: 'rslave' }],
        labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.container.name': 'web' },
      });
      const sandbox = updates.find((u) => u.id === ID2.slice(0, 12))!;
      expect(sandbox).toMatchObject({ isPodSandbox: true, name: 'web-0', ip: '10.244.1.7', labels: { app: 'web' } });
      expect(srv.paths.some((x) => x.startsWith(v1 ? '/runtime.v1.RuntimeService/' : '/runtime.v1alpha2.RuntimeService/ContainerStatus'))).toBe(true);
      expect(m.reason()).toBeNull();
    });
  }

  test('protobuf: decoding what we encode, unknown fields skipped', () => {
    const msg = new ProtoWriter().string(1, 'a').int(3, -5n).bool(4, true).map(5, { k: 'v' }).message(6, new ProtoWriter().string(1, 'in')).finish();
    const m = ProtoMessage.decode(Buffer.concat([msg, Buffer.from([0x3d, 1, 2, 3, 4])])); // + fixed32 field 7
    expect([m.string(1), m.int64(3), m.bool(4), m.map(5), m.message(6)!.string(1), m.string(99)]).toEqual(['a', -5n, true, { k: 'v' }, 'in', '']);
    const info = emptyContainer('x', ContainerType.CRI);
    expect(applyContainerStatus(info, ProtoMessage.decode(Buffer.alloc(0)))).toBe('');
  });
});
