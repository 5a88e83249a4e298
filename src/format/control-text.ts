/**
 * Control characters out of text bound for a terminal or a line-oriented
 * output: a process name or file name from a capture may hold newlines or
 * escape sequences (an attacker's retitle-and-clear), which would split a
 * --raw row or drive the terminal. Each C0 control and DEL becomes '.', as
 * the UI draws them (canvas.ts displayText) and sysdig prints buffers.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]/g;

export function escapeControls(s: string): string {
  return CONTROL.test(s) ? s.replace(CONTROLS, '.') : s;
}
