/** Whether `kubectl` (which bundles kustomize) is on PATH; CI installs it (.ci/run), a developer machine may not. */
import { execFileSync } from 'node:child_process';

export const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
