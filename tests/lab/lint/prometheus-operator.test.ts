/**
 * Prometheus Operator kinds (ServiceMonitor, PodMonitor, Probe, PrometheusRule) are schema-validated against
 * the CRDs that the lab's pinned kube-prometheus-stack chart ships (schemas/crds/prometheus-operator-*.yaml,
 * built into schemas/prometheus-operator.json by scripts/build-schemas.mjs).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
// @ts-expect-error: a plain ESM script without type declarations
import { argoKindSchemas } from '../../../scripts/build-schemas.mjs';
import { type Finding, lintRepository } from '../../../src/lab/lint/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-prom-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let count = 0;
function lintYaml(yaml: string): Finding[] {
  const dir = join(temp, `repo-${count++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'monitoring.yaml'), yaml);
  return lintRepository({ dir }).findings.filter((f) => f.rule === 'schema');
}

function text(f: Finding): string {
  return `${f.severity} ${f.file}:${f.line ?? ''} ${f.resource ?? ''}: ${f.message} (${f.fix})`;
}

/** The schema errors lint reports on one file holding `yaml`, one a line. */
function errorsOf(yaml: string): string {
  return lintYaml(yaml)
    .filter((f) => f.severity === 'error')
    .map(text)
    .join('\n');
}

// Valid objects as the upstream documentation shows them (prometheus-operator v0.86.2:
// example/user-guides/getting-started/example-app-service-monitor.yaml and example-app-pod-monitor.yaml,
// example/user-guides/alerting/prometheus-example-rules.yaml, Documentation/developer/blackbox-exporter.md's Probe).
const upstreamExamples = {
  ServiceMonitor: `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: example-app
  labels:
    team: frontend
spec:
  selector:
    matchLabels:
      app: example-app
  endpoints:
  - port: web
`,
  PodMonitor: `apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: example-app
  labels:
    team: frontend
spec:
  selector:
    matchLabels:
      app: example-app
  podMetricsEndpoints:
  - port: web
`,
  PrometheusRule: `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  creationTimestamp: null
  labels:
    prometheus: example
    role: alert-rules
  name: prometheus-example-rules
spec:
  groups:
  - name: ./example.rules
    rules:
    - alert: ExampleAlert
      expr: vector(1)
`,
  Probe: `apiVersion: monitoring.coreos.com/v1
kind: Probe
metadata:
  name: example-com-website
spec:
  interval: 60s
  module: http_2xx
  prober:
    url: blackbox-exporter.monitoring.svc:19115
  targets:
    staticConfig:
      static:
      - example.com
`,
};

describe('lint: Prometheus Operator kinds against the bundled v0.86.2 CRDs', () => {
  for (const [kind, yaml] of Object.entries(upstreamExamples)) {
    it(`accepts the upstream ${kind} example, and validates it (no "no bundled schema")`, () => {
      expect(lintYaml(yaml).map(text)).toEqual([]);
    });
  }

  it('a ServiceMonitor with spec.endpoint (for endpoints) is an error naming the field', () => {
    const errors = errorsOf(upstreamExamples.ServiceMonitor.replace('  endpoints:', '  endpoint:'));
    expect(errors).toContain('unknown field "endpoint" in spec');
    expect(errors).toContain('missing required field "endpoints"');
  });

  it('a wrong type is an error naming the field path', () => {
    // interval is a string of the CRD's Duration pattern; a bare number is rejected by the API server.
    expect(errorsOf(`${upstreamExamples.ServiceMonitor}    interval: 30\n`)).toContain(
      'endpoints[0].interval',
    );
  });

  it('a PodMonitor endpoint port given as a number (the CRD wants a port name) is an error', () => {
    expect(errorsOf(upstreamExamples.PodMonitor.replace('- port: web', '- port: 8080'))).toContain(
      'podMetricsEndpoints[0].port',
    );
  });

  it("a PrometheusRule partial_response_strategy follows the CRD's Go pattern ^(?i)(abort|warn)?$", () => {
    const group = '  - name: ./example.rules\n';
    const withStrategy = (value: string) =>
      upstreamExamples.PrometheusRule.replace(group, `${group}    partial_response_strategy: ${value}\n`);
    // (?i): case-insensitive, as Go's regexp reads it.
    expect(lintYaml(withStrategy('WARN')).map(text)).toEqual([]);
    expect(errorsOf(withStrategy('sometimes'))).toContain('groups[0].partial_response_strategy');
  });

  it('a PrometheusRule rule with a misspelt field (expresion) is an error naming it', () => {
    expect(errorsOf(upstreamExamples.PrometheusRule.replace('expr:', 'expresion:'))).toContain('"expresion"');
  });

  it("the lab's own ServiceMonitors, PodMonitors and Probes validate, and the manifests lint clean", () => {
    const report = lintRepository({ dir: join(root, 'manifests') });
    const kinds = new Set(
      readdirSync(join(root, 'manifests', 'workloads', 'observability'))
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((f) =>
          parseAllDocuments(readFileSync(join(root, 'manifests', 'workloads', 'observability', f), 'utf8')),
        )
        .map((d) => d.toJS()?.kind),
    );
    expect(kinds).toContain('ServiceMonitor');
    expect(kinds).toContain('PodMonitor');
    expect(kinds).toContain('Probe');
    expect(report.findings.filter((f) => f.severity !== 'info').map(text)).toEqual([]);
    expect(report.findings.filter((f) => f.rule === 'schema').map(text)).toEqual([]);
  }, 120_000);
});

describe('the vendored Prometheus Operator CRDs', () => {
  const crdDir = join(root, 'schemas', 'crds');
  const files = readdirSync(crdDir).filter((f) => f.startsWith('prometheus-operator-'));

  it('are the pinned kube-prometheus-stack chart version, one per kind, each naming its source', () => {
    const app = parse(readFileSync(join(root, 'manifests', 'apps', 'kube-prometheus-stack.yaml'), 'utf8'));
    const chart = app.spec.source.targetRevision as string;
    expect(files.map((f) => f.replace(/^prometheus-operator-v[\d.]+-/, '')).sort()).toEqual([
      'podmonitor-crd.yaml',
      'probe-crd.yaml',
      'prometheusrule-crd.yaml',
      'servicemonitor-crd.yaml',
    ]);
    for (const f of files) {
      const first = readFileSync(join(crdDir, f), 'utf8').split('\n')[0];
      expect(first).toContain('github.com/prometheus-community/helm-charts');
      expect(first).toContain(`tag kube-prometheus-stack-${chart},`);
    }
  });

  it('are what the committed schemas/prometheus-operator.json was built from', () => {
    const committed = JSON.parse(readFileSync(join(root, 'schemas', 'prometheus-operator.json'), 'utf8'));
    const fromVendored = argoKindSchemas(
      files.flatMap((f) => parseAllDocuments(readFileSync(join(crdDir, f), 'utf8')).map((d) => d.toJS())),
    );
    expect(Object.keys(committed.kinds).sort()).toEqual([
      'monitoring.coreos.com/v1/PodMonitor',
      'monitoring.coreos.com/v1/Probe',
      'monitoring.coreos.com/v1/PrometheusRule',
      'monitoring.coreos.com/v1/ServiceMonitor',
    ]);
    expect(fromVendored).toEqual(committed.kinds);
  });
});
