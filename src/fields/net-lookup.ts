/**
 * Address helpers for the fd fields: byte order conversion, IPv6 text with
 * a one-entry cache, "is this address one of this machine's" (sysdig's
 * is_ipv4addr_in_local_machine, container-aware), and service names for
 * port literals (`fd.port = http`).
 */
import { readFileSync } from 'node:fs';
import type { StateEngine } from '../state/engine.js';
import { ipv6ToString } from '../state/inet.js';
import type { ContainerInfo } from '../state/containers.js';
import type { ThreadInfo } from '../state/thread-info.js';

/**
 * An IPv4 address kept as the state keeps it (the u32 read little-endian from
 * the wire bytes) turned into the network-order integer the filter language
 * compares (a.b.c.d = a<<24 | b<<16 | c<<8 | d).
 */
export function ipv4ToNetworkOrder(le: number): number {
  return (((le & 0xff) << 24) | ((le & 0xff00) << 8) | ((le >>> 8) & 0xff00) | (le >>> 24)) >>> 0;
}

/** IPv6 text for an address array, rebuilt only when the array changes (the state replaces, never mutates, them). */
export class Ipv6Text {
  private arr: Uint8Array | null = null;
  private text = '';

  get(a: Uint8Array | null): string {
    const addr = a ?? ZERO6;
    if (addr !== this.arr) {
      this.arr = addr;
      this.text = ipv6ToString(addr);
    }
    return this.text;
  }
}

const ZERO6 = new Uint8Array(16);

const containerIps = new WeakMap<ContainerInfo, number>();

/** A container's IPv4 address in the state's byte order (0 when unknown). */
function containerIp(c: ContainerInfo): number {
  let v = containerIps.get(c);
  if (v === undefined) {
    v = 0;
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(c.ip);
    if (m !== null) v = (Number(m[1]) | (Number(m[2]) << 8) | (Number(m[3]) << 16) | (Number(m[4]) << 24)) >>> 0;
    containerIps.set(c, v);
  }
  return v;
}

/**
 * Whether an IPv4 address belongs to the machine as seen by the thread: its
 * container's address (or any container's, when its own is unknown), or one
 * of the host's interfaces.
 */
export function isLocalIpv4(engine: StateEngine, t: ThreadInfo | null, addr: number): boolean {
  const a = addr >>> 0;
  if (t !== null && t.containerId !== '') {
    const c = engine.containers.get(t.containerId);
    if (c !== undefined) {
      const ip = containerIp(c);
      if (ip !== 0) {
        if (ip === a) return true;
      } else {
        for (const o of engine.containers.values()) if (containerIp(o) === a && containerIp(o) !== 0) return true;
      }
    }
  }
  return engine.interfaces.hasIpv4(a);
}

/** Whether an IPv6 address is in the subnet of one of the host's interfaces (never, for containers). */
export function isLocalIpv6(engine: StateEngine, t: ThreadInfo | null, addr: Uint8Array | null): boolean {
  if (t !== null && t.containerId !== '') return false;
  return engine.interfaces.inIpv6Subnet(addr ?? ZERO6);
}

// ---------------------------------------------------------------------------
// Service names, for port literals (sysdig uses getservbyname).

const BUILTIN_SERVICES: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  pop3: 110,
  ntp: 123,
  imap: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  smtps: 465,
  submission: 587,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  mysql: 3306,
  postgresql: 5432,
};

let services: Map<string, number> | null = null;

function loadServices(): Map<string, number> {
  const m = new Map<string, number>(Object.entries(BUILTIN_SERVICES));
  try {
    const text = readFileSync('/etc/services', 'latin1');
    for (const line of text.split('\n')) {
      const body = line.replace(/#.*/, '').trim();
      if (body === '') continue;
      const parts = body.split(/\s+/);
      const pm = /^(\d+)\/\w+$/.exec(parts[1] ?? '');
      if (pm === null) continue;
      const port = Number(pm[1]);
      for (const name of [parts[0]!, ...parts.slice(2)]) if (!m.has(name)) m.set(name, port);
    }
  } catch {
    // No services database: the built-in names remain.
  }
  return m;
}

/** A port literal: digits as they are, a service name as its port; throws for an unknown name. */
export function normalizePortLiteral(text: string): string {
  if (text === '' || /^[0-9]+$/.test(text)) return text === '' ? '0' : text;
  services ??= loadServices();
  const p = services.get(text);
  if (p === undefined) throw new Error(`unrecognized protocol ${text}`);
  return String(p);
}
