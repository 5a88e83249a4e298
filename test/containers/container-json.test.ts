/**
 * Container events: the JSON tsysdig writes is byte for byte what sysdig
 * 0.29.3 writes (checked against sysdig itself when it is installed: it
 * reads our events and, rewriting the capture, serialises the same
 * containers to identical bytes), and it reads back into the same
 * ContainerInfo (parseContainerJson) and into the state engine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { encodeContainerEvent, toContainerJson } from '../../src/containers/container-json.js';
import { ScapEvent } from '../../src/event/scap-event.js';
import { type ContainerInfo, ContainerType, LookupState, emptyContainer, parseContainerJson } from '../../src/state/containers.js';
import { StateEngine } from '../../src/state/engine.js';
import { EV_V2_LARGE, containerJsonsIn, notification, scapFile, sysdig, sysdigPath } from './mini-scap.js';

const ID1 = '0b498d72a0955a5f69f6039b65ff196f6aff7a0fd1cbaf8580f388df3a397339';
const IMG = 'e2c3bc5b8f7cd1f541bf2a3bcdbef29ac418d08b1d8fc4791bdf62629bf5a107';
const POD = '5d2a1f8e-0c3b-4e7a-9f61-2b8d4c7e9a13';

function rich(): ContainerInfo {
  const c = emptyContainer(ID1.slice(0, 12), ContainerType.DOCKER);
  Object.assign(c, {
    fullId: ID1,
    name: 'web',
    image: 'nginx:1.25',
    imageId: IMG,
    imageRepo: 'nginx',
    imageTag: '1.25',
    imageDigest: 'sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac',
    privileged: true,
    ip: '172.17.0.2',
    labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': POD, Zeta: '1', app: 'web' },
    hasMetadata: true,
    createdTime: 1700000000,
    mounts: [{ source: '/srv/www', dest: '/usr/share/nginx/html', mode: 'ro', rw: false, propagation: 'rprivate' }],
    portMappings: [{ hostIp: 0, hostPort: 8080, containerPort: 80 }, { hostIp: 0x7f000001, hostPort: 9090, containerPort: 90 }],
    env: ['PATH=/bin', 'MESOS_TASK_ID=web.1'],
    memoryLimit: 268435456,
    swapLimit: 536870912,
    cpuShares: 512,
    cpuQuota: 50000,
    cpuPeriod: 100000,
    cpusetCpuCount: 2,
    mesosTaskId: 'web.1',
    healthProbes: [{ type: 'Healthcheck', exe: '/bin/sh', args: ['-c', 'curl -f localhost'] }],
  });
  return c;
}

const RICH_JSON =
  '{"container":{"Healthcheck":{"args":["-c","curl -f localhost"],"exe":"/bin/sh"},' +
  '"Mounts":[{"Destination":"/usr/share/nginx/html","Mode":"ro","Propagation":"rprivate","RW":false,"Source":"/srv/www"}],' +
  '"cpu_period":100000,"cpu_quota":50000,"cpu_shares":512,"cpuset_cpu_count":2,"created_time":1700000000,' +
  '"env":["MESOS_TASK_ID=web.1"],' +
  `"full_id":"${ID1}","id":"0b498d72a095","image":"nginx:1.25",` +
  '"imagedigest":"sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac",' +
  `"imageid":"${IMG}","imagerepo":"nginx","imagetag":"1.25","ip":"172.17.0.2","is_pod_sandbox":false,` +
  `"labels":{"Zeta":"1","app":"web","io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.uid":"${POD}"},` +
  '"lookup_state":1,"memory_limit":268435456,"mesos_task_id":"web.1","metadata_deadline":0,"name":"web",' +
  '"port_mappings":[{"ContainerPort":80,"HostIp":0,"HostPort":8080},{"ContainerPort":90,"HostIp":2130706433,"HostPort":9090}],' +
  '"privileged":true,"swap_limit":536870912,"type":0}}\n';

const EMPTY_JSON =
  '{"container":{"Mounts":[],"cpu_period":100000,"cpu_quota":0,"cpu_shares":1024,"cpuset_cpu_count":0,"created_time":0,' +
  '"env":[],"full_id":"","id":"0b498d72a095","image":"","imagedigest":"","imageid":"","imagerepo":"","imagetag":"",' +
  '"ip":"0.0.0.0","is_pod_sandbox":false,"labels":null,"lookup_state":1,"memory_limit":0,"metadata_deadline":0,"name":"",' +
  '"port_mappings":[],"privileged":false,"swap_limit":0,"type":0}}\n';

/** Text as tsysdig's byte string (its UTF-8 bytes, one char each). */
const utf8 = (t: string): string => Buffer.from(t, 'utf8').toString('latin1');

/** What survives a trip through a container event: only Mesos variables of the environment. */
function afterTrip(c: ContainerInfo): ContainerInfo {
  return { ...c, env: c.env.filter((e) => /MESOS|MARATHON|mesos/.test(e)), hasMetadata: c.lookupState === LookupState.SUCCESSFUL };
}

describe('toContainerJson', () => {
  test('a container with everything: sorted members, no spaces, trailing newline', () => {
    expect(toContainerJson(rich())).toBe(RICH_JSON);
  });

  test('an id-only container: defaults, "0.0.0.0", labels null', () => {
    expect(toContainerJson(emptyContainer('0b498d72a095', ContainerType.DOCKER))).toBe(EMPTY_JSON);
  });

  test('escaping as sysdig 0.29.3\'s jsoncpp: quotes, backslash, \\b\\f\\n\\r\\t, controls and non-ASCII as \\uxxxx', () => {
    const c = emptyContainer('x', ContainerType.LXC);
    c.name = 'a"b\\c\b\f\n\r\t\x01\x1f\x7f/' + utf8('é€😀');
    const json = toContainerJson(c);
    expect(json).toContain('"name":"a\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/\\u00e9\\u20ac\\ud83d\\ude00"');
    expect(/^[\x00-\x7f]*$/.test(json)).toBe(true);
    expect(parseContainerJson(json)!.name).toBe(c.name);
  });

  test('invalid UTF-8 is replaced the way jsoncpp\'s decoder consumes it', () => {
    const q = (bytes: number[]): string => {
      const c = emptyContainer('x', ContainerType.LXC);
      c.name = Buffer.from(bytes).toString('latin1');
      return /"name":"([^"]*)"/.exec(toContainerJson(c))![1]!;
    };
    expect(q([0xe9])).toBe('\\ufffd'); // truncated 3-byte lead: one byte
    expect(q([0x80, 0x61, 0x62])).toBe('\\ufffdb'); // lone continuation byte eats the next one
    expect(q([0xc0, 0x80])).toBe('\\ufffd'); // overlong
    expect(q([0xed, 0xa0, 0x80])).toBe('\\ufffd'); // surrogate
    expect(q([0xf8, 0x41])).toBe('\\ufffdA');
    expect(q([0xe2, 0x82])).toBe('\\ufffd\\ufffd'); // truncated at the end: byte by byte
  });

  test('reading keeps raw bytes and decodes escapes to UTF-8 bytes', () => {
    const raw = '{"container":{"id":"x","name":"\xc3\xa9\xe9","labels":{"k\\u00e9":"\\ud83d\\ude00"}}}';
    const info = parseContainerJson(raw)!;
    expect(info.name).toBe('\xc3\xa9\xe9');
    expect(info.labels).toEqual({ ['k' + utf8('é')]: utf8('😀') });
  });

  test('health probes: args null when empty; several kinds', () => {
    const c = emptyContainer('p', ContainerType.CRI);
    c.healthProbes = [{ type: 'LivenessProbe', exe: '/check', args: [] }, { type: 'ReadinessProbe', exe: '/ready', args: ['-q'] }];
    const json = toContainerJson(c);
    expect(json.startsWith('{"container":{"LivenessProbe":{"args":null,"exe":"/check"},"Mounts":[],"ReadinessProbe":{"args":["-q"],"exe":"/ready"},')).toBe(true);
    expect(parseContainerJson(json)!.healthProbes).toEqual([{ type: 'LivenessProbe', exe: '/check', args: [] }, { type: 'ReadinessProbe', exe: '/ready', args: ['-q'] }]);
  });

  test('round trip through parseContainerJson', () => {
    for (const c of [rich(), emptyContainer('0b498d72a095', ContainerType.DOCKER), { ...emptyContainer('web01', ContainerType.LXC), name: 'web01', hasMetadata: true }]) {
      expect(parseContainerJson(toContainerJson(c))).toEqual(afterTrip(c));
    }
    const failed = { ...emptyContainer('abcdefabcdef', ContainerType.CONTAINERD), lookupState: LookupState.FAILED };
    expect(parseContainerJson(toContainerJson(failed))).toEqual({ ...failed, hasMetadata: false });
  });

  test('reading: a lookup still "started" when the capture was written reads as failed; unknown states as successful', () => {
    const j = (s: number): string => `{"container":{"id":"a","type":7,"lookup_state":${s}}}`;
    expect(parseContainerJson(j(0))!.lookupState).toBe(LookupState.FAILED);
    expect(parseContainerJson(j(2))!.hasMetadata).toBe(false);
    expect(parseContainerJson(j(9))!.lookupState).toBe(LookupState.SUCCESSFUL);
    expect(parseContainerJson('{"container":{"id":"a","name":"n"}}')!.hasMetadata).toBe(true);
    expect(parseContainerJson('not json')).toBeNull();
    expect(parseContainerJson('{"other":1}')).toBeNull();
  });

  test('the encoded event feeds the state engine like a replayed one', () => {
    const bytes = encodeContainerEvent(rich(), 1_700_000_000_000_000_000n);
    expect(bytes.readUInt16LE(20)).toBe(324); // CONTAINER_JSON_2_E
    expect(bytes.readBigInt64LE(8)).toBe(-1n);
    const ev = new ScapEvent();
    expect(ev.decode(bytes, 0, bytes.length, 4, true)).toBeNull();
    expect(ev.str(0)).toBe(RICH_JSON);
    const engine = new StateEngine();
    engine.process(ev);
    expect(engine.containers.get('0b498d72a095')).toEqual(afterTrip(rich()));
    expect(engine.thread?.comm).toBe('container:0b498d72a095');
  });
});

const SYSDIG = sysdigPath();
if (SYSDIG === null) console.log('[sysdig cross-checks skipped] no sysdig binary (/usr/bin/sysdig)');
const describeSysdig = SYSDIG !== null ? describe : describe.skip;

describeSysdig('sysdig 0.29.3 and our container events', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-cjson-'));
  const T0 = 1_700_000_000_000_000_000n;

  test('sysdig reads every field it shows from our JSON', () => {
    const c = rich();
    c.labels['x'] = utf8('ü');
    const file = path.join(dir, 'read.scap');
    // a container event after the first real event is shown as an event of its own
    fs.writeFileSync(file, scapFile([{ blockType: 0x216, event: notification(1234n, T0, 'start') }, { blockType: EV_V2_LARGE, event: encodeContainerEvent(c, T0 + 1n) }]));
    const out = sysdig(['-r', file, '-p', '*%container.id|%container.name|%container.image|%container.image.id|%container.image.repository|%container.image.tag|%container.image.digest|%container.type|%container.privileged|%container.mounts|%container.healthcheck|%k8s.pod.name|%k8s.ns.name|%k8s.pod.id', 'evt.type=container']);
    expect(out.trim().split('\n')).toEqual([
      ['0b498d72a095', 'web', 'nginx:1.25', IMG, 'nginx', '1.25', 'sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac', 'docker', 'true',
        '/srv/www:/usr/share/nginx/html:ro:false:rprivate', '/bin/sh -c curl -f localhost', 'web-0', 'prod', POD].join('|'),
    ]);
  });

  test('sysdig rewriting the capture serialises the same containers to identical bytes', () => {
    const containers = [rich(), emptyContainer('0b498d72a095', ContainerType.DOCKER), { ...emptyContainer('web01', ContainerType.LXC), name: 'web01', hasMetadata: true }];
    containers[1]!.id = 'aaaaaaaaaaaa';
    const weird = emptyContainer('bbbbbbbbbbbb', ContainerType.CONTAINERD);
    weird.name = 'q"uo\\te\ttab\x01\x1f\x7f' + utf8('ñ€😀') + Buffer.from([0x80, 0x61, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf8, 0x41, 0xe2, 0x82]).toString('latin1');
    weird.labels = { 'b': '2', 'a': '1', 'A': '0', '\xe9': 'x', [utf8('ключ')]: utf8('значение') };
    weird.healthProbes = [{ type: 'ReadinessProbe', exe: '/r', args: [] }];
    weird.isPodSandbox = true;
    containers.push(weird);
    const ours = containers.map(toContainerJson);
    const input = path.join(dir, 'in.scap');
    const output = path.join(dir, 'out.scap');
    // at the start of a file, sysdig loads container events before anything else; -w then dumps its containers itself
    fs.writeFileSync(input, scapFile([...containers.map((c, i) => ({ blockType: EV_V2_LARGE, event: encodeContainerEvent(c, T0 + BigInt(i)) })), { blockType: 0x216, event: notification(1234n, T0 + 10n, 'x') }]));
    sysdig(['-r', input, '-w', output]);
    const theirs = containerJsonsIn(fs.readFileSync(output));
    expect(theirs.slice().sort()).toEqual(ours.slice().sort());
  });
});
