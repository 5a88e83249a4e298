/**
 * End-to-end, live: tsysdig started with no capture (as root) in a tmux
 * window shows the machine's processes from the eBPF probe and /proc, finds a
 * process the test starts, drills into it, and quits leaving the terminal
 * restored. Skipped, with the reason printed, where live capture cannot run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/harness.js';
import { ensureBuilt, hasTmux, killServer, start, startServer, type Session } from './tmux.js';

const reason = !hasTmux() ? 'tmux is not installed' : liveSkipReason();
if (reason !== null) console.log(`[test/ui] live UI test skipped: ${reason}`);
const run = reason === null ? describe : describe.skip;

run('tsysdig UI under tmux, live', () => {
  let marker: ChildProcess | null = null;
  let s: Session | null = null;
  // A process with an argument no other process has, to find on screen.
  const tag = `tsysdig-live-ui-${process.pid}`;

  beforeAll(() => {
    ensureBuilt();
    startServer();
    marker = spawn('/bin/sh', ['-c', `while :; do sleep 0.2; done # ${tag}`], { stdio: 'ignore' });
  }, 180_000);

  afterAll(() => {
    s?.kill();
    marker?.kill('SIGKILL');
    killServer();
  });

  it('shows live processes, drills into one, and quits cleanly', async () => {
    s = start([], 200, 45);
    const first = await s.waitForText('Source: Live System', 30_000);
    expect(first[0]).toMatch(/^Viewing: Processes For: whole machine/);
    // The test's own process, found by its command line (typed into the search prompt, as a person would).
    await s.waitForText(tag, 30_000);
    s.keys('C-f');
    await s.waitForText('Text to match:');
    s.type(tag);
    s.keys('Enter');
    s.keys('Enter');
    const drilled = await s.waitFor((l) => /^Viewing: Threads For: proc\.pid=\d+/.test(l[0] ?? ''), 'the drill-down into the marker process', 30_000);
    expect(drilled[0]).toContain(`proc.pid=${marker!.pid}`);
    s.keys('BSpace');
    await s.waitFor((l) => (l[0] ?? '').startsWith('Viewing: Processes For: whole machine'), 'back to the processes', 30_000);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
    const modes = s.modes();
    expect(modes.alternate).toBe(false);
    expect(modes.cursor).toBe(true);
    expect(modes.mouse).toBe(false);
  }, 120_000);
});
