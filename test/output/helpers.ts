/**
 * Test parts for the output channels: a real local HTTP server whose
 * behaviour can be switched (healthy, answering 500, hanging), and a
 * collector for the channels' stderr lines.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type Behaviour = 'ok' | 'fail500' | 'hang';

export class TestServer {
  readonly received: Received[] = [];
  behaviour: Behaviour = 'ok';
  private server: Server;
  private hung: ServerResponse[] = [];
  port = 0;

  /** Requests held open without an answer right now. */
  get hanging(): number {
    return this.hung.filter((r) => !r.writableEnded && !r.destroyed).length;
  }

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.behaviour === 'hang') {
          this.hung.push(res);
          return;
        }
        if (this.behaviour === 'fail500') {
          res.statusCode = 500;
          res.end('down');
          return;
        }
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('latin1'), at: Date.now() });
        res.end('ok');
      });
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/ingest`;
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on: a server's, after it closed. */
export async function refusedPort(): Promise<number> {
  const s = await new TestServer().listen();
  const port = s.port;
  await s.close();
  return port;
}

export function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (pred()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/**
 * A producer as capture drives one: `rounds` bursts of `perRound` lines,
 * yielding to the event loop between bursts (as the reader does between
 * windows).
 */
export async function produce(write: (line: string) => void, rounds: number, perRound: number, mkLine: (i: number) => string): Promise<void> {
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < perRound; k++) write(mkLine(i++));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
