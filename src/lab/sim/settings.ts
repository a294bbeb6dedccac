/**
 * Argo CD's timing settings, read the way Argo CD v3.1.12 reads them: from the argocd-cm and argocd-cmd-params-cm
 * ConfigMaps (manifests/base/application-controller/argocd-application-controller-statefulset.yaml maps each key to
 * an environment variable), with the defaults of cmd/argocd-application-controller/commands/
 * argocd_application_controller.go and reposerver/cache/cache.go when a key is absent.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packagePath } from '../../paths.js';
import { parseDuration } from '../drills/duration.js';

export interface ArgoSettings {
  /** timeout.reconciliation (argocd-cm): the app resync period; default 120 s (defaultAppResyncPeriod). */
  resyncMs: number;
  /** timeout.reconciliation.jitter (argocd-cm): up to this much is added to each resync; default 60 s. */
  jitterMs: number;
  /**
   * controller.repo.error.grace.period.seconds (argocd-cmd-params-cm): repo errors are ignored this long; default
   * defaultAppResyncPeriod + defaultAppResyncPeriodJitter = 180 s (a constant: it does not follow timeout.reconciliation).
   */
  repoErrorGraceMs: number;
  /** The repo-server's revision cache (--revision-cache-expiration = ARGOCD_RECONCILIATION_TIMEOUT, default 3 m). */
  revisionCacheMs: number;
  /** controller.self.heal.backoff.{timeout.seconds,factor,cap.seconds}: 2 s, x3, capped at 300 s. */
  selfHealBackoff: { initialMs: number; factor: number; capMs: number };
  /** controller.self.heal.backoff.cooldown.seconds: synced this long, the back-off starts over; default 330 s. */
  selfHealCooldownMs: number;
}

const seconds = (value: string | undefined, fallback: number) => {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n * 1000 : fallback;
};

/** Go durations as argocd-cm writes them ("60s", "3m"; a bare number is seconds, as ParseDurationFromEnv reads it). */
const duration = (value: string | undefined, fallback: number) => {
  if (value === undefined || value.trim() === '') return fallback;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  try {
    return parseDuration(value.trim());
  } catch {
    return fallback;
  }
};

export function argoSettings(
  cm: Record<string, string> = {},
  params: Record<string, string> = {},
): ArgoSettings {
  const resyncMs = duration(cm['timeout.reconciliation'], 120_000);
  return {
    resyncMs,
    jitterMs: duration(cm['timeout.reconciliation.jitter'], 60_000),
    repoErrorGraceMs: seconds(params['controller.repo.error.grace.period.seconds'], 180_000),
    revisionCacheMs: duration(cm['timeout.reconciliation'], 180_000),
    selfHealBackoff: {
      initialMs: seconds(params['controller.self.heal.backoff.timeout.seconds'], 2000),
      factor: Number(params['controller.self.heal.backoff.factor'] ?? 3) || 3,
      capMs: seconds(params['controller.self.heal.backoff.cap.seconds'], 300_000),
    },
    selfHealCooldownMs: seconds(params['controller.self.heal.backoff.cooldown.seconds'], 330_000),
  };
}

function yamlFiles(dir: string): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out = out.concat(yamlFiles(path));
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

/**
 * The data of the argocd-cm and argocd-cmd-params-cm ConfigMaps the lab's Argo CD install sets: every YAML document
 * under manifests/bootstrap/argo-cd, and every inline kustomize patch in a kustomization there. Later wins.
 */
export function labArgoConfig(dir = packagePath('manifests', 'bootstrap', 'argo-cd')): {
  cm: Record<string, string>;
  params: Record<string, string>;
} {
  const cm: Record<string, string> = {};
  const params: Record<string, string> = {};
  const take = (doc: unknown) => {
    const o = doc as { kind?: string; metadata?: { name?: string }; data?: Record<string, unknown> } | null;
    if (o?.kind !== 'ConfigMap' || !o.data) return;
    const target =
      o.metadata?.name === 'argocd-cm'
        ? cm
        : o.metadata?.name === 'argocd-cmd-params-cm'
          ? params
          : undefined;
    if (target) for (const [k, v] of Object.entries(o.data)) target[k] = String(v);
  };
  for (const file of yamlFiles(dir)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const value = doc.toJS() as {
        patches?: Array<{ patch?: string }>;
        patchesStrategicMerge?: string[];
      } | null;
      take(value);
      for (const patch of [
        ...(value?.patches ?? []).map((p) => p.patch),
        ...(value?.patchesStrategicMerge ?? []),
      ]) {
        if (typeof patch !== 'string' || !patch.includes('\n')) continue;
        for (const inner of parseAllDocuments(patch)) take(inner.toJS());
      }
    }
  }
  return { cm, params };
}

/** The Argo CD settings of the lab's own install (manifests/bootstrap/argo-cd). */
export function labArgoSettings(dir?: string): ArgoSettings {
  const { cm, params } = labArgoConfig(dir);
  return argoSettings(cm, params);
}
