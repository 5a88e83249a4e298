/**
 * Containers: identity from a thread's cgroup paths, metadata from container
 * events (in captures) or from the engines' APIs (live). A thread whose
 * cgroups match no runtime layout belongs to the host (id '').
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

export interface ContainerInfo {
  id: string;
  type: number;
  name: string;
  image: string;
  imageId: string;
  imageRepo: string;
  imageTag: string;
  imageDigest: string;
  privileged: boolean;
  /** Container IP as dotted quad ('' if unknown). */
  ip: string;
  labels: Record<string, string>;
  /** True once metadata (beyond the id) is known. */
  hasMetadata: boolean;
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
  };
}

const HEX64 = /[0-9a-f]{64}/;

/**
 * Recognises a container from one cgroup path. Returns [shortId, type] or null.
 * Layouts: docker (/docker/ID, docker-ID.scope), containerd/CRI (cri-containerd-ID.scope,
 * /kubepods/.../ID), cri-o (crio-ID.scope), podman (libpod-ID.scope), lxc (/lxc/NAME,
 * lxc.payload.NAME), systemd-nspawn (machine.slice/machine-NAME.scope).
 */
export function containerFromCgroup(path: string): [string, ContainerType] | null {
  let m: RegExpExecArray | null;
  if ((m = /\/docker[-/]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(path))) return [m[1]!.slice(0, 12), ContainerType.DOCKER];
  if ((m = /cri-containerd[-:]([0-9a-f]{64})(?:\.scope)?/.exec(path))) return [m[1]!.slice(0, 12), ContainerType.CRI];
  if ((m = /crio[-:]([0-9a-f]{64})(?:\.scope)?/.exec(path))) return [m[1]!.slice(0, 12), ContainerType.CRIO];
  if ((m = /libpod[-:]([0-9a-f]{64})(?:\.scope)?/.exec(path))) return [m[1]!.slice(0, 12), ContainerType.PODMAN];
  if (path.includes('kubepods') && (m = HEX64.exec(path))) return [m[0].slice(0, 12), ContainerType.CRI];
  if ((m = /\/lxc(?:\.payload)?[./]([^/]+)/.exec(path))) return [m[1]!, ContainerType.LXC];
  if ((m = /machine\.slice\/machine-([^/]+)\.scope/.exec(path))) return [m[1]!.replace(/\\x2d/g, '-'), ContainerType.LIBVIRT_LXC];
  return null;
}

/** Finds the container of a thread from its "subsys=path" cgroup entries. */
export function containerFromCgroups(cgroups: readonly string[]): [string, ContainerType] | null {
  for (const entry of cgroups) {
    const eq = entry.indexOf('=');
    const r = containerFromCgroup(eq >= 0 ? entry.slice(eq + 1) : entry);
    if (r !== null) return r;
  }
  return null;
}

/** Parses the JSON payload of a container event (scap "container" event). */
export function parseContainerJson(json: string): ContainerInfo | null {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch {
    return null;
  }
  const c = (root as { container?: Record<string, unknown> } | null)?.container;
  if (c === undefined || c === null || typeof c !== 'object') return null;
  const str = (k: string): string => (typeof c[k] === 'string' ? (c[k] as string) : '');
  const info = emptyContainer(str('id'), typeof c.type === 'number' ? c.type : 0);
  info.name = str('name');
  info.image = str('image');
  info.imageId = str('imageid');
  info.imageRepo = str('imagerepo');
  info.imageTag = str('imagetag');
  info.imageDigest = str('imagedigest');
  info.privileged = c.privileged === true;
  info.ip = str('ip');
  const labels = c.labels;
  if (labels !== null && typeof labels === 'object') {
    for (const [k, v] of Object.entries(labels as Record<string, unknown>)) info.labels[k] = String(v);
  }
  info.hasMetadata = true;
  return info;
}
