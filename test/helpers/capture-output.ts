import { Writable } from 'node:stream';
import { OutputBuffer } from '../../src/cli/output-buffer.js';

/** An OutputBuffer whose bytes are collected in memory (latin1, as the CLI writes them). */
export function memoryOutput(): { out: OutputBuffer; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { out: new OutputBuffer(sink), text: () => Buffer.concat(chunks).toString('latin1') };
}
