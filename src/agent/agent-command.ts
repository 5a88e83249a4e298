/**
 * `tsysdig --agent`: the node agent run by the DaemonSet (deploy/kubernetes,
 * docs/kubernetes.md). Headless live capture through one CaptureSession:
 *
 *   - a rotated capture of the last minutes with -w DIR (--rotate-seconds,
 *     --rotate-keep; 60 s × 5 files unless set), each file a complete capture;
 *   - /healthz and /metrics (Prometheus) on --health-address:--health-port;
 *   - -M/-n and a filter (what the capture keeps) as for any live run;
 *   - SIGTERM/SIGINT stop it cleanly: probe detached, capture closed and renamed.
 *
 * One line on stderr says where health is served. The records (alerts,
 * lifecycle; JSON, one per line) go through the output channels as
 * `--alerts` does: stdout for a log shipper by default, or what -c
 * falco.yaml / -o choose (a file, a program, syslog, HTTP). /metrics reports
 * the lines each channel dropped from the channels' own counters.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputBuffer } from '../cli/output-buffer.js';
import { hasOutputOptions, type Options } from '../cli/args.js';
import { outputConfigFromOptions } from '../output/cli-config.js';
import { defaultOutputConfig, openOutputs } from '../output/index.js';
import { runCapture } from '../cli/capture-command.js';
import type { RotateSpec } from '../session/capture-file-consumer.js';
import type { EventConsumer } from '../session/consumer.js';
import { AgentMetrics } from './agent-metrics.js';
import { startHealthServer } from './health-server.js';

export interface AgentRunOptions {
  rotate: RotateSpec | null;
  onWarning: (msg: string) => void;
  /** Aborting stops the agent like SIGTERM (tests). */
  signal?: AbortSignal;
}

/** The node's name: NODE_NAME (the DaemonSet sets it from spec.nodeName), else the host name. */
export function nodeName(): string {
  return process.env.NODE_NAME || os.hostname();
}

function packageVersion(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  try {
    return (JSON.parse(fs.readFileSync(path.resolve(here, '../../package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function runAgent(opts: Options, run: AgentRunOptions): Promise<number> {
  const metrics = new AgentMetrics({ version: packageVersion(), node: nodeName() });
  const health = await startHealthServer(metrics, opts.healthAddress, opts.healthPort);
  const where = `http://${health.address.family === 'IPv6' ? `[${health.address.address}]` : health.address.address}:${health.address.port}`;
  process.stderr.write(`tsysdig: agent on node ${nodeName()}: health on ${where}/healthz, metrics on ${where}/metrics${opts.writeFile !== null ? `, capture in ${opts.writeFile}` : ''}\n`);
  // Alerts (the shipped stable rules, plus --rules) and the lifecycle stream, as JSON lines through the output channels.
  const cfg = hasOutputOptions(opts) ? outputConfigFromOptions(opts, run.onWarning) : defaultOutputConfig();
  const out = openOutputs(cfg, { stdout: new OutputBuffer() });
  metrics.setOutputs(() =>
    out.stats().map((c) => ({ channel: c.channel, target: c.target, droppedQueueFull: c.droppedQueueFull, droppedOther: c.droppedRejected + c.droppedAtClose })),
  );
  const { buildAlertConsumer } = await import('../cli/alerts-command.js');
  const { defaultRulesFile } = await import('../rules/default-rules.js');
  const { lifecycleTracker } = await import('../cli/lifecycle-command.js');
  const alerts = buildAlertConsumer(
    {
      rulesPaths: [defaultRulesFile(), ...opts.rulesPaths],
      file: null,
      filter: '',
      count: 0,
      durationS: 0,
      json: true,
      timeIso8601: opts.timeIso8601 || cfg.timeFormatIso8601,
      matching: opts.ruleMatching,
      minPriority: opts.minPriority,
      selection: { disabledSubstrings: opts.disabledRules, disabledTags: opts.disabledTags, enabledTags: opts.enabledTags },
      extra: opts.k8sColumns ? 'kubernetes' : 'container',
      onAlert: (a) => metrics.countAlert(a.priorityName.toLowerCase()),
      onWarning: run.onWarning,
    },
    out,
  );
  const consumers: EventConsumer[] = [alerts, lifecycleTracker({ ...opts, json: true, lifecycle: opts.lifecycle === 'net' ? 'net' : 'proc' }, out)];
  try {
    await runCapture({
      source: { readFile: null, snaplen: opts.snaplen, bufferMb: opts.bufferMb, includeSelf: opts.includeSelf, procinfo: true },
      output: 'none',
      filter: opts.filter,
      count: opts.count,
      durationS: opts.durationS,
      writeFile: opts.writeFile,
      rotate: run.rotate,
      gzip: opts.gzip,
      consumers,
      onStart: (session, writer) => metrics.attach(session, writer),
      onWarning: run.onWarning,
      signal: run.signal,
    });
  } finally {
    await out.close();
    metrics.stop();
    await health.close();
  }
  return 0;
}
