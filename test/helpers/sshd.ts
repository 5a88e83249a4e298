/**
 * A private sshd for the --ssh tests: Debian's openssh-server started on
 * 127.0.0.1 on a free port, with a temporary host key, a temporary user
 * key and its own configuration file. Nothing of the system's ssh set-up is
 * read or changed (the client runs with -F on its own config, its own known
 * hosts file and key); the remote command runs for real, as root, on this
 * machine.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

export const SSHD = '/usr/sbin/sshd';

/** Why an sshd cannot be started here, or null. */
export function sshdSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root (the test sshd logs in as root)';
  if (!existsSync(SSHD)) return `${SSHD} is missing (scripts/setup.sh installs openssh-server)`;
  if (spawnSync('ssh', ['-V']).status !== 0) return 'the ssh client is missing';
  return null;
}

export interface TestSshd {
  port: number;
  /** `root@127.0.0.1:PORT` for --ssh. */
  target: string;
  /** --ssh-opt value making the client use only the test's config (key, known hosts). */
  sshOpt: string;
  /** A client config whose key is not authorized (a refused login). */
  badKeySshOpt: string;
  /** --remote-tsysdig value running this checkout's build. */
  remoteTsysdig: string;
  /** The sshd listener's pid (connections are its children). */
  pid: number;
  dir: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

async function waitListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tsysdig-test', '-f', path]);
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'tsysdig-sshd-'));
  const port = await freePort();
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  keygen(join(dir, 'other_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')), { mode: 0o600 });
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // the key files live under /tmp, which StrictModes would refuse
      'StrictModes no',
      'LogLevel VERBOSE',
    ].join('\n') + '\n',
  );
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  const clientConfig = (key: string): string => {
    const p = join(dir, `ssh_config_${key}`);
    writeFileSync(
      p,
      [
        'Host *',
        `  IdentityFile ${join(dir, key)}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  LogLevel ERROR',
      ].join('\n') + '\n',
    );
    return p;
  };
  const good = clientConfig('user_key');
  const bad = clientConfig('other_key');
  // sshd insists on its privilege separation directory (the package's service would create it).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  let log = '';
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitListening(port, child, () => log);
  return {
    port,
    target: `root@127.0.0.1:${port}`,
    sshOpt: `-F ${good}`,
    badKeySshOpt: `-F ${bad}`,
    remoteTsysdig: `${process.execPath} ${join(ROOT, 'bin', 'tsysdig.js')}`,
    pid: child.pid!,
    dir,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
