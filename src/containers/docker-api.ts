/**
 * Container metadata from the Docker Engine API (also podman's
 * Docker-compatible API): GET /containers/ID/json, then the image's tags and
 * digests from /images/ID/json (or, for podman, the image list), mapped onto
 * ContainerInfo the way sysdig's docker engine maps them:
 *
 *   Id → fullId; Name (without the leading '/') → name; "k8s_POD…" → pod sandbox;
 *   Config.Image → image; Image ("sha256:…") → imageId; repo/tag/digest from
 *   the image name or the image's RepoTags/RepoDigests (tag defaults to "latest");
 *   Created → createdTime; NetworkSettings.IPAddress (or the IP of the
 *   container named by NetworkMode "container:ID") → ip; NetworkSettings.Ports
 *   (tcp) → portMappings; Config.Labels (values up to 100 bytes) → labels;
 *   Config.Env → env; HostConfig Memory/MemorySwap/CpuShares/CpuQuota/NanoCpus/
 *   CpuPeriod/CpusetCpus/Privileged → limits and privileged; Mounts → mounts;
 *   Config.Healthcheck or the Kubernetes pod spec label → health probes.
 *
 * The API is asked at version 1.24 first (as sysdig does), and unversioned
 * when the daemon refuses that version.
 */
import { type ContainerInfo, type HealthProbe, type HealthProbeType, ContainerType, emptyContainer, parseJsonBytes } from '../state/containers.js';
import { type HttpResult, unixGet } from './unix-http.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Strings of parsed API answers are byte strings already (parseJsonBytes). */
const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
const asInt = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
const obj = (v: unknown): Json => (isObj(v) ? v : {});

/** sysdig's limit on label values kept from the engines (bytes). */
export const LABEL_MAX_LENGTH = 100;

/** What to look up: the short id from the cgroup and the engine's type. */
export interface DockerLookup {
  id: string;
  type: ContainerType;
  /** podman: uid of a rootless container's owner (0: root). */
  podmanUid?: number;
}

/** sinsp_utils::split_container_image: "host:port/name:tag@digest" → [repo (host included), tag, digest]. */
export function splitImage(image: string): { repo: string; tag: string; digest: string } {
  let repoPrefix = '';
  let rem = image;
  const slash = image.indexOf('/');
  if (slash >= 0) {
    repoPrefix = image.slice(0, slash) + '/';
    rem = image.slice(slash + 1);
  }
  let name: string;
  let tag = '';
  let digest = '';
  const at = rem.indexOf('@');
  const nameTag = at >= 0 ? rem.slice(0, at) : rem;
  if (at >= 0) digest = rem.slice(at + 1);
  const colon = nameTag.indexOf(':');
  if (colon >= 0) {
    name = nameTag.slice(0, colon);
    tag = nameTag.slice(colon + 1);
  } else {
    name = nameTag;
  }
  return { repo: repoPrefix + name, tag, digest };
}

/** Seconds since the epoch of "2024-01-02T03:04:05.123456789Z" (fraction dropped, as strptime does). */
export function epochSeconds(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(s);
  if (m === null) return 0;
  return Math.floor(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000);
}

/** Host-order u32 of a dotted quad (0 when not an IPv4 address, as a failed inet_pton leaves it). */
export function ipv4ToU32(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m === null) return 0;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return 0;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** Number of CPUs in a cpuset list ("0-3,8" → 5; -1 when malformed). */
export function cpusetCount(list: string): number {
  let n = 0;
  for (const part of list.split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) return -1;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return -1;
    n += b - a + 1;
  }
  return n;
}

/** Strips pairs of matching leading/trailing quotes ('"x"' → 'x'). */
function normalizeArg(arg: string): string {
  let s = arg;
  while (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) s = s.slice(1, -1);
  return s;
}

function probeFromCommand(type: HealthProbeType, cmd: unknown[]): HealthProbe {
  return { type, exe: normalizeArg(asStr(cmd[0])), args: cmd.slice(1).map((a) => normalizeArg(asStr(a))) };
}

/** Health probes: a Kubernetes liveness/readiness probe from the pod spec label, else the image's HEALTHCHECK. */
export function parseHealthProbes(config: Json, sandboxProbes?: HealthProbe[]): HealthProbe[] {
  const labels = obj(config.Labels);
  const spec = labels['annotation.kubectl.kubernetes.io/last-applied-configuration'];
  if (typeof spec === 'string' && spec !== '') {
    let pod: unknown = null;
    try {
      pod = parseJsonBytes(spec);
    } catch {
      pod = null;
    }
    const containers = obj(obj(pod).spec).containers;
    if (Array.isArray(containers)) {
      const c = obj(containers[0]);
      const probe = isObj(c.livenessProbe) ? ['LivenessProbe', c.livenessProbe] as const
        : isObj(c.readinessProbe) ? ['ReadinessProbe', c.readinessProbe] as const : null;
      if (probe !== null) {
        const command = obj(obj(probe[1]).exec).command;
        if (Array.isArray(command)) return [probeFromCommand(probe[0], command)];
      }
      // a pod spec without probes: sysdig looks no further
      return [];
    }
  } else if (typeof labels['io.kubernetes.sandbox.id'] === 'string' && sandboxProbes !== undefined && sandboxProbes.length > 0) {
    return sandboxProbes.map((p) => ({ ...p, args: [...p.args] }));
  }
  const hc = config.Healthcheck;
  if (!isObj(hc) || !Array.isArray(hc.Test) || hc.Test.length < 2) return [];
  const test = hc.Test;
  if (test[0] === 'CMD') return [probeFromCommand('Healthcheck', test.slice(1))];
  if (test[0] === 'CMD-SHELL') return [{ type: 'Healthcheck', exe: '/bin/sh', args: ['-c', asStr(test[1])] }];
  return [];
}

/** parse_image_info: digest and tag from an image object (inspect or list entry). */
export function applyImageInfo(info: ContainerInfo, img: Json): void {
  if (typeof img.Digest === 'string') {
    info.imageDigest = img.Digest; // podman gives the digest directly
  } else {
    const digests = new Set<string>();
    for (const rd of Array.isArray(img.RepoDigests) ? img.RepoDigests : []) {
      if (typeof rd !== 'string') continue;
      const at = rd.indexOf('@');
      const digest = at >= 0 ? rd.slice(at + 1) : rd;
      digests.add(digest);
      if (info.imageRepo === '') info.imageRepo = at >= 0 ? rd.slice(0, at) : rd;
      if (rd.includes(info.imageRepo)) {
        info.imageDigest = digest;
        break;
      }
    }
    if (info.imageDigest === '' && digests.size === 1) info.imageDigest = [...digests][0]!;
  }
  for (const rt of Array.isArray(img.RepoTags) ? img.RepoTags : []) {
    if (typeof rt !== 'string') continue;
    const colon = rt.lastIndexOf(':');
    if (info.imageRepo === '') info.imageRepo = colon >= 0 ? rt.slice(0, colon) : rt;
    if (rt.includes(info.imageRepo)) {
      info.imageTag = colon >= 0 ? rt.slice(colon + 1) : rt;
      break;
    }
  }
}

/** What parseInspect could not settle alone: the image request to make, and a container whose IP we share. */
export interface InspectFollowUps {
  /** '/images/ID/json?digests=1' (docker) or '/images/json?digests=1' (podman, image given by name). */
  imagePath: string | null;
  /** NetworkMode "container:ID": the IP is that container's. */
  networkContainer: string | null;
}

/**
 * Maps a /containers/ID/json answer onto a ContainerInfo (everything but the
 * image details that need another request, described in the follow-ups).
 */
export function parseInspect(root: Json, req: DockerLookup, sandboxProbes?: (sandboxId: string) => HealthProbe[] | undefined): { info: ContainerInfo; followUps: InspectFollowUps } {
  const info = emptyContainer(req.id, req.type);
  const config = obj(root.Config);
  const hostConfig = obj(root.HostConfig);
  const followUps: InspectFollowUps = { imagePath: null, networkContainer: null };

  // image
  info.image = asStr(config.Image);
  const imgstr = asStr(root.Image);
  if (!imgstr.includes('/')) {
    const cpos = imgstr.indexOf(':');
    if (cpos >= 0) info.imageId = imgstr.slice(cpos + 1);
    // run by image id ("docker run 4317d6…"): the name comes from the image's tags
    const noName = info.imageId.startsWith(info.image) || imgstr.startsWith(info.image);
    if (!noName) {
      const s = splitImage(info.image);
      info.imageRepo = s.repo;
      info.imageTag = s.tag;
      info.imageDigest = s.digest;
    }
    if (info.imageId !== '' && (noName || info.imageDigest === '' || info.imageTag === '')) {
      followUps.imagePath = `/images/${info.imageId}/json?digests=1`;
    }
  } else {
    const s = splitImage(imgstr);
    info.imageRepo = s.repo;
    info.imageTag = s.tag;
    info.imageDigest = s.digest;
    if (info.imageTag === '') info.imageTag = 'latest';
    followUps.imagePath = '/images/json?digests=1';
  }

  const sandboxId = typeof obj(config.Labels)['io.kubernetes.sandbox.id'] === 'string' ? (obj(config.Labels)['io.kubernetes.sandbox.id'] as string).slice(0, 12) : '';
  info.healthProbes = parseHealthProbes(config, sandboxId !== '' ? sandboxProbes?.(sandboxId) : undefined);

  info.fullId = asStr(root.Id);
  info.name = asStr(root.Name);
  if (info.name.startsWith('/')) info.name = info.name.slice(1);
  if (info.name.startsWith('k8s_POD')) info.isPodSandbox = true;
  info.createdTime = epochSeconds(asStr(root.Created));

  const net = obj(root.NetworkSettings);
  const ip = asStr(net.IPAddress);
  if (ip !== '') {
    info.ip = ipv4ToU32(ip) !== 0 ? ip : '';
  } else {
    const mode = asStr(hostConfig.NetworkMode);
    if (mode.startsWith('container:')) followUps.networkContainer = mode.slice('container:'.length);
  }
  const ports = obj(net.Ports);
  for (const key of Object.keys(ports)) {
    if (!key.includes('/tcp')) continue;
    const containerPort = parseInt(key, 10) & 0xffff;
    const bindings = ports[key];
    if (!Array.isArray(bindings)) continue;
    for (const b of bindings) {
      const bo = obj(b);
      info.portMappings.push({ hostIp: ipv4ToU32(asStr(bo.HostIp)), hostPort: (parseInt(asStr(bo.HostPort), 10) || 0) & 0xffff, containerPort: Number.isNaN(containerPort) ? 0 : containerPort });
    }
  }

  for (const [k, v] of Object.entries(obj(config.Labels))) {
    const val = typeof v === 'string' ? v : v === null ? '' : String(v);
    if (val.length <= LABEL_MAX_LENGTH) info.labels[k] = val;
  }
  if (req.type === ContainerType.PODMAN) {
    if ((req.podmanUid ?? 0) <= 0) delete info.labels.podman_owner_uid;
    else info.labels.podman_owner_uid = String(req.podmanUid);
  }
  if (Array.isArray(config.Env)) for (const e of config.Env) if (typeof e === 'string') info.env.push(e);

  info.memoryLimit = asInt(hostConfig.Memory);
  info.swapLimit = asInt(hostConfig.MemorySwap);
  const shares = asInt(hostConfig.CpuShares);
  if (shares > 0) info.cpuShares = shares;
  info.cpuQuota = Math.max(asInt(hostConfig.CpuQuota), Math.trunc(asInt(hostConfig.NanoCpus) / 10000));
  const period = asInt(hostConfig.CpuPeriod);
  if (period > 0) info.cpuPeriod = period;
  const cpuset = asStr(hostConfig.CpusetCpus);
  if (cpuset !== '') info.cpusetCpuCount = cpusetCount(cpuset);
  if (typeof hostConfig.Privileged === 'boolean') info.privileged = hostConfig.Privileged;

  if (Array.isArray(root.Mounts)) {
    for (const m of root.Mounts) {
      const mo = obj(m);
      info.mounts.push({ source: asStr(mo.Source), dest: asStr(mo.Destination), mode: asStr(mo.Mode), rw: mo.RW === true, propagation: asStr(mo.Propagation) });
    }
  }
  return { info, followUps };
}

/** The image list entry named repo:tag (podman), or null. Stops at the first entry without Names, as sysdig does. */
export function findImageInList(list: unknown, repo: string, tag: string): Json | null {
  if (!Array.isArray(list)) return null;
  const want = `${repo}:${tag}`;
  for (const img of list) {
    const names = obj(img).Names;
    if (!Array.isArray(names)) return null;
    if (names.some((n) => n === want)) return obj(img);
  }
  return null;
}

/** Thrown for answers that are neither the container nor "no such container" (HTTP 500, bad JSON). */
export class EngineAnswerError extends Error {}

/** A client for one Docker-compatible socket. */
export class DockerApiClient {
  private apiVersion = '/v1.24';
  /** Image id → image JSON (or null when the image request failed). */
  private readonly images = new Map<string, Json | null>();

  constructor(
    readonly socketPath: string,
    readonly timeoutMs: number,
  ) {}

  /** GET with sysdig's version fallback: a 400 at /v1.24 retries (and stays) unversioned. */
  async get(path: string): Promise<HttpResult> {
    const res = await unixGet(this.socketPath, this.apiVersion + path, this.timeoutMs);
    if (res.status === 400 && this.apiVersion !== '') {
      this.apiVersion = '';
      return unixGet(this.socketPath, path, this.timeoutMs);
    }
    return res;
  }

  private async getJson(path: string): Promise<unknown | null> {
    const res = await this.get(path);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new EngineAnswerError(`HTTP ${res.status} for ${path}`);
    try {
      return parseJsonBytes(res.body);
    } catch {
      throw new EngineAnswerError(`unreadable JSON for ${path}`);
    }
  }

  /** Engine liveness check (GET /_ping). */
  async ping(): Promise<boolean> {
    const res = await unixGet(this.socketPath, '/_ping', this.timeoutMs);
    return res.status === 200;
  }

  /**
   * Metadata of one container; null when the engine does not know it (404).
   * Rejects with SocketError when the socket is missing or silent.
   */
  async inspect(req: DockerLookup, sandboxProbes?: (sandboxId: string) => HealthProbe[] | undefined): Promise<ContainerInfo | null> {
    const root = await this.getJson(`/containers/${encodeURIComponent(req.id)}/json`);
    if (root === null) return null;
    if (!isObj(root)) throw new EngineAnswerError('container JSON is not an object');
    const { info, followUps } = parseInspect(root, req, sandboxProbes);
    if (followUps.imagePath !== null) {
      try {
        if (followUps.imagePath.startsWith('/images/json')) {
          const img = findImageInList(await this.getJson(followUps.imagePath), info.imageRepo, info.imageTag);
          if (img !== null) {
            const id = asStr(img.Id);
            const cpos = id.indexOf(':');
            info.imageId = cpos >= 0 ? id.slice(cpos + 1) : id;
            applyImageInfo(info, img);
          }
        } else {
          let img = this.images.get(info.imageId);
          if (img === undefined) {
            const j = await this.getJson(followUps.imagePath);
            img = isObj(j) ? j : null;
            this.images.set(info.imageId, img);
          }
          if (img !== null) applyImageInfo(info, img);
        }
      } catch {
        // image details are a bonus: keep what the container told us
      }
    }
    if (!asStr(root.Image).includes('/') && info.imageTag === '') info.imageTag = 'latest';
    if (followUps.networkContainer !== null) {
      try {
        const other = await this.getJson(`/containers/${encodeURIComponent(followUps.networkContainer)}/json`);
        const ip = asStr(obj(obj(other).NetworkSettings).IPAddress);
        if (ipv4ToU32(ip) !== 0) info.ip = ip;
      } catch {
        // the IP stays unknown
      }
    }
    info.hasMetadata = true;
    return info;
  }
}
