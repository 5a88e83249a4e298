/** tsysdig's version, from package.json (empty when it can't be read). */
import { readFileSync } from 'node:fs';

export function tsysdigVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '';
  } catch {
    return '';
  }
}
