/**
 * k8s.*: Kubernetes metadata of the event's container, derived (as sysdig
 * does without an API server connection) from the labels the CRI runtime
 * puts on the container: io.kubernetes.pod.name, .pod.namespace, .pod.uid;
 * pod labels come from the pod's sandbox container. Objects only the API
 * server knows (replication controllers, replica sets, services,
 * deployments, namespace ids) have no value.
 */
import { ParamType } from '../event/types.js';
import type { ContainerInfo } from '../state/containers.js';
import { argField, type FieldDef, type Getter, simpleField } from './define.js';
import { Memo } from './memo.js';
import { threadOf } from './thread-lookup.js';
import type { EventContext } from './types.js';

const C = 'k8s';

/** The event's container, when it has labels (sysdig's precondition for label-derived k8s fields). */
function labelled(ctx: EventContext): ContainerInfo | null {
  const t = threadOf(ctx);
  if (t === null || t.containerId === '') return null;
  const c = ctx.engine.containers.get(t.containerId);
  if (c === undefined) return null;
  for (const _k in c.labels) return c;
  return null;
}

/** The pod's sandbox container (io.kubernetes.sandbox.id, by its short id), when it has labels. */
function sandboxOf(ctx: EventContext, c: ContainerInfo): ContainerInfo | null {
  const id = c.labels['io.kubernetes.sandbox.id'];
  if (id === undefined) return null;
  const s = ctx.engine.containers.get(id.slice(0, 12));
  if (s === undefined) return null;
  for (const _k in s.labels) return s;
  return null;
}

/** Pod labels as sysdig lists them: "k:v" (or "k") sorted by key, without annotations and io.kubernetes.* ones. */
function podLabelsText(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let s = '';
  for (const k of keys) {
    if (k.startsWith('annotation.') || k.startsWith('io.kubernetes.')) continue;
    if (s !== '') s += ', ';
    s += k;
    const v = labels[k]!;
    if (v !== '') s += `:${v}`;
  }
  return s;
}

function str(name: string, desc: string, make: () => Getter): FieldDef {
  return simpleField({ name, type: ParamType.CHARBUF, desc, category: C, make });
}

function fromLabel(name: string, desc: string, label: string): FieldDef {
  return str(name, desc, () => (ctx) => labelled(ctx)?.labels[label]);
}

/** A field only the API server can answer: never set. */
function apiOnly(name: string, desc: string): FieldDef {
  return str(name, desc, () => () => undefined);
}

function apiOnlyLabel(name: string, desc: string): FieldDef {
  return argField({
    name,
    type: ParamType.CHARBUF,
    desc,
    category: C,
    arg: 'required',
    argSyntax: 'dot',
    bind(arg, _o, syntax) {
      if (syntax !== 'dot' || !/^[A-Za-z0-9/_.-]+$/.test(arg!)) throw new Error(`${name} needs a label name, as in ${name}.app`);
      return { get: () => undefined };
    },
  });
}

export const K8S_FIELDS: readonly FieldDef[] = [
  fromLabel('k8s.pod.name', 'Kubernetes pod name.', 'io.kubernetes.pod.name'),
  fromLabel('k8s.pod.id', 'Kubernetes pod id.', 'io.kubernetes.pod.uid'),
  argField({
    name: 'k8s.pod.label',
    type: ParamType.CHARBUF,
    desc: "Kubernetes pod label. E.g. 'k8s.pod.label.foo'.",
    category: C,
    arg: 'required',
    argSyntax: 'dot',
    bind(arg, _o, syntax) {
      if (syntax !== 'dot' || !/^[A-Za-z0-9/_.-]+$/.test(arg!)) throw new Error('k8s.pod.label needs a label name, as in k8s.pod.label.app');
      const key = arg!;
      return {
        get: (ctx) => {
          const c = labelled(ctx);
          const s = c === null ? null : sandboxOf(ctx, c);
          return s === null ? undefined : s.labels[key];
        },
      };
    },
  }),
  str("k8s.pod.labels", "Kubernetes pod comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'.", () => {
    const m = new Memo<Record<string, string>>(podLabelsText);
    return (ctx) => {
      const c = labelled(ctx);
      const s = c === null ? null : sandboxOf(ctx, c);
      return s === null ? undefined : m.get(s.labels, undefined);
    };
  }),
  apiOnly('k8s.rc.name', 'Kubernetes replication controller name.'),
  apiOnly('k8s.rc.id', 'Kubernetes replication controller id.'),
  apiOnlyLabel('k8s.rc.label', "Kubernetes replication controller label. E.g. 'k8s.rc.label.foo'."),
  apiOnly('k8s.rc.labels', "Kubernetes replication controller comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."),
  apiOnly('k8s.svc.name', 'Kubernetes service name (can return more than one value, concatenated).'),
  apiOnly('k8s.svc.id', 'Kubernetes service id (can return more than one value, concatenated).'),
  apiOnlyLabel('k8s.svc.label', "Kubernetes service label. E.g. 'k8s.svc.label.foo' (can return more than one value, concatenated)."),
  apiOnly('k8s.svc.labels', "Kubernetes service comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."),
  fromLabel('k8s.ns.name', 'Kubernetes namespace name.', 'io.kubernetes.pod.namespace'),
  apiOnly('k8s.ns.id', 'Kubernetes namespace id.'),
  apiOnlyLabel('k8s.ns.label', "Kubernetes namespace label. E.g. 'k8s.ns.label.foo'."),
  apiOnly('k8s.ns.labels', "Kubernetes namespace comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."),
  apiOnly('k8s.rs.name', 'Kubernetes replica set name.'),
  apiOnly('k8s.rs.id', 'Kubernetes replica set id.'),
  apiOnlyLabel('k8s.rs.label', "Kubernetes replica set label. E.g. 'k8s.rs.label.foo'."),
  apiOnly('k8s.rs.labels', "Kubernetes replica set comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."),
  apiOnly('k8s.deployment.name', 'Kubernetes deployment name.'),
  apiOnly('k8s.deployment.id', 'Kubernetes deployment id.'),
  apiOnlyLabel('k8s.deployment.label', "Kubernetes deployment label. E.g. 'k8s.rs.label.foo'."),
  apiOnly('k8s.deployment.labels', "Kubernetes deployment comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."),
];
