/**
 * The agent's local HTTP endpoint, for Kubernetes probes and Prometheus:
 *
 *   GET /healthz   200 "ok" while events arrive; 503 and the reason while
 *                  starting or when the capture is stuck
 *   GET /metrics   the counters in Prometheus text format
 *
 * Bound to 127.0.0.1 by default (--health-address): the metrics name the node
 * and its activity, so exposing them is a deliberate choice (the DaemonSet binds
 * the node's own address so the kubelet's probes reach it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentMetrics } from './agent-metrics.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './prometheus.js';

export class HealthServerError extends Error {}

export interface HealthServer {
  /** The address actually bound (port 0 asks for any free port). */
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export async function startHealthServer(metrics: AgentMetrics, host: string, port: number): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (url === '/healthz') {
      const why = metrics.unhealthy();
      res.writeHead(why === null ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(why === null ? 'ok\n' : `${why}\n`);
    } else if (url === '/metrics') {
      res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }).end(renderPrometheus(metrics.families()));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
    }
  });
  // A scrape never keeps the agent alive at exit.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EADDRNOTAVAIL' ? 'no such local address' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new HealthServerError(`cannot serve health on ${host}:${port}: ${why} (--health-address/--health-port)`));
    });
    server.listen(port, host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
