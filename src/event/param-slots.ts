/**
 * Parameter positions by name, per event type, computed once from the table.
 *
 * The same logical parameter sits at different positions across the many
 * versions of an event (execve has eight, clone five), so the state engine
 * asks "where is `comm` in this event type?" instead of hard-coding indexes.
 * Each lookup is one typed-array read on the hot path.
 */
import { EVENT_TABLE } from './event-table.js';

function slot(name: string): Int8Array {
  const out = new Int8Array(EVENT_TABLE.length).fill(-1);
  for (let t = 0; t < EVENT_TABLE.length; t++) {
    const ps = EVENT_TABLE[t]!.params;
    for (let i = 0; i < ps.length; i++) {
      if (ps[i]!.name === name) {
        out[t] = i;
        break;
      }
    }
  }
  return out;
}

/** Position of a named parameter for each event type (-1 when the type lacks it). */
export const P = {
  fd: slot('fd'),
  res: slot('res'),
  name: slot('name'),
  path: slot('path'),
  flags: slot('flags'),
  mode: slot('mode'),
  dev: slot('dev'),
  dirfd: slot('dirfd'),
  exe: slot('exe'),
  args: slot('args'),
  tid: slot('tid'),
  pid: slot('pid'),
  ptid: slot('ptid'),
  cwd: slot('cwd'),
  fdlimit: slot('fdlimit'),
  pgftMaj: slot('pgft_maj'),
  pgftMin: slot('pgft_min'),
  vmSize: slot('vm_size'),
  vmRss: slot('vm_rss'),
  vmSwap: slot('vm_swap'),
  comm: slot('comm'),
  cgroups: slot('cgroups'),
  env: slot('env'),
  tty: slot('tty'),
  pgid: slot('pgid'),
  loginuid: slot('loginuid'),
  uid: slot('uid'),
  gid: slot('gid'),
  euid: slot('euid'),
  egid: slot('egid'),
  vtid: slot('vtid'),
  vpid: slot('vpid'),
  tuple: slot('tuple'),
  addr: slot('addr'),
  data: slot('data'),
  size: slot('size'),
  domain: slot('domain'),
  type: slot('type'),
  proto: slot('proto'),
  fd1: slot('fd1'),
  fd2: slot('fd2'),
  ino: slot('ino'),
  cmd: slot('cmd'),
  oldfd: slot('oldfd'),
  newfd: slot('newfd'),
  json: slot('json'),
  cpuUsr: slot('cpu_usr'),
  cpuSys: slot('cpu_sys'),
  next: slot('next'),
  source: slot('source'),
  peer: slot('peer'),
  id: slot('ID'),
} as const;
