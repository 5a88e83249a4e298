/**
 * alert.*: the alert a rule fired on the current event (the rules run in
 * the same session: --rules / --default-rules). They read the engine's
 * AlertSlot, which the rules consumer fills before the views see the event;
 * on an event that fired nothing they do not apply (alert.count is 0), so a
 * view or filter on them keeps only alerts. A view reading them gets one row
 * per alert (src/state/alert-slot.ts). Documented in docs/filters.md.
 */
import { ParamType, PrintFormat } from '../event/types.js';
import type { Alert } from '../rules/alert.js';
import { type FieldDef, type Getter, simpleField } from './define.js';
import { timeOfDay } from './time-text.js';
import type { EventContext } from './types.js';

function def(name: string, type: ParamType, fmt: PrintFormat, desc: string, get: (a: Alert, ctx: EventContext) => ReturnType<Getter>): FieldDef {
  const g: Getter = (ctx) => {
    const a = ctx.engine.alerts.current();
    return a === undefined ? undefined : get(a, ctx);
  };
  return simpleField({ name, type, fmt, desc, category: 'alert', make: () => g });
}

export const ALERT_FIELDS: readonly FieldDef[] = [
  def('alert.num', ParamType.UINT64, PrintFormat.ID, 'running number of the alert since the capture started (1 is the first).', (_a, ctx) => ctx.engine.alerts.currentNum()),
  def('alert.time', ParamType.CHARBUF, PrintFormat.NA, "the alert's time, as Falco prints it (the event's time of day with nanoseconds).", (_a, ctx) => timeOfDay(ctx.ev)),
  def('alert.priority', ParamType.CHARBUF, PrintFormat.NA, "the rule's priority as Falco names it: Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug.", (a) => a.priorityName),
  def('alert.severity', ParamType.UINT32, PrintFormat.DEC, "the rule's priority as a number: 0 (Emergency, the most severe) to 7 (Debug).", (a) => a.priority),
  def('alert.rule', ParamType.CHARBUF, PrintFormat.NA, 'the name of the rule that fired.', (a) => a.rule),
  def('alert.output', ParamType.CHARBUF, PrintFormat.NA, "the rule's output with its fields filled in (without Falco's time and priority prefix).", (a) => a.output),
  def('alert.tags', ParamType.CHARBUF, PrintFormat.NA, "the rule's tags, comma-separated.", (a) => a.tags.join(',')),
  def('alert.source', ParamType.CHARBUF, PrintFormat.NA, "the rule's source (syscall).", (a) => a.source),
  def('alert.hostname', ParamType.CHARBUF, PrintFormat.NA, 'the host name the alert carries (FALCO_HOSTNAME, else the host name).', (a) => a.hostname),
  simpleField({
    name: 'alert.count',
    type: ParamType.UINT32,
    fmt: PrintFormat.DEC,
    desc: 'how many rules fired on this event (0 when none; more than one with --rule-matching all).',
    category: 'alert',
    make: () => (ctx) => ctx.engine.alerts.count,
  }),
];
