/**
 * The HTTP channel against a real local server: every line exactly once when
 * healthy; the producer never waits while the server refuses, hangs or
 * answers 500, with the outage said once, the recovery once, and the drops
 * counted; basic auth and extra headers arrive; batching sends JSON arrays
 * by count and by time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadOutputConfig, openOutputs } from '../../src/output/index.js';
import { produce, refusedPort, TestServer, until } from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(port = 0): Promise<TestServer> {
  const s = await new TestServer().listen(port);
  servers.push(s);
  return s;
}

function httpOutputs(url: string, extra: string[], report: string[]) {
  const cfg = loadOutputConfig({ file: null, overrides: ['stdout_output.enabled=false', 'http_output.enabled=true', `http_output.url=${url}`, ...extra] });
  return openOutputs(cfg, { report: (l) => report.push(l) });
}

const jsonLine = (i: number): string => `{"n":${i},"output":"alert ${i}"}`;

describe('http output', () => {
  it('delivers every line exactly once, in order, one POST per alert as Falco does', async () => {
    const s = await server();
    const report: string[] = [];
    const out = httpOutputs(s.url, ['json_output=true'], report);
    await produce((l) => out.write(l), 20, 25, jsonLine);
    const stats = await out.close();
    expect(s.received.map((r) => r.body)).toEqual(Array.from({ length: 500 }, (_, i) => jsonLine(i)));
    expect(s.received[0]!.headers['content-type']).toBe('application/json');
    expect(s.received[0]!.headers['user-agent']).toBe('tsysdig');
    expect(stats[0]).toMatchObject({ channel: 'http', accepted: 500, delivered: 500, droppedQueueFull: 0, droppedAtClose: 0 });
    expect(report).toEqual([]);
  });

  it('posts text/plain without json_output', async () => {
    const s = await server();
    const out = httpOutputs(s.url, [], []);
    out.write('10:20:05.408091526: Warning Sensitive file opened');
    await out.close();
    expect(s.received.map((r) => [r.headers['content-type'], r.body])).toEqual([['text/plain', '10:20:05.408091526: Warning Sensitive file opened']]);
  });

  it('sends basic auth and extra headers (a log store ingest endpoint)', async () => {
    const s = await server();
    const out = httpOutputs(s.url, ['http_output.basic_auth.username=admin', 'http_output.basic_auth.password=s3cr:et', 'http_output.headers.X-P-Stream=tsysdig', 'http_output.user_agent=falcosecurity/falco'], []);
    out.write(jsonLine(1));
    await out.close();
    const h = s.received[0]!.headers;
    expect(h['authorization']).toBe('Basic ' + Buffer.from('admin:s3cr:et').toString('base64'));
    expect(h['x-p-stream']).toBe('tsysdig');
    expect(h['user-agent']).toBe('falcosecurity/falco');
  });

  it('keeps producing while the endpoint refuses connections, says so once, recovers, and reports what it dropped', async () => {
    const port = await refusedPort();
    const report: string[] = [];
    const out = httpOutputs(`http://127.0.0.1:${port}/`, ['outputs_queue.capacity=100'], report);
    // 5000 lines into a dead endpoint: the producer finishes before anything could be delivered.
    await produce((l) => out.write(l), 50, 100, jsonLine);
    expect(out.stats()[0]!.delivered).toBe(0);
    await until(() => report.length > 0, 5000, 'the outage line');
    expect(report).toHaveLength(1);
    expect(report[0]).toMatch(new RegExp(`^tsysdig: output http http://127.0.0.1:${port}/: connection refused; retrying`));
    // The endpoint comes back: the queued lines go out, and one line says so.
    const s = await server(port);
    await until(() => report.length === 2, 15_000, 'the recovery line');
    expect(report[1]).toMatch(/delivering again after [\d.]+ s \(\d+ lines dropped meanwhile\)$/);
    const stats = await out.close();
    expect(stats[0]).toMatchObject({ accepted: 5000, delivered: 100, droppedQueueFull: 4900, outages: 1 });
    // The 100 that waited are the first 100, each once.
    expect(s.received.map((r) => r.body)).toEqual(Array.from({ length: 100 }, (_, i) => jsonLine(i)));
    expect(report[2]).toBe(`tsysdig: output http http://127.0.0.1:${port}/: 4900 of 5000 lines dropped (queue full 4900, refused 0, unsent at exit 0)`);
  });

  it('keeps producing while the endpoint hangs; close() gives up after output_timeout and counts what was unsent', async () => {
    const s = await server();
    s.behaviour = 'hang';
    const report: string[] = [];
    const out = httpOutputs(s.url, ['outputs_queue.capacity=50', 'output_timeout=300'], report);
    out.write(jsonLine(0));
    await until(() => s.hanging === 1, 5000, 'the server to hold the first request');
    // The producer writes the rest while that request hangs, and finishes before it is answered.
    await produce((l) => out.write(l), 20, 50, (i) => jsonLine(i + 1));
    expect(out.stats()[0]!.accepted).toBe(1001);
    expect(s.received).toHaveLength(0);
    await until(() => report.length > 0, 5000, 'the outage line');
    expect(report[0]).toContain('no answer within 300 ms; retrying');
    const t0 = Date.now();
    const stats = await out.close();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stats[0]!.delivered).toBe(0);
    expect(stats[0]!.droppedQueueFull + stats[0]!.droppedAtClose).toBe(1001);
    expect(stats[0]!.droppedAtClose).toBe(50);
    expect(report.at(-1)).toMatch(/: 1001 of 1001 lines dropped \(queue full 951, refused 0, unsent at exit 50\)$/);
  });

  it('retries on HTTP 500 with backoff, delivering every queued line once the server answers again', async () => {
    const s = await server();
    s.behaviour = 'fail500';
    const report: string[] = [];
    const out = httpOutputs(s.url, ['outputs_queue.capacity=1000'], report);
    await produce((l) => out.write(l), 10, 50, jsonLine);
    await until(() => report.length > 0, 5000, 'the outage line');
    expect(report[0]).toContain(': HTTP 500 Internal Server Error; retrying');
    s.behaviour = 'ok';
    await until(() => s.received.length === 500, 20_000, 'all lines');
    const stats = await out.close();
    expect(s.received.map((r) => r.body)).toEqual(Array.from({ length: 500 }, (_, i) => jsonLine(i)));
    expect(stats[0]).toMatchObject({ delivered: 500, droppedQueueFull: 0, outages: 1, failing: false });
    expect(report).toHaveLength(2);
    expect(report[1]).toContain('delivering again after');
  });

  it('a 4xx answer rejects the line (counted) instead of retrying it forever', async () => {
    const port = await refusedPort();
    const { createServer } = await import('node:http');
    const srv = createServer((_req, res) => {
      res.statusCode = 401;
      res.end();
    });
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      const report: string[] = [];
      const out = httpOutputs(`http://127.0.0.1:${port}/`, [], report);
      for (let i = 0; i < 3; i++) out.write(jsonLine(i));
      const stats = await out.close();
      expect(stats[0]).toMatchObject({ delivered: 0, droppedRejected: 3, outages: 1 });
      expect(report[0]).toContain('HTTP 401 Unauthorized; those lines are dropped');
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('batches export lines into JSON arrays by count and by time', async () => {
    const s = await server();
    const out = httpOutputs(s.url, ['http_output.batch.enabled=true', 'http_output.batch.max_lines=100', 'http_output.batch.max_wait_ms=1500'], []);
    const t0 = Date.now();
    for (let i = 0; i < 250; i++) out.write(jsonLine(i));
    // By count: two full batches before the 1.5 s wait is up.
    await until(() => s.received.length >= 2, 5000, 'two full batches');
    expect(s.received[1]!.at - t0).toBeLessThan(1500);
    // By time: the 50 left go when their wait is up, not at close.
    await until(() => s.received.length === 3, 10_000, 'the timed batch');
    expect(s.received[2]!.at - t0).toBeGreaterThanOrEqual(1400);
    // A compact (non-JSON) line goes into the array as a JSON string.
    out.write('🚀 process default/nginx /usr/sbin/nginx -g');
    await out.close();
    const arrays = s.received.map((r) => JSON.parse(Buffer.from(r.body, 'latin1').toString('utf8')) as unknown[]);
    expect(arrays.map((a) => a.length)).toEqual([100, 100, 50, 1]);
    expect(arrays.slice(0, 3).flat()).toEqual(Array.from({ length: 250 }, (_, i) => JSON.parse(jsonLine(i))));
    expect(arrays[3]).toEqual(['🚀 process default/nginx /usr/sbin/nginx -g']);
    expect(s.received.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
  });
});
