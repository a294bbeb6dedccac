import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';

let cached: string | undefined;

/** The package version from package.json. */
export function version(): string {
  cached ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
