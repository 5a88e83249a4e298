/**
 * HTTP/1.1 GET over a unix socket (the Docker Engine API and podman's
 * Docker-compatible API), with one deadline covering connect, headers and
 * body. Failures of the socket itself (missing, refused, permission, no
 * answer in time) are SocketErrors, so a caller can tell "the engine is not
 * there" from "the engine said no".
 */
import http from 'node:http';

export type SocketFailure = 'missing' | 'refused' | 'denied' | 'timeout' | 'io';

export class SocketError extends Error {
  constructor(
    readonly kind: SocketFailure,
    readonly socketPath: string,
    detail: string,
  ) {
    super(`${socketPath}: ${detail}`);
    this.name = 'SocketError';
  }
}

/** Classifies a connect/IO error on a unix socket. */
export function socketErrorOf(err: unknown, socketPath: string): SocketError {
  if (err instanceof SocketError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SocketError('missing', socketPath, 'not found');
    case 'ECONNREFUSED':
    case 'ENOTSOCK':
      return new SocketError('refused', socketPath, 'connection refused');
    case 'EACCES':
    case 'EPERM':
      return new SocketError('denied', socketPath, 'permission denied');
    default:
      return new SocketError('io', socketPath, msg);
  }
}

export interface HttpResult {
  status: number;
  body: Buffer;
}

/** Largest response body accepted (container inspect JSON is a few KiB). */
const MAX_BODY = 32 * 1024 * 1024;

/** GET `path` from the HTTP server on `socketPath`; rejects with SocketError on socket trouble. */
export function unixGet(socketPath: string, path: string, timeoutMs: number): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, res?: HttpResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err !== null) reject(err);
      else resolve(res!);
    };
    const req = http.request({ socketPath, path, method: 'GET', headers: { Host: 'localhost', Accept: 'application/json' }, agent: false });
    const timer = setTimeout(() => {
      const err = new SocketError('timeout', socketPath, `no answer within ${formatSeconds(timeoutMs)}`);
      finish(err);
      req.destroy(err);
    }, timeoutMs);
    timer.unref();
    req.on('error', (err) => finish(socketErrorOf(err, socketPath)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          finish(new SocketError('io', socketPath, 'response too large'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish(socketErrorOf(err, socketPath)));
    });
    req.end();
  });
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
