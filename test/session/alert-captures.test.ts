/**
 * Captures around alerts, on a real capture: an "alert" on a chosen event
 * writes a .scap holding the events from `before` seconds earlier to `after`
 * seconds later, with the process table at its start; tsysdig and sysdig
 * 0.29.3 read it back; a burst is one file; a size limit removes the oldest.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileEventFilter } from '../../src/cli/event-filter.js';
import type { ScapEvent } from '../../src/event/scap-event.js';
import { AlertCaptures, captureName } from '../../src/session/alert-captures.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { HistoryRing } from '../../src/session/history-ring.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import type { StateEngine } from '../../src/state/engine.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

const haveSysdig = spawnSync('sysdig', ['--version']).status === 0;
if (!haveSysdig) console.log('[test/session] sysdig not installed: the sysdig read-back checks are skipped');

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-alertcap-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Replays `file`, raising an alert on every event `when` matches; returns the event lines of the whole capture. */
async function replayWithAlerts(file: string, when: string, opts: { before: number; after: number; maxMb?: number; rule?: (n: number) => string }) {
  const ring = new HistoryRing({ seconds: opts.before, maxBytes: 16 << 20 });
  const notices: string[] = [];
  const session = new CaptureSession(new ReplaySource(file));
  const captures = new AlertCaptures(ring, session.engine, { dir, beforeS: opts.before, afterS: opts.after, maxMb: opts.maxMb, onNotice: (l) => notices.push(l) });
  const match = compileEventFilter(when);
  const fired: number[] = [];
  session.add(ring).add({
    onEvent: (ev: ScapEvent, engine: StateEngine) => {
      if (match(ev, engine)) {
        fired.push(ev.num);
        captures.onAlert(ev.ts, opts.rule?.(fired.length) ?? 'Test rule');
      }
    },
    finish: () => {},
  }).add(captures);
  await session.run();
  await captures.close();
  return { captures, notices, fired };
}

/** Event lines without their number (a new capture numbers from 1). */
function lines(file: string, filter: string[] = []): string[] {
  const r = runCli(['--events', '-r', file, ...filter]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.slice(l.indexOf(' ') + 1));
}

describe('captures around alerts', () => {
  it('holds the triggering event, what came before it and after, readable by tsysdig and sysdig', async () => {
    const src = fixturePath('falco_cat_write');
    const { captures, fired } = await replayWithAlerts(src, 'proc.name=cat and evt.type=execve and evt.dir=<', { before: 3600, after: 3600 });
    expect(fired).toHaveLength(1);
    expect(captures.written).toHaveLength(1);
    const out = captures.written[0]!;
    expect(path.basename(out)).toMatch(/^\d{8}T\d{6}\.\d{9}Z_Test_rule\.scap$/);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    // a window wider than the capture: every event of the original, in order, with the same text
    expect(lines(out)).toEqual(lines(src));
    if (haveSysdig) {
      const s = spawnSync('sysdig', ['-r', out, 'proc.name=cat and evt.type=execve'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      expect(s.status, s.stderr).toBe(0);
      expect(s.stdout).toMatch(/ cat \(\d+\) < execve res=0 exe=cat /);
    }
  });

  it('a narrow window: only events from T-before to T+after', async () => {
    const src = fixturePath('libs_curl_google');
    const all = lines(src);
    const { captures, fired } = await replayWithAlerts(src, 'evt.type=connect and evt.dir=<', { before: 0.002, after: 0.002 });
    expect(fired.length).toBeGreaterThan(0);
    // the first alert's file; later alerts within 2 ms joined it, others made their own
    const got = lines(captures.written[0]!);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(all.length);
    // a contiguous stretch of the original
    const start = all.indexOf(got[0]!);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(all.slice(start, start + got.length)).toEqual(got);
    // and it holds the connect that fired
    expect(got.some((l) => / < connect /.test(l))).toBe(true);
  });

  it('a burst of alerts is one file; a size limit removes the oldest files with a line each', async () => {
    const src = fixturePath('falco_open-multiple-files');
    // every open is an alert: with a wide window they all merge into one file
    const burst = await replayWithAlerts(src, 'evt.type=open and evt.dir=<', { before: 3600, after: 3600 });
    expect(burst.fired.length).toBeGreaterThan(10);
    expect(burst.captures.written).toHaveLength(1);
    expect(burst.notices.join('\n')).toContain(`(${burst.fired.length} alerts,`);

    // three earlier files (by name and time) and the first burst file go under a 100 KB limit; the newest file stays even over it
    for (let i = 0; i < 3; i++) {
      const old = path.join(dir, captureName(1e18 + i * 1e9, `old ${i}`, false));
      fs.writeFileSync(old, Buffer.alloc(400 * 1024), { mode: 0o600 });
      fs.utimesSync(old, new Date(1000 + i), new Date(1000 + i));
    }
    fs.writeFileSync(path.join(dir, 'not-ours.scap'), 'x');
    const limited = await replayWithAlerts(src, 'evt.type=open and evt.dir=<', { before: 3600, after: 3600, maxMb: 0.1 });
    const left = fs.readdirSync(dir).sort();
    expect(left).toContain('not-ours.scap');
    expect(left).toContain(path.basename(limited.captures.written[0]!));
    expect(left.filter((n) => n.includes('_old_'))).toHaveLength(0);
    expect(limited.notices.filter((l) => l.startsWith("removed ")), limited.notices.join("\n")).toHaveLength(4); // 3 old + the first burst file
  });

  it('never replaces a file or follows a link planted at the name: the capture takes the next free name', async () => {
    const src = fixturePath('falco_cat_write');
    const target = path.join(dir, 'victim');
    fs.writeFileSync(target, 'keep');
    // the same alert again wants the same name: plant a link there first
    const first = await replayWithAlerts(src, 'proc.name=cat and evt.type=execve and evt.dir=<', { before: 1, after: 1 });
    const name = first.captures.written[0]!;
    fs.rmSync(name);
    fs.symlinkSync(target, name);
    const again = await replayWithAlerts(src, 'proc.name=cat and evt.type=execve and evt.dir=<', { before: 1, after: 1 });
    expect(again.captures.written).toEqual([name.replace(/\.scap$/, '.2.scap')]);
    expect(fs.lstatSync(name).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep');
  });
});
