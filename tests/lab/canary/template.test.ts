import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseSelector, scopeQuery } from '../../../src/lab/canary/selectors.js';
import {
  loadTemplate,
  parseArgFlags,
  parseTemplate,
  resolveMetrics,
} from '../../../src/lab/canary/template.js';

const fixture = fileURLToPath(new URL('../../fixtures/canary/template.yaml', import.meta.url));
const shipped = fileURLToPath(
  new URL('../../../manifests/workloads/docqa/analysis-template.yaml', import.meta.url),
);

describe('AnalysisTemplate loading and argument substitution', () => {
  it('substitutes {{args.x}} (spaces allowed) everywhere, defaults from the template, --arg winning', async () => {
    const template = await loadTemplate(fixture);
    const metrics = resolveMetrics(template, { args: { 'canary-hash': 'abc123' } });
    const grounded = metrics.find((m) => m.name === 'grounded-ratio');
    expect(grounded?.provider.query).toContain('rollouts_pod_template_hash="abc123"');
    expect(grounded?.provider.query).not.toContain('{{');
    expect(grounded?.provider.address).toBe('http://prometheus.example:9090');
    expect(grounded?.successCondition).toBe('result[0] >= 0.9');
    const overridden = resolveMetrics(template, {
      args: { 'canary-hash': 'x', 'prometheus-address': 'http://p:1' },
    });
    expect(overridden[0]?.provider.address).toBe('http://p:1');
  });

  it('lets --prometheus replace every prometheus address', async () => {
    const template = await loadTemplate(fixture);
    const metrics = resolveMetrics(template, {
      args: { 'canary-hash': 'x' },
      prometheusAddress: 'http://127.0.0.1:1234',
    });
    for (const m of metrics.filter((m) => m.providerKind === 'prometheus'))
      expect(m.provider.address).toBe('http://127.0.0.1:1234');
  });

  it("applies Argo's count defaults: 1 without interval, unbounded with only an interval", async () => {
    const template = await loadTemplate(fixture);
    const metrics = resolveMetrics(template, { args: { 'canary-hash': 'x' } });
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(byName['grounded-ratio']).toMatchObject({
      count: 3,
      intervalMs: 30_000,
      failureLimit: 1,
      inconclusiveLimit: 2,
      consecutiveErrorLimit: 4,
    });
    expect(byName['error-ratio']?.count).toBe(1);
    expect(byName['latency-p95']?.count).toBeUndefined();
    expect(byName['latency-p95']?.intervalMs).toBe(60_000);
    expect(byName['eval-replay']?.providerKind).toBe('job');
  });

  it('refuses a missing argument value, naming it and the flag to pass', async () => {
    const template = await loadTemplate(fixture);
    expect(() => resolveMetrics(template)).toThrow(/needs the argument canary-hash/);
    try {
      resolveMetrics(template);
    } catch (error) {
      expect((error as UsageError).hint).toBe('Pass --arg canary-hash=VALUE.');
    }
  });

  it('refuses an --arg the template does not declare', async () => {
    const template = await loadTemplate(fixture);
    expect(() => resolveMetrics(template, { args: { 'canary-hash': 'x', canaryhash: 'y' } })).toThrow(
      /declares no argument canaryhash \(it declares: canary-hash, prometheus-address\)/,
    );
  });

  it('refuses a tag it cannot resolve', () => {
    const template = parseTemplate(
      `kind: AnalysisTemplate
metadata: {name: t}
spec:
  metrics:
    - name: m
      provider:
        prometheus: {address: "http://p", query: 'up{job="{{args.job}}"}'}
`,
      't.yaml',
    );
    expect(() => resolveMetrics(template)).toThrow(/failed to resolve \{\{args\.job\}\}/);
  });

  it.each([
    ['not: [valid', /invalid YAML/],
    ['kind: Rollout\nspec: {}', /no document of kind AnalysisTemplate/],
    ['kind: AnalysisTemplate\nspec: {metrics: []}', /spec.metrics must be a non-empty list/],
    ['kind: AnalysisTemplate\nspec: {metrics: [{name: a, provider: {}}]}', /must name exactly one provider/],
    [
      'kind: AnalysisTemplate\nspec: {metrics: [{name: a, provider: {web: {}}}, {name: a, provider: {web: {}}}]}',
      /used twice/,
    ],
  ])('rejects a bad template %#', (text, message) => {
    expect(() => parseTemplate(text, 'bad.yaml')).toThrow(message);
  });

  it('rejects a bad interval with the metric and field named', () => {
    const template = parseTemplate(
      'kind: AnalysisTemplate\nmetadata: {name: t}\nspec: {metrics: [{name: a, interval: soon, provider: {prometheus: {query: up}}}]}',
      't.yaml',
    );
    expect(() => resolveMetrics(template)).toThrow(/metric a of t.yaml: interval must be a duration/);
  });

  // argo-rollouts v1.8.3 utils/analysis/factory.go ValidateMetric: what Argo refuses, refused here.
  it.each([
    ['failureLimit: -1', /failureLimit and consecutiveSuccessLimit cannot both be disabled/],
    ['count: 2', /interval must be specified when count > 1/],
    [
      '{count: 3, interval: 1m, failureLimit: 2, consecutiveSuccessLimit: 2}',
      /count \(3\) must be >= failureLimit \+ consecutiveSuccessLimit/,
    ],
  ])('rejects a metric with %s as Argo Rollouts does', (fields, message) => {
    const extra = fields.startsWith('{') ? fields.slice(1, -1) : fields;
    const template = parseTemplate(
      `kind: AnalysisTemplate\nmetadata: {name: t}\nspec: {metrics: [{name: a, ${extra}, provider: {prometheus: {query: up}}}]}`,
      't.yaml',
    );
    expect(() => resolveMetrics(template)).toThrow(message);
    expect(() => resolveMetrics(template)).toThrow(/Argo Rollouts rejects metric a of t.yaml/);
  });

  it('reads consecutiveSuccessLimit, and dryRun and measurementRetention metric names as regular expressions', () => {
    const template = parseTemplate(
      `kind: AnalysisTemplate
metadata: {name: t}
spec:
  dryRun: [{metricName: 'latency-.*'}]
  measurementRetention: [{metricName: '^grounded', limit: 3}]
  metrics:
    - {name: latency-p95, provider: {prometheus: {query: up}}}
    - {name: grounded-ratio, failureLimit: -1, consecutiveSuccessLimit: 2, interval: 1m, provider: {prometheus: {query: up}}}
`,
      't.yaml',
    );
    const [latency, grounded] = resolveMetrics(template);
    expect(latency?.dryRun).toBe(true);
    expect(grounded?.dryRun).toBe(false);
    expect(grounded?.consecutiveSuccessLimit).toBe(2);
    expect(grounded?.measurementLimit).toBe(3);
    expect(latency?.measurementLimit).toBe(10);
  });

  it("rejects a dryRun rule that matches no metric (Argo: Rule didn't match any metric name(s))", () => {
    expect(() =>
      parseTemplate(
        'kind: AnalysisTemplate\nspec: {dryRun: [{metricName: nope}], metrics: [{name: a, provider: {web: {}}}]}',
        'bad.yaml',
      ),
    ).toThrow(/dryRun\[0\]: Rule didn't match any metric name\(s\)/);
  });

  it('parses --arg name=value, keeping = in values', () => {
    expect(parseArgFlags(['a=1', 'b=x=y'])).toEqual({ a: '1', b: 'x=y' });
    expect(() => parseArgFlags(['novalue'])).toThrow(UsageError);
  });

  it('loads the shipped doc-QA template with a canary hash', async () => {
    const template = await loadTemplate(shipped);
    expect(template.name).toBe('docqa-quality');
    const metrics = resolveMetrics(template, { args: { 'canary-hash': 'abc' } });
    const prometheus = metrics.filter((m) => m.providerKind === 'prometheus');
    expect(prometheus.length).toBeGreaterThanOrEqual(3);
    for (const m of prometheus)
      expect(String(m.provider.query)).toContain('rollouts_pod_template_hash="abc"');
  });
});

describe('selector scoping', () => {
  it('replaces the matcher on the same label in every vector selector and adds it where missing', () => {
    const query =
      'sum(rate(a_total{x="1",rollouts_pod_template_hash="{{args.canary-hash}}"}[2m])) / sum(rate(b_total[2m])) or vector(0)';
    const scoped = scopeQuery(query, parseSelector('rollouts_pod_template_hash="c1"', '--canary'));
    expect(scoped).toBe(
      'sum(rate(a_total{x="1", rollouts_pod_template_hash="c1"}[2m])) / sum(rate(b_total{rollouts_pod_template_hash="c1"}[2m])) or vector(0)',
    );
  });

  it('reads a bare value as the pod-template hash and braces as a matcher list', () => {
    expect(parseSelector('6d4f9c7b8', '--canary')).toEqual([
      { name: 'rollouts_pod_template_hash', text: 'rollouts_pod_template_hash="6d4f9c7b8"' },
    ]);
    expect(parseSelector('{app="docqa", track=~"canary|preview"}', '--canary').map((m) => m.name)).toEqual([
      'app',
      'track',
    ]);
  });

  it.each(['a=', '{', 'x{y="1"}', '"quoted"'])('rejects %s as a selector naming the flag', (selector) => {
    expect(() => parseSelector(selector, '--baseline')).toThrow(
      /--baseline .* is not a PromQL label selector/,
    );
  });
});
