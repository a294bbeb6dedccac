/**
 * Rule `ownership-replicas`: an HPA and Argo CD must not both own spec.replicas. When Git sets replicas on a
 * workload that an HPA scales, an Application with selfHeal resets the count after every scale (the fight
 * `gitops-lab drill argo-vs-hpa` shows live) unless it ignores /spec/replicas AND respects that on sync.
 */
import { type AppInfo, asArray, asRecord, asString, findingAt, type LintContext } from '../context.js';
import type { Finding, Resource } from '../types.js';
import { hasSyncOption } from './graph.js';

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

function coversReplicas(entry: Record<string, unknown>): boolean {
  const pointers = asArray(entry.jsonPointers).map(String);
  const jq = asArray(entry.jqPathExpressions).map(String);
  const managers = asArray(entry.managedFieldsManagers);
  return (
    pointers.some((p) => p.replace(/\/+$/, '') === '/spec/replicas') ||
    jq.some((p) => p.replace(/\s/g, '') === '.spec.replicas') ||
    managers.length > 0
  );
}

interface Match {
  entry?: Record<string, unknown>;
  /** An entry that covers replicas but names another kind, group, name or namespace. */
  nearMiss?: { entry: Record<string, unknown>; why: string };
}

function matchIgnore(app: AppInfo, workload: Resource, namespace: string | undefined): Match {
  const group = groupOf(workload.apiVersion);
  let nearMiss: Match['nearMiss'];
  for (const entry of app.ignoreDifferences) {
    if (!coversReplicas(entry)) continue;
    const reasons: string[] = [];
    if (asString(entry.kind) !== workload.kind)
      reasons.push(`kind "${asString(entry.kind) ?? ''}" is not "${workload.kind}"`);
    if ((asString(entry.group) ?? '') !== group)
      reasons.push(`group "${asString(entry.group) ?? ''}" is not "${group}"`);
    if (entry.name !== undefined && entry.name !== workload.name)
      reasons.push(`name "${String(entry.name)}" is not "${workload.name}"`);
    if (entry.namespace !== undefined && entry.namespace !== namespace) {
      reasons.push(`namespace "${String(entry.namespace)}" is not "${namespace ?? ''}"`);
    }
    if (reasons.length === 0) return { entry };
    nearMiss ??= { entry, why: reasons.join(', ') };
  }
  return { nearMiss };
}

export function ownershipRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  for (const hpa of ctx.repo.resources) {
    if (hpa.kind !== 'HorizontalPodAutoscaler') continue;
    const ref = asRecord(asRecord(hpa.object.spec)?.scaleTargetRef);
    if (!ref) continue;
    const ns = ctx.namespaceOf(hpa);
    const workload = ctx.repo.resources.find(
      (w) => w.kind === ref.kind && w.name === ref.name && ctx.namespaceOf(w) === ns && w.id !== hpa.id,
    );
    if (!workload) continue;
    const replicas = asRecord(workload.object.spec)?.replicas;
    if (replicas === undefined || replicas === null) continue;
    const app = ctx.ownerOf.get(workload.id);
    if (!app?.automated) continue;
    const w = ctx.describe(workload);
    const h = ctx.describe(hpa);
    const group = groupOf(workload.apiVersion);
    const entryText = `{group: ${group || '""'}, kind: ${workload.kind}, name: ${workload.name}, jsonPointers: [/spec/replicas]}`;
    const match = matchIgnore(app, workload, ns);
    const respects = hasSyncOption(app, 'RespectIgnoreDifferences');
    if (match.entry && respects) continue;
    const severity = app.selfHeal ? 'error' : 'warning';
    const fight = app.selfHeal
      ? 'selfHeal resets the replica count after every scale and the two controllers fight'
      : 'every sync resets the replica count the HPA chose';
    let message: string;
    let fix: string;
    if (match.entry) {
      message = `${w} sets spec.replicas: ${String(replicas)} in Git and is scaled by ${h}; Application ${app.name} ignores /spec/replicas in the diff but lacks RespectIgnoreDifferences=true, so ${fight}`;
      fix = `Add RespectIgnoreDifferences=true to spec.syncPolicy.syncOptions of Application ${app.name} (${app.resource.file}).`;
    } else if (match.nearMiss) {
      message = `${w} sets spec.replicas: ${String(replicas)} in Git and is scaled by ${h}; Application ${app.name} has an ignoreDifferences entry for /spec/replicas that does not match it (${match.nearMiss.why}), so ${fight}`;
      fix = `Make the ignoreDifferences entry in ${app.resource.file} read ${entryText}${respects ? '' : ' and add RespectIgnoreDifferences=true to syncOptions'}.`;
    } else {
      message = `${w} sets spec.replicas: ${String(replicas)} in Git and is scaled by ${h}, while Application ${app.name} syncs automatically${app.selfHeal ? ' with selfHeal' : ''} without ignoring /spec/replicas: ${fight}`;
      fix = `In Application ${app.name} (${app.resource.file}) add ignoreDifferences: [${entryText}] and syncOptions: [RespectIgnoreDifferences=true], or remove spec.replicas from ${workload.file}.`;
    }
    findings.push(
      findingAt(ctx, workload, ['spec', 'replicas'], { rule: 'ownership-replicas', severity, message, fix }),
    );
  }
  return findings;
}
