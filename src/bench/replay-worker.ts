/**
 * One benchmark run in its own process (so peak RSS belongs to it alone):
 *   node dist/bench/replay-worker.js MODE FILE
 * MODE: `read` (capture reader only), `state` (reader + state engine),
 *       `view:ID` (reader + state + the view: a sample every 2 s of capture time, then the whole-capture table),
 *       `final:ID` (the whole-capture table only: the same work as csysdig on a file).
 * Prints one JSON line: {mode, events, ms, maxRssKb}.
 */
import { readCapture } from '../capture/scap-reader.js';
import { StateEngine } from '../state/engine.js';
import { runViewReplay } from '../cli/view-command.js';

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (mode === undefined || file === undefined) throw new Error('usage: replay-worker MODE FILE');
  const t0 = process.hrtime.bigint();
  let events = 0;
  if (mode === 'read') {
    await readCapture(file, { onEvent: () => void events++ });
  } else if (mode === 'state') {
    const engine = new StateEngine();
    await readCapture(
      file,
      engine.sink((ev) => {
        engine.process(ev);
        events++;
      }),
    );
  } else if (mode.startsWith('view:')) {
    events = await runViewReplay({ file, viewId: mode.slice(5), output: 'none' });
  } else if (mode.startsWith('final:')) {
    events = await runViewReplay({ file, viewId: mode.slice(6), output: 'none', finalOnly: true });
  } else throw new Error(`unknown mode ${mode}`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ mode, events, ms, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`replay-worker: ${(err as Error).message}\n`);
  process.exit(1);
});
