/**
 * The .scap writer, read back by tsysdig itself: every fixture copied
 * (plain and gzip) gives the same events and the same snapshot; the block
 * versions are the ones sysdig 0.29.3 writes; single-event encodings (v1
 * conversion, dump flags, large payloads, container events); file mode,
 * flush, errors. The comparisons with sysdig/csysdig are in
 * writer-reference.test.ts, cuts and full disks in writer-damage.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import { type CaptureSink } from '../../src/capture/records.js';
import { readCapture } from '../../src/capture/scap-reader.js';
import { CaptureWriteError, copyCapture, ScapWriter, SnapshotRecorder } from '../../src/capture/writer/index.js';
import { compileEventFilter } from '../../src/cli/event-filter.js';
import { runEvents } from '../../src/cli/events-command.js';
import { EV } from '../../src/event/event-ids.js';
import { ScapEvent } from '../../src/event/scap-event.js';
import { EventCategory } from '../../src/event/types.js';
import { emptyContainer, ContainerType } from '../../src/state/containers.js';
import { StateEngine } from '../../src/state/engine.js';
import { memoryOutput } from '../helpers/capture-output.js';
import { GOLDEN } from '../helpers/fixtures.js';
import { encodeEvent, i64, str, u32 } from '../helpers/event-builder.js';
import { FIXTURES, type EventCopy, fixtureBytes, fixturePath, walkBlocks } from './helpers.js';
import { canonical, captureBytes, readAll, stateSnapshot, tempDir } from './writer-helpers.js';

const tmp = tempDir('tsysdig-writer-');
afterAll(() => tmp.remove());
let fileNo = 0;
const outFile = (ext = '.scap'): string => tmp.path(`out${fileNo++}${ext}`);

/** An event without its number and length (v1 events grow by the 4-byte nparams field when written as v2). */
function comparable(e: EventCopy): Omit<EventCopy, 'num' | 'len'> {
  const { num: _num, len: _len, ...rest } = e;
  return rest;
}

describe.each(FIXTURES)('%s copied', (name) => {
  const input = fixturePath(name);
  const inputIsV1 = walkBlocks(fixtureBytes(name)).some((s) => s.type === BlockType.EVENT);

  test.each([false, true])('gzip %s: same events, same snapshot, sysdig 0.29.3 block versions, mode 0600', async (gzip) => {
    const out = outFile(gzip ? '.scap.gz' : '.scap');
    const result = await copyCapture(input, out, { gzip });

    expect(statSync(out).mode & 0o777).toBe(0o600);
    const raw = readFileSync(out);
    expect(raw[0] === 0x1f && raw[1] === 0x8b).toBe(gzip);
    expect(result.fileBytes).toBe(raw.length);

    const before = await readAll(input);
    const after = await readAll(out);
    expect(after.warnings).toEqual([]);
    expect(after.events.length).toBe(before.events.length);
    expect(result.eventsRead).toBe(before.events.length);
    expect(result.eventsWritten).toBe(before.events.length);
    for (let i = 0; i < before.events.length; i++) {
      const a = before.events[i]!;
      const b = after.events[i]!;
      expect(comparable(b), `event ${i + 1}`).toEqual(comparable(a));
      expect(b.len, `event ${i + 1} length`).toBe(a.len + (inputIsV1 ? 4 : 0));
    }

    expect(canonical(await stateSnapshot(out))).toBe(canonical(await stateSnapshot(input)));
    expect(after.sections).toEqual([{ major: 1, minor: 2 }]);

    // The block sequence sysdig 0.29.3 writes: SHB, MI, IL v2, UL v2, PL v9, one FDL v2 per thread, EV v2.
    const spans = walkBlocks(captureBytes(out));
    const types = spans.map((s) => s.type);
    const nthreads = before.threads.length;
    expect(types.slice(0, 5)).toEqual([
      BlockType.SECTION_HEADER, BlockType.MACHINE_INFO, BlockType.INTERFACE_LIST_V2, BlockType.USER_LIST_V2, BlockType.PROCESS_LIST_V9,
    ]);
    expect(types.slice(5, 5 + nthreads).every((t) => t === BlockType.FD_LIST_V2)).toBe(true);
    expect(types.slice(5 + nthreads).every((t) => t === BlockType.EVENT_V2)).toBe(true);
    expect(types.length).toBe(5 + nthreads + before.events.length);
  });

  test("tsysdig's event listing of the copy equals sysdig's listing of the original", async () => {
    const out = outFile();
    await copyCapture(input, out);
    for (const filter of ['', 'evt.type=open']) {
      const { out: buf, text } = memoryOutput();
      await runEvents({ file: out, filter: filter === '' ? null : compileEventFilter(filter), count: 0, out: buf, onWarning: () => {} });
      const golden = readFileSync(`${GOLDEN}/events/${name}${filter === '' ? '' : '.' + filter}.txt`, 'latin1');
      expect(text().split('\n')).toEqual(golden.split('\n'));
    }
  });
});

describe('copyCapture', () => {
  test('a filter keeps matching events and every internal event', async () => {
    const input = fixturePath('libs_curl_google');
    const out = outFile();
    const keep = compileEventFilter('evt.type=open');
    const result = await copyCapture(input, out, { filter: keep });
    // What the filter should keep, computed independently on the original.
    const engine = new StateEngine();
    const want: bigint[] = [];
    await readCapture(input, {
      onThread: (t) => engine.onThread(t),
      onFd: (pid, fd) => engine.onFd(pid, fd),
      onEvent: (ev) => {
        engine.process(ev);
        if ((ev.info.category & EventCategory.INTERNAL) !== 0 || keep(ev, engine)) want.push(ev.tsBig() * 1000n + BigInt(ev.type));
      },
    });
    const after = await readAll(out);
    expect(after.events.map((e) => e.ts * 1000n + BigInt(e.type))).toEqual(want);
    expect(result.eventsWritten).toBe(want.length);
    expect(result.eventsRead).toBe(1536);
    expect(want.length).toBeLessThan(1536);
    expect(after.events.some((e) => e.type === EV.OPEN_E)).toBe(true);
  });

  test('an existing file is truncated and gets mode 0600', async () => {
    const out = outFile();
    writeFileSync(out, Buffer.alloc(1 << 20, 0x55));
    chmodSync(out, 0o644);
    await copyCapture(fixturePath('falco_cat_write'), out);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((await readAll(out)).events.length).toBe(345);
  });

  test('a named pipe as output: the capture streams through it and its mode is left alone', async () => {
    const fifo = tmp.path('pipe');
    execFileSync('mkfifo', ['-m', '0644', fifo]);
    const chunks: Buffer[] = [];
    const drained = new Promise<void>((resolve, reject) => {
      createReadStream(fifo).on('data', (c) => chunks.push(c as Buffer)).on('end', resolve).on('error', reject);
    });
    await copyCapture(fixturePath('falco_cat_write'), fifo);
    await drained;
    expect(statSync(fifo).mode & 0o777).toBe(0o644);
    const copy = outFile();
    writeFileSync(copy, Buffer.concat(chunks));
    expect((await readAll(copy)).events.length).toBe(345);
  });

  test('a damaged input: the copy holds every event before the damage, then the read error', async () => {
    const data = fixtureBytes('libs_single_ipv6_conn');
    const spans = walkBlocks(data).filter((s) => s.isEvent);
    const cut = spans[1000]!.start + 10;
    const input = outFile();
    writeFileSync(input, data.subarray(0, cut));
    const out = outFile();
    await expect(copyCapture(input, out)).rejects.toThrow(/is cut short/);
    const after = await readAll(out);
    expect(after.events.length).toBe(1000);
    expect(after.threads.length).toBe(154);
  });

  test('a capture without events copies its snapshot', async () => {
    const data = fixtureBytes('falco_syscall');
    const firstEvent = walkBlocks(data).find((s) => s.isEvent)!;
    const input = outFile();
    writeFileSync(input, data.subarray(0, firstEvent.start));
    const out = outFile();
    const r = await copyCapture(input, out);
    expect(r.eventsWritten).toBe(0);
    expect(canonical(await stateSnapshot(out))).toBe(canonical(await stateSnapshot(input)));
  });

  test('the output cannot be created: one-line error naming the file and the cause', async () => {
    const out = tmp.path('no/such/dir/x.scap');
    const err = await copyCapture(fixturePath('falco_cat_write'), out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureWriteError);
    expect((err as Error).message).toBe(`cannot create capture ${out}: ENOENT (no such directory)`);
  });
});

/** A ScapEvent over freshly encoded bytes, in the given layout. */
function makeEvent(bytes: Buffer, lenSize: 2 | 4, hasNparams: boolean, cpu: number, flags: number): ScapEvent {
  const ev = new ScapEvent();
  const err = ev.decode(bytes, 0, bytes.length, lenSize, hasNparams);
  if (err !== null) throw new Error(err);
  ev.cpu = cpu;
  ev.evtFlags = flags;
  return ev;
}

/** Re-encodes a v2 event with u32 parameter lengths. */
function largeEncoding(type: number, tid: number, ts: bigint, params: Buffer[]): Buffer {
  const hdr = Buffer.alloc(26);
  const lens = Buffer.alloc(params.length * 4);
  params.forEach((p, i) => lens.writeUInt32LE(p.length, i * 4));
  const len = 26 + lens.length + params.reduce((n, p) => n + p.length, 0);
  hdr.writeBigUInt64LE(ts, 0);
  hdr.writeBigInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(len, 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  return Buffer.concat([hdr, lens, ...params]);
}

describe('ScapWriter events', () => {
  const ts = 1_700_000_000_123_456_789n;

  test('block types: EV v2, EVF v2 with the flags, large variants for u32 lengths; cpu kept', async () => {
    const out = outFile();
    const w = await ScapWriter.open(out);
    const openE = encodeEvent(EV.OPEN_E, 42, ts, [str('/etc/passwd'), u32(0), u32(0)]);
    const big = Buffer.alloc(100_000, 0x61);
    w.writeEvent(makeEvent(openE, 2, true, 3, 0));
    w.writeEvent(makeEvent(openE, 2, true, 5, 1));
    w.writeEvent(makeEvent(largeEncoding(EV.WRITE_X, 42, ts + 1n, [i64(100_000), big]), 4, true, 1, 0));
    w.writeEvent(makeEvent(largeEncoding(EV.WRITE_X, 42, ts + 2n, [i64(100_000), big]), 4, true, 2, 6));
    await w.close();
    const types = walkBlocks(readFileSync(out)).map((s) => s.type);
    expect(types).toEqual([
      BlockType.SECTION_HEADER, BlockType.EVENT_V2, BlockType.EVENT_FLAGS_V2, BlockType.EVENT_V2_LARGE, BlockType.EVENT_FLAGS_V2_LARGE,
    ]);
    const events = (await readAll(out)).events;
    expect(events.map((e) => [e.cpu, e.evtFlags, e.type])).toEqual([[3, 0, EV.OPEN_E], [5, 1, EV.OPEN_E], [1, 0, EV.WRITE_X], [2, 6, EV.WRITE_X]]);
    expect(events[0]!.params[0]!.toString('latin1')).toBe('/etc/passwd\0');
    expect(Buffer.compare(events[3]!.params[1]!, big)).toBe(0);
    expect(w.events).toBe(4);
  });

  test('a v1 event is written as v2: nparams inserted, length +4, parameters unchanged', async () => {
    const v2 = encodeEvent(EV.CLOSE_E, 7, ts, [i64(3)]);
    const v1 = Buffer.concat([v2.subarray(0, 22), v2.subarray(26)]);
    v1.writeUInt32LE(v1.length, 16);
    const out = outFile();
    const w = await ScapWriter.open(out);
    expect(w.writeEvent(makeEvent(v1, 2, false, 0, 0))).toBe(true);
    await w.close();
    const blocks = walkBlocks(readFileSync(out));
    expect(blocks[1]!.type).toBe(BlockType.EVENT_V2);
    // block header (8) + cpu (2), then exactly the v2 encoding
    expect(readFileSync(out).subarray(blocks[1]!.start + 10, blocks[1]!.start + 10 + v2.length)).toEqual(v2);
  });

  test('an event with u16 lengths too long for a 64 KiB block is skipped and counted', async () => {
    const huge = encodeEvent(EV.WRITE_X, 1, ts, [i64(1), Buffer.alloc(65_000), Buffer.alloc(1000)]);
    const out = outFile();
    const w = await ScapWriter.open(out);
    expect(w.writeEvent(makeEvent(huge, 2, true, 0, 0))).toBe(false);
    expect(w.skippedEvents).toBe(1);
    await w.close();
    expect((await readAll(out)).events.length).toBe(0);
  });

  test('events bigger than the chunk, many chunks, many gzip members: all read back', async () => {
    const out = outFile('.gz');
    const w = await ScapWriter.open(out, { gzip: true, chunkSize: 4096 });
    const n = 300;
    for (let i = 0; i < n; i++) {
      const payload = Buffer.alloc(i % 50 === 0 ? 20_000 : 100 + i, i & 0xff);
      const bytes = i % 50 === 0
        ? largeEncoding(EV.WRITE_X, i, ts + BigInt(i), [i64(payload.length), payload])
        : encodeEvent(EV.WRITE_X, i, ts + BigInt(i), [i64(payload.length), payload]);
      w.writeEvent(makeEvent(bytes, i % 50 === 0 ? 4 : 2, true, i % 4, 0));
    }
    await w.close();
    const events = (await readAll(out)).events;
    expect(events.length).toBe(n);
    events.forEach((e, i) => {
      expect(e.tid).toBe(i);
      expect(e.params[1]!.length).toBe(i % 50 === 0 ? 20_000 : 100 + i);
      expect(e.params[1]!.every((b) => b === (i & 0xff))).toBe(true);
    });
    // one gzip member per chunk
    const gz = readFileSync(out);
    let members = 0;
    for (let i = 0; i + 3 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8 && gz[i + 3] === 0) members++;
    expect(members).toBeGreaterThan(10);
  });

  test('writeEvent copies the bytes: the event buffer can be reused at once', async () => {
    const out = outFile();
    const w = await ScapWriter.open(out);
    const bytes = encodeEvent(EV.CLOSE_E, 1, ts, [i64(5)]);
    const ev = makeEvent(bytes, 2, true, 0, 0);
    w.writeEvent(ev);
    bytes.fill(0xee);
    await w.close();
    const events = (await readAll(out)).events;
    expect(events[0]!.params[0]!.readBigInt64LE(0)).toBe(5n);
  });

  test('flush() puts every event so far on disk as a readable capture (plain and gzip)', async () => {
    for (const gzip of [false, true]) {
      const out = outFile();
      const w = await ScapWriter.open(out, { gzip });
      // From open() on, the file is a valid capture without events.
      const headerOnly = readFileSync(out).length;
      expect(headerOnly).toBeGreaterThan(0);
      expect((await readAll(out)).sections).toEqual([{ major: 1, minor: 2 }]);
      for (let i = 0; i < 10; i++) w.writeEvent(makeEvent(encodeEvent(EV.CLOSE_E, i, ts + BigInt(i), [i64(i)]), 2, true, 0, 0));
      expect(readFileSync(out).length).toBe(headerOnly); // buffered: no write per event
      await w.flush();
      expect((await readAll(out)).events.length).toBe(10);
      for (let i = 10; i < 15; i++) w.writeEvent(makeEvent(encodeEvent(EV.CLOSE_E, i, ts + BigInt(i), [i64(i)]), 2, true, 0, 0));
      await w.flush();
      expect((await readAll(out)).events.length).toBe(15);
      await w.close();
      await w.close(); // idempotent
      expect(w.writeEvent(makeEvent(encodeEvent(EV.CLOSE_E, 0, ts, [i64(0)]), 2, true, 0, 0))).toBe(false);
    }
  });

  test('metadata after the first event is refused', async () => {
    const w = await ScapWriter.open(outFile());
    w.writeEvent(makeEvent(encodeEvent(EV.CLOSE_E, 1, ts, [i64(5)]), 2, true, 0, 0));
    expect(() => w.writeSnapshot(new StateEngine())).toThrow(/metadata blocks must come before the first event/);
    await w.close();
  });
});

describe('ScapWriter snapshot', () => {
  test('containers with metadata become container events that replay with names and images', async () => {
    const input = fixturePath('falco_psp_privileged');
    // The state at the start of the fixture, plus what a runtime told us about its container.
    const engine = new StateEngine();
    const rec = new SnapshotRecorder();
    const sink: CaptureSink = {
      onMachineInfo: (mi) => engine.onMachineInfo(mi),
      onThread: (t) => engine.onThread(t),
      onFd: (pid, fd) => engine.onFd(pid, fd),
      onInterface: (i) => rec.onInterface(i),
      onUser: (u) => rec.onUser(u),
      onGroup: (g) => rec.onGroup(g),
      onEvent: () => false,
    };
    await readCapture(input, sink);
    engine.addContainer({
      ...emptyContainer('9dbcbd0c435f', ContainerType.DOCKER),
      name: 'web-1', image: 'nginx:1.25', imageRepo: 'nginx', imageTag: '1.25', hasMetadata: true, privileged: true,
      labels: { app: 'web' },
    });
    // A placeholder known only from a cgroup path is not written.
    engine.addContainer(emptyContainer('0123456789ab', ContainerType.DOCKER));

    const out = outFile();
    const w = await ScapWriter.open(out);
    w.writeSnapshot(engine, rec.lists, { tsNs: 1_562_621_733_000_000_000n });
    await w.close();

    const after = await readAll(out);
    expect(after.events.length).toBe(1);
    const ev = after.events[0]!;
    expect(ev.type).toBe(EV.CONTAINER_JSON_2_E);
    expect(ev.tid).toBe(-1);
    expect(ev.ts).toBe(1_562_621_733_000_000_000n);
    const json = JSON.parse(ev.params[0]!.toString('latin1').replace(/\0$/, '')) as { container: { name: string; image: string } };
    expect(json.container.name).toBe('web-1');
    expect(json.container.image).toBe('nginx:1.25');
    expect(walkBlocks(readFileSync(out)).at(-1)!.type).toBe(BlockType.EVENT_V2_LARGE);

    // tsysdig's engine replaying the written file knows the container.
    const replay = new StateEngine();
    await readCapture(out, { onThread: (t) => replay.onThread(t), onEvent: (e) => void replay.process(e) });
    expect(replay.containers.get('9dbcbd0c435f')?.name).toBe('web-1');
    expect(replay.containers.get('9dbcbd0c435f')?.image).toBe('nginx:1.25');
  });

  test("a container event's default timestamp: now before any event, then the last event's", async () => {
    const out = outFile();
    const w = await ScapWriter.open(out);
    const info = { ...emptyContainer('abcdef012345', ContainerType.DOCKER), name: 'a', hasMetadata: true };
    const before = BigInt(Date.now()) * 1_000_000n;
    w.writeContainerEvent(info);
    const after = BigInt(Date.now()) * 1_000_000n;
    w.writeEvent(makeEvent(encodeEvent(EV.CLOSE_E, 1, 1_600_000_000_000_000_123n, [i64(5)]), 2, true, 0, 0));
    w.writeContainerEvent({ ...info, name: 'b' });
    await w.close();
    const events = (await readAll(out)).events;
    expect(events.map((e) => e.type)).toEqual([EV.CONTAINER_JSON_2_E, EV.CLOSE_E, EV.CONTAINER_JSON_2_E]);
    expect(events[0]!.ts >= before && events[0]!.ts <= after).toBe(true);
    expect(events[2]!.ts).toBe(1_600_000_000_000_000_123n);
  });

  test('the snapshot is on disk when writeSnapshot returns (a capture killed right after still has it)', async () => {
    for (const gzip of [false, true]) {
      const input = fixturePath('libs_test_ipv6_client');
      const engine = new StateEngine();
      const rec = new SnapshotRecorder();
      await readCapture(input, {
        onMachineInfo: (mi) => engine.onMachineInfo(mi),
        onThread: (t) => engine.onThread(t),
        onFd: (pid, fd) => engine.onFd(pid, fd),
        onInterface: (i) => rec.onInterface(i),
        onUser: (u) => rec.onUser(u),
        onGroup: (g) => rec.onGroup(g),
        onEvent: () => false,
      });
      const out = outFile();
      const w = await ScapWriter.open(out, { gzip });
      w.writeSnapshot(engine, rec.lists);
      expect(canonical(await stateSnapshot(out))).toBe(canonical(await stateSnapshot(input)));
      await w.close();
    }
  });

  test('long strings are cut to what libscap accepts; empty cwd becomes "/"', async () => {
    const engine = new StateEngine();
    engine.onThread({
      tid: 10, pid: 10, ptid: 1, sid: -1, vpgid: -1, comm: 'x'.repeat(2000), exe: 'e', exepath: '', args: ['a'.repeat(5000)],
      env: [], cwd: '', fdlimit: 1024, flags: 0, uid: 0, gid: 0, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0, pfminor: 0,
      vtid: -1, vpid: -1, cgroups: [], root: '/', loginuid: -1, exeWritable: true, cloneTs: 0, tty: 0,
    });
    const out = outFile();
    const w = await ScapWriter.open(out);
    w.writeSnapshot(engine, { users: [{ uid: 1, gid: 1, name: 'n'.repeat(300), homedir: '/h', shell: '/s', container: '' }], groups: [] });
    await w.close();
    const after = await readAll(out);
    expect(after.threads[0]!.comm.length).toBe(1024);
    expect(after.threads[0]!.args[0]!.length).toBe(4095);
    expect(after.threads[0]!.cwd).toBe('/');
    expect(after.threads[0]!.exeWritable).toBe(true);
    expect(after.threads[0]!.loginuid).toBe(-1);
    expect(after.users[0]!.name.length).toBe(255);
  });
});
