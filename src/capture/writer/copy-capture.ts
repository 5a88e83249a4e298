/**
 * Re-capture: `tsysdig -r in.scap -w out.scap [-z] [FILTER]`.
 *
 * Reads `inPath` through the reader and the state engine, writes the state
 * at the first event as the new capture's snapshot (as sysdig does when it
 * starts a dump) and then the events. With a filter, events it rejects are
 * dropped, except internal ones (container and procinfo events...), which
 * sysdig keeps in filtered dumps too because they carry state.
 */
import type { CaptureInput } from '../capture-input.js';
import { readCapture } from '../scap-reader.js';
import type { ScapEvent } from '../../event/scap-event.js';
import { EventCategory } from '../../event/types.js';
import { StateEngine } from '../../state/engine.js';
import type { ThreadInfo } from '../../state/thread-info.js';
import { ScapWriter } from './scap-writer.js';

export interface CopyOptions {
  /** gzip the output (-z). */
  gzip?: boolean;
  /** Keep an event when this returns true; it runs after the engine parsed the event. */
  filter?: (ev: ScapEvent, engine: StateEngine) => boolean;
  /** Reader warnings (unknown block or event types...). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Only these threads go into the copy's process and fd lists (e.g. to share a capture without the rest of the machine). */
  keepThread?: (t: ThreadInfo) => boolean;
  /** Writer chunk size (tests). */
  chunkSize?: number;
}

export interface CopyResult {
  /** Events read from the input. */
  eventsRead: number;
  /** Events written (internal events included). */
  eventsWritten: number;
  /** Size of the output file. */
  fileBytes: number;
}

/**
 * Copies a capture. Rejects with the reader's CaptureError for a damaged
 * input (after writing every event before the damage, and closing the output
 * so it is complete up to there), or with the writer's CaptureWriteError.
 */
export async function copyCapture(inPath: CaptureInput, outPath: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const engine = new StateEngine();
  const writer = await ScapWriter.open(outPath, { gzip: opts.gzip, chunkSize: opts.chunkSize });
  const filter = opts.filter;
  let snapshotDone = false;
  let eventsRead = 0;
  const snapshot = (tsNs?: bigint): void => {
    snapshotDone = true;
    writer.writeSnapshot(engine, undefined, { tsNs, keepThread: opts.keepThread });
  };
  const sink = engine.sink((ev) => {
    if (!snapshotDone) snapshot(ev.tsBig());
    eventsRead++;
    engine.process(ev);
    if (filter === undefined || (ev.info.category & EventCategory.INTERNAL) !== 0 || filter(ev, engine)) writer.writeEvent(ev);
  }, opts.onWarning);
  try {
    await readCapture(inPath, sink, { signal: opts.signal });
    if (!snapshotDone) snapshot();
  } catch (err) {
    // Keep what was copied (whole blocks); the first error is the one to report.
    try {
      if (!snapshotDone && writer.failed === null) snapshot();
    } catch {
      // already failing: the reader's error is the one to report
    }
    await writer.close().catch(() => undefined);
    throw err;
  }
  await writer.close();
  return { eventsRead, eventsWritten: writer.events, fileBytes: writer.fileBytes };
}
