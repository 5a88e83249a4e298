/**
 * A Display without a terminal, for driving the App in-process: it paints
 * on a TextCanvas; suspend() answers 'y' to any question.
 */
import { TextCanvas } from '../../src/ui/canvas.js';
import type { Display, SuspendedIo } from '../../src/ui/term.js';

export class FakeDisplay implements Display {
  readonly canvas: TextCanvas;
  flushes = 0;
  cursor: { x: number; y: number } | null = null;
  constructor(
    readonly width: number,
    readonly height: number,
    /** What the terminal would report (the overview draws text below 8). */
    readonly colours = 256,
  ) {
    this.canvas = new TextCanvas(width, height);
  }
  flush(cursor: { x: number; y: number } | null): void {
    this.flushes++;
    this.cursor = cursor;
  }
  async suspend<T>(fn: (io: SuspendedIo) => Promise<T>): Promise<T> {
    return fn({ write: () => {}, key: async () => 'y', cooked: () => {} });
  }
}

/** Polls the canvas until `check` holds; throws with the last screen after `timeoutMs`. */
export async function untilScreen(d: FakeDisplay, check: (lines: string[]) => boolean, what: string, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = d.canvas.lines();
    if (check(l)) return l;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${l.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
