/**
 * A big capture in the UI under tmux: while it is read the screen shows the
 * progress (bar, percentage, events/s), and keys work during the read: q
 * quits (exit 0) and CTRL+C interrupts (exit 130) without waiting for the
 * read to end. The capture is libs_curl_google inflated 1500 times (~2.3 M
 * events, the recipe of shared/tools/scap-inflate.py), made in a private
 * temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inflateCapture } from '../../src/bench/inflate.js';
import { ROOT } from '../helpers/fixtures.js';
import { CAPTURE, ensureBuilt, hasTmux, killServer, start, startServer, type Session } from './tmux.js';

const run = hasTmux() ? describe : describe.skip;
const sessions: Session[] = [];
let dir = '';
let big = '';

/** The progress line while reading: a percentage after the bar, and the reading speed. */
const PERCENT = /(\d+\.\d)%/;

async function startReading(): Promise<{ s: Session; percent: number }> {
  const s = start(['-r', big], 160, 45);
  sessions.push(s);
  const l = await s.waitFor((x) => x.some((y) => y.includes('Processing File')) && x.some((y) => /\d events\/s/.test(y)) && x.some((y) => PERCENT.test(y)), 'the progress of the read', 60_000);
  const percent = Number(PERCENT.exec(l.find((y) => PERCENT.test(y))!)![1]);
  return { s, percent };
}

run('a big capture in the UI (tmux)', () => {
  beforeAll(async () => {
    ensureBuilt();
    startServer();
    dir = mkdtempSync(join(tmpdir(), 'tsysdig-big-'));
    big = join(dir, 'curl-x1500.scap');
    await inflateCapture(join(ROOT, CAPTURE), big, 1500);
  }, 180_000);

  afterEach(() => {
    for (const s of sessions.splice(0)) {
      s.kill();
      rmSync(`/tmp/${s.name}.err`, { force: true });
    }
  });

  afterAll(() => {
    killServer();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('shows the progress with percentage and events/s, and q quits during the read', async () => {
    const { s, percent } = await startReading();
    expect(percent).toBeLessThan(100);
    s.keys('q');
    const after = await s.waitForText('EXIT=0', 30_000);
    expect(after.some((l) => l.includes('Processing File'))).toBe(false);
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
  });

  it('CTRL+C during the read exits with status 130', async () => {
    const { s, percent } = await startReading();
    expect(percent).toBeLessThan(100);
    s.keys('C-c');
    await s.waitForText('EXIT=130', 30_000);
    expect(s.modes()).toEqual({ alternate: false, cursor: true, mouse: false });
  });
});
