/**
 * The `yaml` package, loaded on first use. Loading it costs ~60 ms of
 * start-up (about 40 modules), and most runs never parse YAML: views and
 * rules come from the user cache, and a configuration file is optional.
 * A static import anywhere on the CLI's path would load it for every run.
 */
import { createRequire } from 'node:module';

let yamlModule: typeof import('yaml') | null = null;

export function yaml(): typeof import('yaml') {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
}
