import { describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import { EVENT_BLOCK_IDS, type EventBlockKind, type EventSpec, Bytes, ScapBuilder } from './scap-builder.js';
import { RecordingSink, memorySource, readBytes } from './helpers.js';
import { readCaptureFrom } from '../../src/capture/scap-reader.js';

const OPEN_X = 3; // params: fd, name, flags, mode, dev
const READ_X = 7; // params: res, data
const NOTIFICATION_E = 280; // params: id, desc

const i64 = (v: bigint): Buffer => new Bytes().i64(v).build();
const u32 = (v: number): Buffer => new Bytes().u32(v).build();
const cstr = (s: string): Buffer => Buffer.from(s + '\0', 'utf8');

function openExit(over: Partial<EventSpec> = {}): EventSpec {
  return {
    type: OPEN_X, tid: 20072, ts: 1470327477881785348n, cpu: 3, flags: 0,
    params: [i64(3n), cstr('/etc/ld.so.cache'), u32(4097), u32(0o644), u32(0x803)],
    ...over,
  };
}

function capture(build: (b: ScapBuilder) => void): Buffer {
  const b = new ScapBuilder().sectionHeader();
  build(b);
  return b.build();
}

const KINDS: EventBlockKind[] = ['EV', 'EV_INT', 'EVF', 'EV_V2', 'EVF_V2', 'EV_V2_LARGE', 'EVF_V2_LARGE'];

describe('event blocks', () => {
  test('block ids are the documented numbers', () => {
    expect(EVENT_BLOCK_IDS).toEqual({
      EV: 0x204, EV_INT: 0x8010abcd, EVF: 0x208, EV_V2: 0x216, EVF_V2: 0x217, EV_V2_LARGE: 0x221, EVF_V2_LARGE: 0x222,
    });
  });

  for (const kind of KINDS) {
    test(`${kind}: header, cpu, flags and every parameter`, async () => {
      const hasFlags = kind.startsWith('EVF');
      const spec = openExit({ flags: hasFlags ? 0x80000001 : 0, tid: -1n, cpu: 65535 });
      const { sink, error, result } = await readBytes(capture((b) => b.event(kind, spec)));
      expect(error).toBeNull();
      expect(result!.events).toBe(1);
      const e = sink.events[0]!;
      const lenSize = kind.endsWith('LARGE') ? 4 : 2;
      const hdr = kind.includes('V2') ? 26 : 22;
      expect({ num: e.num, cpu: e.cpu, evtFlags: e.evtFlags, type: e.type, tid: e.tid, ts: e.ts, nparams: e.nparams, len: e.len }).toEqual({
        num: 1, cpu: 65535, evtFlags: hasFlags ? 0x80000001 : 0, type: OPEN_X, tid: -1, ts: 1470327477881785348n, nparams: 5,
        len: hdr + 5 * lenSize + spec.params.reduce((n, p) => n + p.length, 0),
      });
      expect(e.params).toEqual(spec.params.map((p) => Buffer.from(p)));
    });
  }

  test('v1 events: an older event layout with fewer parameters is inferred from the length', async () => {
    const spec = openExit({ params: [i64(3n), cstr('/etc/ld.so.cache'), u32(4097), u32(0)] });
    const { sink } = await readBytes(capture((b) => b.event('EV', spec)));
    expect(sink.events[0]!.nparams).toBe(4);
    expect(sink.events[0]!.params[1]!.toString()).toBe('/etc/ld.so.cache\0');
  });

  test('v1 events whose lengths cannot be reconciled with any parameter count are damage', async () => {
    const spec = openExit({ params: [i64(3n), cstr('/x')], tail: Buffer.alloc(1) });
    const data = capture((b) => b.event('EV', openExit()).event('EV', spec));
    const { sink, error } = await readBytes(data);
    expect(sink.eventCount).toBe(1);
    expect(error?.message).toMatch(/event block at offset \d+ \(type 0x204\): cannot infer the parameter count/);
  });

  test('large blocks carry parameters over 64 KiB', async () => {
    const data = Buffer.alloc(200_000, 0x61);
    const spec: EventSpec = { type: READ_X, tid: 9, ts: 5n, params: [i64(200_000n), data] };
    const { sink, error } = await readBytes(capture((b) => b.event('EV_V2_LARGE', spec).event('EVF_V2_LARGE', { ...spec, flags: 2 })), { windowSize: 4096, chunk: 3000 });
    expect(error).toBeNull();
    expect(sink.events.map((e) => [e.num, e.evtFlags, e.params[1]!.length])).toEqual([[1, 0, 200_000], [2, 2, 200_000]]);
    expect(sink.events[0]!.params[1]!.equals(data)).toBe(true);
  });

  test('a non-large event block longer than 64 KiB is damage', async () => {
    const spec: EventSpec = { type: READ_X, tid: 9, ts: 5n, params: [i64(0n), Buffer.alloc(65_000)] };
    const data = capture((b) => b.event('EV_V2', spec).event('EV_V2', { ...spec, params: [i64(0n), Buffer.alloc(65_000), Buffer.alloc(1000)] }));
    const { sink, error } = await readBytes(data);
    expect(sink.eventCount).toBe(1);
    expect(error?.message).toMatch(/exceeds the 65544 bytes an event block with 16-bit parameter lengths can hold/);
  });

  test('mixed block kinds: one reused event object, numbered in file order', async () => {
    const data = capture((b) => {
      for (let i = 0; i < 50; i++) b.event(KINDS[i % KINDS.length]!, openExit({ ts: BigInt(i), cpu: i % 4, flags: i }));
    });
    const { sink, result } = await readBytes(data, { windowSize: 256, chunk: 97 });
    expect(result!.events).toBe(50);
    expect(sink.instances.size).toBe(1);
    expect(sink.events.map((e) => e.num)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(sink.events.map((e) => e.ts)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    expect(sink.events.map((e) => e.cpu)).toEqual(Array.from({ length: 50 }, (_, i) => i % 4));
    expect(sink.events.map((e) => e.evtFlags)).toEqual(Array.from({ length: 50 }, (_, i) => (KINDS[i % KINDS.length]!.startsWith('EVF') ? i : 0)));
  });

  test('an event longer than its block is damage, after the events before it', async () => {
    const data = capture((b) => b.event('EV_V2', openExit()).event('EV_V2', openExit({ lenDelta: 40 })));
    const { sink, error } = await readBytes(data);
    expect(sink.eventCount).toBe(1);
    const second = 28 + (data.length - 28) / 2;
    expect(error?.offset).toBe(second);
    expect(error?.message).toMatch(/^event block at offset \d+ \(type 0x216\): event length \d+ does not fit its block/);
  });

  test('an event block too short for an event header is damage', async () => {
    const { error } = await readBytes(capture((b) => b.block(BlockType.EVENT_V2, Buffer.alloc(8))));
    expect(error?.message).toMatch(/too short to hold an event header/);
    expect(error?.offset).toBe(28);
  });

  test('event types beyond the event table are skipped, not numbered, with one warning per type', async () => {
    const data = capture((b) =>
      b.event('EV_V2', openExit()).event('EV_V2', openExit({ type: 60000 })).event('EV', openExit({ type: 60000 }))
        .event('EV_V2', openExit({ type: 60001 })).event('EV_V2', openExit()),
    );
    const { sink, result, error } = await readBytes(data);
    expect(error).toBeNull();
    expect(result!.events).toBe(2);
    expect(sink.events.map((e) => e.num)).toEqual([1, 2]);
    expect(sink.warnings).toEqual([expect.stringMatching(/type 60000/), expect.stringMatching(/type 60001/)]);
  });

  test('v1 notification events: the 3-byte length error of old writers is corrected', async () => {
    const spec: EventSpec = { type: NOTIFICATION_E, tid: 1, ts: 7n, params: [cstr('42'), cstr('hello')], tail: Buffer.from('xyz') };
    const { sink, error } = await readBytes(capture((b) => b.event('EV', spec)));
    expect(error).toBeNull();
    const e = sink.events[0]!;
    expect(e.nparams).toBe(2);
    expect(e.params.map((p) => p.toString())).toEqual(['42\0', 'hello\0']);
    expect(e.len).toBe(22 + 4 + 3 + 6); // the corrected length
  });

  test('v1 notification events with a correct length decode as they are', async () => {
    const spec: EventSpec = { type: NOTIFICATION_E, tid: 1, ts: 7n, params: [cstr('42'), cstr('hello')] };
    const { sink } = await readBytes(capture((b) => b.event('EV', spec)));
    expect(sink.events[0]!.len).toBe(22 + 4 + 3 + 6);
  });
});

describe('reading control', () => {
  const many = capture((b) => {
    for (let i = 0; i < 100; i++) b.event('EV_V2', openExit({ ts: BigInt(i) }));
  });

  test('onEvent returning false stops after that event; bytes count through its block', async () => {
    const sink = new RecordingSink();
    sink.stopAfter = 3;
    const { result } = await readBytes(many, { sink });
    const blockLen = (many.length - 28) / 100;
    expect(result).toEqual({ events: 3, bytes: 28 + 3 * blockLen });
  });

  test('an abort signal fired from a sink rejects with its reason, between blocks', async () => {
    const ac = new AbortController();
    const sink = new RecordingSink();
    const onEvent = sink.onEvent.bind(sink);
    sink.onEvent = (ev) => {
      if (ev.num === 5) ac.abort(new Error('user quit'));
      return onEvent(ev);
    };
    await expect(readBytes(many, { sink, signal: ac.signal })).rejects.toThrow('user quit');
    expect(sink.eventCount).toBe(5);
  });

  test('an already aborted signal rejects before reading', async () => {
    const sink = new RecordingSink();
    await expect(readBytes(many, { sink, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(sink.eventCount).toBe(0);
  });

  test('a sink that throws: its error propagates unchanged', async () => {
    const sink = new RecordingSink();
    sink.onEvent = () => {
      throw new TypeError('consumer bug');
    };
    await expect(readBytes(many, { sink })).rejects.toThrow(TypeError);
  });
});

describe('section header and machine info', () => {
  for (const [major, minor] of [[1, 0], [1, 1], [1, 2], [0, 9]]) {
    test(`version ${major}.${minor} is reported`, async () => {
      const { sink, error } = await readBytes(new ScapBuilder().sectionHeader({ major, minor }).build());
      expect(error).toBeNull();
      expect(sink.sections).toEqual([{ major, minor }]);
    });
  }

  test('a capture with a section header and nothing else has no events', async () => {
    const { result, error } = await readBytes(new ScapBuilder().sectionHeader().build());
    expect(error).toBeNull();
    expect(result).toEqual({ events: 0, bytes: 28 });
  });

  test('a newer major version is refused', async () => {
    const { error } = await readBytes(new ScapBuilder().sectionHeader({ major: 2, minor: 0 }).build());
    expect(error?.message).toMatch(/unsupported format version 2\.0/);
  });

  test('a big-endian file (every field byte-swapped) is refused by name', async () => {
    const be = Buffer.alloc(28);
    be.writeUInt32BE(0x0a0d0d0a, 0);
    be.writeUInt32BE(28, 4);
    be.writeUInt32BE(0x1a2b3c4d, 8);
    be.writeUInt16BE(1, 12);
    be.writeUInt16BE(2, 14);
    be.writeBigInt64BE(-1n, 16);
    be.writeUInt32BE(28, 24);
    const { error } = await readBytes(be);
    expect(error?.message).toMatch(/written big-endian/);
    expect(error?.offset).toBe(8);
  });

  test('byte-swapped (big-endian) magic is refused by name', async () => {
    const { error } = await readBytes(new ScapBuilder().sectionHeader({ magic: 0x4d3c2b1a }).build());
    expect(error?.message).toMatch(/big-endian/);
    expect(error?.offset).toBe(8);
  });

  test('any other magic is refused', async () => {
    const { error } = await readBytes(new ScapBuilder().sectionHeader({ magic: 0xdeadbeef }).build());
    expect(error?.message).toMatch(/bad byte order magic 0xdeadbeef/);
  });

  test('a section header block too short for its fields is damage', async () => {
    const { error } = await readBytes(new ScapBuilder().block(BlockType.SECTION_HEADER, new Bytes().u32(0x1a2b3c4d).u16(1).u16(2).build()).build());
    expect(error?.message).toMatch(/section header: field 'body' needs 16 bytes/);
  });

  test('a second section (concatenated captures) is reported and read on', async () => {
    const data = new ScapBuilder().sectionHeader({ minor: 0 }).event('EV', openExit()).sectionHeader({ minor: 2 }).event('EV_V2', openExit()).build();
    const { sink, result } = await readBytes(data);
    expect(sink.sections).toEqual([{ major: 1, minor: 0 }, { major: 1, minor: 2 }]);
    expect(result!.events).toBe(2);
  });

  for (const int of [false, true]) {
    test(`machine info${int ? ' (_INT id 0x8002abcd)' : ''}`, async () => {
      const data = capture((b) => b.machineInfo({ numCpus: 8, memoryBytes: 16_000_000_000, maxPid: 4194304, hostname: 'build-host' }, int));
      const { sink } = await readBytes(data);
      expect(sink.machines).toEqual([{ numCpus: 8, memoryBytes: 16_000_000_000, maxEventSize: 0, hostname: 'build-host', maxPid: 4194304 }]);
    });
  }

  test('a machine info block too short for the hostname is damage', async () => {
    const { error } = await readBytes(capture((b) => b.block(BlockType.MACHINE_INFO, new Bytes().u32(1).u64(1).u64(1).raw(Buffer.alloc(40)).build())));
    expect(error?.message).toMatch(/machine info block: field 'hostname' needs 128 bytes/);
  });

  test('unknown block types are skipped with one warning per type', async () => {
    const data = capture((b) =>
      b.block(0x300, Buffer.alloc(10)).event('EV_V2', openExit()).block(0x300, Buffer.alloc(3)).block(0x7777, Buffer.alloc(0)).event('EV_V2', openExit()),
    );
    const { sink, result, error } = await readBytes(data);
    expect(error).toBeNull();
    expect(result!.events).toBe(2);
    expect(sink.warnings).toEqual(['skipped blocks of unknown type 0x300', 'skipped blocks of unknown type 0x7777']);
  });

  test('distinct warnings are capped', async () => {
    const data = capture((b) => {
      for (let i = 0; i < 150; i++) b.block(0x1000 + i, Buffer.alloc(0));
    });
    const { sink, error } = await readBytes(data);
    expect(error).toBeNull();
    expect(sink.warnings).toHaveLength(101);
    expect(sink.warnings[100]).toMatch(/too many different warnings/);
  });

  test('a sink without optional callbacks still gets its events', async () => {
    const data = new ScapBuilder().sectionHeader().machineInfo({ numCpus: 1, memoryBytes: 1, maxPid: 1, hostname: 'h' }).event('EV_V2', openExit()).build();
    let n = 0;
    const res = await readCaptureFrom(memorySource(data), { onEvent: () => void n++ });
    expect(res.events).toBe(1);
    expect(n).toBe(1);
  });
});
