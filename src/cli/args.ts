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
  // --- rules engine (src/rules, src/cli/alerts-command.ts) ---
  /** Run rules and print alerts (--alerts). */
  alerts: boolean;
  /** Rules files or directories, in load order (--rules, repeatable). */
  rulesPaths: string[];
  /** Load the bundled falcosecurity/rules stable file first (--default-rules). */
  defaultRules: boolean;
  /** Files to validate (--validate, repeatable), Falco's -V. */
  validateFiles: string[];
  /** --rule-matching first|all. */
  ruleMatching: 'first' | 'all';
  /** --min-priority P. */
  minPriority: string | null;
  /** -D SUBSTRING, -T TAG, -t TAG (repeatable). */
  disabledRules: string[];
  disabledTags: string[];
  enabledTags: string[];
  /** --all-events (accepted: every event is evaluated anyway). */
  allEvents: boolean;
  /** --time-iso8601: alert times in ISO 8601. */
  timeIso8601: boolean;
  /** -pk: Kubernetes fields appended to alert outputs. */
  k8sColumns: boolean;
  // Output channels (src/output/): Falco-style configuration and the rotated export file.
  /** -c FILE: a falco.yaml (output keys). */
  configFile: string | null;
  /** -o KEY=VALUE overrides, in order. */
  configOverrides: string[];
  /** --output-file F: lines also go to F, rotated. */
  outputFile: string | null;
  /** --output-max-mb N: rotate F past N MiB (null: Tetragon's default, 10). */
  outputMaxMb: number | null;
  /** --output-keep K: rotated files kept (null: Tetragon's default, 5). */
  outputKeep: number | null;
  // --- export (docs/export.md) ---
  /** --events: sysdig's -p FORMAT (null: the default line). */
  eventFormat: string | null;
  /** --lifecycle: process starts and ends ('net': also TCP connects, accepts, closes). */
  lifecycle: 'off' | 'proc' | 'net';
  /** --lifecycle filters, as tetra's: Kubernetes namespaces, pods, and substrings of the binary. */
  namespaces: string[];
  pods: string[];
  processes: string[];
  /** --node-name: the node_name of lifecycle records (default: the host name). */
  nodeName: string | null;
  // --- node agent (src/agent/) ---
  /** --agent: headless live capture with rules, lifecycle, rotated capture and a health endpoint. */
  agent: boolean;
  /** -w DIR: seconds per rotated capture file (0: no rotation). */
  rotateSeconds: number;
  /** -w DIR: rotated capture files kept. */
  rotateKeep: number;
  /** Health and metrics endpoint (agent): port (0: any free port) and address. */
  healthPort: number;
  healthAddress: string;
  /** --fetch-capture POD|NODE: a node agent's latest rotated capture, replayed here. */
  fetchCapture: string | null;
  /** --capture-dir: the agent's rotated capture directory, for --fetch-capture. */
  captureDir: string;
  /** --ssh [user@]host[:port]: watch that node's live capture, streamed over ssh. */
  ssh: string | null;
  /** --ssh-opt OPT (repeatable): options for ssh, split at spaces ('-J jump' is two arguments). */
  sshOpts: string[];
  /** --sudo: run the remote capture as root through sudo -n. */
  sudo: boolean;
  /** --remote-tsysdig CMD: the remote command that runs tsysdig. */
  remoteTsysdig: string | null;
}

/** The agent's defaults (docs/kubernetes.md). */
export const AGENT_DEFAULTS = {
  /** 8765 is Falco's web server port; next to it, both agents can share a node. */
  healthPort: 8766,
  healthAddress: '127.0.0.1',
  rotateSeconds: 60,
  rotateKeep: 5,
  captureDir: '/var/lib/tsysdig/captures',
  namespace: 'tsysdig',
};

export class UsageError extends Error {}

/** Whether the command line configures the output channels (-c, -o, --output-*). */
export function hasOutputOptions(o: Options): boolean {
  return o.configFile !== null || o.configOverrides.length > 0 || o.outputFile !== null || o.outputMaxMb !== null || o.outputKeep !== null;
}

/** Shortest table interval (-d), in ms. */
export const MIN_DELAY_MS = 100;

const WITH_VALUE = new Set(['r', 'w', 'v', 'n', 'M', 'd', 's', 'B', 'D', 'T', 't', 'c', 'o', 'p']);
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
  ['rules', 'rulesPaths'],
  ['validate', 'validateFiles'],
  ['rule-matching', 'ruleMatching'],
  ['min-priority', 'minPriority'],
  ['output-file', 'outputFile'],
  ['output-max-mb', 'outputMaxMb'],
  ['output-keep', 'outputKeep'],
  ['namespace', 'namespaces'],
  ['pod', 'pods'],
  ['process', 'processes'],
  ['node-name', 'nodeName'],
  ['format', 'eventFormat'],
  ['rotate-seconds', 'rotateSeconds'],
  ['rotate-keep', 'rotateKeep'],
  ['health-port', 'healthPort'],
  ['health-address', 'healthAddress'],
  ['fetch-capture', 'fetchCapture'],
  ['capture-dir', 'captureDir'],
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
    alerts: false,
    rulesPaths: [],
    defaultRules: false,
    validateFiles: [],
    ruleMatching: 'first',
    minPriority: null,
    disabledRules: [],
    disabledTags: [],
    enabledTags: [],
    allEvents: false,
    timeIso8601: false,
    k8sColumns: false,
    configFile: null,
    configOverrides: [],
    outputFile: null,
    outputMaxMb: null,
    outputKeep: null,
    eventFormat: null,
    lifecycle: 'off',
    namespaces: [],
    pods: [],
    processes: [],
    nodeName: null,
    agent: false,
    rotateSeconds: 0,
    rotateKeep: AGENT_DEFAULTS.rotateKeep,
    healthPort: AGENT_DEFAULTS.healthPort,
    healthAddress: AGENT_DEFAULTS.healthAddress,
    fetchCapture: null,
    captureDir: AGENT_DEFAULTS.captureDir,
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
      // A table per millisecond is not a monitor: -d 0.001 live wrote hundreds of MB of tables.
      if (o.delayMs < MIN_DELAY_MS) throw new UsageError(`option -d needs an interval of at least ${MIN_DELAY_MS} ms, got '${v}'`);
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
    case 'rulesPaths':
      o.rulesPaths.push(v);
      break;
    case 'validateFiles':
      o.validateFiles.push(v);
      break;
    case 'ruleMatching':
      if (v !== 'first' && v !== 'all') throw new UsageError(`option --rule-matching needs 'first' or 'all', got '${v}'`);
      o.ruleMatching = v;
      break;
    case 'minPriority':
      o.minPriority = v;
      break;
    case 'D':
      o.disabledRules.push(v);
      break;
    case 'T':
      o.disabledTags.push(v);
      break;
    case 't':
      o.enabledTags.push(v);
      break;
    case 'c':
      o.configFile = v;
      break;
    case 'o':
      o.configOverrides.push(v);
      break;
    case 'outputFile':
      o.outputFile = v;
      break;
    case 'outputMaxMb':
      o.outputMaxMb = num('--output-max-mb', v);
      break;
    case 'outputKeep':
      o.outputKeep = num('--output-keep', v);
      if (!Number.isInteger(o.outputKeep)) throw new UsageError(`option --output-keep needs a whole number, got '${v}'`);
      break;
    case 'p':
    case 'eventFormat':
      o.eventFormat = v;
      break;
    case 'namespaces':
    case 'pods':
    case 'processes':
      // repeatable, or comma-separated as tetra takes them
      o[key].push(...v.split(',').filter((x) => x !== ''));
      break;
    case 'nodeName':
      o.nodeName = v;
      break;
    case 'rotateSeconds':
      o.rotateSeconds = num('--rotate-seconds', v);
      if (o.rotateSeconds < 1) throw new UsageError('option --rotate-seconds needs at least 1 second');
      break;
    case 'rotateKeep':
      o.rotateKeep = num('--rotate-keep', v);
      if (!Number.isInteger(o.rotateKeep) || o.rotateKeep < 1) throw new UsageError('option --rotate-keep needs a whole number of files, at least 1');
      break;
    case 'healthPort':
      o.healthPort = num('--health-port', v);
      if (!Number.isInteger(o.healthPort) || o.healthPort > 65535) throw new UsageError(`option --health-port needs a port number, got '${v}'`);
      break;
    case 'healthAddress':
      o.healthAddress = v;
      break;
    case 'fetchCapture':
      o.fetchCapture = v;
      break;
    case 'captureDir':
      o.captureDir = v;
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
      if (name === 'lifecycle') {
        const v = eq >= 0 ? a.slice(eq + 1) : 'proc';
        if (v !== 'proc' && v !== 'net') throw new UsageError(`option --lifecycle takes 'proc' or 'net', got '${v}'`);
        o.lifecycle = v;
        continue;
      }
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
        case 'alerts':
          o.alerts = true;
          break;
        case 'default-rules':
          o.defaultRules = true;
          break;
        case 'all-events':
          o.allEvents = true;
          break;
        case 'time-iso8601':
          o.timeIso8601 = true;
          break;
        case 'agent':
          o.agent = true;
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
      if (a === '-pc' || a === '-pcontainer' || a === '-pk' || a === '-pkubernetes') {
        // sysdig's format presets (with --events); -pc also adds csysdig's container columns to views
        if (a.startsWith('-pc')) o.containerColumns = true;
        else o.k8sColumns = true;
        continue;
      }
      if (WITH_VALUE.has(flag)) {
        const v = a.length > 2 ? a.slice(2) : argv[++i];
        if (v === undefined) throw new UsageError(`option -${flag} needs a value`);
        apply(o, flag, v);
        continue;
      }
      for (const c of a.slice(1)) {
        switch (c) {
          case 'z':
            o.gzip = true;
            break;
          case 'j':
            o.json = true;
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
  -j, --json             print each interval's table as one JSON document (with --events: sysdig -j)
  --final                with -r: print only the whole-capture table (csysdig's file output)
  --events               print events like 'sysdig -r FILE' instead of tables
  -p FORMAT              with --events: sysdig's -p output format, e.g. "*%evt.num %proc.name %evt.arg.fd"
                         (-pc / -pk: sysdig's container / Kubernetes line); --json: sysdig -j's objects
  --lifecycle[=net]      one line per process start and exit (Tetragon's compact form; --json: its
                         export schema); =net adds TCP connect/accept/close (docs/export.md)
  --namespace NS, --pod POD, --process TEXT
                         --lifecycle: only these Kubernetes namespaces / pods / binaries containing TEXT
  --node-name NAME       --lifecycle: node_name in JSON records (default: the host name)
  -n N                   stop after N events
  -M SECONDS             stop after SECONDS of capture time
  -d MS                  table refresh interval in ms (default 2000, at least 100)
  -pc, -pcontainer       add container columns to process views (with --events: sysdig -pc's line)
  -s BYTES               I/O bytes captured per event (default 80)
  --buffer-mb MB         live: size of the probe's ring buffer (default 8)
  --include-self         live: also capture tsysdig's own activity
  --views DIR            also load views from DIR (repeatable)
  -c FILE                output configuration, a falco.yaml subset (docs/outputs.md)
  -o KEY=VALUE           override one configuration key, e.g. -o http_output.url=http://host/
  --output-file F        also write the lines to F (0600), rotated as Tetragon rotates
  --output-max-mb N      rotate F when it would pass N MiB (default 10; 0: never)
  --output-keep K        rotated files kept (default 5; 0: all)

 node agent (docs/kubernetes.md):
  --agent                headless live capture: alerts and lifecycle as JSON lines on
                         stdout, health on --health-address:--health-port, and with
                         -w DIR a rotated capture (60 s files, 5 kept unless set below)
  -w DIR --rotate-seconds N [--rotate-keep K]
                         live: a new capture file in DIR every N seconds, the K newest
                         kept (default 5), each complete (sysdig -r reads it)
  --health-port PORT     agent: /healthz and /metrics (Prometheus) port (default 8766; 0: any)
  --health-address ADDR  agent: address they listen on (default 127.0.0.1)
  --fetch-capture POD|NODE
                         replay the newest rotated capture of the agent on that pod or
                         node (kubectl exec); --namespace NS (default tsysdig),
                         --capture-dir DIR (default /var/lib/tsysdig/captures), -w FILE keeps it
  -l, --list             list the filter fields
  -h, --help             this help

 Security rules (Falco's rule files; see docs/rules.md):
  --alerts               run rules on the events (-r FILE, or live) and print alerts as Falco does
  --rules FILE|DIR       rules file, or a directory's files in name order (repeatable, loaded in order);
                         without --alerts, the rules run in the monitor (UI, --raw, --json): the Alerts
                         and Alerts by Rule views (-v alerts, key A), alert counts in the status bar
  --default-rules        load the bundled falcosecurity/rules stable file (rules/falco_rules.yaml) first
  --validate FILE        check rules files as 'falco -V' does (repeatable); with --json, Falco's JSON
  --json                 with --alerts: Falco's JSON alert objects
  --rule-matching M      first (default: an event alerts for its first matching rule) or all
  --min-priority P       leave out rules less severe than P (emergency ... debug)
  -D SUBSTRING           disable rules whose name contains SUBSTRING (repeatable)
  -T TAG / -t TAG        disable rules with TAG / run only rules with TAG (repeatable)
  --time-iso8601         alert times in ISO 8601
  --all-events           accepted for Falco compatibility (every event is evaluated)
  -pc, -pk               append container / Kubernetes fields to alert outputs, as Falco does
  --version              print tsysdig's version
  filter                 sysdig filter expression, e.g. "proc.name=nginx and fd.type=file"`;
