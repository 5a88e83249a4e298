/** Where the bundled falcosecurity/rules stable file lives (rules/falco_rules.yaml, next to dist/). */
import { fileURLToPath } from 'node:url';

export function defaultRulesFile(): string {
  // dist/rules/default-rules.js -> ../../rules/falco_rules.yaml
  return fileURLToPath(new URL('../../rules/falco_rules.yaml', import.meta.url));
}
