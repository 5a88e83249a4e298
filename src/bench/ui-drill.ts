/**
 * The big-capture UI row of `npm run bench`, in its own process:
 *   node dist/bench/ui-drill.js FILE [--reread]
 * The full-screen application (App: session, views, drill-down stack) on a
 * headless display, replaying FILE in the procs view: time to the table
 * (the whole capture read), Enter on the first row (its threads), Backspace,
 * and Enter again. `--reread` runs the UI as before prepared drill-downs
 * (every screen reads the capture again): the "before" figures.
 * Prints one JSON line: {events, rows, table, drill, back, drill2, reads, maxRssKb},
 * each step as {ms, cpuMs}: wall time, and this process's CPU time (on a
 * shared machine the wall time also counts waiting for a core).
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

/** Wall and CPU milliseconds (this process: user + system) since `t0`. */
interface Took {
  ms: number;
  cpuMs: number;
}

function mark(): { wall: number; cpu: NodeJS.CpuUsage } {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

/** Until `app` shows screen `screen` read to the end (polled every 2 ms): wall and CPU time since `t0`. */
async function settled(app: App, screen: string, t0: ReturnType<typeof mark>): Promise<Took> {
  for (;;) {
    const st = app.state;
    if (st.screen === screen && !st.reading) {
      const c = process.cpuUsage(t0.cpu);
      return { ms: performance.now() - t0.wall, cpuMs: (c.user + c.system) / 1000 };
    }
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
  let t0 = mark();
  const table = await settled(app, 'procs', t0);
  const rows = app.state.rows;
  app.handleKey('home');
  t0 = mark();
  app.handleKey('enter');
  const drill = await settled(app, 'threads', t0);
  t0 = mark();
  app.handleKey('backspace');
  const back = await settled(app, 'procs', t0);
  t0 = mark();
  app.handleKey('enter');
  const drill2 = await settled(app, 'threads', t0);
  const { reads, events } = app.state;
  app.quit();
  await done;
  process.stdout.write(JSON.stringify({ events, rows, table, drill, back, drill2, reads, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`ui-drill: ${(err as Error).message}\n`);
  process.exit(1);
});
