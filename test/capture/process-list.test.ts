import { describe, expect, test } from 'vitest';
import { BlockType } from '../../src/capture/block-types.js';
import { Bytes, ScapBuilder, thread, threadAsVersion } from './scap-builder.js';
import { readBytes } from './helpers.js';

function capture(build: (b: ScapBuilder) => void): Buffer {
  const b = new ScapBuilder().sectionHeader();
  build(b);
  return b.build();
}

const THREADS = [
  thread(),
  thread({
    tid: 7, pid: 7, ptid: 0, sid: 0, vpgid: 0, comm: 'kworker/0:1', exe: '', exepath: '', args: [], env: [], cwd: '/',
    fdlimit: 0, flags: 0, uid: 0, gid: 0, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0, pfminor: 0,
    vtid: 7, vpid: 7, cgroups: [], root: '/', loginuid: -1, exeWritable: false,
  }),
  thread({ tid: 9000000000, pid: 9000000000, ptid: -1, comm: 'naïve ✓', args: ['ünïcode'], uid: 4294967295, gid: 4294967294 }),
];

describe('process list blocks', () => {
  for (const version of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    test(`v${version} decodes every field it carries; absent fields take defaults`, async () => {
      const { sink, error } = await readBytes(capture((b) => b.processList(version, THREADS)));
      expect(error).toBeNull();
      expect(sink.threads).toEqual(THREADS.map((t) => threadAsVersion(t, version)));
    });
  }

  for (const version of [1, 2, 3]) {
    test(`v${version} under its pre-release _INT id`, async () => {
      const { sink, error } = await readBytes(capture((b) => b.processList(version, THREADS, { int: true })));
      expect(error).toBeNull();
      expect(sink.threads).toEqual(THREADS.map((t) => threadAsVersion(t, version)));
    });
  }

  test('the _INT ids are the documented numbers', () => {
    expect([BlockType.PROCESS_LIST_V1_INT, BlockType.PROCESS_LIST_V2_INT, BlockType.PROCESS_LIST_V3_INT]).toEqual([0x8000abcd, 0x8013abcd, 0x8014abcd]);
  });

  test('an empty process list block yields no threads', async () => {
    const { sink, error } = await readBytes(capture((b) => b.processList(9, [])));
    expect(error).toBeNull();
    expect(sink.threads).toEqual([]);
  });

  describe('v9 entry lengths', () => {
    test('entries without trailing fields keep the defaults', async () => {
      const { sink } = await readBytes(capture((b) => b.processList(9, [thread()], { trailing: {} })));
      expect(sink.threads[0]).toMatchObject({ loginuid: -1, exeWritable: false, tty: 0 });
    });

    test('only loginuid present', async () => {
      const { sink } = await readBytes(capture((b) => b.processList(9, [thread()], { trailing: { loginuid: 33 } })));
      expect(sink.threads[0]).toMatchObject({ loginuid: 33, exeWritable: false });
    });

    test('0.29-era trailing fields plus capability masks (29 bytes): loginuid and exe_writable read, the rest stepped over', async () => {
      const caps = Buffer.alloc(3 * 8, 0xee);
      const { sink, error } = await readBytes(capture((b) => b.processList(9, THREADS, { trailing: { loginuid: 5, exeWritable: true, more: caps } })));
      expect(error).toBeNull();
      expect(sink.threads).toEqual(THREADS.map((t) => ({ ...threadAsVersion(t, 9), loginuid: 5, exeWritable: true })));
    });

    test('fields a future writer appends after the known ones are stepped over, and the next entry is read', async () => {
      const known = Buffer.alloc(3 * 8 + 1 + 3 * 8 + 1); // capabilities, exe_upper_layer, exe_ino*, exe_from_memfd
      const future = Buffer.alloc(37, 0xee);
      const { sink, error } = await readBytes(
        capture((b) => b.processList(9, THREADS, { trailing: { v010: { pidnsInitStartTs: 1n, tty: 5 }, loginuid: 9, exeWritable: false, more: Buffer.concat([known, future]) } })),
      );
      expect(error).toBeNull();
      expect(sink.threads).toEqual(THREADS.map((t) => ({ ...threadAsVersion(t, 9), loginuid: 9, exeWritable: false, tty: 5 })));
    });

    test('the libs >= 0.10 layout (pidns_init_start_ts and tty before loginuid) is recognized', async () => {
      const more = Buffer.alloc(3 * 8 + 1 + 3 * 8 + 1); // capabilities, exe_upper_layer, exe_ino*, exe_from_memfd
      const { sink, error } = await readBytes(
        capture((b) => b.processList(9, [thread()], { trailing: { v010: { pidnsInitStartTs: 123n, tty: 34816 }, loginuid: 1000, exeWritable: true, more } })),
      );
      expect(error).toBeNull();
      expect(sink.threads[0]).toMatchObject({ tty: 34816, loginuid: 1000, exeWritable: true, comm: 'bash' });
    });

    test('an entry length shorter than its fixed fields is damage, located in that entry', async () => {
      const data = capture((b) => b.processList(9, [thread()], { entryLenDelta: -40 }));
      const { error } = await readBytes(data);
      expect(error?.message).toMatch(/process list block 0x215 \(v9\) entry: field '\w+' needs/);
      expect(error!.offset).toBeGreaterThan(28 + 8);
      expect(error!.offset).toBeLessThan(data.length);
    });

    test('an entry length past the block end is damage', async () => {
      const { error } = await readBytes(capture((b) => b.processList(9, [thread()], { entryLenDelta: 1000 })));
      expect(error?.message).toMatch(/entry length \d+ runs past the block/);
      expect(error!.offset).toBe(28 + 8); // the entry's first byte
    });

    test('a zero entry length means "fixed fields only", as libscap reads it', async () => {
      const t = thread();
      const entry = new Bytes().u32(0).i64(t.tid).i64(t.pid).i64(t.ptid).i64(t.sid).i64(t.vpgid)
        .str16(t.comm).str16(t.exe).str16(t.exepath).list16(t.args).str16(t.cwd).u64(t.fdlimit).u32(t.flags).u32(t.uid).u32(t.gid)
        .u32(t.vmsizeKb).u32(t.vmrssKb).u32(t.vmswapKb).u64(t.pfmajor).u64(t.pfminor).list16(t.env)
        .i64(t.vtid).i64(t.vpid).list16(t.cgroups).str16(t.root).build();
      const { sink, error } = await readBytes(capture((b) => b.block(BlockType.PROCESS_LIST_V9, entry)));
      expect(error).toBeNull();
      expect(sink.threads).toEqual([{ ...threadAsVersion(t, 9), loginuid: -1, exeWritable: false }]);
    });
  });

  test('a string length running past the block is damage', async () => {
    const body = new Bytes().i64(1).i64(1).i64(0).u16(5000).raw(Buffer.from('init')).build();
    const { error } = await readBytes(capture((b) => b.block(BlockType.PROCESS_LIST_V1, body)));
    expect(error?.message).toMatch(/field 'comm' needs 5000 bytes/);
    expect(error!.offset).toBe(28 + 8 + 24 + 2);
  });

  test('args, env and cgroups are split on NULs, keeping empty arguments', async () => {
    const t = thread({ args: ['', 'a b', '', 'c'], env: ['X='], cgroups: ['pids=/a'] });
    const { sink } = await readBytes(capture((b) => b.processList(5, [t])));
    expect(sink.threads[0]).toMatchObject({ args: ['', 'a b', '', 'c'], env: ['X='], cgroups: ['pids=/a'] });
  });
});
