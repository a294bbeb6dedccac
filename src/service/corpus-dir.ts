import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bundled lab handbook: `handbook/` in the package root, found by walking up from this module to the
 * folder holding package.json. Works from src/ (tsx, vitest), dist/ (the built CLI) and the container image.
 */
export function defaultCorpusDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'handbook');
    const parent = dirname(dir);
    if (parent === dir) return join(here, '..', '..', 'handbook');
    dir = parent;
  }
}
