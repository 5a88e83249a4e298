/**
 * A small capture of events that reach the event printer without thread
 * information (issue 15 item 5): context switches of threads the state does
 * not know (tid 0 and an unknown tid, old and new switch layouts), page
 * faults, CPU hot-plug and notifications (parsed without a thread lookup),
 * and a clone exit of a child whose parent was never seen. sysdig prints
 * the event header's thread id for each (`<NA> (0)`), which the test
 * compares byte for byte.
 */
import { EVENT_TABLE } from '../../src/event/event-table.js';
import { ScapBuilder, thread } from '../capture/scap-builder.js';
import { encode } from '../fields/synthetic-capture.js';

const T0 = 1_600_000_000_000_000_000n;
/** An empty NUL-separated list (args, cgroups), as the probe writes it. */
const NUL = Buffer.from([0]);

export function buildNoThreadCapture(): Buffer {
  const b = new ScapBuilder();
  b.sectionHeader();
  b.machineInfo({ numCpus: 2, memoryBytes: 1 << 30, maxPid: 32768, hostname: 'nothread' });
  b.processList(9, [
    thread({ tid: 1, pid: 1, ptid: 0, sid: 1, vpgid: 1, comm: 'init', exe: '/sbin/init', exepath: '/sbin/init', args: [], env: [], cwd: '/', fdlimit: 1024, flags: 0, uid: 0, gid: 0, loginuid: -1, vmsizeKb: 1000, vmrssKb: 100, vmswapKb: 0, cgroups: [], cloneTs: 0, tty: 0, exeWritable: false, vtid: -1, vpid: -1, root: '/', pfmajor: 0, pfminor: 0 }),
  ]);
  let ts = T0;
  const ev = (type: number, tid: number, values: Record<string, number | string | Buffer> = {}, cpu = 0): void => {
    ts += 1000n;
    const info = EVENT_TABLE[type]!;
    b.event('EV_V2', { type, tid, ts, cpu, params: info.params.map((p) => encode(p.type, values[p.name])) });
  };
  // A known thread switching: printed with its name.
  ev(152, 1, { next: 0, pgft_maj: 1, pgft_min: 2, vm_size: 1000, vm_rss: 100, vm_swap: 0 });
  // The idle task and a thread never seen: `<NA> (0)`, `<NA> (4242)`.
  ev(152, 0, { next: 1 }, 1);
  ev(152, 4242, { next: 0 }, 1);
  ev(146, 0, { next: 4242 });
  ev(146, 4243, { next: 0 });
  ev(290, 4244, { addr: 4096, ip: 8192, error: 2 });
  ev(244, 0, { cpu: 1, action: 1 });
  ev(280, 4245, { id: 'n1', desc: 'a notification' });
  // clone() returning 0 in a child whose parent the capture never showed.
  ev(223, 4246, { res: 0, exe: 'ghost', args: NUL, cgroups: NUL, tid: 4246, pid: 4246, ptid: 4000, cwd: '/', fdlimit: 1024, pgft_maj: 0, pgft_min: 0, vm_size: 0, vm_rss: 0, vm_swap: 0, comm: 'ghost' });
  return b.build();
}
