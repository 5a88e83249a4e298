/**
 * The rules engine as an event consumer: each event (after the state engine
 * parsed it) runs the rules its type can match; a match becomes an alert,
 * written as a complete line (Falco's text or JSON form) to a LineSink and,
 * when asked, handed over as a typed Alert record.
 */
import { hostname as osHostname } from 'node:os';
import type { ScapEvent } from '../event/scap-event.js';
import { fieldRegistry } from '../fields/registry.js';
import type { EventContext, FieldExtractor } from '../fields/types.js';
import type { StateEngine } from '../state/engine.js';
import type { Alert } from './alert.js';
import { OutputFormat } from './output-format.js';
import type { CompiledRule } from './rule-compiler.js';
import type { RuleSet } from './ruleset.js';

/** Where complete output lines go (stdout, a file, a program, syslog, HTTP). */
export interface LineSink {
  write(line: string): void;
}

export interface AlertOutputOptions {
  /** Falco's JSON objects instead of text lines (json_output). */
  json: boolean;
  /** %evt.time.iso8601 instead of %evt.time in the prefix (--time-iso8601). */
  timeIso8601: boolean;
  /** json_include_output_property / json_include_tags_property (default true). */
  includeOutput: boolean;
  includeTags: boolean;
  /** FALCO_HOSTNAME, else the host name. */
  hostname: string;
}

export function defaultHostname(): string {
  const env = process.env.FALCO_HOSTNAME;
  return env !== undefined && env !== '' ? env : osHostname();
}

/** Per rule, what firing needs: the full format (time prefix and priority included). */
interface RuleOutput {
  rule: CompiledRule;
  format: OutputFormat;
  /** The rule's own output without the prefix (for Alert.output). */
  own: OutputFormat;
  tagsJson: string;
}

export class AlertConsumer {
  private readonly ctx: EventContext = { ev: null as unknown as ScapEvent, engine: null as unknown as StateEngine };
  private readonly outputs: RuleOutput[];
  private readonly fire: (rule: CompiledRule) => void;
  private readonly pid: FieldExtractor;
  private readonly containerId: FieldExtractor;
  /** Alerts per rule name, for the summary. */
  readonly counts = new Map<string, number>();
  alerts = 0;

  constructor(
    private readonly ruleset: RuleSet,
    private readonly sink: LineSink | null,
    private readonly options: AlertOutputOptions,
    /** Called with the typed record of each alert, when something wants them. */
    private readonly onAlert: ((a: Alert) => void) | null = null,
    /**
     * Put each alert into the engine's AlertSlot (engine.alerts), for the
     * alert.* fields of the views that run after this consumer.
     */
    private readonly fillSlot = false,
  ) {
    const prefix = options.timeIso8601 ? '%evt.time.iso8601: ' : '%evt.time: ';
    this.outputs = [];
    for (const r of ruleset.rules) {
      // Falco's prefix; a leading '*' of the rule's output is dropped, as Falco does.
      const own = r.output.format;
      const body = own.startsWith('*') ? own.slice(1) : own;
      this.outputs[r.id] = {
        rule: r,
        format: new OutputFormat(`${prefix}${r.priorityName} ${body}`),
        own: r.output,
        tagsJson: JSON.stringify(r.tags),
      };
    }
    this.pid = fieldRegistry.resolve('proc.pid', undefined)!;
    this.containerId = fieldRegistry.resolve('container.id', undefined)!;
    this.fire = (rule) => this.emit(rule);
  }

  onEvent(ev: ScapEvent, engine: StateEngine): void {
    this.ctx.ev = ev;
    this.ctx.engine = engine;
    if (this.fillSlot) engine.alerts.clear();
    this.ruleset.evaluate(this.ctx, this.fire);
  }

  finish(): void {}

  private emit(rule: CompiledRule): void {
    const o = this.outputs[rule.id]!;
    const ctx = this.ctx;
    this.alerts++;
    this.counts.set(rule.name, (this.counts.get(rule.name) ?? 0) + 1);
    if (this.sink !== null) this.sink.write(this.options.json ? this.jsonLine(o) : o.format.text(ctx));
    if (this.onAlert !== null || this.fillSlot) {
      const pid = this.pid.get(ctx);
      const cid = this.containerId.get(ctx);
      const a: Alert = {
        timeNs: ctx.ev.tsBig(),
        priority: rule.priority,
        priorityName: rule.priorityName,
        rule: rule.name,
        output: o.own.text(ctx),
        outputFields: o.format.fieldTexts(ctx),
        tags: rule.tags,
        source: rule.source,
        hostname: this.options.hostname,
        tid: ctx.ev.tid,
        pid: typeof pid === 'number' ? pid : -1,
        eventNumber: ctx.ev.num,
        containerId: typeof cid === 'string' && cid !== 'host' ? cid : '',
      };
      if (this.fillSlot) ctx.engine.alerts.add(a);
      this.onAlert?.(a);
    }
  }

  /** Falco's JSON alert: time, priority, rule, output, output_fields, tags, source, hostname. */
  private jsonLine(o: RuleOutput): string {
    const ctx = this.ctx;
    let s = `{"time":"${isoTime(ctx.ev.tsBig())}","priority":"${o.rule.priorityName}","rule":${JSON.stringify(o.rule.name)}`;
    if (this.options.includeOutput) s += `,"output":${JSON.stringify(o.format.text(ctx))}`;
    s += `,"output_fields":${o.format.fieldsJson(ctx)}`;
    if (this.options.includeTags) s += `,"tags":${o.tagsJson}`;
    return s + `,"source":${JSON.stringify(o.rule.source)},"hostname":${JSON.stringify(this.options.hostname)}}`;
  }
}

/** "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (UTC), Falco's JSON time. */
export function isoTime(ns: bigint): string {
  const s = ns / 1000000000n;
  const d = new Date(Number(s) * 1000);
  return d.toISOString().slice(0, 19) + '.' + String(ns % 1000000000n).padStart(9, '0') + 'Z';
}
