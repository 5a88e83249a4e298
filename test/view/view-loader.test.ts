/**
 * View files and their loader.
 *
 * The built-in views (views/*.yaml) are transcriptions of csysdig 0.29.3's
 * chisels/v_*.lua; the pinned ids, menu order and spot-checked columns below
 * were read off those Lua files and `csysdig --list-views` (and `-j
 * --list-views` for the 'nocsysdig' views).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ViewColumn, ViewDef } from '../../src/view/view-def.js';
import {
  BUILTIN_VIEWS_DIR,
  loadViews,
  parseViewFile,
  userViewsDir,
  ViewFileError,
  ViewRegistry,
} from '../../src/view/view-loader.js';

const FIX = 'test/view/fixtures';
const builtinOnly = () => loadViews([], { userDir: null });

/** The message of what `fn` throws (a ViewFileError), to compare it whole. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ViewFileError);
    return (e as Error).message;
  }
  return 'nothing thrown';
}

/**
 * csysdig 0.29.3's views minus the skipped ones (mesos/marathon, tracers/spans), plus cpus,
 * which csysdig defines but never loads (tsysdig makes it work).
 */
const TRANSLATED = [
  'backlog', 'connections', 'containers', 'containers_errors', 'cpus', 'directories', 'docker_events', 'errors',
  'file_opens', 'files', 'incoming_connections', 'io_by_type', 'kubernetes_controllers',
  'kubernetes_deployments', 'kubernetes_namespaces', 'kubernetes_pods', 'kubernetes_replicasets',
  'kubernetes_services', 'notifications', 'page_faults', 'port_bindings', 'procs', 'procs_cpu',
  'procs_errors', 'procs_fd_usage', 'slow_io', 'spectro_all', 'spectro_file', 'sports', 'spy_syslog',
  'spy_users', 'spy_users_wsysdig', 'syscall_procs', 'syscalls', 'threads',
];

/** Views tsysdig adds (not csysdig's): in the menu, compared apart. */
const TSYSDIG_VIEWS = ['lifecycle', 'alerts', 'alerts_by_rule'];
const csysdigOnly = (ids: string[]): string[] => ids.filter((id) => !TSYSDIG_VIEWS.includes(id));

/** `csysdig --list-views` order (views sorted by name), without the skipped views. */
const CSYSDIG_MENU = [
  'cpus', 'connections', 'containers', 'containers_errors', 'directories', 'errors', 'file_opens', 'files',
  'io_by_type', 'kubernetes_controllers', 'kubernetes_deployments', 'kubernetes_namespaces',
  'kubernetes_pods', 'kubernetes_replicasets', 'kubernetes_services', 'incoming_connections',
  'page_faults', 'procs', 'procs_cpu', 'procs_errors', 'procs_fd_usage', 'sports', 'slow_io', 'backlog',
  'spectro_all', 'spectro_file', 'spy_syslog', 'spy_users', 'syscall_procs', 'syscalls', 'threads',
];

describe('built-in views', () => {
  const files = fs.readdirSync('views').filter((f) => f.endsWith('.yaml')).sort();

  it.each(files)('views/%s loads, validates and is named after its id', (f) => {
    const text = fs.readFileSync(path.join('views', f), 'utf8');
    const v = parseViewFile(`views/${f}`, text);
    expect(`${v.id}.yaml`).toBe(f);
    expect(text).toMatch(TSYSDIG_VIEWS.includes(v.id) ? /^# tsysdig view: / : new RegExp(`^# Mirrors csysdig 0\\.29\\.3's view "${v.id}"`));
  });

  it('has exactly the translated csysdig 0.29.3 ids', () => {
    expect(csysdigOnly(files.map((f) => f.replace(/\.yaml$/, '')))).toEqual(TRANSLATED);
    expect(csysdigOnly(builtinOnly().all().map((v) => v.id).sort())).toEqual(TRANSLATED);
    expect(builtinOnly().all().length).toBe(TRANSLATED.length + TSYSDIG_VIEWS.length);
  });

  it('lists the menu in csysdig order, and starts in procs', () => {
    const r = builtinOnly();
    expect(csysdigOnly(r.list().map((v) => v.id))).toEqual(CSYSDIG_MENU);
    for (const id of TSYSDIG_VIEWS) expect(r.list().map((v) => v.id)).toContain(id);
    // csysdig -j adds the 'nocsysdig' views (name order; "Spy Users" is two views' name).
    expect(csysdigOnly(r.list({ includeNoCsysdig: true }).map((v) => v.id))).toEqual([
      ...CSYSDIG_MENU.slice(0, 5), 'docker_events', ...CSYSDIG_MENU.slice(5, 16), 'notifications', 'page_faults',
      'port_bindings', ...CSYSDIG_MENU.slice(17, 27), 'spy_users', 'spy_users_wsysdig', ...CSYSDIG_MENU.slice(28),
    ]);
    expect(r.defaultView()?.id).toBe('procs');
    expect(r.get('procs')?.source).toBe('views/procs.yaml');
    expect(r.source('threads')).toBe('views/threads.yaml');
    expect(r.overrides).toEqual([]);
    expect(r.dirs).toEqual(['views']);
    expect(path.resolve(BUILTIN_VIEWS_DIR)).toBe(path.resolve('views'));
  });

  it('keeps drill-down targets inside the translated set', () => {
    const r = builtinOnly();
    for (const v of r.all()) if (v.drilldownTarget !== null) expect(r.has(v.drilldownTarget), v.id).toBe(true);
  });

  type Col = [name: string, field: string, colsize: number, agg: string, gbyAgg: string, flags: string, tags?: string[]];
  const cols = (v: ViewDef): Col[] =>
    v.columns.map((c: ViewColumn) => {
      const flags = [c.isKey && 'key', c.isGroupbyKey && 'gby', c.isSorting && 'sort'].filter(Boolean).join(',');
      const row: Col = [c.name, c.field, c.colsize, c.aggregation, c.groupbyAggregation, flags];
      if (c.tags.length) row.push(c.tags);
      return row;
    });

  it('procs matches v_procs.lua', () => {
    const v = builtinOnly().get('procs')!;
    expect(cols(v)).toEqual([
      ['NA', 'thread.tid', -1, 'NONE', 'NONE', 'key'],
      ['NA', 'proc.pid', -1, 'NONE', 'NONE', 'gby'],
      ['PID', 'proc.pid', 7, 'NONE', 'NONE', ''],
      ['PPID', 'proc.ppid', 7, 'NONE', 'NONE', ''],
      ['VPID', 'proc.vpid', 8, 'NONE', 'NONE', '', ['containers']],
      ['CPU', 'thread.cpu', 8, 'AVG', 'SUM', 'sort'],
      ['USER', 'user.name', 12, 'NONE', 'NONE', ''],
      ['TH', 'proc.nthreads', 5, 'MAX', 'MAX', ''],
      ['VIRT', 'thread.vmsize.b', 9, 'MAX', 'MAX', ''],
      ['RES', 'thread.vmrss.b', 9, 'MAX', 'MAX', ''],
      ['FILE', 'evt.buflen.file', 8, 'TIME_AVG', 'SUM', ''],
      ['NET', 'evt.buflen.net', 8, 'TIME_AVG', 'SUM', ''],
      ['CONTAINER', 'container.name', 20, 'NONE', 'NONE', '', ['containers']],
      ['Command', 'proc.exeline', 0, 'MAX', 'NONE', ''],
    ]);
    expect(v).toMatchObject({
      name: 'Processes', viewType: 'table', filter: 'evt.type!=switch', isRoot: true,
      drilldownTarget: 'threads', useDefaults: true, tags: ['Default', 'wsysdig'], isHidden: false,
      drilldownIncreaseDepth: false, propagateFilter: true, spectroType: null,
    });
    expect(v.appliesTo.slice(0, 4)).toEqual(['', 'container.id', 'fd.name', 'fd.containername']);
    expect(v.columns[2]!.description).toBe('Process PID.');
    expect(v.actions.map((a) => a.hotkey).join('')).toBe('9cgklsf[]');
    expect(v.actions[0]).toEqual({ hotkey: '9', command: 'kill -9 %proc.pid', description: 'kill -9', askConfirmation: true, waitFinish: false });
    expect(v.actions[1]).toEqual({ hotkey: 'c', command: 'gcore %proc.pid', description: 'generate core', askConfirmation: false, waitFinish: true });
    expect(v.actions[5]!.command).toBe('gdb -p %proc.pid --batch --quiet -ex "thread apply all bt full" -ex "quit"');
  });

  it('connections matches v_connections.lua (one key per column set)', () => {
    const v = builtinOnly().get('connections')!;
    expect(cols(v)).toEqual([
      ['NA', 'fd.name', -1, 'NONE', 'NONE', 'key', ['default']],
      ['NA', 'fd.containername', -1, 'NONE', 'NONE', 'key', ['containers']],
      ['L4PROTO', 'fd.l4proto', 8, 'NONE', 'NONE', ''],
      ['LIP', 'fd.lip', 17, 'NONE', 'NONE', ''],
      ['LPORT', 'fd.lport', 8, 'NONE', 'NONE', ''],
      ['RIP', 'fd.rip', 17, 'NONE', 'NONE', ''],
      ['RPORT', 'fd.rport', 8, 'NONE', 'NONE', ''],
      ['BPS IN', 'evt.buflen.net.in', 12, 'TIME_AVG', 'NONE', 'sort'],
      ['BPS OUT', 'evt.buflen.net.out', 12, 'TIME_AVG', 'NONE', ''],
      ['IOPS', 'evt.count', 12, 'TIME_AVG', 'NONE', ''],
      ['Container', 'container.name', 20, 'NONE', 'NONE', '', ['containers']],
      ['Command', 'proc.exeline', 0, 'MAX', 'NONE', ''],
    ]);
    expect(v.filter).toBe("(fd.type=ipv4 or fd.type=ipv6) and fd.name!=''");
    expect(v.drilldownTarget).toBe('incoming_connections');
    expect(v.actions.map((a) => [a.hotkey, a.command, a.waitFinish])).toEqual([
      ['c', 'tcpdump -niany host %fd.lip and host %fd.rip and port %fd.lport and port %fd.rport', true],
      ['l', 'tcpdump -niany host %fd.lip', true],
      ['n', 'nslookup %fd.rip', true],
      ['P', 'ping %fd.rip', false],
      ['r', 'tcpdump -niany host %fd.rip', true],
      ['t', 'traceroute %fd.rip', true],
    ]);
  });

  it('files matches v_files.lua', () => {
    const v = builtinOnly().get('files')!;
    expect(cols(v)).toEqual([
      ['NA', 'fd.name', -1, 'NONE', 'NONE', 'key', ['default']],
      ['NA', 'fd.containername', -1, 'NONE', 'NONE', 'key', ['containers']],
      ['BYTES IN', 'evt.buflen.file.in', 12, 'SUM', 'NONE', ''],
      ['BYTES OUT', 'evt.buflen.file.out', 12, 'SUM', 'NONE', ''],
      ['OPS', 'evt.count.exit', 9, 'SUM', 'NONE', 'sort'],
      ['OPENS', 'evt.type.is.3', 9, 'SUM', 'NONE', ''],
      ['ERRORS', 'evt.count.error', 9, 'SUM', 'NONE', ''],
      ['Container', 'container.name', 20, 'NONE', 'NONE', '', ['containers']],
      ['FILENAME', 'fd.name', 0, 'NONE', 'NONE', ''],
    ]);
    expect(v.filter).toBe("(fd.type=file or fd.type=directory) and fd.name!=''");
    expect(v.drilldownTarget).toBe('procs');
    expect(v.actions).toEqual([{ hotkey: 'l', command: 'less %fd.name', description: 'less file', askConfirmation: false, waitFinish: false }]);
  });

  it('syscalls matches v_syscalls.lua', () => {
    const v = builtinOnly().get('syscalls')!;
    expect(cols(v)).toEqual([
      ['NA', 'evt.type', -1, 'NONE', 'NONE', 'key'],
      ['CALLS/S', 'evt.count', 10, 'TIME_AVG', 'NONE', 'sort'],
      ['TOT TIME', 'evt.latency', 10, 'SUM', 'NONE', ''],
      ['AVG TIME', 'evt.latency', 10, 'AVG', 'NONE', ''],
      ['SYSCALL', 'evt.type', 32, 'SUM', 'NONE', ''],
    ]);
    expect(v).toMatchObject({ filter: 'syscall.type exists', drilldownTarget: 'syscall_procs', useDefaults: true, actions: [] });
    expect(v.tips).toHaveLength(3);
  });

  it('keeps the less common properties', () => {
    const r = builtinOnly();
    expect(r.get('spectro_all')).toMatchObject({ viewType: 'spectrogram', useDefaults: false, appliesTo: ['evt.type'], drilldownTarget: null });
    expect(r.get('spy_users_wsysdig')).toMatchObject({ propagateFilter: false, tags: ['Default', 'wsysdig', 'nocsysdig'] });
    expect(r.get('file_opens')).toMatchObject({ viewType: 'list', filter: 'evt.type=open and evt.dir=<', useDefaults: false });
    expect(r.get('port_bindings')!.tags).toEqual(['default', 'wsysdig', 'nocsysdig']);
    expect(r.get('kubernetes_pods')).toMatchObject({ tags: [], filter: "k8s.pod.id != ''", drilldownTarget: 'containers' });
    expect(r.get('slow_io')!.drilldownTarget).toBeNull();
  });
});

describe('defaults (csysdig values for absent properties)', () => {
  it('fills every optional key', () => {
    const v = parseViewFile('x.yaml', 'id: x\nname: X\ncolumns:\n  - name: NA\n    field: proc.pid\n    is_key: true\n  - name: N\n    field: evt.count\nactions:\n  - hotkey: 9\n    command: kill %proc.pid\n');
    expect(v).toEqual({
      id: 'x', name: 'X', description: '', tips: [], tags: [], viewType: 'table', filter: '', appliesTo: [],
      isRoot: false, drilldownTarget: null, useDefaults: false, isHidden: false, drilldownIncreaseDepth: false,
      spectroType: null, propagateFilter: true, newestFirst: false, cumulative: false, rowEvents: 'process', source: 'x.yaml',
      columns: [
        { name: 'NA', field: 'proc.pid', description: '', colsize: -1, aggregation: 'NONE', groupbyAggregation: 'NONE', isKey: true, isGroupbyKey: false, isSorting: false, tags: [], filterField: null, filterInChildOnly: false, colors: null },
        { name: 'N', field: 'evt.count', description: '', colsize: -1, aggregation: 'NONE', groupbyAggregation: 'NONE', isKey: false, isGroupbyKey: false, isSorting: false, tags: [], filterField: null, filterInChildOnly: false, colors: null },
      ],
      actions: [{ hotkey: '9', command: 'kill %proc.pid', description: '', askConfirmation: false, waitFinish: true }],
    });
  });

  it('reads newest_first, cumulative and a column\'s colors', () => {
    const v = parseViewFile('x.yaml', 'id: x\nname: X\nview_type: list\nnewest_first: true\ncumulative: true\ncolumns:\n  - name: P\n    field: proc.name\n    colors:\n      bash: bold red\n      "1": green\n');
    expect([v.newestFirst, v.cumulative, v.columns[0]!.colors]).toEqual([true, true, { bash: 'bold red', '1': 'green' }]);
  });

  it('reads an empty drilldown_target / spectro_type as none, and filterfield on a key', () => {
    const v = parseViewFile('x.yaml', 'id: x\nname: X\ndrilldown_target: ""\nspectro_type: ""\ncolumns:\n  - name: NA\n    field: thread.nametid\n    filterfield: thread.tid\n    is_key: true\n  - name: N\n    field: evt.count\n');
    expect(v.drilldownTarget).toBeNull();
    expect(v.spectroType).toBeNull();
    expect(v.columns[0]!.filterField).toBe('thread.tid');
  });
});

describe('bad view files', () => {
  const cols = (...c: string[]) => `id: foo\nname: Foo\ncolumns:\n${c.join('')}`;
  const KEY = '  - name: NA\n    field: proc.pid\n    is_key: true\n';
  const VAL = '  - name: N\n    field: evt.count\n';

  // [what, file text, exact error]
  const cases: [string, string, string][] = [
    ['colors: an unknown colour', cols(KEY, '  - name: N\n    field: evt.count\n    colors:\n      Warning: orange\n'),
      "views/foo.yaml:10: columns[1].colors.Warning: expected a colour (black, red, green, yellow, blue, magenta, cyan, white, optionally 'bold COLOUR'), got 'orange'"],
    ['colors: not a mapping', cols(KEY, '  - name: N\n    field: evt.count\n    colors: red\n'),
      "views/foo.yaml:9: columns[1].colors: expected a mapping of cell texts to colour names, got 'red'"],
    ['YAML syntax error (unclosed flow list)', 'id: foo\nname: Foo\ntags: [a, b\ncolumns:\n  - name: X\n',
      'views/foo.yaml:4: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['YAML syntax error (unclosed quote)', 'id: foo\nname: "Foo\n',
      'views/foo.yaml:3: YAML syntax error: Missing closing "quote'],
    ['YAML syntax error (tab indent)', 'id: foo\n\tname: Foo\n',
      'views/foo.yaml:2: YAML syntax error: Tabs are not allowed as indentation'],
    ['duplicate YAML key', cols(KEY, VAL, '    field: evt.num\n'),
      "views/foo.yaml:9: YAML syntax error: duplicate key 'field'"],
    ['two YAML documents', 'id: foo\n---\nid: bar\n',
      'views/foo.yaml:2: YAML syntax error: a view file holds one YAML document (one view)'],
    ['empty file', '', "views/foo.yaml:1: expected a mapping (the view's keys), got nothing"],
    ['a list instead of a view', '- id: foo\n', "views/foo.yaml:1: expected a mapping (the view's keys), got a list"],
    ['unknown view key', 'id: foo\nname: Foo\ndrilldown: procs\ncolumns: []\n',
      'views/foo.yaml:3: drilldown: unknown key; known keys: id, name, description, tips, tags, view_type, filter, applies_to, is_root, drilldown_target, use_defaults, is_hidden, drilldown_increase_depth, propagate_filter, newest_first, cumulative, spectro_type, row_events, columns, actions'],
    ['unknown column key', cols(KEY, VAL, '    colsiz: 8\n'),
      "views/foo.yaml:9: columns[1].colsiz: unknown key (did you mean 'colsize'?); known keys: name, field, description, colsize, aggregation, groupby_aggregation, is_key, is_groupby_key, is_sorting, filterfield, filter_in_child_only, tags, colors"],
    ['unknown action key', cols(KEY, VAL) + 'actions:\n  - hotkey: k\n    command: kill %proc.pid\n    confirm: true\n',
      "views/foo.yaml:12: actions[0].confirm: unknown key; known keys: hotkey, command, description, ask_confirmation, wait_finish"],
    ['colsize not a number', cols(KEY, VAL, '    colsize: wide\n'),
      "views/foo.yaml:9: columns[1].colsize: expected a column width (an integer from 0 to 4096), got 'wide'"],
    ['negative colsize', cols(KEY, VAL, '    colsize: -3\n'),
      'views/foo.yaml:9: columns[1].colsize: expected a column width (an integer from 0 to 4096), got -3'],
    ['boolean written yes', cols('  - name: NA\n    field: proc.pid\n    is_key: yes\n', VAL),
      "views/foo.yaml:6: columns[0].is_key: expected true or false, got 'yes'"],
    ['string instead of a list', 'id: foo\nname: Foo\ntips: just one\n',
      "views/foo.yaml:3: tips: expected a list of strings, got 'just one'"],
    ['number in a string list', 'id: foo\nname: Foo\ntips:\n  - fine\n  - 3\n',
      'views/foo.yaml:5: tips[1]: expected a string, got 3'],
    ['columns as a mapping', 'id: foo\nname: Foo\ncolumns:\n  name: x\n',
      'views/foo.yaml:4: columns: expected a list of columns, got a mapping'],
    ['column as a scalar', cols('  - proc.pid\n'),
      "views/foo.yaml:4: columns[0]: expected a mapping (one column), got 'proc.pid'"],
    ['no columns', 'id: foo\nname: Foo\ncolumns: []\n', 'views/foo.yaml:3: columns: a view needs at least one column'],
    ['missing id', 'name: Foo\ncolumns:\n' + KEY + VAL, "views/foo.yaml:1: missing required key 'id'"],
    ['missing columns', 'id: foo\nname: Foo\n', "views/foo.yaml:1: missing required key 'columns'"],
    ['missing column field', cols(KEY, '  - name: N\n    colsize: 3\n'), "views/foo.yaml:7: columns[1]: missing required key 'field'"],
    ['missing action command', cols(KEY, VAL) + 'actions:\n  - hotkey: k\n', "views/foo.yaml:10: actions[0]: missing required key 'command'"],
    ['empty field', cols('  - name: NA\n    field: ""\n    is_key: true\n', VAL), 'views/foo.yaml:5: columns[0].field: must not be empty'],
    ['empty name', 'id: foo\nname:\ncolumns: []\n', 'views/foo.yaml:2: name: expected a string, got nothing'],
    ['bad id', 'id: my view\nname: Foo\n', "views/foo.yaml:1: id: expected a view id (letters, digits, '_', '.', '-'), got 'my view'"],
    ['bad aggregation', cols(KEY, VAL, VAL, VAL, '    aggregation: SOM\n'),
      "views/foo.yaml:13: columns[3].aggregation: expected one of NONE, SUM, AVG, TIME_AVG, MAX, MIN, DISTINCT, got 'SOM'"],
    ['lower-case groupby_aggregation', cols(KEY, VAL, '    groupby_aggregation: sum\n'),
      "views/foo.yaml:9: columns[1].groupby_aggregation: expected one of NONE, SUM, AVG, TIME_AVG, MAX, MIN, DISTINCT, got 'sum'"],
    ['bad view_type', 'id: foo\nname: Foo\nview_type: grid\ncolumns: []\n',
      "views/foo.yaml:3: view_type: expected one of table, list, spectrogram, got 'grid'"],
    ['hotkey of two characters', cols(KEY, VAL) + 'actions:\n  - hotkey: ab\n    command: ls\n',
      "views/foo.yaml:10: actions[0].hotkey: expected a single character, got 'ab'"],
    ['two key columns', cols(KEY, '  - name: NB\n    field: fd.name\n    is_key: true\n', VAL),
      'views/foo.yaml:9: columns[1].is_key: a table view needs exactly one is_key column, found 2 (columns[0], columns[1])'],
    ['no key column', cols(VAL, VAL), 'views/foo.yaml:4: columns: a table view needs exactly one is_key column, found none'],
    ['key only in the default column set', cols(KEY + '    tags: [default]\n', VAL),
      'views/foo.yaml:4: columns: a table view needs exactly one is_key column, found none (columns shown with -pc)'],
    ['two group-by keys', cols(KEY, '  - name: G1\n    field: proc.pid\n    is_groupby_key: true\n', '  - name: G2\n    field: proc.name\n    is_groupby_key: true\n', VAL),
      'views/foo.yaml:12: columns[2].is_groupby_key: more than one is_groupby_key column (columns[1], columns[2])'],
    ['key and group-by key on one column', cols(KEY + '    is_groupby_key: true\n', VAL),
      'views/foo.yaml:7: columns[0].is_groupby_key: a column cannot be both is_key and is_groupby_key'],
    ['only keys', cols(KEY, '  - name: G\n    field: proc.name\n    is_groupby_key: true\n'),
      'views/foo.yaml:4: columns: a table view needs at least one column besides its keys'],
    ['two sorting columns', cols(KEY, VAL, '    is_sorting: true\n', VAL, '    is_sorting: true\n'),
      'views/foo.yaml:12: columns[2].is_sorting: more than one is_sorting column (columns[1] is one already)'],
    ['list view with a key', 'id: foo\nname: Foo\nview_type: list\ncolumns:\n' + VAL + KEY,
      'views/foo.yaml:9: columns[1].is_key: a list view has no key column (each event is a row)'],
    ['list view with a group-by key', 'id: foo\nname: Foo\nview_type: list\ncolumns:\n' + VAL + '  - name: G\n    field: proc.name\n    is_groupby_key: true\n',
      'views/foo.yaml:9: columns[1].is_groupby_key: a list view cannot group rows (no is_groupby_key)'],
    ['filterfield on a value column', cols(KEY, VAL, '    filterfield: proc.name\n'),
      'views/foo.yaml:9: columns[1].filterfield: only a key column (is_key or is_groupby_key) can have a filterfield'],
    ['unknown alias', 'id: foo\nname: *nope\n', "views/foo.yaml:2: name: unknown YAML alias '*nope'"],
  ];

  it.each(cases)('%s', (_what, text, message) => {
    let err: unknown;
    try {
      parseViewFile('views/foo.yaml', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ViewFileError);
    expect((err as Error).message).toBe(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('exposes file, line and key path', () => {
    try {
      parseViewFile('views/foo.yaml', cols(KEY, VAL, VAL, VAL, '    aggregation: SOM\n'));
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ file: 'views/foo.yaml', line: 13, keyPath: 'columns[3].aggregation' });
    }
  });

  it('reports unknown fields through the validateField hook', () => {
    const validateField = (f: string) => (f.startsWith('proc.') || f.startsWith('evt.') ? null : `unknown field '${f}'`);
    const ok = cols(KEY, VAL);
    expect(() => parseViewFile('v.yaml', ok, { validateField })).not.toThrow();
    expect(thrown(() => parseViewFile('v.yaml', cols(KEY, '  - name: N\n    field: prc.name\n'), { validateField })))
      .toBe("v.yaml:8: columns[1].field: unknown field 'prc.name'");
    expect(thrown(() => parseViewFile('v.yaml', cols(KEY + '    filterfield: thred.tid\n', VAL), { validateField })))
      .toBe("v.yaml:7: columns[0].filterfield: unknown field 'thred.tid'");
  });

  it('rejects a duplicate id within one directory', () => {
    expect(thrown(() => loadViews([`${FIX}/dup-id`], { userDir: null })))
      .toBe(`${FIX}/dup-id/b.yaml:2: id: duplicate view id 'twin' (also in ${FIX}/dup-id/a.yaml:1)`);
  });

  it('rejects a drill-down target that names no view', () => {
    expect(thrown(() => loadViews([`${FIX}/dangling`], { userDir: null })))
      .toBe(`${FIX}/dangling/orphan.yaml:4: drilldown_target: no view with id 'nope'`);
    // Without the built-ins, a target among them dangles too.
    expect(thrown(() => loadViews([`${FIX}/override-a`], { builtinDir: null, userDir: null })))
      .toBe(`${FIX}/override-a/extra.yaml:4: drilldown_target: no view with id 'threads'`);
  });

  it('rejects a --views directory that does not exist', () => {
    expect(thrown(() => loadViews([`${FIX}/nowhere`], { userDir: null })))
      .toBe(`${FIX}/nowhere: cannot read views directory: no such directory`);
    expect(thrown(() => loadViews([`${FIX}/dangling/orphan.yaml`], { userDir: null })))
      .toBe(`${FIX}/dangling/orphan.yaml: cannot read views directory: not a directory`);
  });
});

describe('override precedence', () => {
  const saved = process.env.XDG_CONFIG_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
  });

  it('a --views directory replaces built-in views and adds new ones', () => {
    const r = loadViews([`${FIX}/override-a`], { userDir: null });
    expect(r.get('procs')).toMatchObject({ name: 'Processes A', source: `${FIX}/override-a/procs.yaml`, drilldownTarget: 'extra' });
    expect(r.get('extra')!.source).toBe(`${FIX}/override-a/extra.yaml`);
    expect(r.get('threads')!.source).toBe('views/threads.yaml');
    expect(r.overrides).toEqual([{ id: 'procs', source: `${FIX}/override-a/procs.yaml`, overridden: 'views/procs.yaml' }]);
    expect(r.dirs).toEqual(['views', `${FIX}/override-a`]);
    // Menu order follows the (new) names.
    const ids = r.list().map((v) => v.id);
    expect(ids.indexOf('extra')).toBeLessThan(ids.indexOf('files'));
    expect(r.all()).toHaveLength(TRANSLATED.length + TSYSDIG_VIEWS.length + 1);
  });

  it('a later --views directory wins over an earlier one', () => {
    const r = loadViews([`${FIX}/override-a`, `${FIX}/override-b`], { userDir: null });
    expect(r.get('procs')!.name).toBe('Processes B');
    expect(r.overrides.map((o) => [o.source, o.overridden])).toEqual([
      [`${FIX}/override-a/procs.yaml`, 'views/procs.yaml'],
      [`${FIX}/override-b/procs.yaml`, `${FIX}/override-a/procs.yaml`],
    ]);
    const reversed = loadViews([`${FIX}/override-b`, `${FIX}/override-a`], { userDir: null });
    expect(reversed.get('procs')!.name).toBe('Processes A');
  });

  it('the user views directory comes before --views directories, so the command line wins', () => {
    const r = loadViews([`${FIX}/override-a`, `${FIX}/override-b`], { userDir: `${FIX}/user` });
    expect(r.get('procs')).toMatchObject({ name: 'Processes B', source: `${FIX}/override-b/procs.yaml` });
    expect(r.dirs).toEqual(['views', `${FIX}/user`, `${FIX}/override-a`, `${FIX}/override-b`]);
    const userOnly = loadViews([], { userDir: `${FIX}/user` });
    expect(userOnly.get('procs')).toMatchObject({ name: 'Processes U', source: `${FIX}/user/procs.yaml` });
  });

  it('finds ~/.config/tsysdig/views (XDG_CONFIG_HOME) only when it exists', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-views-'));
    try {
      process.env.XDG_CONFIG_HOME = home;
      expect(userViewsDir()).toBe(path.join(home, 'tsysdig', 'views'));
      expect(loadViews([]).dirs).toEqual(['views']);
      fs.mkdirSync(userViewsDir(), { recursive: true });
      fs.copyFileSync(`${FIX}/user/procs.yaml`, path.join(userViewsDir(), 'procs.yaml'));
      const r = loadViews([]);
      expect(r.get('procs')!.name).toBe('Processes U');
      expect(r.get('procs')!.source).toBe(path.join(home, 'tsysdig', 'views', 'procs.yaml'));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('accepts the built-in and user directories listed in dirs too', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsysdig-views-'));
    try {
      process.env.XDG_CONFIG_HOME = home; // no tsysdig/views in it
      const r = loadViews([BUILTIN_VIEWS_DIR, `${FIX}/override-a`, userViewsDir()]);
      expect(r.dirs).toEqual(['views', `${FIX}/override-a`]);
      expect(r.get('procs')!.name).toBe('Processes A');
      expect(r.overrides).toHaveLength(1);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('a registry can be built from view objects', () => {
    const v = parseViewFile('a.yaml', 'id: a\nname: B\nis_root: true\ncolumns:\n  - name: NA\n    field: proc.pid\n    is_key: true\n  - name: N\n    field: evt.count\n');
    const hidden = { ...v, id: 'h', name: 'A', isHidden: true };
    const r = new ViewRegistry([v, hidden]);
    expect(r.list().map((x) => x.id)).toEqual(['a']);
    expect(r.all().map((x) => x.id)).toEqual(['h', 'a']);
    expect(r.get('h')!.isHidden).toBe(true);
    expect(r.defaultView()!.id).toBe('a');
  });
});

describe('docs/views.md worked example', () => {
  it('is the example fixture, and it loads next to the built-ins', () => {
    const text = fs.readFileSync(`${FIX}/example/container_file_writes.yaml`, 'utf8');
    expect(fs.readFileSync('docs/views.md', 'utf8')).toContain(text.replace(/^# .*\n/, ''));
    const r = loadViews([`${FIX}/example`], { userDir: null });
    const v = r.get('container_file_writes')!;
    expect(v.columns.find((c) => c.isSorting)!.name).toBe('BYTES OUT');
    expect(r.list().map((x) => x.id)).toContain('container_file_writes');
  });
});
