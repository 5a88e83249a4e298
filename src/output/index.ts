/**
 * The output channels as one LineSink. Producers (alerts, event JSON, the
 * lifecycle stream) do:
 *
 *   const config = loadOutputConfig({ file: opts.configFile, overrides: opts.configOverrides }, { json: opts.json, ... });
 *   const out = openOutputs(config);      // throws OutputFileError/ConfigError: one line, exit
 *   out.write(line);                       // per record; alerts pass their priority: out.write(line, 4)
 *   await out.close();                     // at the end of capture: flushes, waits at most output_timeout
 *
 * write() never blocks: each channel queues (bounded) or writes a local file
 * synchronously. close() reports on stderr what each channel dropped.
 * stats() gives each channel's counters (for a /metrics endpoint).
 */
import type { OutputConfig } from './config.js';
import { FileChannel } from './file-channel.js';
import { HttpChannel } from './http-channel.js';
import { DEFAULT_PRIORITY, droppedTotal, type Channel, type ChannelStats, type LineSink, type Priority } from './line-sink.js';
import { ProgramChannel } from './program-channel.js';
import { stderrReport } from './queued-channel.js';
import { StdoutChannel } from './stdout-channel.js';
import { SyslogChannel } from './syslog-channel.js';
import type { OutputBuffer } from '../cli/output-buffer.js';

export type { LineSink, ChannelStats, Priority } from './line-sink.js';
export { PRIORITY_NAMES, parsePriority } from './line-sink.js';
export { ConfigError, loadOutputConfig, defaultOutputConfig, type OutputConfig } from './config.js';
export { OutputFileError } from './rotating-file.js';

export interface OpenOptions {
  /** Where outage and drop lines go; stderr by default. */
  report?: (line: string) => void;
  /** The stdout channel's buffer (tests, or a caller that already has one). */
  stdout?: OutputBuffer;
}

export class OutputChannels implements LineSink {
  constructor(
    private readonly channels: readonly Channel[],
    private readonly closeTimeoutMs: number,
    private readonly report: (line: string) => void,
  ) {}

  write(line: string, priority: Priority = DEFAULT_PRIORITY): void {
    for (let i = 0; i < this.channels.length; i++) this.channels[i]!.write(line, priority);
  }

  /** Flushes every channel, waiting at most the output timeout, then reports lines dropped. */
  async close(): Promise<ChannelStats[]> {
    const deadline = Date.now() + this.closeTimeoutMs;
    await Promise.all(this.channels.map((c) => c.close(deadline)));
    const all = this.stats();
    for (const s of all) {
      const d = droppedTotal(s);
      if (d > 0) {
        this.report(`tsysdig: output ${s.channel} ${s.target}: ${d} of ${s.accepted} lines dropped (queue full ${s.droppedQueueFull}, refused ${s.droppedRejected}, unsent at exit ${s.droppedAtClose})`);
      }
    }
    return all;
  }

  stats(): ChannelStats[] {
    return this.channels.map((c) => c.stats());
  }
}

/** Opens every enabled channel. A file that cannot be opened fails here, before capture starts. */
export function openOutputs(cfg: OutputConfig, opts: OpenOptions = {}): OutputChannels {
  const report = opts.report ?? stderrReport;
  const queue = { capacity: cfg.queueCapacity, report };
  const channels: Channel[] = [];
  if (cfg.stdout.enabled) channels.push(new StdoutChannel(opts.stdout));
  if (cfg.file.enabled) {
    channels.push(new FileChannel({ filename: cfg.file.filename, keepAlive: cfg.file.keepAlive, maxBytes: cfg.file.maxSizeMb * 1024 * 1024, maxBackups: cfg.file.maxBackups }, report));
  }
  if (cfg.program.enabled) channels.push(new ProgramChannel({ program: cfg.program.program, keepAlive: cfg.program.keepAlive, timeoutMs: cfg.outputTimeoutMs }, queue));
  if (cfg.syslog.enabled) channels.push(new SyslogChannel({ socketPath: cfg.syslog.socket, tag: cfg.syslog.tag }, queue));
  if (cfg.http.enabled) {
    channels.push(new HttpChannel({ ...cfg.http, json: cfg.jsonOutput, timeoutMs: cfg.outputTimeoutMs }, queue));
  }
  return new OutputChannels(channels, cfg.outputTimeoutMs, report);
}
