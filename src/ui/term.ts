/**
 * The terminal: blessed sets it up (alternate screen, raw input, mouse,
 * terminfo), decodes keys and mouse reports and sends only the cells that
 * changed; tsysdig paints the cells itself through the Canvas interface.
 *
 * restore() gives the terminal back exactly once, whatever happens: normal
 * screen, visible cursor, mouse reporting off, cooked input. runUi installs
 * it on quit, signals and uncaught errors.
 */
import blessed from 'blessed';
import type { Canvas } from './canvas.js';
import { displayText } from './canvas.js';

/** What the application needs from a terminal (a fake one drives the UI in tests). */
export interface Display {
  readonly canvas: Canvas;
  readonly width: number;
  readonly height: number;
  /** Colours the terminal shows (terminfo); absent: 256. */
  readonly colours?: number;
  /** Sends the painted cells; shows the cursor at `cursor`, or hides it. */
  flush(cursor: { x: number; y: number } | null): void;
  /**
   * Hands the terminal to `fn` (normal screen, cooked input) and takes it
   * back afterwards; `key` resolves with the next key pressed meanwhile.
   */
  suspend<T>(fn: (io: SuspendedIo) => Promise<T>): Promise<T>;
}

export interface SuspendedIo {
  write(text: string): void;
  /** Waits for one key (raw mode), e.g. a y/N answer. */
  key(): Promise<string>;
  /** Cooked mode for a child process that reads the terminal itself. */
  cooked(on: boolean): void;
}

export type KeyHandler = (name: string, ch: string | undefined) => void;
export type MouseHandler = (m: { x: number; y: number; action: string }) => void;

/** The blessed key name for a keypress, normalised (see keys.ts for how names are used). */
function keyName(ch: string | undefined, key: blessed.KeyEvent | undefined): string {
  const full = key?.full ?? ch ?? '';
  // blessed reports CR twice: as 'enter' and as 'return'. Keep one; LF (C-j) is Enter too.
  if (full === 'return') return '';
  if (full === 'enter' || full === 'linefeed') return 'enter';
  if (full === 'space') return ' ';
  if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch <= '~' && !key?.ctrl && !key?.meta) return ch;
  return full;
}

/** Writes into blessed's cell buffer. */
class ScreenCanvas implements Canvas {
  constructor(private readonly screen: blessed.Screen) {}

  get width(): number {
    return this.screen.cols;
  }

  get height(): number {
    return this.screen.rows;
  }

  clear(): void {
    const d = this.screen.dattr;
    for (const line of this.screen.lines) {
      for (const cell of line) {
        if (cell[0] !== d || cell[1] !== ' ') {
          cell[0] = d;
          cell[1] = ' ';
          line.dirty = true;
        }
      }
    }
  }

  text(x: number, y: number, s: string, a: number, max = Infinity): number {
    const line = this.screen.lines[y];
    const t = displayText(s);
    const n = Math.min(t.length, max);
    if (line === undefined) return x + n;
    let col = x;
    for (let i = 0; i < n; i++, col++) {
      if (col < 0) continue;
      const cell = line[col];
      if (cell === undefined) break;
      const ch = t[i]!;
      if (cell[0] !== a || cell[1] !== ch) {
        cell[0] = a;
        cell[1] = ch;
        line.dirty = true;
      }
    }
    return x + n;
  }

  fill(x: number, y: number, w: number, a: number, ch = ' '): void {
    const line = this.screen.lines[y];
    if (line === undefined) return;
    for (let col = Math.max(0, x); col < x + w; col++) {
      const cell = line[col];
      if (cell === undefined) break;
      if (cell[0] !== a || cell[1] !== ch) {
        cell[0] = a;
        cell[1] = ch;
        line.dirty = true;
      }
    }
  }
}

export class Terminal implements Display {
  readonly screen: blessed.Screen;
  readonly canvas: Canvas;
  private restored = false;
  private suspended = false;
  private keyWaiter: ((k: string) => void) | null = null;
  private onKey: KeyHandler = () => {};
  private onMouse: MouseHandler = () => {};
  private onResize: () => void = () => {};

  constructor() {
    this.screen = blessed.screen({ smartCSR: true, warnings: false, autoPadding: false, fullUnicode: false, resizeTimeout: 50 });
    // blessed falls back to its own xterm description for terminfo it cannot parse (tmux-256color,
    // xterm-256color with extended numbers) and then believes only 8 colours exist.
    if (/256col|truecolor|direct/.test(process.env.TERM ?? '') || /truecolor|24bit/.test(process.env.COLORTERM ?? '')) {
      this.screen.tput.colors = 256;
      this.screen.program.tput.colors = 256;
    }
    // Box-drawing characters (the overview's panel borders) go out as UTF-8 on a UTF-8 terminal, not as
    // ACS letters between charset switches, which tmux's capture and some fonts show as letters (lqqk).
    const tput = this.screen.tput as unknown as { unicode: boolean; numbers: Record<string, unknown>; brokenACS: boolean };
    if (tput.unicode || tput.numbers.U8 === 1) tput.brokenACS = true;
    this.canvas = new ScreenCanvas(this.screen);
    this.screen.on('keypress', (ch: string | undefined, key: blessed.KeyEvent) => {
      const name = keyName(ch, key);
      if (name === '') return;
      if (this.keyWaiter !== null) {
        const w = this.keyWaiter;
        this.keyWaiter = null;
        w(name);
        return;
      }
      if (this.suspended) return;
      this.onKey(name, ch);
    });
    this.screen.on('mouse', (m: blessed.MouseData) => {
      if (!this.suspended) this.onMouse({ x: m.x, y: m.y, action: m.action });
    });
    this.sgrMouse();
    this.screen.on('resize', () => {
      if (!this.suspended) this.onResize();
    });
  }

  /**
   * SGR (1006) mouse reports: blessed asks xterm-likes for the X10/UTF-8
   * encodings, whose coordinates end at column 223 (X10) or come garbled;
   * SGR reports any column as decimal text, which blessed decodes too.
   */
  private sgrMouse(): void {
    const p = this.screen.program as unknown as { setMouse(opts: Record<string, boolean>, enable: boolean): void };
    p.setMouse({ sgrMouse: true }, true);
  }

  get width(): number {
    return this.screen.cols;
  }

  get height(): number {
    return this.screen.rows;
  }

  get colours(): number {
    return this.screen.tput.colors;
  }

  handlers(h: { key: KeyHandler; mouse: MouseHandler; resize: () => void }): void {
    this.onKey = h.key;
    this.onMouse = h.mouse;
    this.onResize = h.resize;
  }

  flush(cursor: { x: number; y: number } | null): void {
    if (this.restored || this.suspended) return;
    this.screen.draw(0, this.screen.lines.length - 1);
    const p = this.screen.program;
    if (cursor !== null) {
      p.cup(cursor.y, cursor.x);
      p.showCursor();
    } else p.hideCursor();
    p.flush();
  }

  async suspend<T>(fn: (io: SuspendedIo) => Promise<T>): Promise<T> {
    const p = this.screen.program;
    this.suspended = true;
    this.screen.leave();
    const input = p.input;
    const io: SuspendedIo = {
      write: (t) => {
        process.stdout.write(t);
      },
      key: () =>
        new Promise<string>((resolve) => {
          this.keyWaiter = resolve;
        }),
      cooked: (on) => {
        if (input.isTTY) input.setRawMode(!on);
        if (on) input.pause();
        else input.resume();
      },
    };
    try {
      return await fn(io);
    } finally {
      this.keyWaiter = null;
      if (!this.restored) {
        if (input.isTTY) input.setRawMode(true);
        input.resume();
        this.screen.enter();
        p.enableMouse();
        this.sgrMouse();
        this.screen.alloc(true);
        this.suspended = false;
      }
    }
  }

  /** Gives the terminal back (idempotent; safe from signal and error handlers). */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    try {
      this.screen.destroy();
    } catch {
      // Fall back to the raw sequences: leave the alternate screen, show the cursor, mouse off.
      try {
        process.stdout.write('\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?1049l\x1b[?25h\x1b[0m');
        if (process.stdin.isTTY) process.stdin.setRawMode(false);
      } catch {
        // The terminal is gone (SIGHUP): nothing left to restore.
      }
    }
  }
}
