/**
 * The one error type of the filter language.
 *
 * Every syntax or compile error carries the character offset where it was
 * detected so tools (the UI's filter box, the CLI) can point at it. The
 * message keeps sysdig's "filter error at position N: ..." shape.
 */
export class FilterError extends Error {
  /** 0-based offset (UTF-16 code units) of the offending token, or the text length at end of input. */
  readonly position: number;
  /** Offset just past the offending token (>= position); lets a UI underline the whole token. */
  readonly end: number;
  /** The message without the "filter error at position N:" prefix. */
  readonly detail: string;

  constructor(detail: string, position: number, end: number = position) {
    super(`filter error at position ${position}: ${detail}`);
    this.name = 'FilterError';
    this.detail = detail;
    this.position = position;
    this.end = Math.max(end, position);
  }
}

/** Short, quoted rendering of source text for messages: 'proc.name', end of filter, etc. */
export function describeText(text: string): string {
  if (text.length === 0) return 'end of filter';
  const shown = text.length > 40 ? text.slice(0, 37) + '...' : text;
  return `'${shown}'`;
}

/** Like describeText but keeps the end of long text: what came just before an error matters most. */
export function describeTail(text: string): string {
  if (text.length === 0) return 'start of filter';
  const shown = text.length > 40 ? '...' + text.slice(text.length - 37) : text;
  return `'${shown}'`;
}
