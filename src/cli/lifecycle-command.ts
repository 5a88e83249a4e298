import type { Options } from './args.js';
export async function runLifecycleCommand(_opts: Options, _warn: (m: string) => void): Promise<void> {
  throw new Error('not yet');
}
