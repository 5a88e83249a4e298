/**
 * FieldRegistry: every sysdig field tsysdig knows, by name.
 *
 *   const ex = fieldRegistry.resolve('proc.name', undefined);   // FieldExtractor
 *   ex.get({ ev, engine });                                      // 'bash'
 *   fieldRegistry.resolveText('proc.aname[2]');                  // parses "name[arg]"
 *
 * It is the FieldResolver of the filter language (compileFilter(text,
 * fieldRegistry)) and the column binder of the views. Fields taking an
 * argument accept it the way sysdig writes it: in brackets (`proc.aname[2]`,
 * `evt.arg[0]`) or after a dot (`evt.arg.fd`, `evt.type.is.open`,
 * `k8s.pod.label.app`, `thread.cgroup.cpuacct`), per field.
 *
 * Each resolve() binds a fresh extractor, so per-use state (evt.deltatime's
 * previous event, thread.cpu's previous totals) is never shared between a
 * filter and a column.
 */
import type { FieldResolver } from '../filter/field-api.js';
import { ALERT_FIELDS } from './alert-fields.js';
import { CONTAINER_FIELDS } from './container-fields.js';
import { DEFAULT_FIELD_OPTIONS, type FieldDef, type FieldOptions } from './define.js';
import { EVT_FIELDS } from './evt-fields.js';
import { FD_FIELDS } from './fd-fields.js';
import { FDLIST_FIELDS } from './fdlist-fields.js';
import { FSPATH_FIELDS } from './fspath-fields.js';
import { K8S_FIELDS } from './k8s-fields.js';
import { PROC_FIELDS } from './proc-fields.js';
import { THREAD_FIELDS } from './thread-fields.js';
import type { EventContext, FieldExtractor, FieldInfo } from './types.js';
import { GROUP_FIELDS, USER_FIELDS } from './user-fields.js';

/** A field class as `tsysdig -l` groups them (sysdig's filter check classes). */
export interface FieldClass {
  name: string;
  description: string;
  fields: FieldInfo[];
}

const CLASS_DESCRIPTIONS: Record<string, string> = {
  evt: 'Event fields: the event itself, its arguments and return value. Note that for most events you can access the individual arguments/parameters of each syscall via evt.arg, e.g. evt.arg.filename.',
  proc: 'Additional information about the process executing the syscall event.',
  thread: 'Additional information about the thread executing the syscall event.',
  user: 'Information about the user executing the specific event.',
  group: 'Information about the user group.',
  container: "Container information. If the event is not happening inside a container, both id and name will be set to 'host'.",
  fd: 'Every syscall that has a file descriptor in its arguments has these fields set with information related to the file.',
  fdlist: 'Poll event related fields.',
  'fs.path': 'Every syscall that has a filesystem path in its arguments has these fields set with information related to the path arguments. This differs from the fd.* fields as it includes syscalls like unlink, rename, etc. that act directly on filesystem paths as compared to opened file descriptors.',
  alert: 'The alert a rule fired on the event, when rules run in the monitor (--rules, --default-rules; the Alerts views in docs/user-guide.md). They do not apply to an event that fired nothing (alert.count is 0 there). A view or filter reading them sees the event once per alert it fired, so an event firing two rules (--rule-matching all) gives two rows.',
  k8s: "Kubernetes related context, derived from the container runtime's pod labels (objects only the API server knows have no value).",
};

/** All field definitions, in sysdig's class order. */
const ALL_DEFS: readonly FieldDef[] = [
  ...EVT_FIELDS,
  ...PROC_FIELDS,
  ...THREAD_FIELDS,
  ...USER_FIELDS,
  ...GROUP_FIELDS,
  ...CONTAINER_FIELDS,
  ...FD_FIELDS,
  ...FDLIST_FIELDS,
  ...FSPATH_FIELDS,
  ...K8S_FIELDS,
  ...ALERT_FIELDS,
];

export class FieldRegistry implements FieldResolver<EventContext> {
  private readonly byName = new Map<string, FieldDef>();
  /** Fields taking a dotted argument, longest name first (so `evt.arg` loses to nothing longer). */
  private readonly dotted: FieldDef[];
  readonly options: FieldOptions;

  constructor(options: Partial<FieldOptions> = {}, defs: readonly FieldDef[] = ALL_DEFS) {
    this.options = { ...DEFAULT_FIELD_OPTIONS, ...options };
    for (const d of defs) {
      if (this.byName.has(d.info.name)) throw new Error(`field ${d.info.name} defined twice`);
      this.byName.set(d.info.name, d);
    }
    this.dotted = defs.filter((d) => d.info.arg !== 'none' && (d.argSyntax === 'dot' || d.argSyntax === 'both')).sort((a, b) => b.info.name.length - a.info.name.length);
  }

  /**
   * The extractor for a field as written in a filter or view: `name` is the
   * text before an optional `[...]`, whose content is `arg`. Returns null for
   * an unknown field; throws an Error explaining a bad argument.
   */
  resolve(name: string, arg: string | undefined): FieldExtractor | null {
    const d = this.byName.get(name);
    if (d !== undefined) {
      if (arg !== undefined) {
        if (d.info.arg === 'none') throw new Error(`field '${name}' does not take an argument`);
        if (d.argSyntax === 'dot') throw new Error(`field '${name}' takes its argument after a dot, as in ${name}.ARG`);
        return d.bind(arg, `${name}[${arg}]`, this.options, 'bracket');
      }
      return d.bind(undefined, name, this.options);
    }
    // A dotted argument: the longest field name followed by '.'.
    for (const f of this.dotted) {
      const base = f.info.name;
      if (name.length > base.length + 1 && name.startsWith(base) && name.charCodeAt(base.length) === 0x2e) {
        if (arg !== undefined) throw new Error(`field '${name}' does not take a bracketed argument`);
        return f.bind(name.slice(base.length + 1), name, this.options, 'dot');
      }
    }
    return null;
  }

  /** resolve() for a field written as one string: "proc.name", "proc.aname[2]", "evt.arg.fd". */
  resolveText(text: string): FieldExtractor | null {
    const m = /^([^[\]\s]+)(?:\[(.*)\])?$/.exec(text.trim());
    if (m === null) return null;
    return this.resolve(m[1]!, m[2]);
  }

  /** Static info of a field by its base name (no argument), or undefined. */
  info(name: string): FieldInfo | undefined {
    return this.byName.get(name)?.info;
  }

  /** Every field, in `tsysdig -l` order (sysdig's classes and field order). */
  list(): FieldInfo[] {
    return [...this.byName.values()].map((d) => d.info);
  }

  /** The fields grouped by class, with the class descriptions, for `tsysdig -l`. */
  classes(): FieldClass[] {
    const out: FieldClass[] = [];
    for (const info of this.list()) {
      let c = out.find((x) => x.name === info.category);
      if (c === undefined) {
        c = { name: info.category, description: CLASS_DESCRIPTIONS[info.category] ?? '', fields: [] };
        out.push(c);
      }
      c.fields.push(info);
    }
    return out;
  }
}

/** The registry with default options (sysdig -p semantics: evt.latency.quantized with no screen width). */
export const fieldRegistry = new FieldRegistry();
