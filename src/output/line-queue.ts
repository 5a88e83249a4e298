/**
 * A bounded FIFO of lines with their priorities: a ring, so pushing and
 * taking allocate nothing once it has grown to its capacity.
 */
export class LineQueue {
  private lines: (string | undefined)[];
  private prios: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.lines = new Array<string | undefined>(capacity);
    this.prios = new Uint8Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** False when full: the caller counts the line as dropped. */
  push(line: string, priority: number): boolean {
    if (this.count === this.capacity) return false;
    const i = (this.head + this.count) % this.capacity;
    this.lines[i] = line;
    this.prios[i] = priority;
    this.count++;
    return true;
  }

  /** The i-th waiting line (0 = oldest). */
  peek(i = 0): string {
    return this.lines[(this.head + i) % this.capacity]!;
  }

  peekPriority(i = 0): number {
    return this.prios[(this.head + i) % this.capacity]!;
  }

  /** Removes the n oldest lines. */
  drop(n: number): void {
    for (let k = 0; k < n && this.count > 0; k++) {
      this.lines[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
  }
}
