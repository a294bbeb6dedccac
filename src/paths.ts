import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (where package.json, manifests/, handbook/, evals/ and drills/ live), found by
 * walking up from this module. Works from src/ (tests, tsx) and from dist/ (the built CLI).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return join(dirname(fileURLToPath(import.meta.url)), '..');
    dir = parent;
  }
}

/** A path inside the package, e.g. `packagePath('evals', 'cases')`. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
