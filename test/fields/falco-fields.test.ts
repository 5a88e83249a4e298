/**
 * The fields Falco's rules use beyond sysdig 0.29 (issue #10), on the real
 * fixtures where the capture carries their data, `<NA>` where it does not,
 * and on a newer (libs layout) execve whose extra parameters carry the
 * capability sets and the executable's inode.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EV } from '../../src/event/event-ids.js';
import { FieldRegistry } from '../../src/fields/registry.js';
import { fieldText } from '../../src/fields/render.js';
import type { EventContext } from '../../src/fields/types.js';
import { capsText } from '../../src/fields/thread-fields.js';
import { StateEngine } from '../../src/state/engine.js';
import { decode, encodeEvent, i64, list, str, u32, u64 } from '../helpers/event-builder.js';
import { replay } from '../helpers/replay.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const registry = new FieldRegistry();

/** Rows of `fields` (as text) for every event of a fixture passing `where`. */
async function rows(fixture: string, fields: string[], where: (r: Record<string, string>) => boolean): Promise<Record<string, string>[]> {
  const exs = fields.map((f) => [f, registry.resolveText(f)!] as const);
  const out: Record<string, string>[] = [];
  await replay(join(FIXTURES, fixture), (ctx) => {
    const r: Record<string, string> = {};
    for (const [f, ex] of exs) r[f] = fieldText(ex, ctx);
    if (where(r)) out.push(r);
  });
  return out;
}

describe('fields on falco_cat_write.scap (cat /dev/null from bash)', () => {
  it('parent exe and path, ancestors by index, evt.hostname from the machine information', async () => {
    const r = await rows('falco_cat_write.scap', ['proc.name', 'proc.pexe', 'proc.pexepath', 'proc.aexe[1]', 'proc.aexepath[1]', 'proc.pname', 'evt.hostname', 'proc.aexe[0]', 'proc.exe'], (x) => x['proc.name'] === 'cat');
    expect(r.length).toBeGreaterThan(0);
    const last = r[r.length - 1]!;
    expect(last['proc.pname']).toBe('bash');
    expect(last['proc.pexe']).toBe(last['proc.aexe[1]']);
    expect(last['proc.pexepath']).toBe(last['proc.aexepath[1]']);
    expect(last['proc.aexe[0]']).toBe(last['proc.exe']);
    expect(last['proc.pexe']).toMatch(/bash/);
    expect(new Set(r.map((x) => x['evt.hostname'])).size).toBe(1);
    expect(last['evt.hostname']).not.toBe('<NA>');
  });

  it('fd.nameraw and fs.path.* on opens: the raw argument and its resolved path', async () => {
    const r = await rows('falco_cat_write.scap', ['evt.type', 'evt.dir', 'evt.rawres', 'fd.name', 'fd.nameraw', 'fs.path.name', 'fs.path.nameraw', 'evt.arg.name', 'fs.path.source'], (x) => x['evt.type'] === 'open' && x['evt.dir'] === '<');
    const ok = r.filter((x) => Number(x['evt.rawres']) >= 0);
    expect(ok.length).toBeGreaterThan(3);
    for (const x of ok) {
      expect(x['fs.path.nameraw']).toBe(x['evt.arg.name']);
      expect(x['fd.nameraw']).toBe(x['evt.arg.name']);
      expect(x['fs.path.name']).toBe(x['fd.name']);
      expect(x['fs.path.source']).toBe('<NA>');
    }
    for (const x of r.filter((y) => Number(y['evt.rawres']) < 0)) expect(x['fs.path.name']).toBe('<NA>');
  });

  it('fd.types lists the distinct types of the open fds, fd.types[N] one fd', async () => {
    const r = await rows('falco_cat_write.scap', ['proc.name', 'fd.types', 'fd.types[0]', 'fd.num', 'fd.type'], (x) => x['proc.name'] === 'cat');
    const withFile = r.find((x) => x['fd.type'] === 'file')!;
    expect(withFile['fd.types']).toMatch(/^\(([a-z]+)(,[a-z]+)*\)$/);
    expect(withFile['fd.types']).toContain('file');
    expect(new Set(withFile['fd.types']!.slice(1, -1).split(',')).size).toBe(withFile['fd.types']!.slice(1, -1).split(',').length);
  });

  it('the capture lacks exe inodes, capabilities, memfd and PID-namespace facts: <NA> (capabilities: none, as libsinsp)', async () => {
    const fields = ['proc.exe_ino', 'proc.exe_ino.ctime', 'proc.exe_ino.mtime', 'proc.exe_ino.ctime_duration_proc_start', 'proc.exe_ino.ctime_duration_pidns_start', 'container.start_ts', 'thread.cap_effective', 'thread.cap_permitted', 'thread.cap_inheritable', 'proc.is_exe_from_memfd', 'proc.is_exe_upper_layer'];
    const r = await rows('falco_cat_write.scap', ['proc.name', ...fields], (x) => x['proc.name'] === 'cat');
    const last = r[r.length - 1]!;
    expect(fields.map((f) => last[f])).toEqual(['<NA>', '<NA>', '<NA>', '<NA>', '<NA>', '<NA>', '', '', '', 'false', 'false']);
  });

  it('process groups: proc.is_vpgid_leader and the leader fields agree with proc.vpgid', async () => {
    const r = await rows('falco_cat_write.scap', ['proc.name', 'proc.vpid', 'proc.vpgid', 'proc.is_vpgid_leader', 'proc.vpgid.name', 'proc.ppid.duration', 'proc.duration'], (x) => x['proc.name'] === 'cat' || x['proc.name'] === 'bash');
    for (const x of r) {
      if (x['proc.vpid'] === '<NA>' || x['proc.vpgid'] === '<NA>' || x['proc.vpgid'] === '-1') expect(x['proc.is_vpgid_leader']).toBe('<NA>');
      else expect(x['proc.is_vpgid_leader']).toBe(String(x['proc.vpid'] === x['proc.vpgid']));
    }
  });
});

describe('newer execve parameters (libs layout, 26 and more)', () => {
  it('capability sets, exe inode and memfd flag come from the event; clones inherit them', () => {
    const engine = new StateEngine();
    engine.onThread({
      tid: 100, pid: 100, ptid: 1, sid: 100, vpgid: 100, comm: 'sh', exe: 'sh', exepath: '/bin/sh', args: [], env: [], cwd: '/', fdlimit: 1024, flags: 0,
      uid: 0, gid: 0, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0, pfminor: 0, vtid: 100, vpid: 100, cgroups: [], root: '/', loginuid: 0, exeWritable: false, cloneTs: 0, tty: 0,
    });
    const ctime = 1_700_000_000_123_456_789n;
    const eff = 0xa80425fb;
    const params = [
      i64(0), str('/tmp/x'), list([]), i64(100), i64(100), i64(1), str('/'), u64(1024), u64(0), u64(0), u32(0), u32(0), u32(0), str('x'), list([]), list([]), u32(0), i64(100), u32(0),
      u32(1 | 4), // PPM_EXE_WRITABLE | PPM_EXE_FROM_MEMFD
      u64(0), u64(0x1ffffffffff), u64(eff), u64(4242), u64(ctime), u64(ctime + 5n),
    ];
    const ev = decode(encodeEvent(EV.EXECVE_19_X, 100, 1_700_000_100_000_000_000n, params), 1);
    engine.process(ev);
    const ctx: EventContext = { ev, engine };
    const text = (f: string): string => fieldText(registry.resolveText(f)!, ctx);
    expect(text('thread.cap_effective')).toBe(capsText(eff));
    expect(text('thread.cap_effective').split(' ')).toEqual(['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SETFCAP']);
    expect(text('thread.cap_inheritable')).toBe('');
    expect(text('thread.cap_permitted').split(' ')).toHaveLength(41);
    expect(text('proc.exe_ino')).toBe('4242');
    expect(text('proc.exe_ino.ctime')).toBe(String(ctime));
    expect(text('proc.exe_ino.mtime')).toBe(String(ctime + 5n));
    expect(text('proc.is_exe_from_memfd')).toBe('true');
    expect(text('proc.is_exe_writable')).toBe('true');
    expect(text('proc.is_exe_upper_layer')).toBe('false');
    const f = registry.resolveText('thread.cap_effective')!;
    expect(f.get(ctx)).toContain('CAP_NET_RAW');
  });
});
