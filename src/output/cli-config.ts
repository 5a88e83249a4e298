/**
 * The output configuration of a command line: -c FILE, then each -o, then
 * --json and --output-file/--output-max-mb/--output-keep. What main.ts
 * checks before any capture opens, and what the alert and export commands
 * pass to openOutputs().
 */
import type { Options } from '../cli/args.js';
import { loadOutputConfig, type OutputConfig } from './config.js';

export function outputConfigFromOptions(opts: Options, warn: (msg: string) => void = () => {}): OutputConfig {
  return loadOutputConfig(
    { file: opts.configFile, overrides: opts.configOverrides },
    { json: opts.json, outputFile: opts.outputFile, outputMaxMb: opts.outputMaxMb, outputKeep: opts.outputKeep },
    warn,
  );
}
