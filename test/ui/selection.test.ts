import { describe, expect, it } from 'vitest';
import { combineFilters, currentField, filterValue, hierarchyFilter, selectionText } from '../../src/ui/selection.js';
import { selectionEntry } from '../helpers/selection-entry.js';

const entry = selectionEntry;

describe('selection stack filters (csysdig sinsp_ui_selection_hierarchy::tofilter)', () => {
  it('one drill-down: the parent view filter and the selection', () => {
    const h = [entry('proc.pid', '3199', 'evt.type!=switch')];
    expect(hierarchyFilter(h)).toBe('(evt.type!=switch) and proc.pid=3199');
    // With the child view's filter, as csysdig shows it on the Filter: line.
    expect(combineFilters(hierarchyFilter(h), 'evt.type!=switch')).toBe('((evt.type!=switch) and proc.pid=3199) and (evt.type!=switch)');
    expect(selectionText(h, () => false)).toBe('proc.pid=3199');
  });

  it('two drill-downs are parenthesised and joined', () => {
    const h = [entry('proc.pid', '3199', 'evt.type!=switch'), entry('thread.tid', '3199', 'evt.type!=switch')];
    expect(hierarchyFilter(h)).toBe('((evt.type!=switch) and proc.pid=3199) and ((evt.type!=switch) and thread.tid=3199)');
    expect(selectionText(h, () => false)).toBe('proc.pid=3199 and thread.tid=3199');
  });

  it('a view switch at the top level adds nothing', () => {
    const h = [entry('', '', '', { isDrilldown: false })];
    expect(hierarchyFilter(h)).toBe('');
    expect(selectionText(h, () => false)).toBe('whole machine');
    expect(currentField(h)).toBe('');
  });

  it('filter_in_child_only selections apply to the child screen only', () => {
    const h = [entry('span.id', '7', '', { filterInChildOnly: true }), entry('proc.pid', '1', '')];
    expect(hierarchyFilter(h)).toBe('(proc.pid=1)');
    expect(hierarchyFilter(h.slice(0, 1))).toBe('span.id=7');
  });

  it('spectrogram selections read as "spectrogram area"', () => {
    expect(selectionText([entry('evt.latency', '1', '', { prevScreen: 'spectro_all' })], (id) => id === 'spectro_all')).toBe('spectrogram area');
  });

  it('drill-down values: numbers bare, text quoted and escaped', () => {
    expect(filterValue('17497', true)).toBe('17497');
    expect(filterValue('/etc/resolv.conf', false)).toBe('"/etc/resolv.conf"');
    expect(filterValue('a "b" \\c', false)).toBe('"a \\"b\\" \\\\c"');
  });

  it('currentField drops a field argument', () => {
    expect(currentField([entry('proc.aname[2]', 'x', '')])).toBe('proc.aname');
  });
});
