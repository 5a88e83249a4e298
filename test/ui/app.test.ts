/**
 * The application driven in-process: a text canvas instead of a terminal,
 * the real replay, views and fields. Fast checks of the interaction logic;
 * tmux-e2e.test.ts checks the same things on a real terminal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import { App } from '../../src/ui/app.js';
import { ReplaySource } from '../../src/session/replay-source.js';
import { loadViews } from '../../src/view/view-loader.js';
import { FakeDisplay, untilScreen } from '../helpers/fake-display.js';
import { GOLDEN, ROOT } from '../helpers/fixtures.js';

const views = loadViews([], { userDir: null });
const apps: App[] = [];

function open(view = 'procs', filter = ''): { app: App; d: FakeDisplay } {
  const d = new FakeDisplay(160, 45);
  const app = new App({
    views,
    fields: new FieldRegistry({ screenWidth: 160 }),
    source: new ReplaySource('test/fixtures/libs_curl_google.scap'),
    display: d,
    view,
    filter,
    intervalMs: 2000,
    tag: 'default',
    version: 'test',
  });
  void app.run();
  apps.push(app);
  return { app, d };
}

const until = untilScreen;

const loaded = (l: string[]): boolean => /\d+\/\d+\(\d+\.\d%\)$/.test(l[44] ?? '');

afterEach(() => {
  for (const a of apps.splice(0)) a.quit();
});

describe('App (in-process)', () => {
  it('draws the same first screen as the terminal golden', async () => {
    process.chdir(ROOT);
    const { d } = open();
    const lines = await until(d, loaded, 'the table');
    const golden = readFileSync(join(GOLDEN, 'ui', 'procs-160x45.txt'), 'utf8');
    expect(lines.join('\n') + '\n').toBe(golden);
  });

  it('drills down, switches view in the selection, and unwinds with Backspace', async () => {
    process.chdir(ROOT);
    const { app, d } = open();
    await until(d, loaded, 'the table');
    app.handleKey('C-f');
    for (const c of 'curl -6') app.handleKey(c, c);
    app.handleKey('enter');
    app.handleKey('enter');
    let l = await until(d, (x) => x[0]!.startsWith('Viewing: Threads For: proc.pid=17497') && loaded(x), 'threads');
    expect(app.state.filter).toBe('((evt.type!=switch) and proc.pid=17497) and (evt.type!=switch)');
    // F2 at this level offers the views applying to proc.pid; pick Files.
    app.handleKey('f2');
    l = d.canvas.lines();
    expect(l[2]).toMatch(/^Select View/);
    const files = l.findIndex((x) => /^Files( |$)/.test(x));
    const cur = l.findIndex((x) => /^Threads( |$)/.test(x));
    for (let i = 0; i < Math.abs(files - cur); i++) app.handleKey(files > cur ? 'down' : 'up');
    app.handleKey('enter');
    l = await until(d, (x) => x[0]!.startsWith('Viewing: Files For: proc.pid=17497 and proc.pid=17497') && loaded(x), 'files of curl');
    expect(l.some((x) => x.includes('/etc/resolv.conf'))).toBe(true);
    expect(app.state.hierarchy).toHaveLength(2);
    app.handleKey('backspace');
    await until(d, (x) => x[0]!.startsWith('Viewing: Threads For: proc.pid=17497') && loaded(x), 'threads again');
    app.handleKey('backspace');
    l = await until(d, (x) => x[0]!.startsWith('Viewing: Processes For: whole machine') && loaded(x), 'processes again');
    expect(app.state.hierarchy).toHaveLength(0);
    expect(l[44]).toMatch(/ 17\/32\(53\.1%\)$/);
  });

  it('replay: Enter shows the prepared table and Backspace the kept one, without reading again, equal to a re-read', async () => {
    process.chdir(ROOT);
    const { app, d } = open();
    const top = await until(d, loaded, 'the table');
    expect(app.state.reads).toBe(1);
    app.handleKey('C-f');
    for (const c of 'curl -6') app.handleKey(c, c);
    app.handleKey('enter');
    const before = d.canvas.lines();
    app.handleKey('enter');
    // Drawn by the key press itself: no read, no wait.
    const threads = d.canvas.lines();
    expect(threads[0]).toMatch(/^Viewing: Threads For: proc.pid=17497/);
    expect(loaded(threads)).toBe(true);
    expect(app.state.reads).toBe(1);
    expect(app.state.filter).toBe('((evt.type!=switch) and proc.pid=17497) and (evt.type!=switch)');
    // The same table as a read of the capture under that filter.
    const { d: d2 } = open('threads', 'proc.pid=17497');
    const reread = await until(d2, loaded, 'threads of curl, read');
    expect(threads.slice(2)).toEqual(reread.slice(2));
    app.handleKey('backspace');
    const back = d.canvas.lines();
    expect(app.state.reads).toBe(1);
    expect(back.slice(1)).toEqual(before.slice(1));
    // Again: the kept table kept its drill-down tables.
    app.handleKey('enter');
    expect(d.canvas.lines()).toEqual(threads);
    expect(app.state.reads).toBe(1);
    // A target that was not prepared (F2 to another view) reads the capture.
    app.handleKey('f2');
    const l = d.canvas.lines();
    const files = l.findIndex((x) => /^Files( |$)/.test(x));
    const cur = l.findIndex((x) => /^Threads( |$)/.test(x));
    for (let i = 0; i < Math.abs(files - cur); i++) app.handleKey(files > cur ? 'down' : 'up');
    app.handleKey('enter');
    expect(app.state.reads).toBe(2);
    await until(d, (x) => x[0]!.startsWith('Viewing: Files For: proc.pid=17497') && loaded(x), 'files');
    app.handleKey('backspace');
    expect(d.canvas.lines()).toEqual(threads);
    app.handleKey('backspace');
    expect(d.canvas.lines().slice(1)).toEqual(before.slice(1));
    // Another row: prepared as well.
    app.handleKey('home');
    app.handleKey('enter');
    expect(d.canvas.lines()[0]).toMatch(/^Viewing: Threads For: proc.pid=17496/);
    app.handleKey('backspace');
    expect(d.canvas.lines().slice(2, 44)).toEqual(top.slice(2, 44));
    expect(app.state.reads).toBe(2);
  });

  it('keeps the UI running on a bad filter and shows where the error is', async () => {
    process.chdir(ROOT);
    const { app, d } = open();
    await until(d, loaded, 'the table');
    app.handleKey('f4');
    app.handleKey('f2');
    app.handleKey('C-u');
    for (const c of 'proc.name = = curl') app.handleKey(c, c);
    app.handleKey('enter');
    const l = d.canvas.lines();
    expect(l[42]).toContain('Invalid filter: filter error at position');
    const caret = l[43]!.indexOf('^');
    expect(caret).toBeGreaterThan(0);
    expect(d.cursor).not.toBeNull();
    app.handleKey('escape');
    expect(d.cursor).toBeNull();
    expect(d.canvas.lines()[44]).toMatch(/^F1Help  F2Views/);
  });

  it('lists views show one row per event', async () => {
    process.chdir(ROOT);
    const { d } = open('file_opens');
    const l = await until(d, loaded, 'the list');
    expect(l[2]).toMatch(/^TIME +RES +FILE +Command/);
    expect(l[3]).toMatch(/^17:35:48\.514682170 SUCCESS \/etc\/ld\.so\.cache/);
  });

  it('echo switches buffer format with F2', async () => {
    process.chdir(ROOT);
    const { app, d } = open();
    await until(d, loaded, 'the table');
    app.handleKey('C-f');
    for (const c of 'curl -6') app.handleKey(c, c);
    app.handleKey('enter');
    app.handleKey('f5');
    await until(d, (x) => x[0]!.startsWith('Viewing: I/O activity') && loaded(x), 'echo');
    app.handleKey('f2');
    app.handleKey('end');
    app.handleKey('enter');
    const l = await until(d, (x) => x.some((y) => y.includes('0x0000:')) && loaded(x), 'hex echo');
    expect(l.find((y) => y.includes('0x0000:'))).toMatch(/0x0000: 7f45 4c46 0201 0100 0000 0000 0000 0000  \.ELF\.+/);
  });
});
