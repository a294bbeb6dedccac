/**
 * The package's lab manifests (apps/ and workloads/) copied into a temporary folder with extra files in
 * workloads/docqa, each listed in its kustomization, and a MemoryRepo over them: for simulated-lab tests whose docqa
 * app holds more than the package ships (a Job, a hook).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MemoryRepo } from '../../src/lab/sim/repo.js';
import { packagePath } from '../../src/paths.js';

export interface DocqaExtra {
  repo: MemoryRepo;
  /** Removes the temporary folder. */
  remove(): void;
}

/** `files`: file name in workloads/docqa → the object it holds. */
export function docqaWith(files: Record<string, Record<string, unknown>>): DocqaExtra {
  const root = mkdtempSync(join(tmpdir(), 'gitops-lab-docqa-'));
  for (const dir of ['apps', 'workloads'])
    cpSync(packagePath(`manifests/${dir}`), join(root, dir), { recursive: true });
  const kustomization = join(root, 'workloads/docqa/kustomization.yaml');
  const listed = Object.keys(files)
    .map((f) => `  - ${f}\n`)
    .join('');
  writeFileSync(
    kustomization,
    readFileSync(kustomization, 'utf8').replace(
      '  - analysis-template.yaml\n',
      `  - analysis-template.yaml\n${listed}`,
    ),
  );
  for (const [file, object] of Object.entries(files))
    writeFileSync(join(root, 'workloads/docqa', file), stringify(object));
  return {
    repo: new MemoryRepo(undefined, root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
