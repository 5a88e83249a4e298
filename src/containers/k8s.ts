/**
 * Kubernetes facts carried by container labels, as sysdig reads them when no
 * API server is configured: the pod's name, namespace and uid from the
 * kubelet's io.kubernetes.* labels, and the pod's own labels from its
 * sandbox ("pause") container, named by io.kubernetes.sandbox.id.
 */
import type { ContainerInfo } from '../state/containers.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const SANDBOX_ID_LABEL = 'io.kubernetes.sandbox.id';

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
  /** Short (12-digit) id of the pod's sandbox container ('' if unknown). */
  sandboxId: string;
}

/** The pod a container belongs to, or null when its labels name none. */
export function podOf(info: ContainerInfo | undefined): PodRef | null {
  const l = info?.labels;
  if (l === undefined || l[POD_NAME_LABEL] === undefined) return null;
  return {
    name: l[POD_NAME_LABEL] ?? '',
    namespace: l[POD_NAMESPACE_LABEL] ?? '',
    uid: l[POD_UID_LABEL] ?? '',
    sandboxId: (l[SANDBOX_ID_LABEL] ?? '').slice(0, 12),
  };
}

/**
 * The pod's labels (k8s.pod.labels): the sandbox container's labels without
 * annotations and kubelet-internal io.kubernetes.* ones.
 */
export function podLabels(info: ContainerInfo | undefined, lookup: (id: string) => ContainerInfo | undefined): Record<string, string> {
  const pod = podOf(info);
  const sandbox = pod !== null && pod.sandboxId !== '' ? lookup(pod.sandboxId) : info?.isPodSandbox === true ? info : undefined;
  const out: Record<string, string> = {};
  if (sandbox === undefined) return out;
  for (const [k, v] of Object.entries(sandbox.labels)) {
    if (k.startsWith('annotation.') || k.startsWith('io.kubernetes.')) continue;
    out[k] = v;
  }
  return out;
}
