/**
 * A cluster for one pass of the simulated Argo CD sync (src/lab/sim/argocd-sync.ts): it records what the pass
 * applied, pruned, deleted and took the hook finalizer off, reports the health a test gives each object by name, and
 * fails the applies a test names (with gitops-engine's test message "foo").
 */
import type { HealthStatus } from '../../src/lab/sim/argo-health.js';
import { taskResult } from '../../src/lab/sim/argocd-prune.js';
import type { SyncHost } from '../../src/lab/sim/argocd-sync.js';

export interface FakeSyncHostOptions {
  health?: Map<string, HealthStatus>;
  /** Objects whose apply fails. */
  failing?: Set<string>;
  /** Live objects a delete no longer finds (NotFound). */
  gone?: Set<string>;
}

export function fakeSyncHost(options: FakeSyncHostOptions = {}) {
  const applied: string[] = [];
  const pruned: string[] = [];
  const deleted: string[] = [];
  const unfinalized: string[] = [];
  const host: SyncHost = {
    apply(target) {
      const name = target.metadata?.name ?? '';
      if (options.failing?.has(name)) return { status: 'SyncFailed', message: 'foo' };
      applied.push(name);
      return { status: 'Synced', message: `${target.kind?.toLowerCase()}/${name} created` };
    },
    prune(live) {
      if (live.metadata?.annotations?.['argocd.argoproj.io/sync-options'] === 'Prune=false')
        return { status: 'PruneSkipped', message: 'ignored (no prune)' };
      pruned.push(live.metadata?.name ?? '');
      return { status: 'Pruned', message: 'pruned' };
    },
    delete(live) {
      const name = live.metadata?.name ?? '';
      if (options.gone?.has(name)) return 'gone';
      deleted.push(name);
      return 'deleted';
    },
    removeFinalizer(live) {
      if ((live.metadata?.finalizers as string[] | undefined)?.includes('argocd.argoproj.io/hook-finalizer'))
        unfinalized.push(live.metadata?.name ?? '');
      return undefined;
    },
    health: (live) => options.health?.get(live.metadata?.name ?? ''),
    result: taskResult,
  };
  return { host, applied, pruned, deleted, unfinalized };
}
