/**
 * The container event of a capture: the JSON payload sysdig 0.29.3 writes
 * (sinsp_container_manager::container_to_json, serialised by jsoncpp's
 * FastWriter), so captures tsysdig writes replay with names and images in
 * sysdig, and sysdig's replay in tsysdig (parseContainerJson reads them back).
 *
 * jsoncpp details reproduced here (checked byte for byte against the sysdig
 * 0.29.3 binary, which links a jsoncpp 1.9.x, not the 0.10.6 bundled in the
 * libs sources): object members sorted by their bytes (std::map), no
 * whitespace, a trailing "\n"; strings escape '"', '\\', \b \f \n \r \t,
 * other control bytes as \u00xx, and every non-ASCII char as \uxxxx (lower-case
 * hex, a surrogate pair above U+FFFF) after decoding the bytes as UTF-8,
 * invalid sequences becoming \ufffd exactly as jsoncpp's decoder consumes
 * them; an empty label map and an empty probe argument list are null.
 *
 * Strings are byte strings (one char per byte), like every capture string in
 * tsysdig; the result is ASCII.
 */
import { EV } from '../event/event-ids.js';
import { EVENT_HEADER_SIZE as HEADER_SIZE } from '../event/types.js';
import type { ContainerInfo } from '../state/containers.js';

/** A jsoncpp-like value: objects become sorted maps. */
type JValue = null | boolean | number | string | JValue[] | { [k: string]: JValue };

const hex4 = (n: number): string => '\\u' + n.toString(16).padStart(4, '0');

/** Byte strings only: a char above U+00FF (a text string slipped in) becomes its UTF-8 bytes. */
function bytesOf(s: string): string {
  if (!/[^\u0000-\u00ff]/.test(s)) return s;
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) > 0xff || ch.length > 1 ? Buffer.from(ch, 'utf8').toString('latin1') : ch;
  return out;
}

/** jsoncpp's utf8ToCodepoint over a byte string: [code point, bytes consumed]. */
function codepointAt(s: string, i: number): [number, number] {
  const REPLACEMENT = 0xfffd;
  const first = s.charCodeAt(i);
  const left = s.length - i;
  const cont = (k: number): number => s.charCodeAt(i + k) & 0x3f;
  if (first < 0x80) return [first, 1];
  if (first < 0xe0) {
    if (left < 2) return [REPLACEMENT, 1];
    const cp = ((first & 0x1f) << 6) | cont(1);
    return [cp < 0x80 ? REPLACEMENT : cp, 2];
  }
  if (first < 0xf0) {
    if (left < 3) return [REPLACEMENT, 1];
    const cp = ((first & 0x0f) << 12) | (cont(1) << 6) | cont(2);
    return [(cp >= 0xd800 && cp <= 0xdfff) || cp < 0x800 ? REPLACEMENT : cp, 3];
  }
  if (first < 0xf8) {
    if (left < 4) return [REPLACEMENT, 1];
    const cp = ((first & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
    return [cp < 0x10000 ? REPLACEMENT : cp, 4];
  }
  return [REPLACEMENT, 1];
}

function quote(raw: string): string {
  const s = bytesOf(raw);
  // fast path, as jsoncpp: nothing to escape
  // eslint-disable-next-line no-control-regex
  if (!/["\\\u0000-\u001f\u0080-\u00ff]/.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; ) {
    const ch = s.charCodeAt(i);
    switch (ch) {
      case 0x22: out += '\\"'; i++; continue;
      case 0x5c: out += '\\\\'; i++; continue;
      case 0x08: out += '\\b'; i++; continue;
      case 0x0c: out += '\\f'; i++; continue;
      case 0x0a: out += '\\n'; i++; continue;
      case 0x0d: out += '\\r'; i++; continue;
      case 0x09: out += '\\t'; i++; continue;
    }
    const [cp, n] = codepointAt(s, i);
    i += n;
    if (cp < 0x20) out += hex4(cp);
    else if (cp < 0x80) out += String.fromCharCode(cp);
    else if (cp < 0x10000) out += hex4(cp);
    else {
      const c = cp - 0x10000;
      out += hex4(0xd800 + ((c >> 10) & 0x3ff)) + hex4(0xdc00 + (c & 0x3ff));
    }
  }
  return out + '"';
}

/** Byte-wise key order (memcmp, then length): byte strings compare by char code. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(v: JValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(Math.trunc(v));
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return '[' + v.map(write).join(',') + ']';
  const keys = Object.keys(v).sort(compareKeys);
  return '{' + keys.map((k) => quote(k) + ':' + write(v[k]!)).join(',') + '}';
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipText(ip: string): string {
  const m = IPV4.exec(ip);
  if (m === null || m.slice(1).some((p) => Number(p) > 255)) return '0.0.0.0';
  return m.slice(1).map(Number).join('.');
}

/** Mesos/Marathon variables: the only environment sysdig writes into captures. */
function isMesosEnv(v: string): boolean {
  return v.includes('MESOS') || v.includes('MARATHON') || v.includes('mesos');
}

/** The JSON payload of a container event for `info`, byte for byte as sysdig 0.29.3 writes it. */
export function toContainerJson(info: ContainerInfo): string {
  const b = bytesOf;
  const c: { [k: string]: JValue } = {
    id: b(info.id),
    full_id: b(info.fullId),
    type: info.type,
    name: b(info.name),
    image: b(info.image),
    imageid: b(info.imageId),
    imagerepo: b(info.imageRepo),
    imagetag: b(info.imageTag),
    imagedigest: b(info.imageDigest),
    privileged: info.privileged,
    is_pod_sandbox: info.isPodSandbox,
    lookup_state: info.lookupState,
    created_time: info.createdTime,
    Mounts: info.mounts.map((m) => ({
      Source: b(m.source),
      Destination: b(m.dest),
      Mode: b(m.mode),
      RW: m.rw,
      Propagation: b(m.propagation),
    })),
  };
  for (const p of info.healthProbes) {
    c[p.type] = { exe: b(p.exe), args: p.args.length > 0 ? p.args.map(b) : null };
  }
  c.ip = ipText(info.ip);
  c.port_mappings = info.portMappings.map((pm) => ({
    HostIp: pm.hostIp >>> 0,
    HostPort: pm.hostPort & 0xffff,
    ContainerPort: pm.containerPort & 0xffff,
  }));
  const labelKeys = Object.keys(info.labels);
  if (labelKeys.length > 0) {
    const labels: { [k: string]: JValue } = {};
    for (const k of labelKeys) labels[b(k)] = b(info.labels[k]!);
    c.labels = labels;
  } else {
    c.labels = null;
  }
  c.env = info.env.filter(isMesosEnv).map(b);
  c.memory_limit = info.memoryLimit;
  c.swap_limit = info.swapLimit;
  c.cpu_shares = info.cpuShares;
  c.cpu_quota = info.cpuQuota;
  c.cpu_period = info.cpuPeriod;
  c.cpuset_cpu_count = info.cpusetCpuCount | 0;
  if (info.mesosTaskId !== '') c.mesos_task_id = b(info.mesosTaskId);
  c.metadata_deadline = info.metadataDeadline;
  return write({ container: c }) + '\n';
}

/**
 * One complete container event (CONTAINER_JSON_2_E, as sysdig dumps them):
 * tid -1, one parameter with a u32 length (a large-payload event) holding the
 * JSON and its terminating NUL. `tsNs` is the event time in ns since the epoch.
 */
export function encodeContainerEvent(info: ContainerInfo, tsNs: bigint): Buffer {
  const json = Buffer.from(toContainerJson(info), 'latin1');
  const len = HEADER_SIZE + 4 + json.length + 1;
  const out = Buffer.alloc(len);
  out.writeBigUInt64LE(tsNs, 0);
  out.writeBigInt64LE(-1n, 8);
  out.writeUInt32LE(len, 16);
  out.writeUInt16LE(EV.CONTAINER_JSON_2_E, 20);
  out.writeUInt32LE(1, 22);
  out.writeUInt32LE(json.length + 1, HEADER_SIZE);
  json.copy(out, HEADER_SIZE + 4);
  return out;
}
