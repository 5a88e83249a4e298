/**
 * Live UI, as the README's quick start promises it (issue 15, items 2 and 3),
 * under tmux as root against the real probe:
 *
 *  - containers: `tsysdig -vcontainers` lists a busybox container running
 *    under the real dockerd, a container started after the screen opened
 *    appears, and `-pc` fills the container columns of the process view;
 *  - F5 echo and F6 dig on a process writing a known line every 200 ms show
 *    that line and its write events (they showed `0/0` live).
 *
 * Skipped, with the reason printed, without tmux, root/BPF or Docker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';
import { ensureDocker, removeContainers, runContainer, type RunningContainer } from '../helpers/docker.js';
import { ensureBuilt, hasTmux, killServer, position, start, startServer, type Session } from './tmux.js';

const reason = !hasTmux() ? 'tmux is not installed' : liveSkipReason();
if (reason !== null) console.log(`[test/ui] live session tests skipped: ${reason}`);
const docker = reason === null ? await ensureDocker() : ({ ok: false, reason } as const);
if (reason === null && !docker.ok) console.log(`[test/ui] live container UI test skipped: ${docker.reason}`);
const run = reason === null ? describe : describe.skip;
const runDocker = docker.ok ? describe : describe.skip;

const sessions: Session[] = [];
function open(args: string[], w = 200, h = 45): Session {
  const s = start(args, w, h);
  sessions.push(s);
  return s;
}

beforeAll(() => {
  if (reason !== null) return;
  ensureBuilt();
  startServer();
}, 180_000);

afterAll(async () => {
  for (const s of sessions) s.kill();
  if (reason === null) killServer();
  if (docker.ok) await removeContainers();
});

runDocker('live UI: containers (busybox under the real dockerd)', () => {
  let first: RunningContainer;

  beforeAll(async () => {
    first = await runContainer({ name: 'tsysdig-ui-first', workload: 'writer' });
  }, 120_000);

  it('-vcontainers lists a running container, and one started after the screen opened', async () => {
    const s = open(['-vcontainers']);
    await s.waitForText('Source: Live System', 30_000);
    await s.waitForText(first.name, 30_000);
    const late = await runContainer({ name: 'tsysdig-ui-late', workload: 'spawner' });
    const l = await s.waitForText(late.name, 30_000);
    const row = l.find((x) => x.includes(late.name))!;
    expect(row).toContain(late.shortId);
    expect(row).toContain('tsysdig-busybox');
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 150_000);

  it('-pc fills the container columns of the process view', async () => {
    const s = open(['-pc', `container.id=${first.shortId}`]);
    await s.waitForText('Source: Live System', 30_000);
    // The writer's shell, with the container's name in the container column (20 cells wide: cut to 19).
    const shown = first.name.slice(0, 19);
    const l = await s.waitFor((x) => x.some((r) => r.includes(shown) && r.includes('/bin/sh -c')), `a process row naming ${shown}`, 30_000);
    expect(l[2]).toMatch(/ CONTAINER +Command$/);
    // None of the container's processes is shown as the host's.
    for (const r of l.slice(3, 44).filter((x) => /^ *\d+ /.test(x))) expect(r).not.toMatch(/ host +/);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);
});

run('live UI: F5 echo and F6 dig of a process writing every 200 ms', () => {
  let writer: ChildProcess | null = null;
  const tag = `tsysdig-echo-${process.pid}`;
  const line = `known-line-${process.pid}`;
  const file = path.join(os.tmpdir(), `${tag}.out`);

  beforeAll(() => {
    writer = spawn('/bin/sh', ['-c', `while :; do echo ${line} >> ${file}; sleep 0.2; done # ${tag}`], { stdio: 'ignore' });
  });
  afterAll(() => {
    writer?.kill('SIGKILL');
    fs.rmSync(file, { force: true });
  });

  /** Opens the live procs view and selects the writer (searched by its command line, as a person would). */
  async function selectWriter(): Promise<Session> {
    const s = open([]);
    await s.waitForText('Source: Live System', 30_000);
    await s.waitForText(tag, 30_000);
    s.keys('C-f');
    await s.waitForText('Text to match:');
    s.type(tag);
    s.keys('Enter');
    return s;
  }

  it('F5 shows the lines it writes', async () => {
    const s = await selectWriter();
    s.keys('F5');
    await s.waitFor((l) => (l[0] ?? '').startsWith(`Viewing: I/O activity For: proc.pid=${writer!.pid}`), 'the echo screen', 30_000);
    const l = await s.waitFor((x) => x.some((r) => r.includes(line)) && (position(x)?.total ?? 0) > 0, 'the known line echoed', 30_000);
    expect(l.some((r) => r.startsWith(`------ Write ${line.length + 1}B to ${file} (sh)`))).toBe(true);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);

  it('F6 shows its write events', async () => {
    const s = await selectWriter();
    s.keys('F6');
    await s.waitFor((l) => (l[0] ?? '').startsWith(`Viewing: sysdig output For: proc.pid=${writer!.pid}`), 'the dig screen', 30_000);
    const write = new RegExp(`^\\d+ \\d\\d:\\d\\d:\\d\\d\\.\\d{9} \\d+ sh \\(${writer!.pid}\\) < write res=${line.length + 1} data=${line}`);
    const l = await s.waitFor((x) => x.some((r) => write.test(r)) && (position(x)?.total ?? 0) > 0, 'write events of the writer', 30_000);
    for (const r of l.slice(3, 44).filter((x) => /^\d+ \d\d:/.test(x))) expect(r).toMatch(new RegExp(`^\\d+ \\S+ \\d+ \\S+ \\(\\d+\\) [<>] `));
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 120_000);
});
