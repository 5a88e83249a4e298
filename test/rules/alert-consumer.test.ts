/**
 * The typed Alert records the rules consumer hands to other parts (the
 * monitor's Alerts view, a node agent), on a real capture, and the event-type
 * index: an event runs only the rules its type can match.
 */
import { describe, expect, it } from 'vitest';
import { runAlerts } from '../../src/cli/alerts-command.js';
import type { Alert } from '../../src/rules/alert.js';
import { eventTypesOf, eventIdsOf } from '../../src/rules/evttypes.js';
import { parseFilter } from '../../src/filter/index.js';
import { fixturePath } from '../helpers/fixtures.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const rules = join(mkdtempSync(join(tmpdir(), 'tsysdig-alerts-')), 'r.yaml');
writeFileSync(rules, '- rule: cat opens\n  desc: d\n  condition: evt.type=open and evt.dir=< and proc.name=cat\n  output: "opened %fd.name by %proc.name"\n  priority: NOTICE\n  tags: [b, a]\n');

describe('AlertConsumer', () => {
  it('produces typed Alert records and the same text lines', async () => {
    const alerts: Alert[] = [];
    const lines: string[] = [];
    const sum = await runAlerts({
      rulesPaths: [rules],
      file: fixturePath('falco_cat_write'),
      filter: '',
      count: 0,
      durationS: 0,
      json: false,
      timeIso8601: true,
      matching: 'first',
      minPriority: null,
      selection: { disabledSubstrings: [], disabledTags: [], enabledTags: [] },
      extra: null,
      sink: { write: (l) => lines.push(l) },
      onAlert: (a) => alerts.push(a),
      onWarning: () => {},
    });
    expect(sum.alerts).toBe(4);
    expect(sum.byRule.get('cat opens')).toBe(4);
    expect(lines[3]).toBe('2016-08-04T16:17:57.882054739+0000: Notice opened /dev/null by cat');
    const a = alerts[3]!;
    expect(a.timeNs).toBe(1470327477882054739n);
    expect(a.priority).toBe(5);
    expect(a.priorityName).toBe('Notice');
    expect(a.rule).toBe('cat opens');
    expect(a.output).toBe('opened /dev/null by cat');
    expect(a.outputFields).toEqual({ 'evt.time.iso8601': '2016-08-04T16:17:57.882054739+0000', 'fd.name': '/dev/null', 'proc.name': 'cat' });
    expect(a.tags).toEqual(['a', 'b']);
    expect(a.tid).toBe(20072);
    expect(a.pid).toBe(20072);
    expect(a.eventNumber).toBe(197);
    expect(a.containerId).toBe('');
  });

  it('indexes rules by the event types their condition can match', () => {
    const types = (c: string): number[] => eventTypesOf(parseFilter(c, { andOrMixing: 'precedence' }));
    expect(types('evt.type=open and proc.name=cat')).toEqual(eventIdsOf('open'));
    expect(types('evt.type in (open, execve) or evt.type=close').sort((x, y) => x - y)).toEqual([...eventIdsOf('open'), ...eventIdsOf('execve'), ...eventIdsOf('close')].sort((x, y) => x - y));
    expect(types('not evt.type != open')).toEqual(eventIdsOf('open'));
    // `not` of a check that is not about the type restricts nothing
    expect(types('evt.type=open and not proc.name=cat')).toEqual(eventIdsOf('open'));
    expect(types('proc.name=cat').length).toBeGreaterThan(100);
  });
});
