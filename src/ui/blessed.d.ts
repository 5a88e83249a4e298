/**
 * The small part of blessed 0.1.81 the UI uses (there is no @types/blessed
 * in this project). tsysdig draws into the screen's cell buffer itself and
 * lets blessed do terminal set-up, input decoding and diffed output.
 */
declare module 'blessed' {
  import type { EventEmitter } from 'node:events';

  namespace blessed {
    /** One cell: [attribute, character]. attr = (flags << 18) | (fg << 9) | bg. */
    type Cell = [number, string];
    interface Line extends Array<Cell> {
      dirty: boolean;
    }

    interface KeyEvent {
      name?: string;
      full: string;
      sequence?: string;
      ctrl?: boolean;
      meta?: boolean;
      shift?: boolean;
    }

    interface MouseData {
      x: number;
      y: number;
      action: 'mousedown' | 'mouseup' | 'mousemove' | 'wheelup' | 'wheeldown' | string;
      button?: 'left' | 'right' | 'middle' | 'unknown';
    }

    interface Tput {
      colors: number;
      terminal: string;
    }

    interface Program extends EventEmitter {
      x: number;
      y: number;
      isAlt: boolean;
      tput: Tput;
      showCursor(): void;
      hideCursor(): void;
      cup(row: number, col: number): void;
      flush(): void;
      normalBuffer(): void;
      alternateBuffer(): void;
      enableMouse(): void;
      disableMouse(): void;
      _write(text: string): void;
      input: NodeJS.ReadStream;
      output: NodeJS.WriteStream;
    }

    interface ScreenOptions {
      smartCSR?: boolean;
      fastCSR?: boolean;
      useBCE?: boolean;
      fullUnicode?: boolean;
      forceUnicode?: boolean;
      warnings?: boolean;
      autoPadding?: boolean;
      terminal?: string;
      title?: string;
      input?: NodeJS.ReadableStream;
      output?: NodeJS.WritableStream;
      resizeTimeout?: number;
      dump?: string | boolean;
      log?: string;
      sendFocus?: boolean;
    }

    interface Screen extends EventEmitter {
      lines: Line[];
      olines: Line[];
      rows: number;
      cols: number;
      width: number;
      height: number;
      dattr: number;
      program: Program;
      tput: Tput;
      destroyed?: boolean;
      render(): void;
      draw(start: number, end: number): void;
      alloc(dirty?: boolean): void;
      realloc(): void;
      enter(): void;
      leave(): void;
      destroy(): void;
      enableMouse(): void;
      on(event: 'keypress', listener: (ch: string | undefined, key: KeyEvent) => void): this;
      on(event: 'mouse', listener: (data: MouseData) => void): this;
      on(event: 'resize', listener: () => void): this;
      on(event: string, listener: (...args: any[]) => void): this;
    }

    function screen(options?: ScreenOptions): Screen;
  }

  export = blessed;
}
