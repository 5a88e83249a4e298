/**
 * Key names as the UI receives them (see term.ts): printable characters as
 * themselves, 'enter', 'backspace', 'escape', 'up', 'down', 'left', 'right',
 * 'pageup', 'pagedown', 'home', 'end', 'delete', 'f1'..'f12', 'S-f12',
 * 'C-c', 'C-f', 'C-g' …, and the groups of keys that share a meaning.
 */

/** Shift+1..9 sorts by column 1..9 (csysdig's m_col_sort_hotkeys on a US keyboard). */
export const SORT_HOTKEYS = '!@#$%^&*(';

export const QUIT_KEYS = new Set(['q', 'f10', 'C-c']);
export const MOVE_KEYS = new Set(['up', 'down', 'pageup', 'pagedown', 'home', 'end']);

export type Move = 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end';

export function isMove(name: string): name is Move {
  return MOVE_KEYS.has(name);
}

/** Backspace arrives as 'backspace' (DEL or ^H); some terminals send C-h. */
export function isBackspace(name: string): boolean {
  return name === 'backspace' || name === 'C-h';
}
