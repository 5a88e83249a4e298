/**
 * `tsysdig --ssh [user@]host[:port]`: a remote node's live capture, streamed
 * into this tsysdig through the system's `ssh` (so the user's ssh config,
 * agent, known hosts and jump hosts all apply).
 *
 * The remote side runs `tsysdig -w - -z [FILTER]`: the filter is applied
 * there, so only the events it keeps (plus the internal ones that carry
 * state) cross the network, as one gzip stream sync-flushed every 100 ms.
 *
 * Nothing is left behind: closing the source kills the ssh client, sshd
 * then closes the remote command's stdout, and the remote tsysdig stops at
 * its next flush (EPIPE) and detaches its probe. The same happens when the
 * connection dies (ServerAliveInterval notices a silent network).
 *
 * How ssh ended is turned into one line: its own failures (exit 255: refused
 * login, unknown host, dropped connection) with ssh's last message, a remote
 * without tsysdig (127), and the remote tsysdig's own error line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ByteSource } from '../capture/byte-source.js';
import type { StreamInput } from '../capture/capture-input.js';
import { StreamByteSource } from '../capture/stream-source.js';

export interface SshTarget {
  /** `[user@]host[:port]`, or `[user@][v6addr]:port`. */
  target: string;
  /** Extra ssh options, each passed as given (`-J jump`, `-o Opt=val`, `-i key`). */
  sshOpts?: string[];
  /** Run the remote capture through `sudo -n` (root is needed for the probe). */
  sudo?: boolean;
  /** The remote command that runs tsysdig (default `tsysdig`); may hold arguments (`node /opt/tsysdig/bin/tsysdig.js`). */
  remoteCommand?: string;
  /** The capture filter, applied remotely. */
  filter?: string;
  snaplen?: number;
  bufferMb?: number;
  /** The ssh program (tests, or a wrapper). */
  sshProgram?: string;
}

export class RemoteError extends Error {}

/** Exit status ssh uses for its own failures (connection, authentication, a dropped link). */
const SSH_FAILED = 255;
/** POSIX shells: command not found / not executable. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;
/** Lines of ssh's (and the remote's) stderr kept for the error message. */
const STDERR_LINES = 200;

/** Host, user and port from `[user@]host[:port]`; the port goes to ssh as -p. */
export function parseTarget(target: string): { destination: string; port: number | null } {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::(\d+))?$/.exec(target);
  if (m === null || target.startsWith('-')) throw new RemoteError(`--ssh needs [user@]host[:port], got '${target}'`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) throw new RemoteError(`--ssh: port ${m[3]} is out of range`);
  return { destination: m[1] === undefined ? host : `${m[1]}@${host}`, port };
}

/** Single-quotes `s` for the remote POSIX shell, which ssh hands the command line to. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command line the remote shell runs. */
export function remoteCommandLine(t: SshTarget): string {
  const args = ['-w', '-', '-z'];
  if (t.snaplen !== undefined) args.push('-s', String(t.snaplen));
  if (t.bufferMb !== undefined) args.push('--buffer-mb', String(t.bufferMb));
  const filter = (t.filter ?? '').trim();
  if (filter !== '') args.push('--', filter);
  const cmd = t.remoteCommand ?? 'tsysdig';
  return `${t.sudo === true ? 'sudo -n ' : ''}${cmd} ${args.map(shellQuote).join(' ')}`;
}

/** The ssh argument list: the user's options first (ssh keeps the first value of an option), then ours. */
export function sshArgs(t: SshTarget): string[] {
  const { destination, port } = parseTarget(t.target);
  return [
    ...(t.sshOpts ?? []),
    // No terminal: the stream is binary, and a pty would mangle it.
    '-T',
    // A silent network (a cable pulled) is noticed within ~15 s, and ends the session.
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    ...(port !== null ? ['-p', String(port)] : []),
    '--',
    destination,
    remoteCommandLine(t),
  ];
}

/** The remote capture as a stream input: `open()` starts ssh. */
export function sshInput(t: SshTarget): StreamInput & { args: string[] } {
  const args = sshArgs(t);
  return {
    name: `ssh ${t.target}`,
    args,
    open: () => Promise.resolve(new SshByteSource(t, args)),
  };
}

/**
 * The ssh client's stdout as a ByteSource. At the end of the stream it waits
 * for ssh to exit and rejects with a RemoteError when that was a failure, so
 * a cut connection reads as "the connection to HOST was lost", not as a
 * truncated capture.
 */
export class SshByteSource implements ByteSource {
  private readonly child: ChildProcess;
  private readonly stream: StreamByteSource;
  private readonly stderrLines: string[] = [];
  private stderrTail = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private spawnError: Error | null = null;
  private closing = false;

  constructor(
    private readonly target: SshTarget,
    args: string[],
  ) {
    // stdin from /dev/null: the UI's keys are not ssh's. Password and host-key prompts go to /dev/tty.
    this.child = spawn(target.sshProgram ?? 'ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.child.once('error', (err) => {
      this.spawnError = err;
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (s: string) => this.onStderr(s));
    this.stream = new StreamByteSource(this.child.stdout!, () => this.child.stdout!.destroy());
    // However this process ends (a signal's quick exit included), ssh goes with it.
    process.on('exit', this.killOnExit);
    void this.exited.then(() => process.off('exit', this.killOnExit));
  }

  private readonly killOnExit = (): void => {
    this.child.kill('SIGTERM');
  };

  get wireBytes(): number {
    return this.stream.wireBytes;
  }

  /** ssh's process id (tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private onStderr(s: string): void {
    const text = this.stderrTail + s;
    const lines = text.split(/\r?\n/);
    this.stderrTail = lines.pop() ?? '';
    for (const l of lines) {
      if (l.trim() === '') continue;
      this.stderrLines.push(l.trim());
      if (this.stderrLines.length > STDERR_LINES) this.stderrLines.shift();
    }
  }

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    let n: number;
    try {
      n = await this.stream.read(target, offset, length);
    } catch (err) {
      // The stream broke off: if ssh failed, its reason is the one to give.
      const why = await this.failure();
      throw why ?? err;
    }
    if (n > 0) return n;
    const why = await this.failure();
    if (why !== null) throw why;
    return 0;
  }

  /** Waits for ssh to exit; the RemoteError describing a failure, or null for a clean end (or our own kill). */
  private async failure(): Promise<RemoteError | null> {
    const { code, signal } = await this.exited;
    if (this.onStderr(''), this.stderrTail.trim() !== '') {
      this.stderrLines.push(this.stderrTail.trim());
      this.stderrTail = '';
    }
    if (this.closing) return null;
    const host = this.target.target;
    if (this.spawnError !== null) {
      const e = this.spawnError as NodeJS.ErrnoException;
      return new RemoteError(e.code === 'ENOENT' ? `--ssh needs the ssh client, which is not installed (${this.target.sshProgram ?? 'ssh'} not found)` : `cannot run ssh: ${e.message}`);
    }
    if (code === 0) return null;
    if (signal !== null) return new RemoteError(`ssh to ${host} was killed by ${signal}`);
    const last = this.lastLine();
    if (code === SSH_FAILED) {
      return new RemoteError(`ssh to ${host} failed${last !== null ? `: ${last}` : ' (exit status 255)'}`);
    }
    if (code === NOT_FOUND) {
      const cmd = this.target.remoteCommand ?? 'tsysdig';
      return new RemoteError(`${host} has no '${cmd}' to run${this.target.sudo === true ? ' (as root, through sudo)' : ''}: install tsysdig there, or name it with --remote-tsysdig CMD`);
    }
    if (code === NOT_EXECUTABLE) return new RemoteError(`the remote command on ${host} cannot be executed${last !== null ? `: ${last}` : ''}`);
    // The remote tsysdig (or sudo) said why, in one line.
    const remote = this.lastLine(/^tsysdig: /) ?? last;
    const hint = remote !== null && /root|CAP_BPF|permission/i.test(remote) && this.target.sudo !== true ? ' (--sudo runs it as root there)' : '';
    return new RemoteError(`on ${host}: ${remote?.replace(/^tsysdig: /, '') ?? `the remote capture exited with status ${code}`}${hint}`);
  }

  private lastLine(re?: RegExp): string | null {
    for (let i = this.stderrLines.length - 1; i >= 0; i--) {
      const l = this.stderrLines[i]!;
      if (re === undefined || re.test(l)) return l;
    }
    return null;
  }

  /** Stops the remote capture: ssh is ended, which closes the remote command's stdout. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
      await this.stream.close();
    }
    await this.exited;
  }
}
