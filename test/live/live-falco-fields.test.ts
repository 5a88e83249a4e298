/**
 * Live (root + BTF): the capability sets and the executable's inode the
 * probe puts on execve (libs layout parameters 20-25) give the Falco fields
 * of a spawned process the values /proc shows for it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import { fieldText } from '../../src/fields/render.js';
import { capsText } from '../../src/fields/thread-fields.js';
import { StateEngine } from '../../src/state/engine.js';
import { Capture, liveSkipReason } from './harness.js';

const reason = liveSkipReason();
if (reason) console.log(`[test/live] live Falco-field tests skipped: ${reason}`);
const describeLive = reason ? describe.skip : describe;

describeLive('Falco fields of a live process', () => {
  let cap: Capture;

  beforeAll(() => {
    cap = new Capture({ snaplen: 80 });
    cap.start();
  });

  afterAll(async () => {
    if (cap) await cap.stop();
  });

  it('thread.cap_* and proc.exe_ino* of a spawned process match /proc', async () => {
    const child = spawn('/bin/sleep', ['3'], { stdio: 'ignore' });
    const pid = child.pid!;
    // /proc while the process runs (after its exec: comm is sleep).
    let status = '';
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep') break;
    }
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const exe = fs.statSync(`/proc/${pid}/exe`, { bigint: true });
    const hex = (tag: string): number => parseInt(new RegExp(`^${tag}:\\s*([0-9a-f]+)`, 'm').exec(status)![1]!, 16);
    let execve = cap.ofPid(pid, 'execve').filter((ev) => !ev.isEnter && ev.i64(0) === 0);
    for (let i = 0; i < 100 && execve.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      execve = cap.ofPid(pid, 'execve').filter((ev) => !ev.isEnter && ev.i64(0) === 0);
    }
    child.kill();
    expect(execve).toHaveLength(1);
    const ev = execve[0]!;
    expect(ev.nparams).toBe(26);

    const engine = new StateEngine();
    engine.process(ev);
    const registry = new FieldRegistry();
    const ctx = { ev, engine };
    const text = (f: string): string => fieldText(registry.resolveText(f)!, ctx);
    expect(text('thread.cap_effective')).toBe(capsText(hex('CapEff')));
    expect(text('thread.cap_permitted')).toBe(capsText(hex('CapPrm')));
    expect(text('thread.cap_inheritable')).toBe(capsText(hex('CapInh')));
    expect(text('thread.cap_effective')).toContain('CAP_SYS_ADMIN'); // root
    expect(text('proc.exe_ino')).toBe(String(exe.ino));
    expect(text('proc.exe_ino.ctime')).toBe(String(exe.ctimeNs));
    expect(text('proc.exe_ino.mtime')).toBe(String(exe.mtimeNs));
    expect(text('proc.is_exe_from_memfd')).toBe('false');
  });
});
