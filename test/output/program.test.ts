/**
 * The program channel: lines reach the program's stdin through `sh -c`;
 * with keep_alive one process takes them all, without one process per line
 * (Falco's behaviour); a program that does not read never stalls the producer.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOutputConfig, openOutputs } from '../../src/output/index.js';
import { produce, until } from './helpers.js';

function programOutputs(program: string, keepAlive: boolean, extra: string[] = []) {
  const report: string[] = [];
  const cfg = loadOutputConfig({
    file: null,
    overrides: ['stdout_output.enabled=false', 'program_output.enabled=true', `program_output.program=${program}`, `program_output.keep_alive=${keepAlive}`, ...extra],
  });
  return { out: openOutputs(cfg, { report: (l) => report.push(l) }), report };
}

/** Each line the program read, prefixed with the pid of the shell that read it. */
function readLog(f: string): { pid: string; line: string }[] {
  return readFileSync(f, 'latin1')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const sp = l.indexOf(' ');
      return { pid: l.slice(0, sp), line: l.slice(sp + 1) };
    });
}

describe('program output', () => {
  it('keep_alive: one process reads every line on its stdin, in order', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'tsysdig-prog-')), 'got');
    const { out, report } = programOutputs(`while IFS= read -r l; do echo "$$ $l"; done >> ${f}`, true);
    const lines = Array.from({ length: 300 }, (_, i) => `{"n":${i},"output":"alert ${i}"}`);
    for (const l of lines) out.write(l);
    const stats = await out.close();
    const got = readLog(f);
    expect(got.map((g) => g.line)).toEqual(lines);
    expect(new Set(got.map((g) => g.pid)).size).toBe(1);
    expect(stats[0]).toMatchObject({ channel: 'program', accepted: 300, delivered: 300 });
    expect(report).toEqual([]);
  });

  it('without keep_alive: one process per line, as Falco runs one per alert', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'tsysdig-prog-')), 'got');
    const { out } = programOutputs(`IFS= read -r l; echo "$$ $l" >> ${f}`, false);
    const lines = ['12:00:00.000000000: Warning a', '12:00:00.000000001: Error b', '12:00:00.000000002: Notice c', 'd'];
    for (const l of lines) out.write(l);
    await out.close();
    const got = readLog(f);
    expect(got.map((g) => g.line)).toEqual(lines);
    expect(new Set(got.map((g) => g.pid)).size).toBe(lines.length);
  });

  it('a program that never reads: the producer goes on, the outage is said once, the drops are counted', async () => {
    const { out, report } = programOutputs('sleep 30', true, ['outputs_queue.capacity=100', 'output_timeout=300']);
    const big = 'x'.repeat(1000);
    // ~2 MB against a 64 KiB pipe nobody reads.
    await produce((l) => out.write(l), 20, 100, (i) => `${i} ${big}`);
    expect(out.stats()[0]!.accepted).toBe(2000);
    await until(() => report.length > 0, 10_000, 'the outage line');
    expect(report[0]).toMatch(/^tsysdig: output program sleep 30: program has not read its input for 300 ms; retrying/);
    const stats = await out.close();
    expect(stats[0]!.droppedQueueFull).toBeGreaterThan(1000);
    expect(stats[0]!.delivered + stats[0]!.droppedQueueFull + stats[0]!.droppedAtClose).toBe(2000);
    expect(report.at(-1)).toMatch(/^tsysdig: output program sleep 30: \d+ of 2000 lines dropped/);
  });
});
