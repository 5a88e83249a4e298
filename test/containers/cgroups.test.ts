/**
 * Container identity from cgroups: every runtime layout sysdig recognises
 * (and nspawn), in cgroup v1 (one entry per controller) and v2 (the unified
 * "0::/path" line, recorded by scap as cpu=, memory=, cpuset=) form, plus
 * the paths that must stay on the host.
 */
import { describe, expect, test } from 'vitest';
import {
  ContainerType,
  containerFromCgroup,
  containerFromCgroups,
  matchContainer,
  parseProcCgroup,
  podUidOf,
} from '../../src/state/containers.js';

const ID1 = '0b498d72a0955a5f69f6039b65ff196f6aff7a0fd1cbaf8580f388df3a397339';
const ID2 = 'e2c3bc5b8f7cd1f541bf2a3bcdbef29ac418d08b1d8fc4791bdf62629bf5a107';
const ID3 = '9f1c7f6a8a3e4d2b8c5e1f0a7b6c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c';
const POD = '5d2a1f8e-0c3b-4e7a-9f61-2b8d4c7e9a13';
const POD_ = POD.replace(/-/g, '_');

/** /proc/PID/cgroup of a cgroup v1 machine (systemd hierarchy + controllers), every line at `path`. */
function v1(path: string): string[] {
  return parseProcCgroup(
    [
      `12:pids:${path}`,
      `11:memory:${path}`,
      `10:cpu,cpuacct:${path}`,
      `9:blkio:${path}`,
      `8:cpuset:${path}`,
      `7:devices:${path}`,
      `6:freezer:${path}`,
      `5:net_cls,net_prio:${path}`,
      `4:perf_event:${path}`,
      `3:hugetlb:${path}`,
      `2:rdma:/`,
      `1:name=systemd:${path}`,
      `0::/`,
    ].join('\n') + '\n',
  );
}

/** /proc/PID/cgroup of a pure cgroup v2 machine. */
function v2(path: string): string[] {
  return parseProcCgroup(`0::${path}\n`);
}

/** What the eBPF probe writes on clone/execve: the kernel's controller names, full paths. */
function probe(path: string): string[] {
  return ['cpuset', 'cpu', 'cpuacct', 'io', 'memory'].map((s) => `${s}=${path}`);
}

type Row = [label: string, cgroups: string[], id: string | null, type?: ContainerType, extra?: { fullId?: string; podUid?: string; podmanUid?: number }];

const short = (id: string): string => id.slice(0, 12);

const ROWS: Row[] = [
  // ---------------- docker ----------------
  ['docker cgroupfs, v1', v1(`/docker/${ID1}`), short(ID1), ContainerType.DOCKER, { fullId: ID1 }],
  ['docker cgroupfs, v2', v2(`/docker/${ID1}`), short(ID1), ContainerType.DOCKER, { fullId: ID1 }],
  ['docker systemd, v1', v1(`/system.slice/docker-${ID1}.scope`), short(ID1), ContainerType.DOCKER, { fullId: ID1 }],
  ['docker systemd, v2', v2(`/system.slice/docker-${ID1}.scope`), short(ID1), ContainerType.DOCKER, { fullId: ID1 }],
  ['docker systemd, probe', probe(`/system.slice/docker-${ID1}.scope`), short(ID1), ContainerType.DOCKER],
  ['docker: upper-case hex kept as is', v2(`/docker/${ID1.toUpperCase()}`), short(ID1.toUpperCase()), ContainerType.DOCKER],
  ['docker-in-docker: the innermost container', v1(`/docker/${ID1}/docker/${ID2}`), short(ID2), ContainerType.DOCKER],
  ['docker under a custom --cgroup-parent', v2(`/ci-jobs/${ID3}`), short(ID3), ContainerType.DOCKER],
  ['only one controller in the container', ['cpu=/', `memory=/docker/${ID1}`, 'pids=/'], short(ID1), ContainerType.DOCKER],
  ['dockershim pod, systemd driver (docker-ID.scope)', v1(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_}.slice/docker-${ID1}.scope`), short(ID1), ContainerType.DOCKER, { podUid: POD }],

  // ---------------- Kubernetes, cgroupfs driver (runtime known only from its API) ----------------
  ['kubepods burstable, v1', v1(`/kubepods/burstable/pod${POD}/${ID1}`), short(ID1), ContainerType.CRI, { fullId: ID1, podUid: POD }],
  ['kubepods besteffort, v1', v1(`/kubepods/besteffort/pod${POD}/${ID2}`), short(ID2), ContainerType.CRI, { podUid: POD }],
  ['kubepods guaranteed, v1', v1(`/kubepods/pod${POD}/${ID3}`), short(ID3), ContainerType.CRI, { podUid: POD }],
  ['kubepods burstable, v2', v2(`/kubepods/burstable/pod${POD}/${ID1}`), short(ID1), ContainerType.CRI, { podUid: POD }],
  ['kind node (kubelet inside a docker container)', v2(`/docker/${ID3}/kubelet/kubepods/burstable/pod${POD}/${ID1}`), short(ID1), ContainerType.CRI, { podUid: POD }],
  ['cri-o cgroupfs', v1(`/kubepods/burstable/pod${POD}/crio-${ID2}`), short(ID2), ContainerType.CRIO, { podUid: POD }],

  // ---------------- Kubernetes, systemd driver ----------------
  ['containerd burstable, v2', v2(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_}.slice/cri-containerd-${ID1}.scope`), short(ID1), ContainerType.CONTAINERD, { fullId: ID1, podUid: POD }],
  ['containerd besteffort, v1', v1(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_}.slice/cri-containerd-${ID2}.scope`), short(ID2), ContainerType.CONTAINERD, { podUid: POD }],
  ['containerd guaranteed, v2', v2(`/kubepods.slice/kubepods-pod${POD_}.slice/cri-containerd-${ID3}.scope`), short(ID3), ContainerType.CONTAINERD, { podUid: POD }],
  ['containerd guaranteed, probe', probe(`/kubepods.slice/kubepods-pod${POD_}.slice/cri-containerd-${ID3}.scope`), short(ID3), ContainerType.CONTAINERD],
  ['containerd without SystemdCgroup (":cri-containerd:")', v2(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_}.slice:cri-containerd:${ID1}`), short(ID1), ContainerType.CONTAINERD],
  ['cri-o burstable, v2', v2(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_}.slice/crio-${ID2}.scope`), short(ID2), ContainerType.CRIO, { podUid: POD }],
  ['cri-o guaranteed, v1', v1(`/kubepods.slice/kubepods-pod${POD_}.slice/crio-${ID3}.scope`), short(ID3), ContainerType.CRIO],
  ['cri-o conmon (host side of the container)', v2(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_}.slice/crio-conmon-${ID2}.scope`), null],
  ['a pod slice itself', v2(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_}.slice`), null],

  // ---------------- podman ----------------
  ['podman root, v2', v2(`/machine.slice/libpod-${ID1}.scope/container`), short(ID1), ContainerType.PODMAN, { fullId: ID1, podmanUid: 0 }],
  ['podman root, v1', v1(`/machine.slice/libpod-${ID1}.scope`), short(ID1), ContainerType.PODMAN, { podmanUid: 0 }],
  ['podman rootless, v2', v2(`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID2}.scope/container`), short(ID2), ContainerType.PODMAN, { podmanUid: 1000 }],
  ['podman rootless, cgroupfs (name=systemd …podman-PID.scope/ID)', ['cpu=/', `name=systemd=/user.slice/user-1001.slice/user@1001.service/user.slice/podman-4242.scope/${ID3}`], short(ID3), ContainerType.PODMAN, { podmanUid: 1001 }],
  ['podman conmon', v2(`/machine.slice/libpod-conmon-${ID1}.scope`), null],

  // ---------------- lxc ----------------
  ['lxc (legacy)', v1('/lxc/web01'), 'web01', ContainerType.LXC],
  ['lxc, a nested cgroup', v1('/lxc/web01/system.slice/cron.service'), 'web01', ContainerType.LXC],
  ['lxc 3 payload', v1('/lxc.payload/db-2'), 'db-2', ContainerType.LXC],
  ['lxc 4+ payload, v2', v2('/lxc.payload.db-2/init.scope'), 'db-2', ContainerType.LXC],
  ['lxc monitor (host side)', v2('/lxc.monitor.db-2'), null],
  ['a 64-hex lxc name is docker\'s layout first (sysdig\'s engine order)', v1(`/lxc/${ID1}`), short(ID1), ContainerType.DOCKER],

  // ---------------- libvirt-lxc ----------------
  ['libvirt-lxc cgroupfs', v1('/machine/web.libvirt-lxc'), 'web', ContainerType.LIBVIRT_LXC],
  ['libvirt-lxc systemd (id kept escaped, as sysdig)', v1('/machine.slice/machine-lxc\\x2d4242\\x2dweb.scope'), '4242\\x2dweb', ContainerType.LIBVIRT_LXC],
  ['libvirt-lxc legacy: "/lxc/" in it makes it lxc (sysdig tries lxc first)', v1('/libvirt/lxc/web'), 'web', ContainerType.LXC],

  // ---------------- systemd-nspawn (tsysdig only) ----------------
  ['nspawn via machinectl, v2', v2('/machine.slice/machine-debian\\x2dbuild.scope/payload/system.slice/cron.service'), 'debian-build', ContainerType.CUSTOM],
  ['nspawn --register, v1', v1('/machine.slice/machine-arch.scope'), 'arch', ContainerType.CUSTOM],
  ['systemd-nspawn@.service payload', v2('/machine.slice/systemd-nspawn@arch.service/payload/system.slice/dbus.service'), 'arch', ContainerType.CUSTOM],
  ['systemd-nspawn@.service supervisor (host side)', v2('/machine.slice/systemd-nspawn@arch.service/supervisor'), null],
  ['libvirt qemu VM (not a container)', v2('/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator'), null],

  // ---------------- bpm ----------------
  ['bpm', v1('/bpm-redis.1'), 'redis.1', ContainerType.BPM],
  ['bpm systemd', v1('/system.slice/bpm-web_2.scope'), 'web_2', ContainerType.BPM],

  // ---------------- host ----------------
  ['host: root cgroup', v1('/'), null],
  ['host: v2 root', v2('/'), null],
  ['host: a login session', v2('/user.slice/user-1000.slice/session-3.scope'), null],
  ['host: dockerd itself', v2('/system.slice/docker.service'), null],
  ['host: containerd itself', v1('/system.slice/containerd.service'), null],
  ['host: a container\'s own sub-cgroup (sysdig needs the id at the end)', v2(`/system.slice/docker-${ID1}.scope/init.scope`), null],
  ['host: 32 hex digits are no container id', ['memory=/process_api/8b7f954a5b1f7d82d652da75cec0fb14', 'cpu=/'], null],
  ['host: 63 hex digits', v2(`/docker/${ID1.slice(1)}`), null],
  ['host: 64 non-hex characters', v2(`/docker/${'z'.repeat(64)}`), null],
  ['host: /docker alone', v1('/docker'), null],
  ['host: no cgroups at all', [], null],
];

describe('cgroup → container', () => {
  test.each(ROWS)('%s', (_label, cgroups, id, type, extra) => {
    const m = matchContainer(cgroups);
    if (id === null) {
      expect(m).toBeNull();
      expect(containerFromCgroups(cgroups)).toBeNull();
      return;
    }
    expect(m).not.toBeNull();
    expect([m!.id, m!.type]).toEqual([id, type]);
    expect(containerFromCgroups(cgroups)).toEqual([id, type]);
    if (extra?.fullId !== undefined) expect(m!.fullId).toBe(extra.fullId);
    if (extra?.podUid !== undefined) expect(m!.podUid).toBe(extra.podUid);
    if (extra?.podmanUid !== undefined) expect(m!.podmanUid).toBe(extra.podmanUid);
  });

  test('one path at a time (containerFromCgroup)', () => {
    expect(containerFromCgroup(`/docker/${ID1}`)).toEqual([short(ID1), ContainerType.DOCKER]);
    expect(containerFromCgroup('/user.slice')).toBeNull();
  });

  test('entries without a subsystem are taken as paths', () => {
    expect(containerFromCgroups([`/system.slice/docker-${ID2}.scope`])).toEqual([short(ID2), ContainerType.DOCKER]);
  });

  test('pod uid from either driver', () => {
    expect(podUidOf(`/kubepods/burstable/pod${POD}/${ID1}`)).toBe(POD);
    expect(podUidOf(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_}.slice/cri-containerd-${ID1}.scope`)).toBe(POD);
    expect(podUidOf(`/docker/${ID1}`)).toBe('');
  });
});

describe('/proc/PID/cgroup → scap entries', () => {
  test('cgroup v1: one entry per controller, named hierarchies keep their "name=" prefix', () => {
    const text = `4:memory:/docker/${ID1}\n3:cpu,cpuacct:/docker/${ID1}\n1:name=systemd:/docker/${ID1}\n0::/\n`;
    expect(parseProcCgroup(text, false)).toEqual([`memory=/docker/${ID1}`, `cpu=/docker/${ID1}`, `cpuacct=/docker/${ID1}`, `name=systemd=/docker/${ID1}`]);
  });

  test('cgroup v2: the unified line under scap\'s default subsystems (cpu, memory, cpuset)', () => {
    expect(parseProcCgroup('0::/system.slice/docker-x.scope\n')).toEqual(['cpu=/system.slice/docker-x.scope', 'memory=/system.slice/docker-x.scope', 'cpuset=/system.slice/docker-x.scope']);
  });

  test('hybrid: v1 controllers first, then the unified line', () => {
    const text = `1:cpu:/docker/${ID1}\n0::/docker/${ID1}\n`;
    expect(parseProcCgroup(text)).toEqual([`cpu=/docker/${ID1}`, `cpu=/docker/${ID1}`, `memory=/docker/${ID1}`, `cpuset=/docker/${ID1}`]);
  });

  test('a controller mounted nowhere (empty list on a v1 line) is skipped', () => {
    expect(parseProcCgroup('5::/foo\n1:cpu:/\n')).toEqual(['cpu=/']);
  });

  test('this machine\'s own /proc/self/cgroup parses', async () => {
    const fs = await import('node:fs');
    const entries = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e).toMatch(/^[^=]+(=[^=]+)?=\//);
  });
});
