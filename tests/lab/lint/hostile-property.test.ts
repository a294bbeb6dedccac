/**
 * Property: random hostile trees (links in and out, loops, FIFOs, broken links, odd sizes) never make the
 * linter's loader hang, read outside the repository, or fail with anything but findings.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../../../src/lab/lint/repository.js';
import { buildHostileTree, hostileTree, OUTSIDE_MARKER } from '../../service/hostile-tree.js';

describe('lint loader on random hostile trees (property)', () => {
  it('finishes, with no object read from outside the repository', () => {
    fc.assert(
      fc.property(hostileTree, (entries) => {
        const { root, temp } = buildHostileTree(entries);
        try {
          const repo = loadRepository({ dir: root, fs: { maxFileBytes: 4096 } });
          const objects = JSON.stringify(repo.resources.map((r) => r.object));
          expect(objects.toLowerCase()).not.toContain(OUTSIDE_MARKER.toLowerCase());
          for (const r of repo.resources) expect(r.file.startsWith('..')).toBe(false);
        } finally {
          rmSync(temp, { recursive: true, force: true });
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 60_000 },
    );
  });
});
