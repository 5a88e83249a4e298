/**
 * Field behaviour the sysdig goldens cannot pin: tsysdig's corrections of
 * sysdig bugs (docs/compat.md "Fields"), its extensions, registry options,
 * and the filter-only "any endpoint / any ancestor" fields.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScapEvent } from '../../src/event/scap-event.js';
import { compileFilter } from '../../src/filter/index.js';
import { FieldRegistry } from '../../src/fields/registry.js';
import { fieldText } from '../../src/fields/render.js';
import type { EventContext } from '../../src/fields/types.js';
import { StateEngine } from '../../src/state/engine.js';
import { SYNTHETIC_DIR } from './golden-harness.js';
import { replay } from '../helpers/replay.js';

const SYNTHETIC = join(SYNTHETIC_DIR, 'fields-synthetic.scap');

/** Text of `fields` at each event number of the synthetic capture. */
async function texts(fields: string[], registry = new FieldRegistry()): Promise<Map<number, Record<string, string>>> {
  const exs = fields.map((f) => [f, registry.resolveText(f)!] as const);
  const out = new Map<number, Record<string, string>>();
  await replay(SYNTHETIC, (ctx) => {
    const row: Record<string, string> = {};
    for (const [f, ex] of exs) row[f] = fieldText(ex, ctx);
    out.set(ctx.ev.num, row);
  });
  return out;
}

describe('corrected sysdig bugs', () => {
  it('fd.name_changed is true only when the event renamed its fd', async () => {
    const t = await texts(['fd.name_changed', 'evt.type', 'fd.name']);
    const changed = [...t].filter(([, r]) => r['fd.name_changed'] === 'true').map(([n, r]) => `${n} ${r['evt.type']} ${r['fd.name']}`);
    // The UDP socket's tuple is learned by sendto and then changed by recvfrom.
    // connect names the socket it creates a tuple for; the UDP socket's tuple is learned by sendto, then changed by recvfrom.
    expect(changed).toEqual(['51 connect 172.17.0.3:40001->10.0.0.5:80', '57 sendto 10.0.0.5:0->10.96.0.10:53', '59 recvfrom 10.96.0.10:53->10.96.0.10:53']);
  });

  it('an accepted connection: both ports, no device', async () => {
    const t = await texts(['fd.cport', 'fd.cproto', 'fd.sproto', 'fd.sport', 'fd.dev']);
    const accept = t.get(33)!;
    expect(accept['fd.sport']).toBe('80');
    expect(accept['fd.cport']).toBe('51001');
    expect(accept['fd.dev']).toBe('0');
  });

  it('evt.type.is prints 1 or 0, and evt.rawarg its argument in its own format', async () => {
    const t = await texts(['evt.type.is.openat', 'evt.type.is.306', 'evt.rawarg.mode', 'evt.rawarg.fd', 'evt.rawarg.tuple', 'evt.rawarg.size']);
    // A name selects the first event of that name in the table (as in sysdig): the old openat, not openat's newer layout.
    expect(t.get(12)!['evt.type.is.openat']).toBe('0');
    expect(t.get(12)!['evt.type.is.306']).toBe('1');
    expect(t.get(14)!['evt.type.is.306']).toBe('0');
    expect(t.get(12)!['evt.rawarg.mode']).toBe('755');
    expect(t.get(13)!['evt.rawarg.fd']).toBe('3');
    expect(t.get(14)!['evt.rawarg.size']).toBe('12');
    expect(t.get(35)!['evt.rawarg.tuple']).toBe('<NA>');
    expect(t.get(51)!['evt.rawarg.tuple']).toBe('172.17.0.3:40001->10.0.0.5:80');
  });
});

describe('extensions and options', () => {
  it('container.ip and fd.ino', async () => {
    const t = await texts(['container.ip', 'fd.ino', 'proc.name']);
    expect(t.get(33)!['container.ip']).toBe('172.17.0.2');
    expect(t.get(12)!['container.ip']).toBe('<NA>');
    expect(t.get(40)!['fd.ino']).toBe('1002');
  });

  it('evt.latency.quantized follows the screen width', async () => {
    const narrow = await texts(['evt.latency.quantized', 'evt.latency']);
    const wide = await texts(['evt.latency.quantized'], new FieldRegistry({ screenWidth: 110 }));
    // 1000 ns of latency: log10 = 3, 3 * 110 / 11 + 1 = 31; sysdig -p's width -1 gives 1.
    expect(narrow.get(13)!['evt.latency']).toBe('1000');
    expect(narrow.get(13)!['evt.latency.quantized']).toBe('1');
    expect(wide.get(13)!['evt.latency.quantized']).toBe('31');
  });
});

describe('filter-only fields matching any endpoint or ancestor', () => {
  async function matching(filter: string): Promise<number[]> {
    const f = compileFilter<EventContext>(filter, new FieldRegistry());
    const out: number[] = [];
    await replay(SYNTHETIC, (ctx) => {
      if (f.test(ctx)) out.push(ctx.ev.num);
    });
    return out;
  }

  it('fd.port and fd.ip match either endpoint; != neither', async () => {
    const either = await matching('fd.port=51001');
    const server = await matching('fd.port=80');
    const notServer = await matching('fd.port!=80 and fd.type=ipv4');
    expect(either).toEqual([33, 34, 35, 36, 37, 44, 45]);
    expect(server).toEqual(expect.arrayContaining(either));
    expect(notServer.some((n) => either.includes(n))).toBe(false);
    expect(await matching('fd.ip=10.0.0.9')).toEqual(expect.arrayContaining([33, 40]));
    expect(await matching('fd.ip=172.17.0.2 and fd.ip=10.0.0.9')).toEqual(expect.arrayContaining([33, 40]));
    expect(await matching('fd.ip!=10.0.0.9 and fd.num=4 and proc.name=nginx')).toEqual([]);
    expect(await matching('fd.net=10.96.0.0/16')).toEqual(expect.arrayContaining([58, 59, 64, 65]));
  });

  it('proc.aname without an index matches any ancestor, not the process itself', async () => {
    const bashChild = await matching('proc.aname=bash');
    const tids = await texts(['thread.tid']);
    expect(bashChild.length).toBeGreaterThan(0);
    // Only the process bash forked (800, later ls) has a bash ancestor; bash itself does not count.
    for (const n of bashChild) expect(tids.get(n)!['thread.tid']).toBe('800');
    expect(await matching('proc.aname=systemd and proc.name=nginx')).not.toEqual([]);
    expect(await matching('proc.aname in (sshd, init) and proc.name=bash')).not.toEqual([]);
    expect(await matching('proc.apid=400 and proc.name=ls')).not.toEqual([]);
    expect(await matching('proc.aname=nginx')).toEqual([]);
  });
});
