/**
 * Containers: identity from a thread's cgroup paths, metadata from container
 * events (in captures) or from the engines' APIs (live, see src/containers/).
 * A thread whose cgroups match no runtime layout belongs to the host (id '').
 *
 * Cgroups arrive as "subsys=path" entries, as scap records them: one entry
 * per controller of each cgroup v1 hierarchy ("cpu=/docker/ID",
 * "name=systemd=/docker/ID"), and for the cgroup v2 unified hierarchy
 * ("0::/system.slice/docker-ID.scope" in /proc/PID/cgroup) the same path
 * under the subsystem names "cpu", "memory" and "cpuset" (scap's default
 * list for v2). The eBPF probe writes the kernel's own controller names
 * ("cpuset=", "cpu=", "cpuacct=", "io=", "memory=") with full paths.
 *
 * Recognition follows sysdig's container engines, in sysdig's order, so the
 * ids tsysdig derives match the ids in sysdig's captures:
 *   podman (libpod-ID.scope; rootless podman-PID.scope/ID) →
 *   docker (/…/ID, docker-ID.scope; under kubepods the runtime is ambiguous: CRI) →
 *   CRI (cri-containerd-ID.scope, :cri-containerd:ID, crio-ID, crio-ID.scope) →
 *   lxc (/lxc/NAME, /lxc.payload/NAME, /lxc.payload.NAME) →
 *   libvirt-lxc (NAME.libvirt-lxc, machine-lxc\x2dNAME.scope, /libvirt/lxc/NAME) →
 *   systemd-nspawn (machine.slice/machine-NAME.scope, systemd-nspawn@NAME.service; tsysdig only) →
 *   bpm (bpm-ID.scope).
 * 64-hex-digit runtime ids are reported by their first 12 digits, as sysdig does.
 *
 * String fields follow the rest of tsysdig's convention: one char per byte
 * ("latin1"), so capture bytes (UTF-8 or not) pass through unchanged.
 */

/** Container runtimes, numbered as the capture's container events number them. */
export const enum ContainerType {
  DOCKER = 0,
  LXC = 1,
  LIBVIRT_LXC = 2,
  MESOS = 3,
  RKT = 4,
  CUSTOM = 5,
  CRI = 6,
  CONTAINERD = 7,
  CRIO = 8,
  BPM = 9,
  STATIC = 10,
  PODMAN = 11,
}

const TYPE_NAMES: Record<number, string> = {
  0: 'docker',
  1: 'lxc',
  2: 'libvirt-lxc',
  3: 'mesos',
  4: 'rkt',
  5: 'custom',
  6: 'cri',
  7: 'containerd',
  8: 'cri-o',
  9: 'bpm',
  10: 'static',
  11: 'podman',
};

export function containerTypeName(t: number): string {
  return TYPE_NAMES[t] ?? 'unknown';
}

/** State of a metadata lookup, numbered as in the capture's container JSON ("lookup_state"). */
export const enum LookupState {
  STARTED = 0,
  SUCCESSFUL = 1,
  FAILED = 2,
}

export interface ContainerMount {
  source: string;
  dest: string;
  mode: string;
  rw: boolean;
  propagation: string;
}

export interface ContainerPortMapping {
  /** Host IPv4 address as a host-order u32 (0: any). */
  hostIp: number;
  hostPort: number;
  containerPort: number;
}

/** Health probe kinds, as named in the container JSON. */
export type HealthProbeType = 'Healthcheck' | 'LivenessProbe' | 'ReadinessProbe';

export interface HealthProbe {
  type: HealthProbeType;
  exe: string;
  args: string[];
}

export interface ContainerInfo {
  /** Short id (12 hex digits for docker/CRI/podman; the name for lxc, libvirt-lxc, nspawn, bpm). */
  id: string;
  type: number;
  name: string;
  image: string;
  imageId: string;
  imageRepo: string;
  imageTag: string;
  imageDigest: string;
  privileged: boolean;
  /** Container IP as dotted quad ('' if unknown; written as "0.0.0.0" in container events). */
  ip: string;
  labels: Record<string, string>;
  /** True once metadata (beyond the id) is known. */
  hasMetadata: boolean;
  /** Full runtime id (64 hex digits for docker/CRI/podman; '' if unknown). */
  fullId: string;
  /** A Kubernetes pod sandbox ("pause") container. */
  isPodSandbox: boolean;
  lookupState: LookupState;
  /** Creation time, seconds since the epoch (0 if unknown). */
  createdTime: number;
  mounts: ContainerMount[];
  portMappings: ContainerPortMapping[];
  /** Environment ("K=V"); container events carry only the Mesos/Marathon ones. */
  env: string[];
  memoryLimit: number;
  swapLimit: number;
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
  cpusetCpuCount: number;
  mesosTaskId: string;
  healthProbes: HealthProbe[];
  metadataDeadline: number;
}

export function emptyContainer(id: string, type: number): ContainerInfo {
  return {
    id,
    type,
    name: '',
    image: '',
    imageId: '',
    imageRepo: '',
    imageTag: '',
    imageDigest: '',
    privileged: false,
    ip: '',
    labels: {},
    hasMetadata: false,
    fullId: '',
    isPodSandbox: false,
    lookupState: LookupState.SUCCESSFUL,
    createdTime: 0,
    mounts: [],
    portMappings: [],
    env: [],
    // sysdig's defaults for a container whose limits are unknown
    memoryLimit: 0,
    swapLimit: 0,
    cpuShares: 1024,
    cpuQuota: 0,
    cpuPeriod: 100000,
    cpusetCpuCount: 0,
    mesosTaskId: '',
    healthProbes: [],
    metadataDeadline: 0,
  };
}

// ---------------------------------------------------------------------------
// Recognition
// ---------------------------------------------------------------------------

/** What a thread's cgroups say about its container. */
export interface ContainerMatch {
  /** Short id, as sysdig reports it. */
  id: string;
  type: ContainerType;
  /** Full 64-hex-digit id when the cgroup carries it ('' otherwise). */
  fullId: string;
  /** The cgroup path that matched. */
  cgroup: string;
  /** Podman only: uid owning a rootless container (0: root podman). */
  podmanUid?: number;
  /** Kubernetes pod uid when the cgroup is under kubepods ('' otherwise). */
  podUid?: string;
}

const ID_LENGTH = 64;
const SHORT_ID_LENGTH = 12;
const HEX_ID = /^[0-9a-fA-F]{64}$/;

/**
 * sysdig's runc rule: the cgroup ends with <prefix><64 hex digits><suffix>,
 * where prefix and suffix are their last occurrences in the path. Returns the
 * full id or null.
 */
function matchRuncId(cgroup: string, prefix: string, suffix: string): string | null {
  let start = cgroup.lastIndexOf(prefix);
  if (start < 0) return null;
  start += prefix.length;
  const end = suffix === '' ? cgroup.length : cgroup.lastIndexOf(suffix);
  if (end < 0 || end - start !== ID_LENGTH) return null;
  const id = cgroup.slice(start, end);
  return HEX_ID.test(id) ? id : null;
}

interface Entry {
  subsys: string;
  path: string;
}

function splitEntries(cgroups: readonly string[]): Entry[] {
  const out: Entry[] = [];
  for (const entry of cgroups) {
    // sysdig splits at the last '=' ("name=systemd=/x" is subsystem "name=systemd")
    const eq = entry.lastIndexOf('=');
    out.push(eq >= 0 ? { subsys: entry.slice(0, eq), path: entry.slice(eq + 1) } : { subsys: '', path: entry });
  }
  return out;
}

function runcMatch(path: string, fullId: string, type: ContainerType): ContainerMatch {
  const m: ContainerMatch = { id: fullId.slice(0, SHORT_ID_LENGTH), type, fullId, cgroup: path };
  const pod = podUidOf(path);
  if (pod !== '') m.podUid = pod;
  return m;
}

/** Kubernetes pod uid from a kubepods cgroup path ('' if none): ".../podUID/..." or "...-podUID.slice". */
export function podUidOf(path: string): string {
  if (!path.includes('kubepods')) return '';
  let m = /\/pod([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\/|$)/.exec(path);
  if (m !== null) return m[1]!;
  // systemd driver: dashes in the uid become underscores
  m = /-pod([0-9a-fA-F]{8}_[0-9a-fA-F]{4}_[0-9a-fA-F]{4}_[0-9a-fA-F]{4}_[0-9a-fA-F]{12})\.slice/.exec(path);
  if (m !== null) return m[1]!.replace(/_/g, '-');
  return '';
}

function matchPodman(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    const id = matchRuncId(path, '/libpod-', '.scope');
    if (id !== null) {
      // root: /machine.slice/libpod-ID.scope[/container]; rootless: /user.slice/user-UID.slice/…/libpod-ID.scope
      const u = /^\/user\.slice\/user-(\d+)\.slice\//.exec(path);
      return { ...runcMatch(path, id, ContainerType.PODMAN), podmanUid: u !== null ? Number(u[1]) : 0 };
    }
  }
  // Rootless podman with the cgroupfs manager: name=systemd=…/podman-PID.scope/ID
  for (const { subsys, path } of entries) {
    if (subsys !== 'name=systemd') continue;
    const pos = path.indexOf('podman-');
    if (pos < 0 || !/^podman-\d+\.scope\/./.test(path.slice(pos))) continue;
    const id = matchRuncId(path, '.scope/', '');
    if (id === null) continue;
    const u = /^\/user\.slice\/user-(\d+)\.slice\//.exec(path);
    return { ...runcMatch(path, id, ContainerType.PODMAN), podmanUid: u !== null ? Number(u[1]) : -1 };
  }
  return null;
}

function matchDocker(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    let id = matchRuncId(path, '/', '');
    if (id !== null) {
      // /docker/ID (cgroupfs driver). Under kubepods the same layout is used by
      // dockershim, containerd and cri-o alike: the runtime is known only once an API answers.
      return runcMatch(path, id, path.includes('kubepods') ? ContainerType.CRI : ContainerType.DOCKER);
    }
    id = matchRuncId(path, '/docker-', '.scope');
    if (id !== null) return runcMatch(path, id, ContainerType.DOCKER);
  }
  return null;
}

const CRI_LAYOUTS: ReadonlyArray<readonly [string, string, ContainerType]> = [
  ['/crio-', '', ContainerType.CRIO],
  ['/cri-containerd-', '.scope', ContainerType.CONTAINERD],
  ['/crio-', '.scope', ContainerType.CRIO],
  [':cri-containerd:', '', ContainerType.CONTAINERD],
];

function matchCri(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    for (const [prefix, suffix, type] of CRI_LAYOUTS) {
      const id = matchRuncId(path, prefix, suffix);
      if (id !== null) return runcMatch(path, id, type);
    }
  }
  return null;
}

function named(id: string, type: ContainerType, path: string): ContainerMatch {
  return { id, type, fullId: '', cgroup: path };
}

function matchLxc(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    for (const marker of ['/lxc/', '/lxc.payload/', '/lxc.payload.']) {
      const pos = path.indexOf(marker);
      if (pos < 0) continue;
      const start = pos + marker.length;
      const end = path.indexOf('/', start);
      const id = path.slice(start, end < 0 ? path.length : end);
      if (id !== '') return named(id, ContainerType.LXC, path);
    }
  }
  return null;
}

function matchLibvirtLxc(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    // non-systemd: /machine/NAME.libvirt-lxc
    if (path.endsWith('.libvirt-lxc')) {
      const slash = path.lastIndexOf('/');
      if (slash >= 0) return named(path.slice(slash + 1, path.length - '.libvirt-lxc'.length), ContainerType.LIBVIRT_LXC, path);
    }
    // systemd: /machine.slice/machine-lxc\x2dPID\x2dNAME.scope (sysdig keeps the id escaped)
    const pos = path.indexOf('-lxc\\x2');
    if (pos >= 0 && path.endsWith('.scope')) {
      const start = pos + '-lxc\\x2d'.length;
      const end = path.length - '.scope'.length;
      if (end >= start) return named(path.slice(start, end), ContainerType.LIBVIRT_LXC, path);
    }
    // legacy: /libvirt/lxc/NAME
    const legacy = path.indexOf('/libvirt/lxc/');
    if (legacy >= 0) return named(path.slice(legacy + '/libvirt/lxc/'.length), ContainerType.LIBVIRT_LXC, path);
  }
  return null;
}

/** Undoes systemd unit-name escaping ("\x2d" → "-"). */
function systemdUnescape(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function matchNspawn(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    // machinectl / systemd-nspawn --register: /machine.slice/machine-NAME.scope[/payload…]
    let m = /\/machine\.slice\/machine-([^/]+)\.scope(?:\/|$)/.exec(path);
    if (m !== null) {
      const name = m[1]!;
      // libvirt's qemu VMs and lxc domains live here too: not nspawn containers
      if (name.startsWith('qemu\\x2d') || name.startsWith('lxc\\x2d')) continue;
      if (path.endsWith('/supervisor')) continue;
      return named(systemdUnescape(name), ContainerType.CUSTOM, path);
    }
    // systemd-nspawn@NAME.service (the payload; the supervisor is the nspawn process itself)
    m = /\/machine\.slice\/systemd-nspawn@([^/]+)\.service(?:\/|$)/.exec(path);
    if (m !== null && !path.endsWith('/supervisor')) return named(systemdUnescape(m[1]!), ContainerType.CUSTOM, path);
  }
  return null;
}

function matchBpm(entries: Entry[]): ContainerMatch | null {
  for (const { path } of entries) {
    const pos = path.indexOf('bpm-');
    if (pos < 0) continue;
    const start = pos + 'bpm-'.length;
    const scope = path.indexOf('.scope', start);
    const id = path.slice(start, scope < 0 ? path.length : scope);
    if (/^[A-Za-z0-9._-]+$/.test(id)) return named(id, ContainerType.BPM, path);
  }
  return null;
}

const ENGINES = [matchPodman, matchDocker, matchCri, matchLxc, matchLibvirtLxc, matchNspawn, matchBpm];

/**
 * Finds the container of a thread from its "subsys=path" cgroup entries:
 * each runtime in turn (sysdig's order) looks through all entries.
 */
export function matchContainer(cgroups: readonly string[]): ContainerMatch | null {
  if (cgroups.length === 0) return null;
  const entries = splitEntries(cgroups);
  for (const engine of ENGINES) {
    const m = engine(entries);
    if (m !== null) return m;
  }
  return null;
}

/** Recognises a container from one cgroup path. Returns [shortId, type] or null. */
export function containerFromCgroup(path: string): [string, ContainerType] | null {
  const m = matchContainer([path]);
  return m === null ? null : [m.id, m.type];
}

/** Finds the container of a thread from its "subsys=path" cgroup entries. Returns [shortId, type] or null (host). */
export function containerFromCgroups(cgroups: readonly string[]): [string, ContainerType] | null {
  const m = matchContainer(cgroups);
  return m === null ? null : [m.id, m.type];
}

/**
 * Converts the text of /proc/PID/cgroup into scap's "subsys=path" entries,
 * as scap does when it scans /proc: each v1 line gives one entry per
 * controller ("4:memory:/docker/ID" → "memory=/docker/ID";
 * "1:name=systemd:/x" → "name=systemd=/x"); the v2 line "0::/path" gives
 * "cpu=/path", "memory=/path", "cpuset=/path" when the kernel has cgroup2
 * (`unified`, true on any recent kernel), and is skipped otherwise.
 */
export function parseProcCgroup(text: string, unified = true): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const c1 = line.indexOf(':');
    if (c1 < 0) continue;
    const c2 = line.indexOf(':', c1 + 1);
    if (c2 < 0) continue;
    const hid = line.slice(0, c1);
    let subsys = line.slice(c1 + 1, c2);
    const path = line.slice(c2 + 1);
    if (subsys === '') {
      if (!unified || hid !== '0') continue;
      subsys = 'cpu,memory,cpuset';
    }
    for (const s of subsys.split(',')) if (s !== '') out.push(`${s}=${path}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Container JSON (the payload of container events in captures)
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A text string as tsysdig's byte string (one char per byte): chars above
 * U+007F become their UTF-8 bytes. Byte strings pass through unchanged only
 * when they hold no char above U+00FF; use it on text, not on byte strings.
 */
export function toByteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** A parsed JSON string back to bytes: escaped chars as UTF-8, raw bytes (kept as U+DC80..U+DCFF) as themselves. */
function jsonStringToBytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(s)) return s;
  const bytes: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) bytes.push(cp - 0xdc00);
    else if (cp < 0x80) bytes.push(cp);
    else for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('latin1');
}

function bytesDeep(v: unknown): unknown {
  if (typeof v === 'string') return jsonStringToBytes(v);
  if (Array.isArray(v)) return v.map(bytesDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[jsonStringToBytes(k)] = bytesDeep(x);
    return out;
  }
  return v;
}

/**
 * JSON.parse for bytes (a Buffer, or a byte string): every string in the
 * result is a byte string. Raw bytes >= 0x80 stay the bytes they were
 * (UTF-8 or not), and \uXXXX escapes (as sysdig's jsoncpp writes every
 * non-ASCII char) become the char's UTF-8 bytes. Throws like JSON.parse.
 */
export function parseJsonBytes(input: Buffer | string): unknown {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  // keep raw high bytes apart from escaped chars: map them to lone surrogates (as "surrogateescape" does)
  // eslint-disable-next-line no-control-regex
  const marked = /[\u0080-\u00ff]/.test(text) ? text.replace(/[\u0080-\u00ff]/g, (c) => String.fromCharCode(0xdc00 + c.charCodeAt(0))) : text;
  return bytesDeep(JSON.parse(marked));
}

function jsonStr(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function jsonInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

const PROBE_TYPES: readonly HealthProbeType[] = ['Healthcheck', 'LivenessProbe', 'ReadinessProbe'];

/**
 * Parses the JSON payload of a container event (scap "container" event),
 * reading the fields sysdig's parser reads. Returns null when the payload is
 * not JSON or has no "container" object.
 */
export function parseContainerJson(json: string): ContainerInfo | null {
  let root: unknown;
  try {
    root = parseJsonBytes(json);
  } catch {
    return null;
  }
  const c = isObj(root) ? root.container : undefined;
  if (!isObj(c)) return null;
  const str = (k: string): string => jsonStr(c[k]) ?? '';
  const int = (k: string, dflt: number): number => jsonInt(c[k]) ?? dflt;
  const info = emptyContainer(str('id'), int('type', 0));
  info.fullId = str('full_id');
  info.name = str('name');
  info.image = str('image');
  info.imageId = str('imageid');
  info.imageRepo = str('imagerepo');
  info.imageTag = str('imagetag');
  info.imageDigest = str('imagedigest');
  info.privileged = c.privileged === true;
  info.isPodSandbox = c.is_pod_sandbox === true;
  // A lookup still running when the capture was written never finishes: sysdig reads it as failed.
  const ls = jsonInt(c.lookup_state);
  info.lookupState = ls === null || ls === LookupState.SUCCESSFUL ? LookupState.SUCCESSFUL
    : ls === LookupState.FAILED || ls === LookupState.STARTED ? LookupState.FAILED : LookupState.SUCCESSFUL;
  info.createdTime = int('created_time', 0);
  if (Array.isArray(c.Mounts)) {
    for (const m of c.Mounts) {
      if (!isObj(m)) continue;
      info.mounts.push({
        source: typeof m.Source === 'string' ? m.Source : '',
        dest: typeof m.Destination === 'string' ? m.Destination : '',
        mode: typeof m.Mode === 'string' ? m.Mode : '',
        rw: m.RW === true,
        propagation: typeof m.Propagation === 'string' ? m.Propagation : '',
      });
    }
  }
  for (const type of PROBE_TYPES) {
    const p = c[type];
    if (!isObj(p)) continue;
    const exe = jsonStr(p.exe);
    if (exe === null) continue;
    const args = Array.isArray(p.args) ? p.args.map(jsonStr).filter((a): a is string => a !== null) : [];
    info.healthProbes.push({ type, exe, args });
  }
  const ip = str('ip');
  info.ip = ip === '0.0.0.0' ? '' : ip;
  if (Array.isArray(c.port_mappings)) {
    for (const pm of c.port_mappings) {
      if (!isObj(pm)) continue;
      info.portMappings.push({
        hostIp: (jsonInt(pm.HostIp) ?? 0) >>> 0,
        hostPort: (jsonInt(pm.HostPort) ?? 0) & 0xffff,
        containerPort: (jsonInt(pm.ContainerPort) ?? 0) & 0xffff,
      });
    }
  }
  if (isObj(c.labels)) {
    for (const [k, v] of Object.entries(c.labels)) info.labels[k] = jsonStr(v) ?? '';
  }
  if (Array.isArray(c.env)) for (const e of c.env) if (typeof e === 'string') info.env.push(e);
  info.memoryLimit = int('memory_limit', info.memoryLimit);
  info.swapLimit = int('swap_limit', info.swapLimit);
  info.cpuShares = int('cpu_shares', info.cpuShares);
  info.cpuQuota = int('cpu_quota', info.cpuQuota);
  info.cpuPeriod = int('cpu_period', info.cpuPeriod);
  info.cpusetCpuCount = int('cpuset_cpu_count', info.cpusetCpuCount);
  info.mesosTaskId = str('mesos_task_id');
  info.metadataDeadline = int('metadata_deadline', 0);
  info.hasMetadata = info.lookupState === LookupState.SUCCESSFUL;
  return info;
}
