/**
 * Container metadata from a Kubernetes CRI runtime (containerd, cri-o) over
 * its gRPC socket, with node's own http2 and a hand-rolled protobuf codec:
 * Version (runtime name → container type), ContainerStatus (verbose: name,
 * labels, image, mounts, creation time, and from containerd's "info" JSON
 * the environment, image id, limits, privileged flag and pod sandbox id),
 * PodSandboxStatus (the pod IP; and pod sandbox containers themselves).
 * The runtime.v1 API is asked first, runtime.v1alpha2 when v1 is not served.
 * The short (12-digit) id from the cgroup is accepted by the runtimes as an
 * unambiguous id prefix, as sysdig relies on.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { type ContainerInfo, ContainerType, emptyContainer, parseJsonBytes } from '../state/containers.js';
import { LABEL_MAX_LENGTH, splitImage } from './docker-api.js';
import { ProtoMessage, ProtoWriter } from './protobuf.js';
import { SocketError, formatSeconds, socketErrorOf } from './unix-http.js';

/** gRPC status codes used here. */
export const enum GrpcCode {
  OK = 0,
  NOT_FOUND = 5,
  UNIMPLEMENTED = 12,
}

export interface GrpcReply {
  code: number;
  message: string;
  data: Buffer;
}

export interface CriVersion {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown): Json => (isObj(v) ? v : {});
const walk = (root: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), root);

/** Container type for a CRI runtime name (as sysdig maps it). */
export function criRuntimeType(runtimeName: string): ContainerType {
  return runtimeName === 'containerd' ? ContainerType.CONTAINERD : runtimeName === 'cri-o' ? ContainerType.CRIO : ContainerType.CRI;
}

function propagationName(p: bigint): string {
  switch (p) {
    case 0n: return 'private';
    case 1n: return 'rslave';
    case 2n: return 'rshared';
    default: return 'unknown';
  }
}

/**
 * Fills `info` from a ContainerStatusResponse. Returns the pod sandbox id
 * from containerd's verbose info ('' if none), whose IP is the container's.
 */
export function applyContainerStatus(info: ContainerInfo, resp: ProtoMessage): string {
  const st = resp.message(1);
  if (st === null) return '';
  info.fullId = st.string(1);
  info.name = st.message(2)?.string(1) ?? '';
  info.createdTime = Number(st.int64(4) / 1_000_000_000n);
  for (const [k, v] of Object.entries(st.map(12))) if (v.length <= LABEL_MAX_LENGTH) info.labels[k] = v;
  // image: name from the spec, digest from image_ref ("sha256:…" or "repo@sha256:…")
  const image = st.message(8)?.string(1) ?? '';
  const imageRef = st.string(9);
  const s = splitImage(image);
  info.image = image;
  info.imageRepo = s.repo;
  info.imageTag = s.tag;
  const d = imageRef.indexOf('sha256:');
  info.imageDigest = d === 0 || (d > 0 && imageRef[d - 1] === '@') ? imageRef.slice(d) : s.digest;
  for (const m of st.messages(14)) {
    info.mounts.push({ source: m.string(2), dest: m.string(1), mode: '', rw: !m.bool(3), propagation: propagationName(m.int(5)) });
  }
  // containerd's verbose info (cri-o has a flatter one)
  const infoJson = resp.map(2).info;
  if (infoJson === undefined) return '';
  let root: unknown;
  try {
    root = parseJsonBytes(infoJson);
  } catch {
    return '';
  }
  const envs = walk(root, 'config', 'envs');
  if (Array.isArray(envs)) {
    for (const e of envs) {
      const eo = obj(e);
      if (typeof eo.key === 'string' && typeof eo.value === 'string') info.env.push(`${eo.key}=${eo.value}`);
    }
  }
  const imageId = walk(root, 'config', 'image', 'image');
  if (typeof imageId === 'string') {
    const c = imageId.indexOf(':');
    info.imageId = c >= 0 ? imageId.slice(c + 1) : imageId;
  }
  const linux = walk(root, 'runtimeSpec', 'linux');
  if (isObj(linux)) {
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);
    const mem = walk(linux, 'resources', 'memory');
    if (isObj(mem)) {
      info.memoryLimit = num(mem.limit) ?? info.memoryLimit;
      info.swapLimit = info.memoryLimit;
    }
    const cpu = walk(linux, 'resources', 'cpu');
    if (isObj(cpu)) {
      info.cpuShares = num(cpu.shares) ?? info.cpuShares;
      info.cpuQuota = num(cpu.quota) ?? info.cpuQuota;
      info.cpuPeriod = num(cpu.period) ?? info.cpuPeriod;
      info.cpusetCpuCount = num(cpu.cpuset_cpu_count) ?? info.cpusetCpuCount;
    }
    for (const p of [walk(linux, 'security_context', 'privileged'), walk(root, 'config', 'linux', 'security_context', 'privileged'), walk(root, 'privileged')]) {
      if (typeof p === 'boolean') {
        info.privileged = p;
        break;
      }
    }
  }
  const sandbox = walk(root, 'sandboxID');
  return typeof sandbox === 'string' ? sandbox : '';
}

/** Pod sandbox facts from a PodSandboxStatusResponse. */
export interface SandboxStatus {
  id: string;
  name: string;
  uid: string;
  namespace: string;
  /** '' when the pod shares the host's network namespace or has no IP. */
  ip: string;
  labels: Record<string, string>;
  createdTime: number;
}

export function parseSandboxStatus(resp: ProtoMessage): SandboxStatus | null {
  const st = resp.message(1);
  if (st === null) return null;
  const md = st.message(2);
  const netMode = st.message(6)?.message(1)?.message(2)?.int(1) ?? 0n;
  const NODE = 2n;
  return {
    id: st.string(1),
    name: md?.string(1) ?? '',
    uid: md?.string(2) ?? '',
    namespace: md?.string(3) ?? '',
    ip: netMode === NODE ? '' : st.message(5)?.string(1) ?? '',
    labels: st.map(7),
    createdTime: Number(st.int64(4) / 1_000_000_000n),
  };
}

/** A client for one CRI socket. One HTTP/2 session is kept and reused. */
export class CriClient {
  private session: http2.ClientHttp2Session | null = null;
  private connecting: Promise<http2.ClientHttp2Session> | null = null;
  private service = 'runtime.v1';
  private versionInfo: CriVersion | null = null;

  constructor(
    readonly socketPath: string,
    readonly timeoutMs: number,
  ) {}

  private connect(): Promise<http2.ClientHttp2Session> {
    if (this.session !== null && !this.session.closed && !this.session.destroyed) return Promise.resolve(this.session);
    if (this.connecting !== null) return this.connecting;
    const p = new Promise<http2.ClientHttp2Session>((resolve, reject) => {
      const sock = net.connect(this.socketPath);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new SocketError('timeout', this.socketPath, `no answer within ${formatSeconds(this.timeoutMs)}`));
      }, this.timeoutMs);
      timer.unref();
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(socketErrorOf(err, this.socketPath));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        const session = http2.connect('http://localhost', { createConnection: () => sock });
        const drop = (): void => {
          if (this.session === session) this.session = null;
        };
        session.on('error', drop);
        session.on('close', drop);
        session.on('goaway', drop);
        session.unref();
        this.session = session;
        resolve(session);
      });
    });
    this.connecting = p;
    const clear = (): void => {
      this.connecting = null;
    };
    p.then(clear, clear);
    return p;
  }

  /** Closes the HTTP/2 session. */
  close(): void {
    this.session?.destroy();
    this.session = null;
  }

  /** One unary gRPC call; rejects with SocketError when the socket is missing or silent. */
  async call(method: string, body: Buffer, service = 'RuntimeService'): Promise<GrpcReply> {
    const session = await this.connect();
    return new Promise<GrpcReply>((resolve, reject) => {
      let done = false;
      let code: number | null = null;
      let message = '';
      const chunks: Buffer[] = [];
      const readStatus = (h: http2.IncomingHttpHeaders): void => {
        const s = h['grpc-status'];
        if (s !== undefined) code = Number(s);
        const m = h['grpc-message'];
        if (typeof m === 'string') {
          try {
            message = decodeURIComponent(m);
          } catch {
            message = m;
          }
        }
      };
      const finish = (err: Error | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err !== null) return reject(err);
        const data = Buffer.concat(chunks);
        let payload = Buffer.alloc(0);
        if (data.length >= 5) payload = data.subarray(5, 5 + data.readUInt32BE(1));
        resolve({ code: code ?? (data.length > 0 ? GrpcCode.OK : 2), message, data: payload });
      };
      const req = session.request({
        ':method': 'POST',
        ':path': `/${this.service}.${service}/${method}`,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.round(this.timeoutMs))}m`,
      });
      const timer = setTimeout(() => {
        req.close(http2.constants.NGHTTP2_CANCEL);
        // a runtime that does not answer this call will not answer the next one either
        session.destroy();
        finish(new SocketError('timeout', this.socketPath, `no answer within ${formatSeconds(this.timeoutMs)}`));
      }, this.timeoutMs);
      timer.unref();
      req.on('response', readStatus);
      req.on('trailers', readStatus);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => finish(null));
      req.on('close', () => finish(code !== null ? null : new SocketError('io', this.socketPath, 'stream closed without a status')));
      req.on('error', (err) => finish(socketErrorOf(err, this.socketPath)));
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(body.length, 1);
      req.end(Buffer.concat([frame, body]));
    });
  }

  /** A call on the RuntimeService, falling back from runtime.v1 to runtime.v1alpha2. */
  private async runtimeCall(method: string, body: Buffer): Promise<GrpcReply> {
    const r = await this.call(method, body);
    if (r.code === GrpcCode.UNIMPLEMENTED && this.service === 'runtime.v1') {
      this.service = 'runtime.v1alpha2';
      return this.call(method, body);
    }
    return r;
  }

  /** The runtime's name and versions (asked once). */
  async version(): Promise<CriVersion> {
    if (this.versionInfo !== null) return this.versionInfo;
    const apiName = (): string => (this.service === 'runtime.v1' ? 'v1' : 'v1alpha2');
    let r = await this.call('Version', new ProtoWriter().string(1, apiName()).finish());
    if (r.code === GrpcCode.UNIMPLEMENTED && this.service === 'runtime.v1') {
      this.service = 'runtime.v1alpha2';
      r = await this.call('Version', new ProtoWriter().string(1, apiName()).finish());
    }
    if (r.code !== GrpcCode.OK) throw new Error(`CRI Version failed: ${r.message || `gRPC status ${r.code}`}`);
    const m = ProtoMessage.decode(r.data);
    this.versionInfo = { version: m.string(1), runtimeName: m.string(2), runtimeVersion: m.string(3), runtimeApiVersion: m.string(4) };
    return this.versionInfo;
  }

  /** The API version in use ('runtime.v1' or 'runtime.v1alpha2'). */
  get apiService(): string {
    return this.service;
  }

  async sandboxStatus(id: string): Promise<SandboxStatus | null> {
    const r = await this.runtimeCall('PodSandboxStatus', new ProtoWriter().string(1, id).bool(2, true).finish());
    if (r.code !== GrpcCode.OK) return null;
    return parseSandboxStatus(ProtoMessage.decode(r.data));
  }

  /**
   * Metadata of one container (or pod sandbox) by id or unique id prefix;
   * null when the runtime knows neither.
   */
  async inspect(id: string): Promise<ContainerInfo | null> {
    const v = await this.version();
    const type = criRuntimeType(v.runtimeName);
    const info = emptyContainer(id, type);
    const r = await this.runtimeCall('ContainerStatus', new ProtoWriter().string(1, id).bool(2, true).finish());
    if (r.code !== GrpcCode.OK) {
      // not a container: perhaps the pod's sandbox ("pause") container
      const sb = await this.sandboxStatus(id);
      if (sb === null) return null;
      info.isPodSandbox = true;
      info.fullId = sb.id;
      info.name = sb.name;
      info.ip = sb.ip;
      info.createdTime = sb.createdTime;
      for (const [k, val] of Object.entries(sb.labels)) if (val.length <= LABEL_MAX_LENGTH) info.labels[k] = val;
      info.hasMetadata = true;
      return info;
    }
    const sandboxId = applyContainerStatus(info, ProtoMessage.decode(r.data));
    if (sandboxId !== '') {
      const sb = await this.sandboxStatus(sandboxId).catch(() => null);
      if (sb !== null) info.ip = sb.ip;
    }
    info.hasMetadata = true;
    return info;
  }
}
