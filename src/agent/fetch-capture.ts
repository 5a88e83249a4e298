/**
 * `tsysdig --fetch-capture POD|NODE`: the newest complete rotated capture of
 * the agent on a pod (or on the node of that name), copied here through
 * `kubectl exec … cat` and replayed like `-r FILE` (the UI, or --raw/--json/
 * --events). With -w FILE the copy is kept there; otherwise it is a 0600
 * temporary file removed after the replay.
 *
 * kubectl is found on PATH ($KUBECTL overrides); --namespace (default
 * tsysdig) and --capture-dir (default /var/lib/tsysdig/captures) match the
 * manifests in deploy/kubernetes. The in-progress `.part` file is never
 * fetched: only closed captures are complete.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_DEFAULTS, type Options } from '../cli/args.js';
import { isRotatedName } from '../capture/writer/rotating-writer.js';
import { CAPTURE_FILE_MODE } from '../capture/writer/index.js';

export class FetchError extends Error {}

/** The label the DaemonSet's pods carry (deploy/kubernetes/base/daemonset.yaml). */
export const AGENT_POD_SELECTOR = 'app.kubernetes.io/name=tsysdig';
/** The agent's container in the pod. */
export const AGENT_CONTAINER = 'tsysdig';

function kubectl(): string {
  return process.env.KUBECTL || 'kubectl';
}

function kubectlText(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(kubectl(), args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  if (r.error !== undefined) {
    const e = r.error as NodeJS.ErrnoException;
    throw new FetchError(e.code === 'ENOENT' ? `${kubectl()} not found (install kubectl, or set KUBECTL)` : `${kubectl()}: ${e.message}`);
  }
  // kubectl's last line is its summary ("The connection to the server … was refused …")
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim().split('\n').pop() ?? '' };
}

/** The agent pod: TARGET itself when it is a pod, else the agent pod on node TARGET. */
export function resolveAgentPod(target: string, ns: string): string {
  if (kubectlText(['-n', ns, 'get', 'pod', target, '-o', 'name']).ok) return target;
  const r = kubectlText(['-n', ns, 'get', 'pods', '-l', AGENT_POD_SELECTOR, '--field-selector', `spec.nodeName=${target}`, '-o', 'jsonpath={.items[*].metadata.name}']);
  if (!r.ok) throw new FetchError(`cannot list agent pods in namespace ${ns}: ${r.err}`);
  const pod = r.out.trim().split(/\s+/).filter((x) => x !== '')[0];
  if (pod === undefined) throw new FetchError(`no pod ${target} and no agent pod on a node ${target} in namespace ${ns}`);
  return pod;
}

/** The newest closed capture in the agent's capture directory. */
export function newestCapture(pod: string, ns: string, dir: string): string {
  const r = kubectlText(['-n', ns, 'exec', pod, '-c', AGENT_CONTAINER, '--', 'ls', '-1', dir]);
  if (!r.ok) throw new FetchError(`cannot list ${dir} in pod ${pod}: ${r.err}`);
  const names = r.out.split('\n').filter(isRotatedName).sort();
  const newest = names[names.length - 1];
  if (newest === undefined) throw new FetchError(`no complete capture in ${dir} on pod ${pod} yet (the first is closed after --rotate-seconds)`);
  return newest;
}

/** Streams DIR/NAME from the pod into `dest` (mode 0600). */
export async function copyCapture(pod: string, ns: string, remote: string, dest: string): Promise<number> {
  const fd = fs.openSync(dest, 'w', CAPTURE_FILE_MODE);
  fs.fchmodSync(fd, CAPTURE_FILE_MODE);
  const out = fs.createWriteStream('', { fd });
  const child = spawn(kubectl(), ['-n', ns, 'exec', pod, '-c', AGENT_CONTAINER, '--', 'cat', remote], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdout.pipe(out);
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => reject(new FetchError(e.code === 'ENOENT' ? `${kubectl()} not found (install kubectl, or set KUBECTL)` : e.message)));
    child.once('close', (c) => resolve(c ?? 1));
  });
  await new Promise<void>((resolve) => (out.closed ? resolve() : out.once('close', () => resolve())));
  if (code !== 0) throw new FetchError(`cannot copy ${remote} from pod ${pod}: ${err.trim().split('\n').pop() || `exit ${code}`}`);
  return fs.statSync(dest).size;
}

/**
 * Fetches the capture; resolves with the local file and whether it is a
 * temporary one (to remove after the replay).
 */
export async function fetchCapture(opts: Options): Promise<{ file: string; temporary: boolean }> {
  const target = opts.fetchCapture!;
  const pod = resolveAgentPod(target, agentNamespace(opts));
  const name = newestCapture(pod, agentNamespace(opts), opts.captureDir);
  const temporary = opts.writeFile === null;
  const file = opts.writeFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-fetch-')), name);
  const bytes = await copyCapture(pod, agentNamespace(opts), path.posix.join(opts.captureDir, name), file);
  process.stderr.write(`tsysdig: ${name} from pod ${pod} (${bytes} bytes)${temporary ? '' : ` saved as ${file}`}\n`);
  return { file, temporary };
}

/** --namespace (shared with the lifecycle filters; the last one given) names the agent's namespace. */
function agentNamespace(opts: Options): string {
  return opts.namespaces[opts.namespaces.length - 1] ?? AGENT_DEFAULTS.namespace;
}
