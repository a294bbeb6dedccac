/**
 * Rules that tie the delivery path together: scrape configurations must find the pods and keep the labels
 * that the canary analysis selects by, and in-cluster URLs (probe targets, eval replay targets, env values)
 * must name Services and ports that exist.
 */
import { asArray, asRecord, asString, findingAt, type LintContext } from '../context.js';
import { podSpecsOf, workloadKinds } from '../pod-specs.js';
import type { Finding, Resource } from '../types.js';

const monitorKinds = new Set(['PodMonitor', 'ServiceMonitor']);
/** Labels that only exist in Prometheus if a scrape configuration copies them from pod labels. */
const relabelledLabels = ['rollouts_pod_template_hash', 'pod_template_hash'];

function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

export function observabilityRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  const monitors = ctx.repo.resources.filter(
    (r) => monitorKinds.has(r.kind) && r.apiVersion.startsWith('monitoring.coreos.com/'),
  );
  const namespacesWithObjects = new Set(
    ctx.repo.resources.map((r) => ctx.namespaceOf(r)).filter(Boolean) as string[],
  );
  const known = (ns: string) => namespacesWithObjects.has(ns) && !ctx.opaqueNamespaces.has(ns);

  // Labels the analysis queries select by must be produced by some scrape configuration.
  if (monitors.length > 0) {
    const produced = new Set<string>();
    // Scrape configurations can also live in Helm values (additionalScrapeConfigs) or a ConfigMap.
    for (const r of ctx.repo.resources) {
      if (r.kind !== 'Application' && r.kind !== 'ConfigMap') continue;
      const text = JSON.stringify(r.object);
      for (const label of relabelledLabels) {
        if (new RegExp(`target_?label\\W{0,8}${label}\\b`, 'i').test(text)) produced.add(label);
      }
    }
    for (const m of monitors) {
      const spec = asRecord(m.object.spec) ?? {};
      const endpoints = [...asArray(spec.podMetricsEndpoints), ...asArray(spec.endpoints)];
      for (const e of endpoints) {
        for (const relabel of asArray(asRecord(e)?.relabelings)) {
          const target = asString(asRecord(relabel)?.targetLabel);
          if (target) produced.add(target);
        }
      }
      for (const l of asArray(spec.podTargetLabels)) produced.add(String(l).replace(/[^A-Za-z0-9_]/g, '_'));
    }
    for (const r of ctx.repo.resources) {
      if (r.kind !== 'AnalysisTemplate' && r.kind !== 'ClusterAnalysisTemplate') continue;
      asArray(asRecord(r.object.spec)?.metrics).forEach((metric, i) => {
        const query = asString(asRecord(asRecord(asRecord(metric)?.provider)?.prometheus)?.query) ?? '';
        for (const label of relabelledLabels) {
          if (new RegExp(`\\b${label}\\s*(=|!=|=~|!~)`).test(query) && !produced.has(label)) {
            findings.push(
              findingAt(ctx, r, ['spec', 'metrics', i, 'provider', 'prometheus', 'query'], {
                rule: 'analysis-labels',
                severity: 'error',
                message: `metric ${asString(asRecord(metric)?.name) ?? i} selects by ${label}, but no PodMonitor or ServiceMonitor in the repository produces that label (relabelings targetLabel): the query finds no data and the analysis never judges the canary`,
                fix: `Add a relabeling {sourceLabels: [__meta_kubernetes_pod_label_${label}], targetLabel: ${label}} to the scrape configuration of these pods.`,
              }),
            );
          }
        }
      });
    }
  }

  // PodMonitors must select pods, on a port they declare.
  for (const m of monitors) {
    if (m.kind !== 'PodMonitor') continue;
    const spec = asRecord(m.object.spec) ?? {};
    const matchNames = asArray(asRecord(spec.namespaceSelector)?.matchNames).map(String);
    const namespaces = matchNames.length > 0 ? matchNames : [ctx.namespaceOf(m) ?? 'default'];
    if (asRecord(spec.namespaceSelector)?.any === true || !namespaces.every(known)) continue;
    const matchLabels = asRecord(asRecord(spec.selector)?.matchLabels) ?? {};
    const pods = ctx.repo.resources
      .filter((r) => workloadKinds.has(r.kind) && namespaces.includes(ctx.namespaceOf(r) ?? ''))
      .flatMap((r) => podSpecsOf(r).filter((p) => p.longRunning && selectorMatches(matchLabels, p.labels)));
    if (pods.length === 0) {
      findings.push(
        findingAt(ctx, m, ['spec', 'selector'], {
          rule: 'ref-monitor-selector',
          severity: 'error',
          message: `PodMonitor selector ${JSON.stringify(matchLabels)} matches no pods in ${namespaces.join(', ')}: nothing is scraped, dashboards and canary analysis see no data`,
          fix: 'Make spec.selector.matchLabels match the pod template labels (and namespaceSelector the namespace).',
        }),
      );
      continue;
    }
    const portNames = new Set(
      pods.flatMap((p) =>
        asArray(p.spec.containers).flatMap((c) =>
          asArray(asRecord(c)?.ports).map((x) => asString(asRecord(x)?.name) ?? ''),
        ),
      ),
    );
    asArray(spec.podMetricsEndpoints).forEach((e, i) => {
      const port = asString(asRecord(e)?.port);
      if (port && !portNames.has(port)) {
        findings.push(
          findingAt(ctx, m, ['spec', 'podMetricsEndpoints', i, 'port'], {
            rule: 'ref-monitor-selector',
            severity: 'error',
            message: `PodMonitor endpoint port "${port}" is not a named container port of the selected pods (${[...portNames].filter(Boolean).join(', ') || 'none named'})`,
            fix: 'Use the name of the container port that serves /metrics.',
          }),
        );
      }
    });
  }

  // In-cluster Service URLs.
  const urlPattern =
    /\b(?:https?:\/\/)?(?<name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.(?<ns>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?(?::(?<port>\d+))?/g;
  const checkUrls = (r: Resource, path: Array<string | number>, text: string) => {
    for (const match of text.matchAll(urlPattern)) {
      const { name = '', ns = '', port } = match.groups ?? {};
      if (!known(ns)) continue;
      const service = ctx.repo.resources.find(
        (s) => s.kind === 'Service' && s.name === name && ctx.namespaceOf(s) === ns,
      );
      if (!service) {
        const others = ctx.repo.resources
          .filter((s) => s.kind === 'Service' && ctx.namespaceOf(s) === ns)
          .map((s) => s.name);
        findings.push(
          findingAt(ctx, r, path, {
            rule: 'ref-service-url',
            severity: 'error',
            message: `${match[0]} names Service ${name} in namespace ${ns}, which is not defined (Services there: ${others.join(', ') || 'none'})`,
            fix: 'Correct the Service name in the URL.',
          }),
        );
        continue;
      }
      const ports = asArray(asRecord(service.object.spec)?.ports).map((p) => asRecord(p)?.port);
      if (port && !ports.includes(Number(port))) {
        findings.push(
          findingAt(ctx, r, path, {
            rule: 'ref-service-url',
            severity: 'error',
            message: `${match[0]} uses port ${port}, but Service ${name} exposes ${ports.join(', ')}`,
            fix: `Use one of the Service's ports (${ports.join(', ')}).`,
          }),
        );
      }
    }
  };
  for (const r of ctx.repo.resources) {
    if (r.kind === 'Probe') {
      const staticTargets = asArray(
        asRecord(asRecord(asRecord(r.object.spec)?.targets)?.staticConfig)?.static,
      );
      staticTargets.forEach((t, i) => {
        if (typeof t === 'string') checkUrls(r, ['spec', 'targets', 'staticConfig', 'static', i], t);
      });
    }
    for (const pod of podSpecsOf(r)) {
      asArray(pod.spec.containers).forEach((c, ci) => {
        const container = asRecord(c) ?? {};
        const base = [...pod.path, 'containers', ci];
        asArray(container.args).forEach((a, ai) => {
          if (typeof a === 'string') checkUrls(r, [...base, 'args', ai], a);
        });
        asArray(container.command).forEach((a, ai) => {
          if (typeof a === 'string') checkUrls(r, [...base, 'command', ai], a);
        });
        asArray(container.env).forEach((e, ei) => {
          const value = asString(asRecord(e)?.value);
          if (value) checkUrls(r, [...base, 'env', ei, 'value'], value);
        });
      });
    }
    if (r.kind === 'ConfigMap') {
      for (const [k, v] of Object.entries(asRecord(r.object.data) ?? {})) {
        if (typeof v === 'string' && v.length < 500) checkUrls(r, ['data', k], v);
      }
    }
  }
  return findings;
}
