/**
 * What `npm start` opens: live capture when this machine allows it (root or
 * CAP_BPF+CAP_PERFMON, kernel BTF, a built probe), otherwise the demo capture
 * shipped in the repository, with one line saying why and how to go live.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight } from '../live/errors.js';
import { defaultProbePath } from '../live/live-source.js';
import type { Options } from './args.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The demo capture: recorded by tsysdig on a machine running a few containers (see demo/README.md). */
export const DEMO_CAPTURE = join(ROOT, 'demo', 'tsysdig-demo.scap.gz');
/** Used only if the demo capture is missing from a checkout. */
const FALLBACK_CAPTURE = join(ROOT, 'test', 'fixtures', 'libs_curl_google.scap');

export interface StartPlan {
  options: Options;
  /** One line for the user, or null when going live. */
  notice: string | null;
}

export function planStart(opts: Options): StartPlan {
  if (opts.readFile !== null) return { options: opts, notice: null };
  const problem = preflight(defaultProbePath());
  if (problem === null) return { options: opts, notice: null };
  const demo = existsSync(DEMO_CAPTURE) ? DEMO_CAPTURE : FALLBACK_CAPTURE;
  const why = problem.kind === 'not-root' ? 'live capture needs root: run `sudo npm start`' : `live capture unavailable (${problem.oneLine()})`;
  return {
    options: { ...opts, readFile: demo },
    notice: `tsysdig: ${why}; showing the demo capture ${demo.slice(ROOT.length + 1)}`,
  };
}
