/**
 * The tsysdig container image in tests: built by scripts/build-image.sh (which
 * skips the build when the image's content hash matches), and run the way the
 * DaemonSet in deploy/kubernetes runs it. AGENT_RUNTIME is that way, written
 * once: the image test runs the container with it, and the manifest test checks
 * the rendered DaemonSet against it, so the manifests carry what was shown to work.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface HostMount {
  /** Path on the host (hostPath). */
  host: string;
  /** Path in the container (mountPath). */
  path: string;
  readOnly: boolean;
}

/** What the agent's container needs, besides the image. */
export const AGENT_RUNTIME = {
  /** Host PID namespace: the probe reports host pids, /proc must list the same. */
  hostPID: true,
  /** Host network namespace: interfaces and /proc/net as on the host, and hostname = the node's. */
  hostNetwork: true,
  /** Loading BPF programs needs CAP_SYS_ADMIN (or CAP_BPF+CAP_PERFMON) and no seccomp filter on bpf(2). */
  privileged: true,
  env: { HOST_ROOT: '/host' } as Record<string, string>,
  mounts: [
    // processes, threads, fds, cgroups (container ids) of the host
    { host: '/proc', path: '/host/proc', readOnly: true },
    // user and group names
    { host: '/etc', path: '/host/etc', readOnly: true },
    // the container engines' sockets (docker, containerd, cri-o, podman) live under /run
    { host: '/run', path: '/host/run', readOnly: true },
    // the kernel's BTF, for the CO-RE probe
    { host: '/sys/kernel/btf', path: '/sys/kernel/btf', readOnly: true },
  ] as HostMount[],
};

export const IMAGE_VERSION = (await import(path.join(ROOT, 'package.json'), { with: { type: 'json' } })).default.version as string;
export const AGENT_IMAGE = `tsysdig:${IMAGE_VERSION}`;

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      resolve({ code, stdout, stderr: stderr || (err !== null ? err.message : '') });
    });
  });
}

/** Builds (or reuses) the image; resolves with an error sentence, or null when the image is there. */
export async function buildAgentImage(): Promise<string | null> {
  const r = await run('bash', [path.join(ROOT, 'scripts', 'build-image.sh')], 150_000);
  if (r.code !== 0) return `scripts/build-image.sh failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`;
  return null;
}

/**
 * `docker run` flags for AGENT_RUNTIME. `--privileged` is what the DaemonSet
 * asks for; a sandboxed runner whose bounding set lacks a capability
 * (runc: "unable to apply caps") cannot start privileged containers, and
 * there the same is asked capability by capability: every capability the
 * runner has, no seccomp or AppArmor profile, which is what loading the probe
 * needs from `privileged`. `note` says when that happened.
 */
export async function agentRunFlags(): Promise<{ flags: string[]; note: string | null }> {
  const common = ['--pid=host', '--network=host'];
  for (const [k, v] of Object.entries(AGENT_RUNTIME.env)) common.push('-e', `${k}=${v}`);
  for (const m of AGENT_RUNTIME.mounts) common.push('-v', `${m.host}:${m.path}${m.readOnly ? ':ro' : ''}`);
  const privileged = ['--privileged', ...common];
  const probe = await run('docker', ['run', '--rm', ...privileged, '--entrypoint', '/usr/bin/env', AGENT_IMAGE, 'true'], 60_000);
  if (probe.code === 0) return { flags: privileged, note: null };
  if (!/apply caps|operation not permitted/.test(probe.stderr)) throw new Error(`docker run --privileged failed: ${probe.stderr.trim()}`);
  const missing = missingCapabilities();
  const flags = ['--cap-add', 'ALL', ...missing.flatMap((c) => ['--cap-drop', c]), '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', ...common];
  return { flags, note: `--privileged refused here (${probe.stderr.trim().split('\n')[0]}); ran with every capability but ${missing.join(', ')}, unconfined` };
}

/** Capabilities docker knows that this process's bounding set lacks (so runc cannot grant them). */
function missingCapabilities(): string[] {
  // Docker 20.10's names, by bit number (its ALL), CAP_CHOWN = 0 … CAP_AUDIT_READ = 37.
  const names = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ'];
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const bnd = BigInt('0x' + (/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'));
  return names.filter((_, bit) => (bnd & (1n << BigInt(bit))) === 0n);
}

/** `docker run --rm FLAGS IMAGE ARGS`, resolving with its output. */
export function runAgentImage(flags: string[], args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('docker', ['run', '--rm', ...flags, AGENT_IMAGE, ...args], timeoutMs);
}
