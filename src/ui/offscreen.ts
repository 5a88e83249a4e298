/**
 * An off-screen blessed screen: blessed-contrib's widgets (line and bar
 * charts, tables, logs) render into its cell buffer, and blit() copies
 * those cells onto our Canvas. The widgets never see the terminal: keys,
 * the terminal's modes and its restore stay with the application (term.ts),
 * and the same drawing works on the in-memory TextCanvas of the tests.
 *
 * The screen's program writes its set-up sequences into a sink that drops
 * them; nothing is ever drawn from it (Screen.draw is not called).
 */
import blessed from 'blessed';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { attr, DEFAULT, type Canvas } from './canvas.js';

/** A blessed element as the overview uses it (blessed-contrib widgets are elements). */
export interface OffscreenElement {
  render(): void;
  setData(...data: unknown[]): void;
  setContent(text: string): void;
  hide(): void;
  show(): void;
  readonly hidden: boolean;
}

/** Loads a blessed-contrib widget factory by its module path (the package index would load every widget, map and markdown included). */
export function contribWidget<T extends OffscreenElement>(path: string): (options: Record<string, unknown>) => T {
  const require = createRequire(import.meta.url);
  return require(`blessed-contrib/lib/widget/${path}`) as (options: Record<string, unknown>) => T;
}

interface ScreenInternals {
  lines: blessed.Line[];
  append(el: unknown): void;
  destroy(): void;
  _borderStops: Record<number, boolean>;
}

export class OffscreenScreen {
  private readonly screen: ScreenInternals;
  private readonly elements: OffscreenElement[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const output = Object.assign(new PassThrough(), { columns: width, rows: height, isTTY: true });
    output.resume();
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    const program = (blessed as unknown as { program(o: Record<string, unknown>): unknown }).program({ output, input, terminal: 'xterm-256color', tput: true });
    this.screen = (blessed.screen as unknown as (o: Record<string, unknown>) => ScreenInternals)({
      program,
      warnings: false,
      autoPadding: false,
      fullUnicode: false,
      handleUncaughtExceptions: false,
    });
  }

  /** Makes a widget on this screen (blessed-contrib charts size their canvas when attached). */
  add<T extends OffscreenElement>(make: (options: Record<string, unknown>) => T, options: Record<string, unknown>): T {
    // The screen is named: with the terminal's screen also alive, blessed would otherwise guess.
    const el = make({ ...options, screen: this.screen });
    this.screen.append(el);
    this.elements.push(el);
    return el;
  }

  /** Renders every widget into the cell buffer. */
  paint(): void {
    for (const line of this.screen.lines) for (const cell of line) {
      cell[0] = attr(DEFAULT, DEFAULT);
      cell[1] = ' ';
    }
    // Screen.render() resets these before rendering its children; bordered elements record into them.
    this.screen._borderStops = {};
    for (const el of this.elements) if (!el.hidden) el.render();
  }

  /**
   * Copies the cells to `cv` at (x0, y0). Without colour only the bold,
   * underline and inverse flags are kept.
   */
  blit(cv: Canvas, x0: number, y0: number, colour: boolean): void {
    for (let y = 0; y < this.height; y++) {
      const line = this.screen.lines[y];
      if (line === undefined) break;
      for (let x = 0; x < this.width; x++) {
        const cell = line[x];
        if (cell === undefined) break;
        const a = colour ? cell[0] : attr(DEFAULT, DEFAULT, (cell[0] >> 18) & 0xb);
        cv.text(x0 + x, y0 + y, cell[1], a, 1);
      }
    }
  }

  destroy(): void {
    this.screen.destroy();
  }
}
