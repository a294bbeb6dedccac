/** Rule `schema`: every object and kustomization validates strictly against its bundled schema. */

import { apiProblems } from '../api-validation.js';
import { findingAt, type LintContext } from '../context.js';
import { closest, withoutNulls } from '../schemas.js';
import type { Finding, Resource } from '../types.js';
import { lineAt } from '../yaml-files.js';

export function schemaRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  const unknownKinds = new Map<string, { file: string; line?: number; resource: string }>();
  for (const r of ctx.repo.resources) {
    if (r.generatedBy) continue;
    const metadata = r.object.metadata;
    if (!r.name && !(metadata && typeof metadata === 'object' && 'generateName' in metadata)) {
      findings.push(
        findingAt(ctx, r, ['metadata'], {
          rule: 'schema',
          severity: 'error',
          message: `${r.kind} has no metadata.name`,
          fix: 'Give the object a metadata.name.',
        }),
      );
    }
    const bundled = ctx.validator.has(r.apiVersion, r.kind);
    const validate = bundled
      ? (object: unknown) => ctx.validator.validate(r.apiVersion, r.kind, object)
      : ctx.repositoryKinds.get(`${r.apiVersion}/${r.kind}`);
    if (validate) {
      const problems = [
        ...validate(r.object),
        ...apiProblems({ ...r, object: withoutNulls(r.object) as typeof r.object }),
      ];
      const from = bundled ? '' : ' (schema from the CustomResourceDefinition in this repository)';
      for (const p of problems.slice(0, 10)) {
        findings.push(
          findingAt(ctx, r, p.path, {
            rule: 'schema',
            severity: 'error',
            message: `${p.message}${from}`,
            fix: p.fix,
          }),
        );
      }
      continue;
    }
    const versions = ctx.validator.versionsOf(r.kind);
    const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '';
    const sameGroup = versions.filter((v) => (v.includes('/') ? v.split('/')[0] : '') === group);
    if (sameGroup.length > 0) {
      findings.push(
        findingAt(ctx, r, ['apiVersion'], {
          rule: 'schema',
          severity: 'error',
          message: `${r.kind} is not served as ${r.apiVersion}; this lab's Kubernetes and Argo versions serve ${sameGroup.join(', ')}`,
          fix: `Set apiVersion: ${sameGroup[0]} (and adapt fields that changed between versions).`,
        }),
      );
      continue;
    }
    const groupKinds = knownKindsOf(ctx, group ?? '');
    if (!groupKinds && group && !commonGroups.includes(group)) {
      const suggestion = closest(group, [...Object.keys(otherKinds).filter(Boolean), ...commonGroups]);
      if (suggestion && suggestion !== group) {
        findings.push(
          findingAt(ctx, r, ['apiVersion'], {
            rule: 'schema',
            severity: 'error',
            message: `API group ${group} in apiVersion ${r.apiVersion} looks like a typo of ${suggestion}`,
            fix: `Set apiVersion: ${r.apiVersion.replace(group, suggestion)}.`,
          }),
        );
        continue;
      }
    }
    if (groupKinds && !groupKinds.includes(r.kind)) {
      const suggestion = closest(r.kind, groupKinds);
      findings.push(
        findingAt(ctx, r, ['kind'], {
          rule: 'schema',
          severity: 'error',
          message: `kind ${r.kind} does not exist in ${group ? `API group ${group}` : 'the core API group'}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
          fix: suggestion ? `Set kind: ${suggestion}.` : `Use one of: ${groupKinds.join(', ')}.`,
        }),
      );
      continue;
    }
    const key = `${r.apiVersion} ${r.kind}`;
    if (!unknownKinds.has(key))
      unknownKinds.set(key, {
        file: r.file,
        line: lineAt(r.doc, r.lineCounter, []),
        resource: ctx.describe(r),
      });
  }
  for (const [key, where] of unknownKinds) {
    findings.push({
      rule: 'schema',
      severity: 'info',
      ...where,
      message: `no bundled schema for ${key}: objects of this kind are parsed and cross-checked but not schema-validated`,
      fix: 'Nothing to do, or validate it against its CRD in CI with kubeconform.',
    });
  }
  for (const k of ctx.repo.kustomizations) {
    const doc = k.parsed.documents[0];
    if (!doc) continue;
    for (const p of ctx.validator.validateKustomization(k.object).slice(0, 10)) {
      findings.push({
        rule: 'schema',
        severity: 'error',
        file: k.file,
        line: lineAt(doc.doc, k.parsed.lineCounter, p.path),
        resource: 'Kustomization',
        message: p.message,
        fix: p.fix,
      });
    }
  }
  // Documents that look like Kubernetes objects (metadata or spec, apiVersion or kind) but lack apiVersion
  // or kind: the API server rejects them ("Object 'Kind' is missing"), kustomize too.
  const reported = new Set<string>();
  for (const n of ctx.repo.nonObjects) {
    const keys = new Set(n.keys ?? []);
    const looksLikeObject =
      (keys.has('apiVersion') || keys.has('kind')) &&
      (keys.has('metadata') || keys.has('spec') || keys.has('data'));
    if (!looksLikeObject) continue;
    reported.add(`${n.file}#${n.docIndex}`);
    const missing = ['apiVersion', 'kind'].filter((k) => !keys.has(k));
    findings.push({
      rule: 'schema',
      severity: 'error',
      file: n.file,
      line: n.line,
      message: `document ${n.docIndex + 1} is a Kubernetes object without ${missing.length > 0 ? missing.join(' and ') : 'a string apiVersion and kind'}: the API server rejects it`,
      fix: 'Add the missing apiVersion or kind (e.g. apiVersion: apps/v1, kind: Deployment).',
    });
  }
  // The same object twice in one file: the second silently replaces the first (kubectl apply, Argo CD).
  const inFile = new Map<string, Resource>();
  for (const r of ctx.repo.resources) {
    if (r.docIndex < 0 || r.generatedBy) continue;
    const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '';
    const key = `${r.file}|${group}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
    const first = inFile.get(key);
    if (first && first.docIndex !== r.docIndex) {
      findings.push(
        findingAt(ctx, r, ['metadata', 'name'], {
          rule: 'schema',
          severity: 'error',
          message: `${r.kind} ${r.name} is defined twice in ${r.file} (documents ${first.docIndex + 1} and ${r.docIndex + 1}): only one of them is applied`,
          fix: 'Keep one definition, or rename one of them.',
        }),
      );
    } else if (!first) inFile.set(key, r);
  }
  // Documents that Argo CD would try to apply but that are not Kubernetes objects.
  for (const app of ctx.apps) {
    for (const source of app.sources) {
      for (const n of source.set?.nonObjects ?? []) {
        const key = `${n.file}#${n.docIndex}`;
        if (reported.has(key)) continue;
        reported.add(key);
        findings.push({
          rule: 'schema',
          severity: 'error',
          file: n.file,
          line: n.line,
          message: `document ${n.docIndex + 1} has no apiVersion or kind, but Application ${app.name} applies this file`,
          fix: "Add apiVersion and kind, or move the file out of the Application's path (or out of the kustomization).",
        });
      }
    }
  }
  return findings;
}

/** Kinds that exist in API groups whose kinds are all known, beyond those with a bundled schema. */
const otherKinds: Record<string, string[]> = {
  '': [
    'Endpoints',
    'PersistentVolume',
    'ReplicationController',
    'PodTemplate',
    'Event',
    'Binding',
    'Node',
    'ComponentStatus',
    'List',
  ],
  apps: ['ControllerRevision'],
  batch: [],
  autoscaling: [],
  policy: ['PodSecurityPolicy', 'Eviction'],
  'networking.k8s.io': ['IngressClass', 'IPAddress', 'ServiceCIDR'],
  'rbac.authorization.k8s.io': [],
  'argoproj.io': [
    'ApplicationSet',
    'ClusterAnalysisTemplate',
    'Experiment',
    'Workflow',
    'WorkflowTemplate',
    'ClusterWorkflowTemplate',
    'CronWorkflow',
    'WorkflowEventBinding',
    'WorkflowTaskSet',
    'WorkflowTaskResult',
    'WorkflowArtifactGCTask',
    'EventSource',
    'Sensor',
    'EventBus',
  ],
};

/** Other API groups a lab repository commonly uses (never reported as typos). */
const commonGroups = [
  'monitoring.coreos.com',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'cert-manager.io',
  'bitnami.com',
  'external-secrets.io',
  'gateway.networking.k8s.io',
  'kustomize.config.k8s.io',
  'opentelemetry.io',
  'keda.sh',
];

/** Every kind of an API group, or undefined when lint does not know the whole group. */
function knownKindsOf(ctx: LintContext, group: string): string[] | undefined {
  const extra = otherKinds[group];
  if (!extra) return undefined;
  const withSchema = ctx.validator
    .knownKinds()
    .filter((key) => {
      const apiVersion = key.slice(0, key.lastIndexOf('/'));
      return (apiVersion.includes('/') ? apiVersion.split('/')[0] : '') === group;
    })
    .map((key) => key.slice(key.lastIndexOf('/') + 1));
  return [...new Set([...withSchema, ...extra])];
}
