/**
 * The one-line prompt that replaces the function-key menu while the user
 * types a filter (F4), a search (CTRL+F) or a line number (CTRL+G):
 *
 *   F1Help  F2Text  EnterDone  EscClear  Expression: proc.name=curl
 *
 * F4 starts in csysdig's free-text mode ("Text to match:", the table is
 * narrowed as you type); F2 switches to a sysdig filter expression, which is
 * compiled when Enter is pressed. A bad expression keeps the prompt open and
 * shows the error where it is: the message above the prompt, a caret under
 * the offending text and that text in red, so the user can fix it in place.
 */
import { FilterError } from '../filter/errors.js';
import type { Canvas } from './canvas.js';
import { C } from './colors.js';
import type { MenuHit } from './footer.js';

export type PromptKind = 'filter' | 'search' | 'find' | 'goto';

export interface PromptError {
  message: string;
  /** Offending span in the text, when known. */
  start: number;
  end: number;
}

export class Prompt {
  text = '';
  cursor = 0;
  error: PromptError | null = null;
  /** "NOT FOUND" after a failed search. */
  notFound = false;

  constructor(
    readonly kind: PromptKind,
    /** Filter prompts: sysdig expression (true) or free text (false). */
    public sysdig = false,
    initial = '',
  ) {
    this.set(initial);
  }

  set(text: string): void {
    this.text = text;
    this.cursor = text.length;
    this.error = null;
  }

  label(): string {
    switch (this.kind) {
      case 'filter':
        return this.sysdig ? 'Expression: ' : 'Text to match: ';
      case 'find':
        return 'Text: ';
      case 'goto':
        return 'Line: ';
      default:
        return 'Text to match: ';
    }
  }

  /**
   * Editing keys; returns true when the text changed. Handles printable
   * characters, backspace, delete, left/right, home/end, CTRL+U (clear to
   * start), CTRL+K (clear to end).
   */
  edit(name: string, ch: string | undefined): boolean {
    const t = this.text;
    switch (name) {
      case 'backspace':
        if (this.cursor === 0) return false;
        this.text = t.slice(0, this.cursor - 1) + t.slice(this.cursor);
        this.cursor--;
        break;
      case 'delete':
        if (this.cursor >= t.length) return false;
        this.text = t.slice(0, this.cursor) + t.slice(this.cursor + 1);
        break;
      case 'left':
        this.cursor = Math.max(0, this.cursor - 1);
        return false;
      case 'right':
        this.cursor = Math.min(t.length, this.cursor + 1);
        return false;
      case 'home':
      case 'C-a':
        this.cursor = 0;
        return false;
      case 'end':
      case 'C-e':
        this.cursor = t.length;
        return false;
      case 'C-u':
        this.text = t.slice(this.cursor);
        this.cursor = 0;
        break;
      case 'C-k':
        this.text = t.slice(0, this.cursor);
        break;
      default:
        if (ch === undefined || ch.length !== 1 || ch < ' ' || ch > '~') return false;
        this.text = t.slice(0, this.cursor) + ch + t.slice(this.cursor);
        this.cursor++;
    }
    this.error = null;
    this.notFound = false;
    return true;
  }

  /** Records a compile error (FilterError carries the position; others point at the whole text). */
  setError(err: unknown): void {
    if (err instanceof FilterError) {
      this.error = { message: err.message, start: err.position, end: Math.max(err.end, err.position + 1) };
    } else {
      this.error = { message: err instanceof Error ? err.message : String(err), start: 0, end: this.text.length };
    }
  }

  /**
   * Draws the prompt on line y (and the error on the two lines above).
   * Returns the cursor's screen column and the clickable menu areas.
   */
  render(cv: Canvas, y: number): { cursorX: number; hits: MenuHit[] } {
    const w = cv.width;
    cv.fill(0, y, w, C.normal);
    const hits: MenuHit[] = [];
    let k = 0;
    const item = (key: string, label: string, action: string): void => {
      const x0 = k;
      k = cv.text(k, y, key, C.normal);
      k = cv.text(k, y, label.padEnd(6), C.highlight);
      hits.push({ x0, x1: k - 1, action });
    };
    item('F1', 'Help', 'f1');
    if (this.kind === 'filter') item('F2', this.sysdig ? 'Text' : 'sysdig', 'f2');
    item('Enter', 'Done', 'enter');
    item('Esc', 'Clear', 'escape');
    k++;
    cv.fill(k, y, w - k, C.highlight);
    k = cv.text(k, y, this.label(), C.highlight);
    // Scroll long text so that the cursor stays visible.
    const room = Math.max(1, w - k - 1);
    const off = this.cursor > room - 1 ? this.cursor - (room - 1) : 0;
    const shown = this.text.slice(off, off + room);
    cv.text(k, y, shown, C.highlight);
    const e = this.error;
    if (e !== null) {
      const s = Math.max(0, e.start - off);
      const en = Math.min(shown.length, e.end - off);
      if (en > s) cv.text(k + s, y, shown.slice(s, en), C.failed);
      // Caret line under the message, pointing at the error.
      const caretX = k + Math.min(room, Math.max(0, e.start - off));
      cv.fill(0, y - 1, w, C.normal);
      cv.text(caretX, y - 1, '^' + '~'.repeat(Math.max(0, Math.min(e.end - e.start, room) - 1)), C.error);
      const msg = ` Invalid filter: ${e.message} `;
      cv.fill(0, y - 2, w, C.normal);
      cv.text(Math.max(0, Math.min(caretX, w - msg.length)), y - 2, msg, C.error, w);
    }
    return { cursorX: k + this.cursor - off, hits };
  }
}
