/**
 * RotatingWriter on a real capture (no probe needed): the events of
 * libs_curl_google.scap written through a rotating writer whose clock moves one
 * second every slice of events. Every closed file is a complete capture that
 * sysdig reads on its own, at most K are kept, names sort in time order, and
 * all events land in exactly one file (no loss or duplicate at a rotation).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCapture } from '../../src/capture/scap-reader.js';
import { RotatingWriter, listRotated, rotatedName } from '../../src/capture/writer/rotating-writer.js';
import { ScapEvent } from '../../src/event/scap-event.js';
import { isContainerEvent } from '../../src/format/event-line.js';
import { StateEngine } from '../../src/state/engine.js';
import { ROOT, fixturePath } from '../helpers/fixtures.js';

const hasSysdig = spawnSync('sysdig', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasSysdig) console.log('[test/capture] sysdig not installed: rotated files are checked with tsysdig only');

interface Copied {
  raw: Buffer;
  lenSize: 2 | 4;
  hasNparams: boolean;
}

/** The capture's metadata into `engine`, and copies of its events. */
async function load(file: string, engine: StateEngine): Promise<Copied[]> {
  const events: Copied[] = [];
  await readCapture(file, {
    onMachineInfo: (mi) => engine.onMachineInfo(mi),
    onThread: (t) => engine.onThread(t),
    onFd: (pid, fd) => engine.onFd(pid, fd),
    onInterface: (i) => engine.onInterface(i),
    onUser: (u) => engine.onUser(u),
    onGroup: (g) => engine.onGroup(g),
    onEvent: (ev) => {
      events.push({ raw: Buffer.from(ev.raw()), lenSize: ev.lenSize as 2 | 4, hasNparams: ev.hasNparams });
      return true;
    },
  });
  return events;
}

/** Events in a capture as tsysdig reads it: all, and those that are not container metadata. */
async function countOwn(file: string): Promise<{ all: number; events: number }> {
  let all = 0;
  let events = 0;
  await readCapture(file, {
    onEvent: (ev) => {
      all++;
      if (!isContainerEvent(ev)) events++;
      return true;
    },
  });
  return { all, events };
}

/** What sysdig prints for a capture (it must read the file on its own), and tsysdig --events for the same file. */
function printed(file: string): { sysdig: string; tsysdig: string } {
  const r = spawnSync('sysdig', ['-r', file], { encoding: 'latin1', maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC' } });
  expect(r.status, `sysdig -r ${file}: ${r.stderr}`).toBe(0);
  const t = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tsysdig.js'), '--events', '-r', file], { encoding: 'latin1', maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC' } });
  expect(t.status, t.stderr).toBe(0);
  return { sysdig: r.stdout, tsysdig: t.stdout };
}

describe('RotatingWriter', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-rotate-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('names sort in time order', () => {
    expect(rotatedName(Date.UTC(2026, 11, 5, 9, 15, 0, 123), false)).toBe('tsysdig-20261205T091500.123Z.scap');
    expect(rotatedName(Date.UTC(2026, 11, 5, 9, 15, 0, 123), true)).toBe('tsysdig-20261205T091500.123Z.scap.gz');
    expect(rotatedName(999, false) < rotatedName(1000, false)).toBe(true);
  });

  for (const gzip of [false, true]) {
    it(`every file is a complete capture, K kept, no event lost or doubled${gzip ? ' (gzip)' : ''}`, async () => {
      const engine = new StateEngine();
      const events = await load(fixturePath('libs_curl_google'), engine);
      expect(events.length).toBeGreaterThan(300);
      const dir = path.join(tmp, gzip ? 'gz' : 'plain');
      let clock = Date.UTC(2026, 11, 5, 9, 0, 0);
      const K = 3;
      const w = await RotatingWriter.open(dir, { seconds: 2, keep: K, gzip, now: () => clock, writer: { chunkSize: 4096 } });
      const ev = new ScapEvent();
      const slice = Math.ceil(events.length / 12);
      const perFile: number[] = [];
      let inFile = 0;
      for (let i = 0; i < events.length; i++) {
        const c = events[i]!;
        expect(ev.decode(c.raw, 0, c.raw.length, c.lenSize, c.hasNparams)).toBeNull();
        if (i === 0) w.writeSnapshot(engine);
        engine.process(ev);
        w.writeEvent(ev);
        inFile++;
        if ((i + 1) % slice === 0 && i + 1 < events.length) {
          clock += 1000;
          const before = w.path;
          await w.flush();
          if (w.path !== before) {
            perFile.push(inFile);
            inFile = 0;
          }
        }
      }
      await w.close();
      perFile.push(inFile);
      // 12 slices of 1 s, a file every 2 s: 6 files written, the newest K kept
      expect(perFile).toHaveLength(6);
      expect(w.filesClosed).toBe(6);
      expect(w.filesDeleted).toBe(6 - K);
      // the events, plus each file's snapshot of the containers
      expect(w.events).toBeGreaterThanOrEqual(events.length);
      const kept = listRotated(dir);
      expect(fs.readdirSync(dir).sort()).toEqual(kept);
      expect(kept).toHaveLength(K);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      // each kept file alone: readable, and exactly the events written to it
      for (let k = 0; k < K; k++) {
        const file = path.join(dir, kept[k]!);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        const own = await countOwn(file);
        expect(own.events).toBe(perFile[perFile.length - K + k]);
        if (hasSysdig) {
          const p = printed(file);
          expect(p.sysdig.length, `sysdig prints events of ${kept[k]}`).toBeGreaterThan(0);
          expect(p.tsysdig).toBe(p.sysdig);
        }
      }
    });
  }

  it('refuses a path that is not a directory, in one line', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    await expect(RotatingWriter.open(file, { seconds: 5, keep: 2 })).rejects.toThrow(`cannot create capture ${file}: ENOTDIR (a path component is not a directory)`);
  });

  it('a .part a killed writer left is closed at the next open', async () => {
    const dir = path.join(tmp, 'crash');
    fs.mkdirSync(dir, { mode: 0o700 });
    const left = rotatedName(Date.UTC(2026, 11, 5, 8, 0, 0), false);
    fs.writeFileSync(path.join(dir, `${left}.part`), '', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    const w = await RotatingWriter.open(dir, { seconds: 60, keep: 5 });
    expect(fs.existsSync(path.join(dir, left))).toBe(true);
    await w.close();
    expect(listRotated(dir)).toHaveLength(2);
    expect(fs.existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });
});
