/**
 * A big capture in the UI under tmux: while it is read the screen shows the
 * progress (bar, percentage, events/s), and keys work during the read: q
 * quits (exit 0) and CTRL+C interrupts (exit 130) without waiting for the
 * read to end. Once read, Enter and Backspace show their tables without
 * reading the capture again: the header's read counter (TSYSDIG_UI_DEBUG=
 * reads) stays at 1 and the progress never comes back, while a view that
 * was not prepared (F2) does read again. The capture is libs_curl_google
 * inflated 1500 times (~2.3 M
 * events, the recipe of shared/tools/scap-inflate.py), made in a private
 * temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inflateCapture } from '../../src/bench/inflate.js';
import { ROOT } from '../helpers/fixtures.js';
import { CAPTURE, ensureBuilt, hasTmux, killServer, position, start, startServer, type Session } from './tmux.js';

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

  it('after the read, Enter and Backspace show their tables without reading again', async () => {
    const s = start(['-r', big], 160, 45, { TSYSDIG_UI_DEBUG: 'reads' });
    sessions.push(s);
    const top = await s.waitFor((l) => l[0]!.includes('reads 1') && l[0]!.startsWith('Viewing: Processes') && position(l) !== null, 'the processes table', 240_000);
    expect(top.some((l) => l.includes('Processing File'))).toBe(false);
    // Each screen is watched at every capture until its table is there: the progress never shows.
    const withoutRead = async (title: string, what: string): Promise<string[]> => {
      let sawProgress = false;
      const l = await s.waitFor((x) => {
        if (x.some((y) => y.includes('Processing File'))) sawProgress = true;
        return x[0]!.startsWith(title) && position(x) !== null;
      }, what, 20_000);
      expect(sawProgress).toBe(false);
      expect(l[0]).toContain('reads 1');
      return l;
    };
    s.keys('Enter');
    await withoutRead('Viewing: Threads For: proc.pid=', 'the threads of the first process');
    s.keys('BSpace');
    const back = await withoutRead('Viewing: Processes For: whole machine', 'the processes again');
    expect(back.slice(2)).toEqual(top.slice(2));
    // The signal is live: a view Enter did not prepare (F2 → Files, in the selection) reads the capture again.
    s.keys('Enter');
    await s.waitFor((l) => l[0]!.startsWith('Viewing: Threads') && position(l) !== null, 'threads again', 20_000);
    s.keys('F2');
    const menu = await s.waitFor((l) => l.some((x) => /^Select View/.test(x)) && l.some((x) => /^Files( |$)/.test(x)), 'the views menu', 10_000);
    const files = menu.findIndex((x) => /^Files( |$)/.test(x));
    const cur = menu.findIndex((x) => /^Threads( |$)/.test(x));
    for (let i = 0; i < Math.abs(files - cur); i++) s.keys(files > cur ? 'Down' : 'Up');
    s.keys('Enter');
    const reading = await s.waitFor((l) => l[0]!.includes('reads 2') && l.some((x) => x.includes('Processing File')), 'a second read', 60_000);
    expect(reading[0]).toMatch(/^Viewing: Files/);
    s.keys('q');
    await s.waitForText('EXIT=0', 30_000);
  }, 400_000);
});
