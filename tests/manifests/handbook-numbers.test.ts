/**
 * The handbook (what the doc-QA service answers from) states the lab's numbers; manifests/ decides them. Every
 * lab number the handbook states is read from its text here and compared with the YAML, so the two cannot drift
 * apart: reconciliation and repo error grace, retry backoff, HPA bounds and target, canary steps, analysis
 * intervals, limits and thresholds, the bad-image progress deadline and ports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { defaultConfig } from '../../src/lab/config.js';

const repo = join(import.meta.dirname, '..', '..');
const handbook = (name: string) => readFileSync(join(repo, 'handbook', name), 'utf8').replace(/\s+/g, ' ');
// biome-ignore lint/suspicious/noExplicitAny: manifest fields
type Obj = Record<string, any>;
const manifest = (path: string): Obj[] =>
  parseAllDocuments(readFileSync(join(repo, 'manifests', path), 'utf8'))
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
const find = (path: string, kind: string) => manifest(path).find((o) => o.kind === kind) as Obj;

/** The numbers a sentence of the handbook states: every capture group of `pattern`, which must match once. */
function stated(text: string, pattern: RegExp): number[] {
  const matches = [...text.matchAll(new RegExp(pattern.source, 'g'))];
  expect(matches.length, `the handbook states ${pattern}`).toBe(1);
  return (matches[0] as RegExpMatchArray).slice(1).map(Number);
}

/** The `data` of the ConfigMap patch named `name` in the Argo CD kustomization. */
function argoPatch(name: string): Record<string, string> {
  const k = find('bootstrap/argo-cd/kustomization.yaml', 'Kustomization');
  for (const p of k.patches as Array<{ patch: string }>) {
    const o = parse(p.patch) as Obj;
    if (o.metadata?.name === name) return o.data;
  }
  throw new Error(`no patch of ${name}`);
}

const seconds = (duration: string) => {
  const m = /^(\d+)(s|m)$/.exec(String(duration));
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

describe('handbook numbers match manifests/', () => {
  it('reconciliation period and repo error grace period (argocd-cm, argocd-cmd-params-cm)', () => {
    const sync = handbook('argo-cd-sync-and-self-heal.md');
    const [lab] = stated(sync, /The lab sets `timeout\.reconciliation` to (\d+) seconds/);
    expect(lab).toBe(seconds(argoPatch('argocd-cm')['timeout.reconciliation'] as string));
    // The lab keeps Argo CD's default jitter (60 s); the window the handbook states follows from both.
    expect(argoPatch('argocd-cm')['timeout.reconciliation.jitter']).toBeUndefined();
    expect(
      stated(
        sync,
        /A commit can therefore take up to (\d+) minutes to show up in the lab \((\d+) seconds plus up to 60 seconds of jitter\)/,
      ),
    ).toEqual([((lab as number) + 60) / 60, lab]);
    const git = handbook('drill-git-unreachable.md');
    const [grace] = stated(
      git,
      /`controller\.repo\.error\.grace\.period\.seconds`: 180 seconds by default, (\d+) seconds in the lab/,
    );
    expect(grace).toBe(
      Number(argoPatch('argocd-cmd-params-cm')['controller.repo.error.grace.period.seconds']),
    );
    expect(
      stated(git, /keeps using the last commit it resolved for `timeout\.reconciliation` \((\d+) seconds/),
    ).toEqual([lab]);
  });

  it('the docqa Application retry backoff', () => {
    const retry = find('apps/docqa.yaml', 'Application').spec.syncPolicy.retry;
    const text = handbook('argo-cd-sync-and-self-heal.md');
    const [limit, limit2, start, factor, cap, cap2] = stated(
      text,
      /retries up to (\d+) times \(`retry\.limit: (\d+)`\) with a backoff that starts at (\d+) seconds, doubles each time \(`factor: (\d+)`\) and is capped at (\d+) minutes \(`maxDuration: (\d+)m`\)/,
    );
    expect([limit, limit2]).toEqual([retry.limit, retry.limit]);
    expect(start).toBe(seconds(retry.backoff.duration));
    expect(factor).toBe(retry.backoff.factor);
    expect([(cap as number) * 60, (cap2 as number) * 60]).toEqual([
      seconds(retry.backoff.maxDuration),
      seconds(retry.backoff.maxDuration),
    ]);
  });

  it('the HPA bounds and CPU target', () => {
    const hpa = find('workloads/docqa/hpa.yaml', 'HorizontalPodAutoscaler').spec;
    const cpu = hpa.metrics[0].resource.target.averageUtilization;
    const text = handbook('argo-cd-and-hpa.md');
    expect(
      stated(text, /between (\d+) and (\d+) replicas \(`minReplicas: (\d+)`, `maxReplicas: (\d+)`\)/),
    ).toEqual([hpa.minReplicas, hpa.maxReplicas, hpa.minReplicas, hpa.maxReplicas]);
    expect(stated(text, /aims at (\d+)% average CPU/)).toEqual([cpu]);
    expect(stated(text, /never runs more than (\d+) pods and never fewer than (\d+)/)).toEqual([
      hpa.maxReplicas,
      hpa.minReplicas,
    ]);
    const drill = handbook('drill-argo-vs-hpa.md');
    expect(stated(drill, /below the HPA's minimum of (\d+)/)).toEqual([hpa.minReplicas]);
    expect(stated(drill, /within the HPA's range of (\d+) to (\d+)/)).toEqual([
      hpa.minReplicas,
      hpa.maxReplicas,
    ]);
  });

  it('the canary steps, in order', () => {
    const steps = find('workloads/docqa/rollout.yaml', 'Rollout').spec.strategy.canary.steps as Obj[];
    const text = readFileSync(join(repo, 'handbook', 'argo-rollouts-canary.md'), 'utf8');
    const listed = [...text.matchAll(/^\d+\. `(setWeight: \d+|pause: \{duration: \w+\}|analysis)`/gm)].map(
      (m) => m[1],
    );
    const actual = steps.map((s) =>
      s.setWeight !== undefined
        ? `setWeight: ${s.setWeight}`
        : s.pause
          ? `pause: {duration: ${s.pause.duration}}`
          : 'analysis',
    );
    expect(listed).toEqual(actual);
    const analysis = steps.find((s) => s.analysis)?.analysis;
    expect(text).toContain(`with the template \`${analysis.templates[0].templateName}\``);
  });

  it('the analysis: intervals, counts, limits, window and thresholds of each metric', () => {
    const template = find('workloads/docqa/analysis-template.yaml', 'AnalysisTemplate').spec;
    const prometheus = (template.metrics as Obj[]).filter((m) => m.provider.prometheus);
    const text = handbook('rollouts-analysis.md');
    const [
      delay,
      delay2,
      interval,
      interval2,
      count,
      count2,
      failures,
      failures2,
      inconclusive,
      inconclusive2,
    ] = stated(
      text,
      /waits (\d+) seconds \(`initialDelay: (\d+)s`\), then measures every (\d+) seconds \(`interval: (\d+)s`\) (\d+) times \(`count: (\d+)`\), tolerating (\d+) failed measurement \(`failureLimit: (\d+)`\) and (\d+) inconclusive ones \(`inconclusiveLimit: (\d+)`\)/,
    );
    for (const m of prometheus) {
      expect([delay, delay2], m.name).toEqual([seconds(m.initialDelay), seconds(m.initialDelay)]);
      expect([interval, interval2], m.name).toEqual([seconds(m.interval), seconds(m.interval)]);
      expect([count, count2], m.name).toEqual([m.count, m.count]);
      expect([failures, failures2], m.name).toEqual([m.failureLimit, m.failureLimit]);
      expect([inconclusive, inconclusive2], m.name).toEqual([m.inconclusiveLimit, m.inconclusiveLimit]);
    }
    const [windowMinutes] = stated(text, /each over a (\d+)-minute window/);
    for (const m of prometheus) {
      const ranges = [...String(m.provider.prometheus.query).matchAll(/\[(\d+)m\]/g)].map((r) =>
        Number(r[1]),
      );
      expect(new Set(ranges), m.name).toEqual(new Set([windowMinutes]));
    }
    const threshold = (name: string, pattern: RegExp, op: string) => {
      const [value] = stated(text, pattern);
      const metric = prometheus.find((m) => m.name === name) as Obj;
      expect(metric.successCondition, name).toContain(`result[0] ${op} ${value}`);
      return value;
    };
    threshold('grounded-ratio', /`grounded-ratio`: [^;]*; it must be at least ([\d.]+)/, '>=');
    threshold('error-ratio', /`error-ratio`: [^;]*; it must stay below ([\d.]+)/, '<');
    threshold('abstain-ratio', /`abstain-ratio`: [^;]*; it must stay below ([\d.]+)/, '<');
    const p95 = threshold('latency-p95', /`latency-p95`: [^;]*; it must stay below ([\d.]+) seconds/, '<');
    const slo = handbook('drill-latency-slo.md');
    expect(
      stated(
        slo,
        /a p95 latency below ([\d.]+) seconds, measured from the histogram `docqa_request_duration_seconds` over (\d+) minutes/,
      ),
    ).toEqual([p95, windowMinutes]);
  });

  it('the bad-image drill progress deadline and the Rollout default', () => {
    const drill = parse(readFileSync(join(repo, 'drills', 'bad-image.yaml'), 'utf8'));
    const set = drill.inject
      .flatMap((a: Obj) => a.edits ?? [])
      .find((e: Obj) => e.set?.['spec.progressDeadlineSeconds']);
    const text = handbook('drill-bad-image.md');
    const [fallback, drillValue] = stated(text, /\((\d+) seconds by default; the drill sets (\d+) seconds/);
    expect(drillValue).toBe(set.set['spec.progressDeadlineSeconds']);
    // The lab's Rollout keeps the Rollouts default (v1.8.3 pkg/apis/rollouts/defaults: 600 s).
    expect(find('workloads/docqa/rollout.yaml', 'Rollout').spec.progressDeadlineSeconds).toBeUndefined();
    expect(fallback).toBe(600);
  });

  it('ports', () => {
    const services = manifest('workloads/docqa/services.yaml').filter((o) => o.kind === 'Service');
    const [servicePort] = stated(
      handbook('argo-rollouts-canary.md'),
      /Both doc-QA Services listen on port (\d+)/,
    );
    for (const s of services) expect(s.spec.ports.map((p: Obj) => p.port)).toEqual([servicePort]);
    const container = find('workloads/docqa/rollout.yaml', 'Rollout').spec.template.spec.containers[0];
    const [metricsPort] = stated(handbook('docqa-metrics.md'), /metrics at `GET \/metrics` on port (\d+)/);
    expect(container.ports.map((p: Obj) => p.containerPort)).toContain(metricsPort);
    const [servePort] = stated(
      handbook('gitops-lab-cli.md'),
      /run the doc-QA service, on port (\d+) by default/,
    );
    expect(servePort).toBe(metricsPort);
    const prometheusPort = defaultConfig({}).ports.prometheus;
    expect(
      stated(handbook('observability-stack.md'), /svc\/kube-prometheus-stack-prometheus (\d+):(\d+)/),
    ).toEqual([prometheusPort, 9090]);
    expect(stated(handbook('observability-stack.md'), /svc\/kube-prometheus-stack-grafana (\d+):80/)).toEqual(
      [defaultConfig({}).ports.grafana],
    );
  });
});
