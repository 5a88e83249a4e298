/**
 * container.*: the container of the event's thread, from the container
 * events of a capture (or the runtimes' APIs, live). A thread outside any
 * container reports "host" for its id, name and type, and nothing else.
 */
import { LookupState } from '../state/containers.js';
import { ParamType, PrintFormat } from '../event/types.js';
import { GlobPattern } from '../filter/glob.js';
import { type ContainerInfo, type ContainerMount, ContainerType, containerTypeName } from '../state/containers.js';
import type { ThreadInfo } from '../state/thread-info.js';
import { argField, type FieldDef, type Getter, simpleField } from './define.js';
import { Memo } from './memo.js';
import { threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

const C = 'container';

/** The container's metadata, or null for host threads and unknown containers. */
function containerOf(ctx: EventContext, t: ThreadInfo): ContainerInfo | null {
  return t.containerId === '' ? null : (ctx.engine.containers.get(t.containerId) ?? null);
}

function onThread(get: (t: ThreadInfo, ctx: EventContext) => ReturnType<Getter>): Getter {
  return (ctx) => {
    const t = threadOf(ctx);
    return t === null ? undefined : get(t, ctx);
  };
}

/** A string field of containers only: undefined for the host, unknown containers and empty values. */
function meta(name: string, desc: string, pick: (c: ContainerInfo) => string): FieldDef {
  const g = onThread((t, ctx) => {
    const c = containerOf(ctx, t);
    if (c === null) return undefined;
    const v = pick(c);
    return v === '' ? undefined : v;
  });
  return simpleField({ name, type: ParamType.CHARBUF, desc, category: C, make: () => g });
}

/** Runtimes whose privileged flag is known (sysdig's is_docker_compatible). */
function knowsPrivileged(type: number): boolean {
  return type === ContainerType.DOCKER || type === ContainerType.CRI || type === ContainerType.CONTAINERD || type === ContainerType.CRIO || type === ContainerType.PODMAN;
}

function mountText(m: ContainerMount): string {
  return `${m.source}:${m.dest}:${m.mode}:${m.rw ? 'true' : 'false'}:${m.propagation}`;
}

/** The mount an argument selects: by index, or the first whose source (or destination) matches a glob. */
function mountSelector(arg: string, byDest: boolean): (c: ContainerInfo) => ContainerMount | undefined {
  if (/^-?[0-9]+$/.test(arg.trim())) {
    const idx = Number(arg);
    return (c) => (idx >= 0 ? c.mounts[idx] : undefined);
  }
  const glob = new GlobPattern(arg);
  return (c) => c.mounts.find((m) => glob.matches(byDest ? m.dest : m.source));
}

function mountField(name: string, desc: string, part: ((m: ContainerMount) => string) | null, byDest = false): FieldDef {
  return argField({
    name,
    type: ParamType.CHARBUF,
    desc,
    category: C,
    arg: 'required',
    argSyntax: 'bracket',
    bind(arg, _o, syntax) {
      if (syntax !== 'bracket') throw new Error(`${name} needs a mount index or path, as in ${name}[0]`);
      const select = mountSelector(arg!, byDest);
      return {
        get: onThread((t, ctx) => {
          const c = containerOf(ctx, t);
          if (c === null) return undefined;
          const m = select(c);
          return m === undefined ? undefined : part === null ? mountText(m) : part(m);
        }),
      };
    },
  });
}

function probeField(name: string, desc: string, type: 'Healthcheck' | 'LivenessProbe' | 'ReadinessProbe'): FieldDef {
  const g = onThread((t, ctx) => {
    const c = containerOf(ctx, t);
    if (c === null) return undefined;
    for (const p of c.healthProbes) if (p.type === type) return p.args.length === 0 ? p.exe : `${p.exe} ${p.args.join(' ')}`;
    return 'NONE';
  });
  return simpleField({ name, type: ParamType.CHARBUF, desc, category: C, make: () => g });
}

export const CONTAINER_FIELDS: readonly FieldDef[] = [
  simpleField({
    name: 'container.start_ts',
    type: ParamType.ABSTIME,
    fmt: PrintFormat.DEC,
    desc: 'Container start as epoch timestamp in nanoseconds, based on proc.pidns_init_start_ts (the start of the container\'s PID namespace). <NA> for the host and when unknown (captures do not carry it).',
    category: C,
    make: () =>
      onThread((t) => {
        if (t.containerId === '' || t.pidnsInitStartTs === 0n) return undefined;
        const v = t.pidnsInitStartTs;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }),
  }),
  simpleField({
    name: 'container.id',
    type: ParamType.CHARBUF,
    desc: 'the container id.',
    category: C,
    make: () => onThread((t) => (t.containerId === '' ? 'host' : t.containerId)),
  }),
  simpleField({
    name: 'container.name',
    type: ParamType.CHARBUF,
    desc: 'the container name.',
    category: C,
    make: () =>
      onThread((t, ctx) => {
        if (t.containerId === '') return 'host';
        const c = containerOf(ctx, t);
        if (c === null) return undefined;
        // A container whose engine could not be asked (socket missing or hung: lookup failed)
        // shows its id, so container views still list it (sysdig drops it: docs/compat.md).
        // Otherwise an empty name has no value, as in sysdig (metadata may still arrive).
        if (c.name === '') return c.lookupState === LookupState.FAILED ? c.id : undefined;
        return c.name;
      }),
  }),
  meta('container.image', 'the container image name (e.g. falcosecurity/falco:latest for docker).', (c) => c.image),
  meta('container.image.id', 'the container image id (e.g. 6f7e2741b66b).', (c) => c.imageId),
  simpleField({
    name: 'container.type',
    type: ParamType.CHARBUF,
    desc: 'the container type, eg: docker or rkt',
    category: C,
    make: () =>
      onThread((t, ctx) => {
        if (t.containerId === '') return 'host';
        const c = containerOf(ctx, t);
        return c === null ? undefined : containerTypeName(c.type);
      }),
  }),
  simpleField({
    name: 'container.privileged',
    type: ParamType.BOOL,
    desc: 'true for containers running as privileged, false otherwise',
    category: C,
    make: () =>
      onThread((t, ctx) => {
        const c = containerOf(ctx, t);
        return c === null || !knowsPrivileged(c.type) ? undefined : c.privileged;
      }),
  }),
  simpleField({
    name: 'container.mounts',
    type: ParamType.CHARBUF,
    desc: 'A space-separated list of mount information. Each item in the list has the format <source>:<dest>:<mode>:<rdrw>:<propagation>',
    category: C,
    make: () => {
      const m = new Memo<readonly ContainerMount[]>((mounts) => mounts.map(mountText).join(','));
      return onThread((t, ctx) => {
        const c = containerOf(ctx, t);
        return c === null ? undefined : m.get(c.mounts, undefined);
      });
    },
  }),
  mountField(
    'container.mount',
    'Information about a single mount, specified by number (e.g. container.mount[0]) or mount source (container.mount[/usr/local]). The pathname can be a glob (container.mount[/usr/local/*]), in which case the first matching mount will be returned. The information has the format <source>:<dest>:<mode>:<rdrw>:<propagation>. If there is no mount with the specified index or matching the provided source, returns the string "none" instead of a NULL value.',
    null,
  ),
  mountField(
    'container.mount.source',
    'the mount source, specified by number (e.g. container.mount.source[0]) or mount destination (container.mount.source[/host/lib/modules]). The pathname can be a glob.',
    (m) => m.source,
    true,
  ),
  mountField(
    'container.mount.dest',
    'the mount destination, specified by number (e.g. container.mount.dest[0]) or mount source (container.mount.dest[/lib/modules]). The pathname can be a glob.',
    (m) => m.dest,
  ),
  mountField(
    'container.mount.mode',
    'the mount mode, specified by number (e.g. container.mount.mode[0]) or mount source (container.mount.mode[/usr/local]). The pathname can be a glob.',
    (m) => m.mode,
  ),
  mountField(
    'container.mount.rdwr',
    'the mount rdwr value, specified by number (e.g. container.mount.rdwr[0]) or mount source (container.mount.rdwr[/usr/local]). The pathname can be a glob.',
    (m) => (m.rw ? 'true' : 'false'),
  ),
  mountField(
    'container.mount.propagation',
    'the mount propagation value, specified by number (e.g. container.mount.propagation[0]) or mount source (container.mount.propagation[/usr/local]). The pathname can be a glob.',
    (m) => m.propagation,
  ),
  meta('container.image.repository', 'the container image repository (e.g. falcosecurity/falco).', (c) => c.imageRepo),
  meta('container.image.tag', 'the container image tag (e.g. stable, latest).', (c) => c.imageTag),
  meta('container.image.digest', 'the container image registry digest (e.g. sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27).', (c) => c.imageDigest),
  probeField(
    'container.healthcheck',
    'The container\'s health check. Will be the null value ("N/A") if no healthcheck configured, "NONE" if configured but explicitly not created, and the healthcheck command line otherwise',
    'Healthcheck',
  ),
  probeField(
    'container.liveness_probe',
    'The container\'s liveness probe. Will be the null value ("N/A") if no liveness probe configured, the liveness probe command line otherwise',
    'LivenessProbe',
  ),
  probeField(
    'container.readiness_probe',
    'The container\'s readiness probe. Will be the null value ("N/A") if no readiness probe configured, the readiness probe command line otherwise',
    'ReadinessProbe',
  ),
  // tsysdig extension (later libsinsp versions have it): the container's IPv4 address.
  meta("container.ip", "the container's IPv4 address (tsysdig extension; not in sysdig 0.29.3).", (c) => (c.ip === '0.0.0.0' ? '' : c.ip)),
];

