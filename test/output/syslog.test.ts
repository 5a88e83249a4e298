/**
 * The syslog channel: datagrams reach a unix datagram listener the test
 * creates (python3), in the format glibc's syslog(3) gives Falco's alerts;
 * the format is checked byte for byte against glibc itself (python's syslog
 * module calls it) inside a private mount namespace with its own /dev/log.
 * No listener is an outage, said once, and the producer goes on.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOutputConfig, openOutputs } from '../../src/output/index.js';
import { syslogMessage } from '../../src/output/syslog-format.js';
import { produce, until } from './helpers.js';

const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('ready', flush=True)
while True:
    d = s.recv(65536)
    sys.stdout.write(d.hex() + '\\n')
    sys.stdout.flush()
`;

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-syslog-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A datagram listener at `path`; resolves once bound, collecting every datagram's bytes. */
async function listen(path: string): Promise<Buffer[]> {
  const script = join(tmp, 'listener.py');
  writeFileSync(script, LISTENER);
  const child = spawn('python3', [script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const got: Buffer[] = [];
  const rl = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve) => {
    rl.on('line', (l) => {
      if (l === 'ready') resolve();
      else got.push(Buffer.from(l, 'hex'));
    });
  });
  return got;
}

function syslogOutputs(socket: string, extra: string[] = []) {
  const report: string[] = [];
  const cfg = loadOutputConfig({ file: null, overrides: ['stdout_output.enabled=false', 'syslog_output.enabled=true', `syslog_output.socket=${socket}`, ...extra] });
  return { out: openOutputs(cfg, { report: (l) => report.push(l) }), report };
}

const FORMAT = /^<(\d+)>([A-Z][a-z]{2} [ 1-3]\d \d{2}:\d{2}:\d{2}) tsysdig: (.*)$/s;

describe('syslog output', () => {
  it('sends one datagram per line, LOG_USER with the alert priority as severity', async () => {
    const sock = join(tmp, 'log1');
    const got = await listen(sock);
    const { out, report } = syslogOutputs(sock);
    out.write('12:00:00.000000000: Warning Sensitive file opened (file=/etc/shadow)', 4);
    out.write('12:00:00.000000001: Critical Terminal shell in container', 2);
    out.write('{"lifecycle":"line without a priority"}');
    out.write('capture byte \xe9 stays one byte');
    await until(() => got.length === 4, 10_000, 'four datagrams');
    const stats = await out.close();
    const parsed = got.map((d) => FORMAT.exec(d.toString('latin1')));
    expect(parsed.every((m) => m !== null)).toBe(true);
    expect(parsed.map((m) => [Number(m![1]), m![3]])).toEqual([
      [8 + 4, '12:00:00.000000000: Warning Sensitive file opened (file=/etc/shadow)'],
      [8 + 2, '12:00:00.000000001: Critical Terminal shell in container'],
      [8 + 6, '{"lifecycle":"line without a priority"}'],
      [8 + 6, 'capture byte \xe9 stays one byte'],
    ]);
    // No newline and no NUL on a datagram socket, as glibc sends it.
    expect(got.every((d) => d[d.length - 1] !== 0x0a && d[d.length - 1] !== 0)).toBe(true);
    expect(stats[0]).toMatchObject({ channel: 'syslog', delivered: 4 });
    expect(report).toEqual([]);
  });

  it('no listener: one outage line, the producer goes on, drops are counted; a listener that appears gets the queue', async () => {
    const sock = join(tmp, 'log2');
    const { out, report } = syslogOutputs(sock, ['outputs_queue.capacity=20']);
    await produce((l) => out.write(l, 4), 10, 10, (i) => `alert ${i}`);
    await until(() => report.length === 1, 5000, 'the outage line');
    expect(report[0]).toBe(`tsysdig: output syslog ${sock}: No such file or directory; retrying; up to 20 lines wait, more are dropped`);
    const got = await listen(sock);
    await until(() => got.length === 20, 15_000, 'the queued lines');
    expect(got.map((d) => FORMAT.exec(d.toString('latin1'))![3])).toEqual(Array.from({ length: 20 }, (_, i) => `alert ${i}`));
    const stats = await out.close();
    // A listener's queue holds few datagrams (net.unix.max_dgram_qlen): a burst may meet EAGAIN, a short outage of its own.
    expect(stats[0]).toMatchObject({ accepted: 100, delivered: 20, droppedQueueFull: 80 });
    expect(report[1]).toMatch(/delivering again after/);
    expect(report.at(-1)).toBe(`tsysdig: output syslog ${sock}: 80 of 100 lines dropped (queue full 80, refused 0, unsent at exit 0)`);
  });

  const unshareOk = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
  if (!unshareOk) console.log('[test/output] glibc syslog reference skipped: needs root and unshare -m');
  it.skipIf(!unshareOk)('formats exactly as glibc syslog(3) does (reference: glibc in a private mount namespace)', () => {
    const script = join(tmp, 'ref.py');
    writeFileSync(
      script,
      `import socket, syslog, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/dev/log')
syslog.openlog('tsysdig', 0, syslog.LOG_USER)
for sev in (0, 4, 7):
    syslog.syslog(sev, sys.argv[1])
    print(s.recv(65536).hex())
`,
    );
    const msg = '09:05:01.123456789: Notice Shell spawned (user=root shell=bash parent=sshd cmdline=bash -i)';
    // A tmpfs over /dev in a mount namespace of its own: /dev/log exists only for this process.
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none /dev && exec python3 ${script} "$0"`, msg], { encoding: 'latin1' });
    expect(r.status, r.stderr).toBe(0);
    const refs = r.stdout.trim().split('\n').map((h) => Buffer.from(h, 'hex').toString('latin1'));
    expect(refs).toHaveLength(3);
    [0, 4, 7].forEach((sev, i) => {
      const ref = refs[i]!;
      // The same instant as glibc's (its seconds), formatted by us.
      const stamp = FORMAT.exec(ref)![2]!;
      const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(stamp.slice(0, 3));
      const [hh, mm, ss] = stamp.slice(7).split(':').map(Number);
      const when = new Date(new Date().getFullYear(), month, Number(stamp.slice(4, 6)), hh, mm, ss);
      expect(syslogMessage(sev, 'tsysdig', msg, when)).toBe(ref);
    });
  });
});
