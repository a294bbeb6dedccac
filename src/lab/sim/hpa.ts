/**
 * The HorizontalPodAutoscaler controller (kubernetes v1.31, pkg/controller/podautoscaler/horizontal.go), for HPAs
 * whose target has no load (the lab's idle doc-QA): every sync period (--horizontal-pod-autoscaler-sync-period,
 * default 15 s) it reads the target's replicas; below minReplicas it scales up to minReplicas at once ("Current
 * number of replicas below Spec.MinReplicas"), above maxReplicas down to maxReplicas; within the range an idle
 * target's recommendation is minReplicas, applied only after the scale-down stabilization window (default
 * behavior: 300 s) has recommended it throughout. `load` overrides the recommendation (a test of a busy service).
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';

export const hpaSyncPeriodMs = 15_000;
export const scaleDownStabilizationMs = 300_000;

interface Hpa {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    minReplicas?: number;
    maxReplicas?: number;
    scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
  };
}

export function startHpaController(
  cluster: SimCluster,
  clock: Clock,
  options: { periodMs?: number; load?: (hpa: Hpa) => number | undefined } = {},
): () => void {
  const period = options.periodMs ?? hpaSyncPeriodMs;
  // When each HPA's recommendation first fell below its current replicas (for the stabilization window).
  const lowSince = new Map<string, number>();
  let cancel = () => {};
  const sync = () => {
    for (const hpa of cluster.list('autoscaling/v2', 'HorizontalPodAutoscaler') as Hpa[]) {
      const ns = hpa.metadata?.namespace ?? 'default';
      const key = `${ns}/${hpa.metadata?.name}`;
      const ref = hpa.spec?.scaleTargetRef;
      if (!ref?.apiVersion || !ref.kind || !ref.name) continue;
      const target = cluster.get(ref.apiVersion, ref.kind, ref.name, ns);
      if (!target) continue;
      const current = (target.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      const min = hpa.spec?.minReplicas ?? 1;
      const max = hpa.spec?.maxReplicas ?? min;
      const recommended = Math.min(max, Math.max(min, options.load?.(hpa) ?? min));
      let desired = current;
      if (current < min) desired = min;
      else if (current > max) desired = max;
      else if (recommended > current) desired = recommended;
      else if (recommended < current) {
        const since = lowSince.get(key) ?? clock.now();
        lowSince.set(key, since);
        if (clock.now() - since >= scaleDownStabilizationMs) desired = recommended;
      }
      if (recommended >= current) lowSince.delete(key);
      if (desired !== current)
        cluster.update(ref.apiVersion, ref.kind, ref.name, ns, (o) => {
          (o.spec as { replicas?: number }).replicas = desired;
        });
      const status = { currentReplicas: current, desiredReplicas: desired };
      cluster.update('autoscaling/v2', 'HorizontalPodAutoscaler', hpa.metadata?.name ?? '', ns, (o) => {
        o.status = { ...(o.status as object), ...status };
      });
    }
    cancel = clock.setTimer(period, sync);
  };
  cancel = clock.setTimer(period, sync);
  return () => cancel();
}
