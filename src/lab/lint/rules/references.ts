/**
 * Rule family `ref-*`: names that must resolve inside the namespace. HPA targets, Service selectors and
 * ports, Rollout services and analysis templates (and their arguments), ConfigMaps, Secrets and
 * ServiceAccounts used by pods. A Secret that is optional may be absent (secrets never live in Git).
 */
import { asArray, asRecord, asString, findingAt, type LintContext } from '../context.js';
import { containersOf, labelledPodsOf, type PodSpecAt, podSpecsOf, workloadKinds } from '../pod-specs.js';
import type { Finding, Resource, Severity } from '../types.js';

function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

export function referencesRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  const byKey = new Map<string, Resource>();
  const key = (kind: string, ns: string | undefined, name: string) => `${kind}|${ns ?? ''}|${name}`;
  for (const r of ctx.repo.resources) byKey.set(key(r.kind, ctx.namespaceOf(r), r.name), r);
  const find = (kind: string, ns: string | undefined, name: string) => byKey.get(key(kind, ns, name));
  /** Missing in a namespace where a Helm chart or remote source also deploys: it may come from there. */
  const missingSeverity = (ns: string | undefined, severity: Severity): Severity =>
    ns && ctx.opaqueNamespaces.has(ns) ? 'info' : severity;
  const secretProvided = (ns: string | undefined, name: string) =>
    ctx.repo.resources.some((r) => {
      if (ctx.namespaceOf(r) !== ns) return false;
      if (r.kind === 'SealedSecret' && r.name === name) return true;
      if (r.kind === 'ExternalSecret') {
        const target = asString(asRecord(asRecord(r.object.spec)?.target)?.name) ?? r.name;
        return target === name;
      }
      return false;
    });

  const workloads = ctx.repo.resources
    .filter((r) => workloadKinds.has(r.kind) || r.kind === 'Experiment')
    .map((r) => ({ r, pods: labelledPodsOf(r) }));

  for (const r of ctx.repo.resources) {
    const ns = ctx.namespaceOf(r);
    const spec = asRecord(r.object.spec) ?? {};

    if (r.kind === 'HorizontalPodAutoscaler') {
      const ref = asRecord(spec.scaleTargetRef) ?? {};
      const kind = asString(ref.kind) ?? '';
      const name = asString(ref.name) ?? '';
      const target = find(kind, ns, name);
      if (!target) {
        const sameName = ctx.repo.resources.find(
          (w) => w.name === name && ctx.namespaceOf(w) === ns && workloadKinds.has(w.kind),
        );
        findings.push(
          findingAt(ctx, r, ['spec', 'scaleTargetRef'], {
            rule: 'ref-hpa-target',
            severity: missingSeverity(ns, 'error'),
            message: `scaleTargetRef ${kind}/${name} does not exist in namespace ${ns}${sameName ? ` (there is a ${sameName.kind} named ${name})` : ''}: the HPA cannot scale anything`,
            fix: sameName
              ? `Set scaleTargetRef to {apiVersion: ${sameName.apiVersion}, kind: ${sameName.kind}, name: ${name}}.`
              : 'Point scaleTargetRef at the workload (apiVersion, kind and name must all match).',
          }),
        );
      } else if (
        asString(ref.apiVersion) &&
        asString(ref.apiVersion)?.split('/')[0] !== target.apiVersion.split('/')[0]
      ) {
        findings.push(
          findingAt(ctx, r, ['spec', 'scaleTargetRef', 'apiVersion'], {
            rule: 'ref-hpa-target',
            severity: 'error',
            message: `scaleTargetRef apiVersion ${String(ref.apiVersion)} does not match ${ctx.describe(target)} (${target.apiVersion})`,
            fix: `Set scaleTargetRef.apiVersion to ${target.apiVersion}.`,
          }),
        );
      }
      const min = spec.minReplicas;
      const max = spec.maxReplicas;
      if (typeof min === 'number' && typeof max === 'number' && min > max) {
        findings.push(
          findingAt(ctx, r, ['spec', 'minReplicas'], {
            rule: 'ref-hpa-target',
            severity: 'error',
            message: `minReplicas ${min} is greater than maxReplicas ${max}`,
            fix: 'Make minReplicas ≤ maxReplicas.',
          }),
        );
      }
    }

    if (r.kind === 'Service') {
      const selector = asRecord(spec.selector);
      if (selector && Object.keys(selector).length > 0 && spec.type !== 'ExternalName') {
        const matching = workloads.filter(
          (w) => ctx.namespaceOf(w.r) === ns && w.pods.some((p) => selectorMatches(selector, p.labels)),
        );
        if (matching.length === 0) {
          const text = Object.entries(selector)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(',');
          findings.push(
            findingAt(ctx, r, ['spec', 'selector'], {
              rule: 'ref-service-selector',
              severity: missingSeverity(ns, 'error'),
              message: `Service selector ${text} matches no pods of any workload in namespace ${ns}: the Service has no endpoints`,
              fix: 'Make the selector match the pod template labels of the workload it fronts.',
            }),
          );
        } else {
          const pods = matching.flatMap((w) => w.pods.filter((p) => selectorMatches(selector, p.labels)));
          const ports = pods.flatMap((p) =>
            containersOf(p).flatMap((c) => asArray(c.container.ports).map((x) => asRecord(x) ?? {})),
          );
          asArray(spec.ports).forEach((portRaw, i) => {
            const port = asRecord(portRaw) ?? {};
            const target = port.targetPort ?? port.port;
            if (typeof target === 'string') {
              if (!ports.some((p) => p.name === target)) {
                findings.push(
                  findingAt(ctx, r, ['spec', 'ports', i, 'targetPort'], {
                    rule: 'ref-service-port',
                    severity: 'error',
                    message: `targetPort "${target}" is not the name of any container port of the selected pods (${
                      ports
                        .map((p) => p.name)
                        .filter(Boolean)
                        .join(', ') || 'none named'
                    })`,
                    fix: 'Use the name (or number) of a containerPort of the workload.',
                  }),
                );
              }
            } else if (
              typeof target === 'number' &&
              ports.length > 0 &&
              !ports.some((p) => p.containerPort === target)
            ) {
              findings.push(
                findingAt(
                  ctx,
                  r,
                  ['spec', 'ports', i, port.targetPort === undefined ? 'port' : 'targetPort'],
                  {
                    rule: 'ref-service-port',
                    severity: 'error',
                    message: `targetPort ${target} matches no containerPort of the selected pods (${ports.map((p) => String(p.containerPort)).join(', ')})`,
                    fix: 'Set targetPort to the port the container listens on.',
                  },
                ),
              );
            }
          });
        }
      }
    }

    if (r.kind === 'PodDisruptionBudget') {
      const selector = asRecord(asRecord(spec.selector)?.matchLabels);
      if (
        selector &&
        !workloads.some(
          (w) => ctx.namespaceOf(w.r) === ns && w.pods.some((p) => selectorMatches(selector, p.labels)),
        )
      ) {
        findings.push(
          findingAt(ctx, r, ['spec', 'selector'], {
            rule: 'ref-pdb-selector',
            severity: missingSeverity(ns, 'error'),
            message: `PodDisruptionBudget selector matches no pods of any workload in namespace ${ns}: it protects nothing`,
            fix: 'Make spec.selector.matchLabels match the pod labels of the workload.',
          }),
        );
      }
    }

    // Workload selectors must select their own template.
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout'].includes(r.kind)) {
      const matchLabels = asRecord(asRecord(spec.selector)?.matchLabels);
      const pod = podSpecsOf(r)[0];
      if (matchLabels && pod && !selectorMatches(matchLabels, pod.labels)) {
        findings.push(
          findingAt(ctx, r, ['spec', 'selector', 'matchLabels'], {
            rule: 'ref-selector',
            severity: 'error',
            message: `spec.selector.matchLabels does not match the pod template's labels: the API server${r.kind === 'Rollout' ? ' (or the Rollouts controller)' : ''} rejects it`,
            fix: 'Make spec.selector.matchLabels a subset of spec.template.metadata.labels.',
          }),
        );
      }
    }

    if (r.kind === 'Rollout' && r.apiVersion.startsWith('argoproj.io/')) {
      findings.push(...rolloutReferences(ctx, r, ns, find, missingSeverity));
    }

    // ConfigMaps, Secrets and ServiceAccounts used by pods.
    for (const pod of podSpecsOf(r)) {
      findings.push(...podReferences(ctx, r, ns, pod, find, missingSeverity, secretProvided));
    }
  }
  return findings;
}

function rolloutReferences(
  ctx: LintContext,
  r: Resource,
  ns: string | undefined,
  find: (kind: string, ns: string | undefined, name: string) => Resource | undefined,
  missingSeverity: (ns: string | undefined, s: Severity) => Severity,
): Finding[] {
  const findings: Finding[] = [];
  const spec = asRecord(r.object.spec) ?? {};
  const strategy = asRecord(spec.strategy) ?? {};
  const workloadRef = asRecord(spec.workloadRef);
  if (
    workloadRef &&
    !find(asString(workloadRef.kind) ?? 'Deployment', ns, asString(workloadRef.name) ?? '')
  ) {
    findings.push(
      findingAt(ctx, r, ['spec', 'workloadRef'], {
        rule: 'ref-rollout-service',
        severity: missingSeverity(ns, 'error'),
        message: `workloadRef ${String(workloadRef.kind)}/${String(workloadRef.name)} does not exist in namespace ${ns}`,
        fix: 'Point workloadRef at an existing Deployment.',
      }),
    );
  }
  for (const [strategyName, fields] of [
    ['canary', ['stableService', 'canaryService']],
    ['blueGreen', ['activeService', 'previewService']],
  ] as const) {
    const s = asRecord(strategy[strategyName]);
    if (!s) continue;
    const names: string[] = [];
    for (const field of fields) {
      const name = asString(s[field]);
      if (!name) continue;
      names.push(name);
      if (!find('Service', ns, name)) {
        findings.push(
          findingAt(ctx, r, ['spec', 'strategy', strategyName, field], {
            rule: 'ref-rollout-service',
            severity: missingSeverity(ns, 'error'),
            message: `${field} "${name}" is not a Service in namespace ${ns}: the Rollout stays degraded`,
            fix: `Create Service ${name} in ${ns} or correct strategy.${strategyName}.${field}.`,
          }),
        );
      }
    }
    if (names.length === 2 && names[0] === names[1]) {
      findings.push(
        findingAt(ctx, r, ['spec', 'strategy', strategyName, fields[1]], {
          rule: 'ref-rollout-service',
          severity: 'error',
          message: `${fields[0]} and ${fields[1]} are the same Service "${names[0]}"; Argo Rollouts requires two different Services`,
          fix: `Use a separate Service for ${fields[1]}.`,
        }),
      );
    }
  }
  // Analysis blocks: inline steps, background analysis, blue-green pre/post promotion.
  const blocks: Array<{ path: Array<string | number>; block: Record<string, unknown> }> = [];
  const canary = asRecord(strategy.canary);
  asArray(canary?.steps).forEach((step, i) => {
    const analysis = asRecord(asRecord(step)?.analysis);
    if (analysis)
      blocks.push({ path: ['spec', 'strategy', 'canary', 'steps', i, 'analysis'], block: analysis });
  });
  const background = asRecord(canary?.analysis);
  if (background) blocks.push({ path: ['spec', 'strategy', 'canary', 'analysis'], block: background });
  const blueGreen = asRecord(strategy.blueGreen);
  for (const field of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
    const b = asRecord(blueGreen?.[field]);
    if (b) blocks.push({ path: ['spec', 'strategy', 'blueGreen', field], block: b });
  }
  for (const { path, block } of blocks) {
    const passed = new Set(asArray(block.args).map((a) => asString(asRecord(a)?.name) ?? ''));
    asArray(block.templates).forEach((t, i) => {
      const ref = asRecord(t) ?? {};
      const name = asString(ref.templateName) ?? '';
      const cluster = ref.clusterScope === true;
      const template = cluster
        ? ctx.repo.resources.find((x) => x.kind === 'ClusterAnalysisTemplate' && x.name === name)
        : find('AnalysisTemplate', ns, name);
      if (!template) {
        const others = ctx.repo.resources
          .filter((x) => x.kind === 'AnalysisTemplate' && ctx.namespaceOf(x) === ns)
          .map((x) => x.name);
        findings.push(
          findingAt(ctx, r, [...path, 'templates', i, 'templateName'], {
            rule: 'ref-analysis-template',
            severity: missingSeverity(ns, 'error'),
            message: `analysis templateName "${name}" is not ${cluster ? 'a ClusterAnalysisTemplate' : `an AnalysisTemplate in namespace ${ns}`}: the rollout aborts at this step`,
            fix:
              others.length > 0
                ? `Use one of: ${others.join(', ')}.`
                : `Add AnalysisTemplate ${name} to namespace ${ns}.`,
          }),
        );
        return;
      }
      for (const arg of asArray(asRecord(template.object.spec)?.args)) {
        const a = asRecord(arg) ?? {};
        const argName = asString(a.name) ?? '';
        if (a.value === undefined && a.valueFrom === undefined && !passed.has(argName)) {
          findings.push(
            findingAt(ctx, r, [...path, 'templates', i, 'templateName'], {
              rule: 'ref-analysis-args',
              severity: 'error',
              message: `AnalysisTemplate ${name} needs argument "${argName}", which this analysis step does not pass: the AnalysisRun errors`,
              fix: `Add {name: ${argName}, value…} to the args of this analysis (for the canary's hash: valueFrom.podTemplateHashValue: Latest).`,
            }),
          );
        }
      }
    });
  }
  return findings;
}

function podReferences(
  ctx: LintContext,
  r: Resource,
  ns: string | undefined,
  pod: PodSpecAt,
  find: (kind: string, ns: string | undefined, name: string) => Resource | undefined,
  missingSeverity: (ns: string | undefined, s: Severity) => Severity,
  secretProvided: (ns: string | undefined, name: string) => boolean,
): Finding[] {
  const findings: Finding[] = [];
  const checkConfigMap = (
    name: string,
    optional: boolean,
    path: Array<string | number>,
    keyName?: string,
  ) => {
    const cm = find('ConfigMap', ns, name);
    if (!cm) {
      if (optional) return;
      findings.push(
        findingAt(ctx, r, path, {
          rule: 'ref-configmap',
          severity: missingSeverity(ns, 'error'),
          message: `ConfigMap "${name}" is not defined in namespace ${ns}: pods fail with CreateContainerConfigError`,
          fix: `Add ConfigMap ${name} to namespace ${ns}, correct the name, or mark the reference optional: true.`,
        }),
      );
      return;
    }
    if (keyName !== undefined && !optional) {
      const data = { ...(asRecord(cm.object.data) ?? {}), ...(asRecord(cm.object.binaryData) ?? {}) };
      if (!(keyName in data)) {
        findings.push(
          findingAt(ctx, r, path, {
            rule: 'ref-configmap',
            severity: 'error',
            message: `ConfigMap "${name}" has no key "${keyName}" (keys: ${Object.keys(data).join(', ') || 'none'})`,
            fix: `Add ${keyName} to ConfigMap ${name} (${cm.file}) or correct the key.`,
          }),
        );
      }
    }
  };
  const checkSecret = (name: string, optional: boolean, path: Array<string | number>) => {
    if (optional || find('Secret', ns, name) || secretProvided(ns, name)) return;
    findings.push(
      findingAt(ctx, r, path, {
        rule: 'ref-secret',
        severity: missingSeverity(ns, 'error'),
        message: `Secret "${name}" is required but nothing in the repository provides it in namespace ${ns} (Secrets are not committed): pods fail with CreateContainerConfigError until someone creates it by hand`,
        fix: 'Mark the reference optional: true if the pod can run without it, or provide it with a SealedSecret/ExternalSecret.',
      }),
    );
  };
  for (const c of containersOf(pod)) {
    asArray(c.container.envFrom).forEach((e, i) => {
      const entry = asRecord(e) ?? {};
      const cm = asRecord(entry.configMapRef);
      const secret = asRecord(entry.secretRef);
      if (cm)
        checkConfigMap(asString(cm.name) ?? '', cm.optional === true, [
          ...c.path,
          'envFrom',
          i,
          'configMapRef',
          'name',
        ]);
      if (secret)
        checkSecret(asString(secret.name) ?? '', secret.optional === true, [
          ...c.path,
          'envFrom',
          i,
          'secretRef',
          'name',
        ]);
    });
    asArray(c.container.env).forEach((e, i) => {
      const valueFrom = asRecord(asRecord(e)?.valueFrom) ?? {};
      const cm = asRecord(valueFrom.configMapKeyRef);
      const secret = asRecord(valueFrom.secretKeyRef);
      if (cm) {
        checkConfigMap(
          asString(cm.name) ?? '',
          cm.optional === true,
          [...c.path, 'env', i, 'valueFrom', 'configMapKeyRef'],
          asString(cm.key),
        );
      }
      if (secret)
        checkSecret(asString(secret.name) ?? '', secret.optional === true, [
          ...c.path,
          'env',
          i,
          'valueFrom',
          'secretKeyRef',
        ]);
    });
  }
  asArray(pod.spec.volumes).forEach((v, i) => {
    const volume = asRecord(v) ?? {};
    const cm = asRecord(volume.configMap);
    const secret = asRecord(volume.secret);
    if (cm)
      checkConfigMap(asString(cm.name) ?? '', cm.optional === true, [...pod.path, 'volumes', i, 'configMap']);
    if (secret)
      checkSecret(asString(secret.secretName) ?? '', secret.optional === true, [
        ...pod.path,
        'volumes',
        i,
        'secret',
      ]);
    asArray(asRecord(volume.projected)?.sources).forEach((s, j) => {
      const source = asRecord(s) ?? {};
      const pcm = asRecord(source.configMap);
      const psecret = asRecord(source.secret);
      const base = [...pod.path, 'volumes', i, 'projected', 'sources', j];
      if (pcm) checkConfigMap(asString(pcm.name) ?? '', pcm.optional === true, [...base, 'configMap']);
      if (psecret) checkSecret(asString(psecret.name) ?? '', psecret.optional === true, [...base, 'secret']);
    });
  });
  const sa = asString(pod.spec.serviceAccountName) ?? asString(pod.spec.serviceAccount);
  if (sa && sa !== 'default' && !find('ServiceAccount', ns, sa)) {
    findings.push(
      findingAt(ctx, r, [...pod.path, 'serviceAccountName'], {
        rule: 'ref-service-account',
        severity: missingSeverity(ns, 'error'),
        message: `ServiceAccount "${sa}" is not defined in namespace ${ns}: the ReplicaSet cannot create pods`,
        fix: `Add ServiceAccount ${sa} to namespace ${ns} or correct serviceAccountName.`,
      }),
    );
  }
  return findings;
}
