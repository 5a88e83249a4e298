/**
 * Reads a capture input for the text outputs (--raw, --json, --events, -w):
 * a file as a replay; a stream (`-r -`, a pipe, a FIFO, --ssh) as it
 * arrives, like live capture. A stream has no end of its own to wait for, so
 * SIGINT/SIGTERM/SIGHUP stop it cleanly (the caller still prints its final
 * table, and an ssh source stops the remote capture), and when the writer
 * ends it, one line on stderr says so.
 */
import { isStream, type CaptureInput } from '../capture/capture-input.js';
import type { CaptureSink } from '../capture/records.js';
import { readCapture, type ReadResult } from '../capture/scap-reader.js';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InputReadResult extends ReadResult {
  /** The signal that stopped a stream, if one did. */
  signal: NodeJS.Signals | null;
}

/** `tsysdig: end of stream from ssh root@node (1234 events)`. */
export function endOfStreamLine(input: CaptureInput, events: number): string {
  const name = typeof input === 'string' ? input : input.name;
  return `tsysdig: end of stream from ${name} (${events} event${events === 1 ? '' : 's'})`;
}

/** SIGINT/SIGTERM/SIGHUP abort `signal` (a second one exits at once) until dispose(). */
export function stopOnSignals(): { signal: AbortSignal; stoppedBy(): NodeJS.Signals | null; dispose(): void } {
  const ac = new AbortController();
  let stopSignal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    stopSignal = sig;
    ac.abort(new Error(`stopped by ${sig}`));
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    signal: ac.signal,
    stoppedBy: () => stopSignal,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    },
  };
}

export async function readInput(
  input: CaptureInput,
  sink: CaptureSink,
  opts: { onEnd?: (line: string) => void } = {},
): Promise<InputReadResult> {
  if (!isStream(input)) return { ...(await readCapture(input, sink)), signal: null };
  const stop = stopOnSignals();
  let events = 0;
  let stoppedBySink = false;
  // Streams only (their rate is the network's): counts events, and tells -n's stop from the stream's end.
  const counting: CaptureSink = {
    ...sink,
    onEvent: (ev) => {
      events++;
      const more = sink.onEvent(ev);
      if (more === false) stoppedBySink = true;
      return more;
    },
  };
  try {
    const r = await readCapture(input, counting, { signal: stop.signal });
    if (!stoppedBySink) (opts.onEnd ?? ((l) => process.stderr.write(l + '\n')))(endOfStreamLine(input, r.events));
    return { ...r, signal: null };
  } catch (err) {
    const sig = stop.stoppedBy();
    if (sig !== null) return { events, bytes: 0, signal: sig };
    throw err;
  } finally {
    stop.dispose();
  }
}
