/**
 * One-entry caches for string fields built from thread state (proc.cmdline,
 * proc.args …): the text is rebuilt only when the pieces it is made of
 * change, so a field read for every event of a process allocates once.
 * The pieces are compared by identity: the state replaces (never mutates)
 * the argument arrays and strings it keeps.
 */
export class Memo<A, B = undefined> {
  private a: A | undefined = undefined;
  private b: B | undefined = undefined;
  private value = '';
  private filled = false;

  constructor(private readonly build: (a: A, b: B) => string) {}

  get(a: A, b: B): string {
    if (!this.filled || a !== this.a || b !== this.b) {
      this.a = a;
      this.b = b;
      this.value = this.build(a, b);
      this.filled = true;
    }
    return this.value;
  }
}

/** `items` joined with single spaces (sysdig's way of flattening argv and environments). */
export function joinSpace(items: readonly string[]): string {
  return items.join(' ');
}
