/**
 * The big-capture UI row of `npm run bench`, in its own process:
 *   node dist/bench/ui-drill.js FILE [--reread]
 * The full-screen application (App: session, views, drill-down stack) on a
 * headless display, replaying FILE in the procs view: time to the table
 * (the whole capture read), Enter on the first row (its threads), Backspace,
 * and Enter again. `--reread` runs the UI as before prepared drill-downs
 * (every screen reads the capture again): the "before" figures.
 * Prints one JSON line: {events, tableMs, drillMs, backMs, drill2Ms, reads, maxRssKb}.
 */
import { FieldRegistry } from '../fields/registry.js';
import { ReplaySource } from '../session/replay-source.js';
import { App } from '../ui/app.js';
import { TextCanvas } from '../ui/canvas.js';
import type { Display, SuspendedIo } from '../ui/term.js';
import { loadViews } from '../view/view-loader.js';

class HeadlessDisplay implements Display {
  readonly canvas: TextCanvas;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.canvas = new TextCanvas(width, height);
  }
  flush(): void {}
  suspend<T>(fn: (io: SuspendedIo) => Promise<T>): Promise<T> {
    return fn({ write: () => {}, key: async () => 'n', cooked: () => {} });
  }
}

/** Milliseconds until `app` shows screen `screen` read to the end (polled every 2 ms). */
async function settled(app: App, screen: string, t0: number): Promise<number> {
  for (;;) {
    const st = app.state;
    if (st.screen === screen && !st.reading) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: ui-drill FILE [--reread]');
  const reread = process.argv.includes('--reread');
  const source = new ReplaySource(file);
  const app = new App({
    views: loadViews([], { userDir: null }),
    fields: new FieldRegistry({ screenWidth: 160 }),
    source,
    display: new HeadlessDisplay(160, 45),
    view: 'procs',
    filter: '',
    intervalMs: 2000,
    tag: 'default',
    version: 'bench',
    keepReplayTables: !reread,
  });
  const done = app.run();
  let t0 = performance.now();
  const tableMs = await settled(app, 'procs', t0);
  const rows = app.state.rows;
  app.handleKey('home');
  t0 = performance.now();
  app.handleKey('enter');
  const drillMs = await settled(app, 'threads', t0);
  t0 = performance.now();
  app.handleKey('backspace');
  const backMs = await settled(app, 'procs', t0);
  t0 = performance.now();
  app.handleKey('enter');
  const drill2Ms = await settled(app, 'threads', t0);
  const { reads, events } = app.state;
  app.quit();
  await done;
  process.stdout.write(JSON.stringify({ events, rows, tableMs, drillMs, backMs, drill2Ms, reads, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`ui-drill: ${(err as Error).message}\n`);
  process.exit(1);
});
