/**
 * ContainerMetadataManager: names, images and labels for the containers the
 * state engine finds in threads' cgroups, looked up asynchronously from the
 * engines' APIs and cached.
 *
 * - `lookup(id, type)` never waits: it returns what is known now (at first a
 *   placeholder carrying only the id) and starts a lookup in the background;
 *   `onUpdate(info)` delivers the metadata when it arrives (and a placeholder
 *   marked FAILED when no engine knows the container), for the caller to put
 *   into `engine.containers` (StateEngine.addContainer).
 * - Engines per container type, in order: docker → [docker, cri];
 *   Kubernetes pods with an ambiguous runtime (cri) → [cri, docker];
 *   containerd, cri-o → [cri]; podman → [podman (root socket, or the owner's
 *   rootless socket)]. lxc, libvirt-lxc, nspawn, bpm, mesos have no API: the
 *   name is the id, at once (as sysdig does).
 * - Every request has a deadline (2 s by default). Answers are cached: found
 *   containers for good; containers no engine knows are retried with a
 *   doubling backoff (1 s, 2 s, 4 s … up to `maxAttempts`), then left alone
 *   until looked up again after `retryMaxMs`.
 * - An engine whose socket is missing, refuses, denies access or does not
 *   answer in time is marked down: its pending containers wait (no request
 *   per container), the socket is probed again after a doubling backoff, and
 *   they are looked up once it answers. The problem is reported once, as one
 *   sentence (`reason()`, `onReason`), e.g. "docker: /var/run/docker.sock not
 *   found — showing container ids only".
 */
import { type ContainerInfo, type ContainerMatch, type HealthProbe, ContainerType, LookupState, containerTypeName, emptyContainer } from '../state/containers.js';
import { CriClient } from './cri-api.js';
import { DockerApiClient } from './docker-api.js';
import { SocketError } from './unix-http.js';

export interface ContainerMetadataOptions {
  /** Docker Engine API socket (default /var/run/docker.sock). */
  dockerSocket?: string;
  /** Root podman's Docker-compatible API socket (default /run/podman/podman.sock). */
  podmanSocket?: string;
  /** Rootless podman sockets, by uid (default /run/user/UID/podman/podman.sock). */
  podmanUserSocket?: (uid: number) => string;
  /** CRI sockets, the first that answers is used (default containerd's, then cri-o's). */
  criSockets?: string[];
  /** Prefix of every socket path (a host filesystem mounted in a container; default $HOST_ROOT or ''). */
  hostRoot?: string;
  /** Deadline of each API request, ms (default 2000). */
  timeoutMs?: number;
  /** First retry delay for a container no engine knows, ms (default 1000; doubles). */
  retryBaseMs?: number;
  /** Longest retry delay, and how long a given-up container is left alone, ms (default 60000). */
  retryMaxMs?: number;
  /** Lookups of a container before giving up (default 6). */
  maxAttempts?: number;
  /** First delay before probing a socket that failed again, ms (default 5000; doubles up to retryMaxMs). */
  engineRetryMs?: number;
  /** Requests in flight per engine (default 4). */
  concurrency?: number;
  /** Most containers remembered (default 4096; the oldest are forgotten first). */
  maxEntries?: number;
  /** Metadata arrived (or the lookup failed for good: lookupState FAILED, hasMetadata false). */
  onUpdate?: (info: ContainerInfo) => void;
  /** A new reason why metadata is missing (said once per distinct reason). */
  onReason?: (reason: string) => void;
  /** Clock, ms (tests). */
  now?: () => number;
}

const DEFAULTS = {
  dockerSocket: '/var/run/docker.sock',
  podmanSocket: '/run/podman/podman.sock',
  criSockets: ['/run/containerd/containerd.sock', '/run/crio/crio.sock', '/var/run/crio/crio.sock'],
  timeoutMs: 2000,
  retryBaseMs: 1000,
  retryMaxMs: 60000,
  maxAttempts: 6,
  engineRetryMs: 5000,
  concurrency: 4,
  maxEntries: 4096,
};

/** Types whose metadata no API holds: the name is the id. */
const LOCAL_TYPES = new Set<number>([ContainerType.LXC, ContainerType.LIBVIRT_LXC, ContainerType.MESOS, ContainerType.RKT, ContainerType.CUSTOM, ContainerType.BPM, ContainerType.STATIC]);

type Answer = ContainerInfo | null;

/** One metadata source (a socket) and its health. */
abstract class Engine {
  down: SocketError | null = null;
  downUntil = 0;
  backoff = 0;
  recheckTimer: NodeJS.Timeout | null = null;
  /** Containers waiting for this engine to come back. */
  readonly parked = new Set<Entry>();
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly label: string,
    readonly socket: string,
    private readonly concurrency: number,
  ) {}

  abstract lookup(e: Entry, peers: (id: string) => ContainerInfo | undefined): Promise<Answer>;
  /** A cheap request proving the socket answers. */
  abstract probe(): Promise<void>;
  close(): void {}

  isDown(now: number): boolean {
    return this.down !== null && now < this.downUntil;
  }

  /**
   * Runs `fn` when a slot is free; fails fast if the engine went down
   * meanwhile. A socket failure is reported (`onDown`) before the slot is
   * handed on, so queued requests see the engine down and do not connect.
   */
  async run<T>(fn: () => Promise<T>, now: () => number, onDown: (err: SocketError) => void): Promise<T> {
    if (this.inFlight >= this.concurrency) await new Promise<void>((r) => this.queue.push(r));
    this.inFlight++;
    try {
      if (this.isDown(now())) throw this.down!;
      return await fn();
    } catch (err) {
      if (err instanceof SocketError && err !== this.down) onDown(err);
      throw err;
    } finally {
      this.inFlight--;
      this.queue.shift()?.();
    }
  }
}

class DockerEngine extends Engine {
  private readonly client: DockerApiClient;

  constructor(
    label: 'docker' | 'podman',
    socket: string,
    timeoutMs: number,
    concurrency: number,
    private readonly type: ContainerType,
  ) {
    super(label, socket, concurrency);
    this.client = new DockerApiClient(socket, timeoutMs);
  }

  lookup(e: Entry, peers: (id: string) => ContainerInfo | undefined): Promise<Answer> {
    const sandboxProbes = (sid: string): HealthProbe[] | undefined => peers(sid)?.healthProbes;
    return this.client.inspect({ id: e.id, type: this.type, podmanUid: e.podmanUid }, sandboxProbes);
  }

  async probe(): Promise<void> {
    await this.client.ping();
  }
}

class CriEngine extends Engine {
  private client: CriClient | null = null;

  constructor(
    private readonly sockets: string[],
    private readonly timeoutMs: number,
    concurrency: number,
  ) {
    super('cri', sockets[0] ?? '', concurrency);
  }

  /** The first socket whose runtime answers Version (sysdig picks it the same way). */
  private async pick(): Promise<CriClient> {
    if (this.client !== null) return this.client;
    let first: unknown = null;
    for (const s of this.sockets) {
      const c = new CriClient(s, this.timeoutMs);
      try {
        await c.version();
        this.client = c;
        (this as { socket: string }).socket = s;
        return c;
      } catch (err) {
        c.close();
        first ??= err;
      }
    }
    throw first ?? new SocketError('missing', this.socket, 'not found');
  }

  async lookup(e: Entry): Promise<Answer> {
    const c = await this.pick();
    try {
      return await c.inspect(e.id);
    } catch (err) {
      if (err instanceof SocketError) {
        // the runtime may have moved (restart): pick again next time
        c.close();
        this.client = null;
      }
      throw err;
    }
  }

  async probe(): Promise<void> {
    this.client?.close();
    this.client = null;
    await this.pick();
  }

  override close(): void {
    this.client?.close();
    this.client = null;
  }
}

/** What the manager knows about one container. */
interface Entry {
  id: string;
  type: ContainerType;
  podmanUid?: number;
  info: ContainerInfo;
  /** pending: being looked up or retry scheduled; waiting: for a down engine; failed: given up. */
  state: 'pending' | 'waiting' | 'done' | 'failed';
  attempts: number;
  /** When a failed container may be looked up again (ms). */
  retryAt: number;
  timer: NodeJS.Timeout | null;
  running: boolean;
}

function describeFailure(engine: Engine, err: SocketError): string {
  let what: string;
  switch (err.kind) {
    case 'missing': what = `${err.socketPath} not found`; break;
    case 'refused': what = `nothing listening on ${err.socketPath} (connection refused)`; break;
    case 'denied': what = `no permission to use ${err.socketPath}`; break;
    case 'timeout': what = `no answer from ${err.socketPath} ${err.message.replace(/^.*no answer /, '')}`; break;
    default: what = err.message;
  }
  return `${engine.label}: ${what} — showing container ids only`;
}

export class ContainerMetadataManager {
  private readonly opts: Required<Omit<ContainerMetadataOptions, 'onUpdate' | 'onReason' | 'now' | 'podmanUserSocket' | 'hostRoot'>> & {
    podmanUserSocket: (uid: number) => string;
    hostRoot: string;
  };
  private readonly onUpdate: (info: ContainerInfo) => void;
  private readonly onReason: (reason: string) => void;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly engines = new Map<string, Engine>();
  private currentReason: { text: string; engine: Engine } | null = null;
  private readonly said = new Set<string>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: ContainerMetadataOptions = {}) {
    this.opts = {
      dockerSocket: options.dockerSocket ?? DEFAULTS.dockerSocket,
      podmanSocket: options.podmanSocket ?? DEFAULTS.podmanSocket,
      podmanUserSocket: options.podmanUserSocket ?? ((uid) => `/run/user/${uid}/podman/podman.sock`),
      criSockets: options.criSockets ?? DEFAULTS.criSockets,
      hostRoot: options.hostRoot ?? process.env.HOST_ROOT ?? '',
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      engineRetryMs: options.engineRetryMs ?? DEFAULTS.engineRetryMs,
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      maxEntries: options.maxEntries ?? DEFAULTS.maxEntries,
    };
    this.onUpdate = options.onUpdate ?? (() => {});
    this.onReason = options.onReason ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  // ---------------- public API ----------------

  /**
   * What is known about a container now; starts (or, when a retry is due,
   * restarts) a background lookup. Never blocks.
   */
  lookup(id: string, type: number, hints: { podmanUid?: number } = {}): ContainerInfo {
    if (id === '') return emptyContainer('', type);
    let e = this.entries.get(id);
    if (e === undefined) {
      e = this.newEntry(id, type as ContainerType, hints.podmanUid);
    } else if (e.state === 'failed' && !e.running && e.timer === null && this.now() >= e.retryAt && !this.closed) {
      e.attempts = 0;
      e.state = 'pending';
      void this.attempt(e);
    }
    return e.info;
  }

  /** lookup() for a cgroup match (carries the podman owner's uid). */
  lookupMatch(m: ContainerMatch): ContainerInfo {
    return this.lookup(m.id, m.type, { podmanUid: m.podmanUid });
  }

  /** The cached info of a container, if any. */
  get(id: string): ContainerInfo | undefined {
    return this.entries.get(id)?.info;
  }

  /** Why metadata is missing (one sentence), or null when every engine asked has answered. */
  reason(): string | null {
    return this.currentReason?.text ?? null;
  }

  /** Lookups under way or waiting for a retry. */
  pending(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state === 'pending' || e.state === 'waiting') n++;
    return n;
  }

  /** Resolves when no request is in flight (retries may still be scheduled). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Forgets a container (e.g. it exited); a later lookup asks again. */
  forget(id: string): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    if (e.timer !== null) clearTimeout(e.timer);
    for (const en of this.engines.values()) en.parked.delete(e);
    this.entries.delete(id);
  }

  /** Cancels timers and closes connections. Lookups in flight finish without callbacks. */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) if (e.timer !== null) clearTimeout(e.timer);
    for (const en of this.engines.values()) {
      if (en.recheckTimer !== null) clearTimeout(en.recheckTimer);
      en.close();
    }
  }

  // ---------------- internals ----------------

  private newEntry(id: string, type: ContainerType, podmanUid: number | undefined): Entry {
    const info = emptyContainer(id, type);
    const e: Entry = { id, type, podmanUid, info, state: 'pending', attempts: 0, retryAt: 0, timer: null, running: false };
    this.entries.set(id, e);
    this.evict();
    if (LOCAL_TYPES.has(type)) {
      info.name = id;
      info.hasMetadata = true;
      e.state = 'done';
      queueMicrotask(() => this.deliver(e));
      return e;
    }
    info.lookupState = LookupState.STARTED;
    if (!this.closed) void this.attempt(e);
    return e;
  }

  private evict(): void {
    if (this.entries.size <= this.opts.maxEntries) return;
    for (const [id, e] of this.entries) {
      if (e.state === 'pending' || e.running) continue;
      this.forget(id);
      if (this.entries.size <= this.opts.maxEntries) return;
    }
  }

  private socketPath(p: string): string {
    return this.opts.hostRoot + p;
  }

  private engine(key: string, make: () => Engine): Engine {
    let en = this.engines.get(key);
    if (en === undefined) this.engines.set(key, (en = make()));
    return en;
  }

  private docker(): Engine {
    const s = this.socketPath(this.opts.dockerSocket);
    return this.engine(`docker:${s}`, () => new DockerEngine('docker', s, this.opts.timeoutMs, this.opts.concurrency, ContainerType.DOCKER));
  }

  private podman(uid: number | undefined): Engine {
    const s = this.socketPath(uid !== undefined && uid > 0 ? this.opts.podmanUserSocket(uid) : this.opts.podmanSocket);
    return this.engine(`podman:${s}`, () => new DockerEngine('podman', s, this.opts.timeoutMs, this.opts.concurrency, ContainerType.PODMAN));
  }

  private cri(): Engine {
    const sockets = this.opts.criSockets.map((s) => this.socketPath(s));
    return this.engine(`cri:${sockets.join(',')}`, () => new CriEngine(sockets, this.opts.timeoutMs, this.opts.concurrency));
  }

  private enginesFor(e: Entry): Engine[] {
    switch (e.type) {
      case ContainerType.DOCKER: return [this.docker(), this.cri()];
      case ContainerType.CRI: return [this.cri(), this.docker()];
      case ContainerType.CONTAINERD:
      case ContainerType.CRIO: return [this.cri()];
      case ContainerType.PODMAN: return [this.podman(e.podmanUid)];
      default: return [];
    }
  }

  private peers = (id: string): ContainerInfo | undefined => this.entries.get(id)?.info;

  private async attempt(e: Entry): Promise<void> {
    if (e.running) return;
    e.running = true;
    e.timer = null;
    this.running++;
    try {
      await this.attemptOnce(e);
    } finally {
      e.running = false;
      this.running--;
      if (this.running === 0) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const r of w) r();
      }
    }
  }

  private async attemptOnce(e: Entry): Promise<void> {
    const engines = this.enginesFor(e);
    if (engines.length === 0) {
      // a type no engine serves: nothing to ask, ever
      e.state = 'failed';
      e.retryAt = Number.POSITIVE_INFINITY;
      e.info.lookupState = LookupState.FAILED;
      this.deliver(e);
      return;
    }
    const downs: Array<{ engine: Engine; err: SocketError }> = [];
    let answered = false;
    e.attempts++;
    for (const en of engines) {
      if (en.isDown(this.now())) {
        downs.push({ engine: en, err: en.down! });
        continue;
      }
      let answer: Answer;
      try {
        answer = await en.run(() => en.lookup(e, this.peers), this.now, (err) => this.markDown(en, err));
      } catch (err) {
        if (err instanceof SocketError) {
          downs.push({ engine: en, err });
        } else {
          answered = true; // the engine is there but could not help (HTTP 500, bad answer)
        }
        continue;
      }
      this.markUp(en);
      answered = true;
      if (answer !== null) {
        if (this.closed || !this.entries.has(e.id)) return;
        answer.id = e.id;
        answer.lookupState = LookupState.SUCCESSFUL;
        answer.hasMetadata = true;
        e.info = answer;
        e.state = 'done';
        for (const x of this.engines.values()) x.parked.delete(e);
        this.deliver(e);
        return;
      }
    }
    if (this.closed || !this.entries.has(e.id)) return;
    e.info.lookupState = LookupState.FAILED;
    // The container's own engine (the first for its type) is down, or only
    // engines that are down could have told us: say why (once), and wait for
    // them to come back rather than retrying per container.
    const blocking = downs.find((d) => d.engine === engines[0]) ?? (!answered ? downs[0] : undefined);
    if (blocking !== undefined) {
      e.attempts--;
      this.say(describeFailure(blocking.engine, blocking.err), blocking.engine);
      e.state = 'waiting';
      // Let the table know the lookup failed for now: the container shows by its id meanwhile.
      this.deliver(e);
      for (const d of downs) this.park(e, d.engine);
      return;
    }
    if (e.attempts < this.opts.maxAttempts) {
      // no engine knows it (yet): a container being created, or one already gone
      e.state = 'pending';
      const delay = Math.min(this.opts.retryBaseMs * 2 ** (e.attempts - 1), this.opts.retryMaxMs);
      e.timer = setTimeout(() => void this.attempt(e), delay);
      e.timer.unref();
    } else {
      e.state = 'failed';
      e.retryAt = this.now() + this.opts.retryMaxMs;
      this.deliver(e);
    }
  }

  private park(e: Entry, en: Engine): void {
    en.parked.add(e);
    if (en.recheckTimer !== null || this.closed) return;
    const delay = Math.max(0, en.downUntil - this.now());
    en.recheckTimer = setTimeout(() => void this.recheck(en), delay);
    en.recheckTimer.unref();
  }

  /** Probes a down engine again; markUp() then looks up its parked containers. */
  private async recheck(en: Engine): Promise<void> {
    en.recheckTimer = null;
    if (this.closed || en.parked.size === 0) return;
    try {
      await en.probe();
    } catch (err) {
      if (err instanceof SocketError) {
        this.markDown(en, err);
        if (en.parked.size > 0 && en.recheckTimer === null && !this.closed) {
          en.recheckTimer = setTimeout(() => void this.recheck(en), Math.max(0, en.downUntil - this.now()));
          en.recheckTimer.unref();
        }
        return;
      }
    }
    this.markUp(en);
  }

  private markDown(en: Engine, err: SocketError): void {
    en.backoff = en.down === null ? this.opts.engineRetryMs : Math.min(en.backoff * 2, this.opts.retryMaxMs);
    en.down = err;
    en.downUntil = this.now() + en.backoff;
  }

  private markUp(en: Engine): void {
    if (en.down === null) return;
    en.down = null;
    en.backoff = 0;
    en.downUntil = 0;
    if (en.recheckTimer !== null) clearTimeout(en.recheckTimer);
    en.recheckTimer = null;
    if (this.currentReason?.engine === en) this.currentReason = null;
    // the containers that waited for it
    const waiting = [...en.parked];
    en.parked.clear();
    for (const e of waiting) {
      if (e.state !== 'waiting' || e.running || this.closed || !this.entries.has(e.id)) continue;
      e.state = 'pending';
      void this.attempt(e);
    }
  }

  private say(text: string, engine: Engine): void {
    this.currentReason = { text, engine };
    if (this.said.has(text)) return;
    this.said.add(text);
    try {
      this.onReason(text);
    } catch {
      // a failing listener must not break lookups
    }
  }

  private deliver(e: Entry): void {
    if (this.closed) return;
    try {
      this.onUpdate(e.info);
    } catch {
      // a failing listener must not break lookups
    }
  }
}

/** A one-line description of a container for logs ("docker 0b498d72a095 tprobe (tsysdig-busybox)"). */
export function describeContainer(info: ContainerInfo): string {
  const parts = [containerTypeName(info.type), info.id];
  if (info.name !== '') parts.push(info.name);
  if (info.image !== '') parts.push(`(${info.image})`);
  return parts.join(' ');
}

/**
 * Asks the manager about every container of a state engine's table that has
 * no metadata yet (cheap: answers are cached), so a caller that cannot hook
 * container creation can call it once per refresh; results arrive through
 * `onUpdate` (typically `engine.addContainer`).
 */
export function requestMissingMetadata(containers: ReadonlyMap<string, ContainerInfo>, manager: ContainerMetadataManager): void {
  for (const c of containers.values()) {
    if (c.id !== '' && !c.hasMetadata) manager.lookup(c.id, c.type);
  }
}
