/**
 * The machine's network interfaces, used (as sysdig does) to fill in the
 * local address of datagram sockets whose tuple came with an unspecified
 * source or destination.
 */
import type { InterfaceRecord } from '../capture/records.js';
import { FdType } from '../capture/records.js';
import type { FdInfo } from './fd-info.js';

/** 127.0.0.1 in the little-endian-of-wire-bytes form used for IPv4 addresses. */
const LOOPBACK4 = 0x0100007f;
const LOOPBACK6 = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const EMPTY6 = new Uint8Array(16);

function u32(b: Uint8Array): number {
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}
function eq6(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
function isEmpty6(a: Uint8Array | null): boolean {
  return a === null || eq6(a, EMPTY6);
}

export class NetworkInterfaces {
  private readonly v4: { addr: number; netmask: number }[] = [];
  private readonly v6: Uint8Array[] = [];

  /** The records as received (for writing a capture's interface list). */
  readonly records: InterfaceRecord[] = [];

  add(i: InterfaceRecord): void {
    this.records.push(i);
    if (i.family === 4) this.v4.push({ addr: u32(i.addr), netmask: u32(i.netmask) });
    else this.v6.push(Uint8Array.from(i.addr));
  }

  /** True when `addr` (little-endian-of-wire-bytes form) is the address of one of the machine's IPv4 interfaces. */
  hasIpv4(addr: number): boolean {
    for (const i of this.v4) if (i.addr === (addr >>> 0)) return true;
    return false;
  }

  /** True when `addr` shares its first 64 bits with one of the machine's IPv6 interface addresses (sysdig's in_subnet). */
  inIpv6Subnet(addr: Uint8Array): boolean {
    for (const a of this.v6) {
      let same = true;
      for (let k = 0; k < 8; k++) if (a[k] !== addr[k]) same = false;
      if (same) return true;
    }
    return false;
  }

  get count(): number {
    return this.v4.length + this.v6.length;
  }

  inferIpv4(dest: number): number {
    for (const i of this.v4) if (i.addr === dest) return i.addr;
    for (const i of this.v4) if (((i.addr & i.netmask) >>> 0) === ((dest & i.netmask) >>> 0)) return i.addr;
    for (const i of this.v4) if (i.addr !== LOOPBACK4) return i.addr;
    return 0;
  }

  inferIpv6(dest: Uint8Array): Uint8Array {
    for (const a of this.v6) if (eq6(a, dest)) return a;
    // Same subnet: the first 64 bits match.
    for (const a of this.v6) {
      let same = true;
      for (let k = 0; k < 8; k++) if (a[k] !== dest[k]) same = false;
      if (same) return a;
    }
    for (const a of this.v6) if (!eq6(a, LOOPBACK6)) return a;
    return EMPTY6;
  }

  /** Replaces an unspecified endpoint of a datagram socket with the interface that would carry it. */
  updateFd(f: FdInfo): void {
    if (f.type === FdType.IPV4_SOCK) {
      if (f.sip4 !== 0 && f.dip4 !== 0) return;
      if (f.sip4 === 0) {
        const a = this.inferIpv4(f.dip4);
        if (a === f.dip4 && f.sport === f.dport) return;
        f.sip4 = a;
      } else {
        const a = this.inferIpv4(f.sip4);
        if (a === f.sip4 && f.sport === f.dport) return;
        f.dip4 = a;
      }
    } else if (f.type === FdType.IPV6_SOCK) {
      if (!isEmpty6(f.sip6) && !isEmpty6(f.dip6)) return;
      if (isEmpty6(f.sip6)) {
        const d = f.dip6 ?? EMPTY6;
        const a = this.inferIpv6(d);
        if (eq6(a, d) && f.sport === f.dport) return;
        f.sip6 = Uint8Array.from(a);
      } else {
        const s = f.sip6!;
        const a = this.inferIpv6(s);
        if (eq6(a, s) && f.sport === f.dport) return;
        f.dip6 = Uint8Array.from(a);
      }
    }
  }
}
