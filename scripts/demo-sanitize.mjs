#!/usr/bin/env node
// Keeps only what the demo is about: the containers' processes and the container runtime
// (their process-list entries, fds and events), so the shared capture carries nothing else
// of the machine it was recorded on. Usage: node scripts/demo-sanitize.mjs RAW.scap OUT.scap.gz
import { copyCapture } from '../dist/capture/writer/index.js';
import { compileEventFilter } from '../dist/cli/event-filter.js';

const RUNTIME = new Set(['dockerd', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'runc', 'docker-init']);
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/demo-sanitize.mjs RAW.scap OUT.scap.gz');
  process.exit(2);
}
const r = await copyCapture(input, output, {
  gzip: true,
  filter: compileEventFilter('container.id != host or proc.name in (dockerd, containerd, containerd-shim, containerd-shim-runc-v2, runc)'),
  keepThread: (t) => t.containerId !== '' || RUNTIME.has(t.comm),
});
console.log(`demo: kept ${r.eventsWritten} of ${r.eventsRead} events, ${r.fileBytes} bytes`);
