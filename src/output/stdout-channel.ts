/**
 * Falco's stdout_output: each line on stdout, through the CLI's OutputBuffer
 * (large writes, a closed pipe ends quietly). Buffered lines are written
 * within 100 ms, so a live alert shows up promptly. Like Falco's, this
 * channel writes synchronously: stdout is the reader the user chose, and a
 * replay piped into a file must get every line.
 */
import { OutputBuffer } from '../cli/output-buffer.js';
import { DEFAULT_PRIORITY, newStats, type Channel, type ChannelStats, type Priority } from './line-sink.js';

const FLUSH_MS = 100;

export class StdoutChannel implements Channel {
  private readonly st: ChannelStats = newStats('stdout', '-');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly out: OutputBuffer = new OutputBuffer()) {}

  write(line: string, _priority: Priority = DEFAULT_PRIORITY): void {
    this.st.accepted++;
    this.out.line(line);
    this.st.delivered++;
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.out.flush();
      }, FLUSH_MS);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // Not the channels' deadline: stdout is the reader the user chose; finish() gives up only when it stops reading.
    await this.out.finish();
  }

  stats(): ChannelStats {
    return { ...this.st };
  }
}
