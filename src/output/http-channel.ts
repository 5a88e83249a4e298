/**
 * Falco's http_output: each alert POSTed on its own (`Content-Type:
 * application/json` with json_output, else `text/plain`, as Falco sets it),
 * with the configured User-Agent. Extensions for log stores and
 * falcosidekick: extra headers, basic auth, and a batching mode for export
 * streams that sends JSON arrays of lines, by count and by time.
 *
 * One request is in flight at a time, over a kept-alive connection, so lines
 * arrive in order. Refused connections, timeouts (output_timeout), 5xx, 408
 * and 429 are retried with backoff; other answers outside 2xx reject the lines.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { encodeText } from './encode.js';
import type { HttpOutputConfig } from './config.js';
import { OK, QueuedChannel, type Delivery, type QueueSettings } from './queued-channel.js';

/** The http_output section, plus what the channel takes from elsewhere in the configuration. */
export interface HttpChannelConfig extends Omit<HttpOutputConfig, 'enabled'> {
  /** Body type of single-line posts: JSON lines (json_output) or text. */
  json: boolean;
  /** output_timeout. */
  timeoutMs: number;
}

export class HttpChannel extends QueuedChannel {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly baseHeaders: Record<string, string>;
  private readonly request: typeof httpRequest;
  private inFlight: ClientRequest | null = null;
  private batchTimer: NodeJS.Timeout | null = null;
  private batchDue = false;

  constructor(
    private readonly cfg: HttpChannelConfig,
    settings: QueueSettings,
  ) {
    super('http', cfg.url, settings);
    this.url = new URL(cfg.url);
    const https = this.url.protocol === 'https:';
    this.request = https ? httpsRequest : httpRequest;
    this.agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !cfg.insecure, ca: cfg.caCert === null ? undefined : readFileSync(cfg.caCert) })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.baseHeaders = {
      'User-Agent': cfg.userAgent,
      'Content-Type': cfg.batch !== null || cfg.json ? 'application/json' : 'text/plain',
      ...cfg.headers,
    };
    if (cfg.basicAuth !== null) {
      this.baseHeaders['Authorization'] = 'Basic ' + Buffer.from(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`, 'utf8').toString('base64');
    }
  }

  override write(line: string, priority?: number): void {
    super.write(line, priority);
    const b = this.cfg.batch;
    if (b === null) return;
    // A full batch goes now; a partial one when its time is up.
    if (this.queue.length >= b.maxLines) this.batchDue = true;
    else if (this.batchTimer === null) this.armBatchTimer(b.maxWaitMs);
  }

  private armBatchTimer(ms: number): void {
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      this.batchDue = true;
      this.schedule();
    }, ms);
    this.batchTimer.unref();
  }

  protected override take(): number {
    const b = this.cfg.batch;
    if (b === null) return Math.min(1, this.queue.length);
    if (!this.batchDue && !this.closing && this.queue.length < b.maxLines) return 0;
    return Math.min(b.maxLines, this.queue.length);
  }

  protected override onClosing(): void {
    if (this.batchTimer !== null) clearTimeout(this.batchTimer);
    this.batchTimer = null;
  }

  protected override async deliver(n: number): Promise<Delivery> {
    const body = this.body(n);
    const r = await this.post(body);
    if (r.kind === 'ok' && this.cfg.batch !== null) {
      // The next batch starts filling now.
      this.batchDue = this.queue.length - n >= this.cfg.batch.maxLines;
      if (!this.batchDue && this.queue.length - n > 0 && this.batchTimer === null && !this.closing) this.armBatchTimer(this.cfg.batch.maxWaitMs);
    }
    return r;
  }

  /** One line as it is, or a JSON array; a line that is not a JSON object or array goes in as a JSON string. */
  private body(n: number): Buffer {
    if (this.cfg.batch === null) return encodeText(this.queue.peek(0));
    const parts: string[] = ['['];
    for (let i = 0; i < n; i++) {
      if (i > 0) parts.push(',');
      const line = this.queue.peek(i);
      const c = line.charCodeAt(0);
      parts.push(c === 0x7b || c === 0x5b ? line : JSON.stringify(line));
    }
    parts.push(']');
    return encodeText(parts.join(''));
  }

  private post(body: Buffer): Promise<Delivery> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (d: Delivery): void => {
        if (settled) return;
        settled = true;
        this.inFlight = null;
        resolve(d);
      };
      const req = this.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.baseHeaders, 'Content-Length': String(body.length) },
      });
      this.inFlight = req;
      req.setTimeout(this.cfg.timeoutMs, () => {
        req.destroy(new Error(`no answer within ${this.cfg.timeoutMs} ms`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        done({ kind: 'retry', reason: err.code === 'ECONNREFUSED' ? 'connection refused' : err.message });
      });
      req.on('response', (res: IncomingMessage) => {
        const code = res.statusCode ?? 0;
        // The answer's body is not needed; reading it frees the connection for the next request.
        res.resume();
        res.on('end', () => {
          if (code >= 200 && code < 300) done(OK);
          else if (code >= 500 || code === 408 || code === 429) done({ kind: 'retry', reason: `HTTP ${code} ${res.statusMessage ?? ''}`.trimEnd() });
          else done({ kind: 'reject', reason: `HTTP ${code} ${res.statusMessage ?? ''}`.trimEnd() });
        });
        res.on('error', (err) => done({ kind: 'retry', reason: err.message }));
      });
      req.end(body);
    });
  }

  protected override release(): void {
    if (this.batchTimer !== null) clearTimeout(this.batchTimer);
    this.inFlight?.destroy();
    this.agent.destroy();
  }
}
