/**
 * Command-line options, in csysdig/sysdig's spelling: short options may be
 * glued to their value (-vprocs, -n100) or separated (-v procs); the last
 * positional argument is a filter.
 */

export interface Options {
  /** Print events like `sysdig -r` instead of opening a view. */
  events: boolean;
  readFile: string | null;
  writeFile: string | null;
  gzip: boolean;
  view: string | null;
  raw: boolean;
  json: boolean;
  /** Stop after this many events (-n). */
  count: number;
  /** Stop after this much capture time, in seconds (-M). */
  durationS: number;
  /** Sampling interval in ms (-d). */
  delayMs: number;
  filter: string;
  listFields: boolean;
  listViews: boolean;
  viewsDirs: string[];
  /** Extra container columns in process views (-pc). */
  containerColumns: boolean;
  /** Replays: print only the whole-capture table, as csysdig does for a file. */
  finalOnly: boolean;
  /** Set by `npm start`: pick live or the demo capture, with a notice. */
  start: boolean;
  help: boolean;
  version: boolean;
  /** Ring buffer size in MiB for live capture. */
  bufferMb: number;
  /** Bytes of I/O buffers captured for echo/events (-s). */
  snaplen: number;
  /** Include tsysdig's own activity in live data. */
  includeSelf: boolean;
  /** --ssh [user@]host[:port]: watch that node's live capture, streamed over ssh. */
  ssh: string | null;
  /** --ssh-opt OPT (repeatable): options for ssh, split at spaces ('-J jump' is two arguments). */
  sshOpts: string[];
  /** --sudo: run the remote capture as root through sudo -n. */
  sudo: boolean;
  /** --remote-tsysdig CMD: the remote command that runs tsysdig. */
  remoteTsysdig: string | null;
}

export class UsageError extends Error {}

const WITH_VALUE = new Set(['r', 'w', 'v', 'n', 'M', 'd', 's', 'B']);
const LONG_WITH_VALUE = new Map<string, keyof Options>([
  ['read', 'readFile'],
  ['write', 'writeFile'],
  ['view', 'view'],
  ['numevents', 'count'],
  ['duration', 'durationS'],
  ['delay', 'delayMs'],
  ['views', 'viewsDirs'],
  ['snaplen', 'snaplen'],
  ['buffer-mb', 'bufferMb'],
  ['ssh', 'ssh'],
  ['ssh-opt', 'sshOpts'],
  ['remote-tsysdig', 'remoteTsysdig'],
]);

export function defaultOptions(): Options {
  return {
    events: false,
    readFile: null,
    writeFile: null,
    gzip: false,
    view: null,
    raw: false,
    json: false,
    count: 0,
    durationS: 0,
    delayMs: 2000,
    filter: '',
    listFields: false,
    listViews: false,
    viewsDirs: [],
    containerColumns: false,
    finalOnly: false,
    start: false,
    help: false,
    version: false,
    bufferMb: 8,
    snaplen: 80,
    includeSelf: false,
    ssh: null,
    sshOpts: [],
    sudo: false,
    remoteTsysdig: null,
  };
}

function num(opt: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`option ${opt} needs a non-negative number, got '${v}'`);
  return n;
}

function apply(o: Options, key: string, v: string): void {
  switch (key) {
    case 'r':
    case 'readFile':
      o.readFile = v;
      break;
    case 'w':
    case 'writeFile':
      o.writeFile = v;
      break;
    case 'v':
    case 'view':
      o.view = v;
      break;
    case 'n':
    case 'count':
      o.count = num('-n', v);
      break;
    case 'M':
    case 'durationS':
      o.durationS = num('-M', v);
      break;
    case 'd':
    case 'delayMs':
      o.delayMs = num('-d', v);
      if (o.delayMs === 0) throw new UsageError('option -d needs a positive interval in milliseconds');
      break;
    case 's':
    case 'snaplen':
      o.snaplen = num('-s', v);
      break;
    case 'B':
    case 'bufferMb':
      o.bufferMb = num('--buffer-mb', v);
      break;
    case 'viewsDirs':
      o.viewsDirs.push(v);
      break;
    case 'ssh':
      o.ssh = v;
      break;
    case 'sshOpts':
      o.sshOpts.push(...v.trim().split(/\s+/).filter((x) => x !== ''));
      break;
    case 'remoteTsysdig':
      o.remoteTsysdig = v;
      break;
    default:
      throw new UsageError(`unknown option ${key}`);
  }
}

export function parseArgs(argv: readonly string[]): Options {
  const o = defaultOptions();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const key = LONG_WITH_VALUE.get(name);
      if (key !== undefined) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option --${name} needs a value`);
        apply(o, key, v);
        continue;
      }
      switch (name) {
        case 'events':
          o.events = true;
          break;
        case 'raw':
          o.raw = true;
          break;
        case 'json':
          o.json = true;
          break;
        case 'list':
          o.listFields = true;
          break;
        case 'list-views':
          o.listViews = true;
          break;
        case 'compress':
          o.gzip = true;
          break;
        case 'start':
          o.start = true;
          break;
        case 'final':
          o.finalOnly = true;
          break;
        case 'help':
          o.help = true;
          break;
        case 'version':
          o.version = true;
          break;
        case 'include-self':
          o.includeSelf = true;
          break;
        case 'sudo':
          o.sudo = true;
          break;
        default:
          throw new UsageError(`unknown option --${name}`);
      }
      continue;
    }
    if (a.length > 1 && a.startsWith('-')) {
      const flag = a[1]!;
      if (WITH_VALUE.has(flag)) {
        const v = a.length > 2 ? a.slice(2) : argv[++i];
        if (v === undefined) throw new UsageError(`option -${flag} needs a value`);
        apply(o, flag, v);
        continue;
      }
      if (a === '-pc' || a === '-pcontainer') {
        o.containerColumns = true;
        continue;
      }
      for (const c of a.slice(1)) {
        switch (c) {
          case 'z':
            o.gzip = true;
            break;
          case 'l':
            o.listFields = true;
            break;
          case 'h':
            o.help = true;
            break;
          default:
            throw new UsageError(`unknown option -${c}`);
        }
      }
      continue;
    }
    positional.push(a);
  }
  o.filter = positional.join(' ');
  return o;
}

export const USAGE = `usage: tsysdig [options] [filter]

  -v VIEW, --view VIEW   start in VIEW (default procs); --list-views lists them
  -r FILE                replay a .scap capture (plain or gzip) instead of live capture;
                         -r - (stdin), a pipe or a FIFO is shown live as it arrives
  -w FILE  [-z]          write the captured events to FILE (gzip with -z), mode 0600;
                         -w - streams them to stdout (flushed every 100 ms)
  --ssh [USER@]HOST[:PORT]  watch HOST's live capture over ssh (runs 'tsysdig -w - -z
                         [filter]' there; the filter is applied remotely)
  --ssh-opt OPT          pass OPT to ssh, e.g. --ssh-opt '-J jumphost' (repeatable)
  --sudo                 --ssh: run the remote capture as root through sudo -n
  --remote-tsysdig CMD   --ssh: the remote command that runs tsysdig (default tsysdig)
  --raw                  print each interval's table as text, no UI
  --json                 print each interval's table as one JSON document
  --final                with -r: print only the whole-capture table (csysdig's file output)
  --events               print events like 'sysdig -r FILE' instead of tables
  -n N                   stop after N events
  -M SECONDS             stop after SECONDS of capture time
  -d MS                  table refresh interval in ms (default 2000)
  -pc, -pcontainer       add container columns to process views
  -s BYTES               I/O bytes captured per event (default 80)
  --buffer-mb MB         live: size of the probe's ring buffer (default 8)
  --include-self         live: also capture tsysdig's own activity
  --views DIR            also load views from DIR (repeatable)
  -l, --list             list the filter fields
  -h, --help             this help
  filter                 sysdig filter expression, e.g. "proc.name=nginx and fd.type=file"`;
