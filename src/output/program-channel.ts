/**
 * Falco's program_output: the program runs through `sh -c` and reads the
 * lines on its stdin; its own stdout and stderr are ours, as with popen().
 * With keep_alive one process takes every line (started again if it
 * exits); without, one process per line, as Falco does per alert. Processes
 * run one at a time, so lines keep their order and a hanging program cannot
 * pile up processes: its lines wait in the bounded queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { encodeText } from './encode.js';
import { OK, QueuedChannel, type Delivery, type QueueSettings } from './queued-channel.js';

export interface ProgramChannelConfig {
  program: string;
  keepAlive: boolean;
  /** How long a program may leave its stdin unread (or, per line, take to exit) before it counts as an outage. */
  timeoutMs: number;
}

/** Lines written to a kept-alive program per write. */
const CHUNK_LINES = 256;

export class ProgramChannel extends QueuedChannel {
  private child: ChildProcess | null = null;
  private running = new Set<ChildProcess>();

  constructor(
    private readonly cfg: ProgramChannelConfig,
    settings: QueueSettings,
  ) {
    super('program', cfg.program, settings);
  }

  protected override take(): number {
    return Math.min(this.queue.length, this.cfg.keepAlive ? CHUNK_LINES : 1);
  }

  private start(): ChildProcess {
    // Its own process group, so stopping it at close also stops what the shell started.
    const child = spawn('sh', ['-c', this.cfg.program], { stdio: ['pipe', 'inherit', 'inherit'], detached: true });
    this.running.add(child);
    child.on('exit', () => this.running.delete(child));
    // A program that exits without reading makes our writes fail with EPIPE: that is an outage, not a crash.
    child.stdin!.on('error', () => {});
    child.on('error', () => {});
    return child;
  }

  private chunk(n: number): Buffer {
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(this.queue.peek(i), '\n');
    return encodeText(parts.join(''));
  }

  protected override deliver(n: number): Promise<Delivery> {
    return this.cfg.keepAlive ? this.deliverKeptAlive(n) : this.deliverOnce();
  }

  private async deliverKeptAlive(n: number): Promise<Delivery> {
    let child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null || child.stdin === null || child.stdin.destroyed) {
      if (child !== null) this.child = null;
      child = this.child = this.start();
      const spawned = await waitSpawn(child);
      if (spawned !== null) {
        this.child = null;
        return { kind: 'retry', reason: spawned };
      }
    }
    const stdin = child.stdin!;
    if (stdin.writableNeedDrain) {
      // The pipe is full: wait for the program to read, but not forever.
      const drained = await waitFor(stdin, 'drain', this.cfg.timeoutMs);
      if (!drained) return { kind: 'retry', reason: stdin.destroyed ? 'program exited' : `program has not read its input for ${this.cfg.timeoutMs} ms` };
    }
    if (stdin.destroyed || child.exitCode !== null) {
      this.child = null;
      return { kind: 'retry', reason: `program exited (status ${child.exitCode ?? child.signalCode})` };
    }
    stdin.write(this.chunk(n));
    return OK;
  }

  private async deliverOnce(): Promise<Delivery> {
    const child = this.start();
    const spawned = await waitSpawn(child);
    if (spawned !== null) return { kind: 'retry', reason: spawned };
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.stdin!.end(this.chunk(1));
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.cfg.timeoutMs)))]);
    clearTimeout(timer);
    if (!inTime) {
      // The line was handed over; report the hang and wait for it before the next process.
      this.report(`tsysdig: output program ${this.cfg.program}: still running after ${this.cfg.timeoutMs} ms; later lines wait in the queue`);
      await exited;
    }
    return OK;
  }

  protected override async release(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child !== null && child.stdin !== null && !child.stdin.destroyed) child.stdin.end();
    // A kept-alive program reads to end of input and exits; give it a moment, then stop whatever still runs.
    const waits = [...this.running].map((c) => waitExit(c, 1000));
    await Promise.all(waits);
    for (const c of this.running) killGroup(c);
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function waitSpawn(child: ChildProcess): Promise<string | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(`cannot start sh: ${err.message}`));
  });
}

function waitFor(stream: NodeJS.WritableStream, event: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), ms);
    const onEvent = (): void => finish(true);
    const onClose = (): void => finish(false);
    function finish(ok: boolean): void {
      clearTimeout(timer);
      stream.removeListener(event, onEvent);
      stream.removeListener('close', onClose);
      resolve(ok);
    }
    stream.once(event, onEvent);
    stream.once('close', onClose);
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
