/** The Prometheus text format as /metrics writes it. */
import { describe, it, expect } from 'vitest';
import { renderPrometheus } from '../../src/agent/prometheus.js';

describe('renderPrometheus', () => {
  it('writes HELP, TYPE and samples with escaped labels', () => {
    const text = renderPrometheus([
      { name: 'tsysdig_alerts_total', help: 'Alerts\nby priority \\ rule', type: 'counter', samples: [{ labels: { priority: 'Warning' }, value: 3 }, { labels: { priority: 'say "hi"\n' }, value: 0 }] },
      { name: 'tsysdig_up', help: 'up', type: 'gauge', samples: [{ value: 1 }] },
      { name: 'tsysdig_events_per_second', help: 'rate', type: 'gauge', samples: [{ value: NaN }, { value: Infinity }] },
      { name: 'tsysdig_output_queue_drops_total', help: 'none yet', type: 'counter', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP tsysdig_alerts_total Alerts\\nby priority \\\\ rule',
        '# TYPE tsysdig_alerts_total counter',
        'tsysdig_alerts_total{priority="Warning"} 3',
        'tsysdig_alerts_total{priority="say \\"hi\\"\\n"} 0',
        '# HELP tsysdig_up up',
        '# TYPE tsysdig_up gauge',
        'tsysdig_up 1',
        '# HELP tsysdig_events_per_second rate',
        '# TYPE tsysdig_events_per_second gauge',
        'tsysdig_events_per_second NaN',
        'tsysdig_events_per_second +Inf',
        '# HELP tsysdig_output_queue_drops_total none yet',
        '# TYPE tsysdig_output_queue_drops_total counter',
        '',
      ].join('\n'),
    );
  });
});
