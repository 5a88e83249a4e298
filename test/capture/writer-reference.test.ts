/**
 * Captures written by tsysdig, read by the reference: sysdig and csysdig
 * 0.29.3 must print the same thing for a copy as for the original, for
 * every fixture, plain and gzip:
 *
 *   sysdig -r FILE              the event listing
 *   sysdig -D -r FILE           every event, internal ones (procinfo, container) included
 *   sysdig -r FILE -c ps        the whole process table   } at the end of the capture:
 *   sysdig -r FILE -c lsof      every open fd             } snapshot + events
 *   csysdig --raw -r FILE -v procs
 *
 * plus: filtered copies equal sysdig's own `-w` with the same filter, and
 * container events written by the snapshot give names and images.
 *
 * Skipped, with the reason printed, when sysdig/csysdig 0.29.3 are absent
 * (CI installs them).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import type { CaptureSink } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import { copyCapture, ScapWriter, SnapshotRecorder } from '../../src/capture/writer/index.js';
import { compileEventFilter } from '../../src/cli/event-filter.js';
import { EV } from '../../src/event/event-ids.js';
import { ContainerType, emptyContainer } from '../../src/state/containers.js';
import { StateEngine } from '../../src/state/engine.js';
import { FIXTURES, type FixtureName, fixturePath } from './helpers.js';
import { referenceToolsMissing, run, tempDir } from './writer-helpers.js';

const missing = referenceToolsMissing();
if (missing !== null) console.warn(`writer-reference.test.ts: skipping the sysdig/csysdig comparisons: ${missing}`);

const tmp = tempDir('tsysdig-writer-ref-');
afterAll(() => tmp.remove());
let fileNo = 0;
const outFile = (ext = '.scap'): string => tmp.path(`out${fileNo++}${ext}`);

const RAW_SEPARATOR = '----------------------';

/** stdout of sysdig (stderr carries -D's log lines and progress). */
function sysdig(args: string[]): string {
  const r = run('sysdig', args);
  expect(r.status, `sysdig ${args.join(' ')}: ${r.stderr.slice(-300)}`).toBe(0);
  return r.stdout;
}

/**
 * csysdig --raw output as a list of samples, each sample's rows sorted:
 * csysdig sorts rows with an unstable sort, so rows whose sort values tie
 * may come in either order.
 */
function csysdigSamples(file: string, view: string): string[][] {
  const r = run('csysdig', ['--raw', '-r', file, '-v', view]);
  expect(r.status, `csysdig on ${file}: ${r.stderr.slice(-300)}`).toBe(0);
  const samples: string[][] = [];
  let cur: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line === RAW_SEPARATOR) {
      samples.push(cur.sort());
      cur = [];
    } else {
      cur.push(line);
    }
  }
  samples.push(cur.sort());
  return samples;
}

/** What the reference prints for a capture, keyed by command. */
function referenceOutputs(file: string): Record<string, string> {
  return {
    'sysdig -r': sysdig(['-r', file]),
    'sysdig -D -r': sysdig(['-D', '-r', file]),
    'sysdig -c ps': sysdig(['-r', file, '-c', 'ps']),
    'sysdig -c lsof': sysdig(['-r', file, '-c', 'lsof']),
    'csysdig -v procs': JSON.stringify(csysdigSamples(file, 'procs')),
  };
}

describe.skipIf(missing !== null)('sysdig and csysdig 0.29.3 read the copies like the originals', () => {
  describe.each(FIXTURES)('%s', (name) => {
    let original: Record<string, string> | null = null;
    const want = (): Record<string, string> => (original ??= referenceOutputs(fixturePath(name)));

    test.each([false, true])('gzip %s', async (gzip) => {
      const out = outFile(gzip ? '.scap.gz' : '.scap');
      await copyCapture(fixturePath(name), out, { gzip });
      const got = referenceOutputs(out);
      for (const [cmd, text] of Object.entries(want())) {
        const lines = got[cmd]!.split('\n');
        expect(lines.length, `${cmd}: line count`).toBe(text.split('\n').length);
        expect(lines, cmd).toEqual(text.split('\n'));
      }
      // The listing is not trivially empty (sysdig hides internal events; -D shows them all).
      expect(want()['sysdig -D -r']!.split('\n').length).toBeGreaterThan(300);
    });
  });

  // sysdig's own rewrite of a 1.0/1.1 capture is unreadable (its interface list
  // block length is wrong when the input's list was v1), so only the 1.2
  // fixtures can be compared with what sysdig itself writes.
  test.each(['falco_psp_privileged', 'libs_single_ipv6_conn'] as FixtureName[])(
    '%s: a filtered copy equals sysdig -w with the same filter',
    async (name) => {
      for (const filter of ['evt.type=open', 'proc.name=cat']) {
        const ours = outFile();
        const theirs = outFile();
        await copyCapture(fixturePath(name), ours, { filter: compileEventFilter(filter) });
        sysdig(['-r', fixturePath(name), '-w', theirs, filter]);
        expect(sysdig(['-D', '-r', ours]), filter).toBe(sysdig(['-D', '-r', theirs]));
        expect(sysdig(['-r', ours, '-c', 'lsof']), filter).toBe(sysdig(['-r', theirs, '-c', 'lsof']));
      }
    },
  );

  test('a container event written with the snapshot gives sysdig the name and image', async () => {
    const engine = new StateEngine();
    const rec = new SnapshotRecorder();
    const out = outFile();
    const w = await ScapWriter.open(out, { gzip: true });
    let snapshotDone = false;
    const sink: CaptureSink = {
      onMachineInfo: (mi) => engine.onMachineInfo(mi),
      onThread: (t) => engine.onThread(t),
      onFd: (pid, fd) => engine.onFd(pid, fd),
      onInterface: (i) => rec.onInterface(i),
      onUser: (u) => rec.onUser(u),
      onGroup: (g) => rec.onGroup(g),
      onEvent: (ev) => {
        if (!snapshotDone) {
          snapshotDone = true;
          // Put systemd (pid 1, which has procinfo events) in a container a runtime described.
          const full = '9dbcbd0c435f' + 'a'.repeat(52);
          const init = engine.threads.get(1)!;
          init.cgroups = [`cpuset=/docker/${full}`, `cpu=/docker/${full}`, `memory=/docker/${full}`];
          engine.resolveContainer(init);
          engine.addContainer({
            ...emptyContainer('9dbcbd0c435f', ContainerType.DOCKER),
            fullId: full, name: 'web-1', image: 'nginx:1.25', imageRepo: 'nginx', imageTag: '1.25', privileged: true, hasMetadata: true,
          });
          w.writeSnapshot(engine, rec.lists, { tsNs: ev.tsBig() });
        }
        // The fixture's own container event would replace ours: leave it out.
        if (ev.type !== EV.CONTAINER_JSON_E && ev.type !== EV.CONTAINER_JSON_2_E) w.writeEvent(ev);
      },
    };
    await readCapture(fixturePath('falco_psp_privileged'), sink);
    await w.close();
    const lines = sysdig(['-D', '-r', out, '-p', '%proc.pid %container.id %container.name %container.image %container.type %container.privileged', 'proc.pid=1'])
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines)).toEqual(new Set(['1 9dbcbd0c435f web-1 nginx:1.25 docker true']));
  });

  test('many gzip members and chunk-sized writes read the same', async () => {
    const name: FixtureName = 'libs_curl_google';
    const out = outFile('.scap.gz');
    await copyCapture(fixturePath(name), out, { gzip: true, chunkSize: 4096 });
    expect(readFileSync(out).length).toBeGreaterThan(0);
    expect(sysdig(['-D', '-r', out])).toBe(sysdig(['-D', '-r', fixturePath(name)]));
  });
});
