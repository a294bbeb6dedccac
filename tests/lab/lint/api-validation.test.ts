import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isPortName,
  isQualifiedName,
  isQuantity,
} from '../../../src/lab/lint/api-validation.js';
import { type Finding, lintRepository } from '../../../src/lab/lint/index.js';

const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-api-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Lints one file holding `yaml` and returns its non-info findings. */
function lintYaml(name: string, yaml: string): Finding[] {
  const dir = join(temp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'objects.yaml'), yaml);
  return lintRepository({ dir }).findings.filter((f) => f.severity !== 'info');
}

// Cases from k8s.io/apimachinery v0.33 pkg/util/validation/validation_test.go (TestIsDNS1123Label,
// TestIsDNS1123Subdomain, TestIsValidPortName, TestIsQualifiedName).
describe('the API server formats', () => {
  it('DNS-1123 labels', () => {
    for (const good of [
      'a',
      'ab',
      'abc',
      'a1',
      'a-1',
      'a--1--2--b',
      '0',
      '01',
      '012',
      '1a',
      '1-a',
      'a'.repeat(63),
    ])
      expect(isDns1123Label(good), good).toBe(true);
    for (const bad of [
      '',
      'A',
      'ABC',
      'aBc',
      'A1',
      '-',
      'a-',
      '-a',
      '_',
      'a_b',
      '.',
      'a.b',
      ' ',
      'a b',
      'a'.repeat(64),
    ])
      expect(isDns1123Label(bad), bad).toBe(false);
  });

  it('DNS-1123 subdomains', () => {
    for (const good of [
      'a',
      'a.a',
      'a.b.c',
      '1.2.3',
      'a--1--2--b',
      'a-1.b-2',
      `${'a'.repeat(63)}.${'b'.repeat(63)}`,
    ])
      expect(isDns1123Subdomain(good), good).toBe(true);
    for (const bad of ['', 'A', 'a.', '.a', 'a..b', 'a_b', 'My_App', 'a'.repeat(254)])
      expect(isDns1123Subdomain(bad), bad).toBe(false);
  });

  it('port names (IANA_SVC_NAME)', () => {
    for (const good of ['telnet', 're-mail-ck', 'pop3', 'a', 'a-1', '1-a', 'a-1-b-2-c', '1-a-2-b-3'])
      expect(isPortName(good), good).toBe(true);
    for (const bad of [
      'longerthan15characters',
      '',
      'a'.repeat(16),
      '12345',
      '1-2-3-4',
      '-begin',
      'end-',
      'two--hyphens',
      'whois++',
    ])
      expect(isPortName(bad), bad).toBe(false);
  });

  it('qualified names (label and annotation keys)', () => {
    for (const good of [
      'simple',
      'now-with-dashes',
      '1-starts-with-num',
      '1234',
      'simple/simple',
      'example.com/a',
      'a.b/X_y.Z',
    ])
      expect(isQualifiedName(good), good).toBe(true);
    for (const bad of [
      'nospecialchars%^=@',
      'cantendwithadash-',
      '-cantstartwithadash-',
      'only/one/slash',
      '/simple',
      'Example.com/a',
      `a/${'b'.repeat(64)}`,
    ])
      expect(isQualifiedName(bad), bad).toBe(false);
  });

  // k8s.io/apimachinery v0.33 pkg/api/resource/quantity_test.go (TestQuantityParse, good and bad inputs).
  it('quantities', () => {
    for (const good of [
      '0',
      '1',
      '1.5',
      '.5',
      '100m',
      '1Ki',
      '128Mi',
      '1Gi',
      '5e3',
      '1E6',
      '-1',
      '+1',
      1,
      0.5,
    ])
      expect(isQuantity(good), String(good)).toBe(true);
    for (const bad of ['abc', '1.1.1', '1+1', '', '1i', '1Ki1', 'GiB', '1 Gi', '1GiB', '1KiB'])
      expect(isQuantity(bad), bad).toBe(false);
  });

  it('a DNS label is always a subdomain and never holds upper case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        if (isDns1123Label(s)) expect(isDns1123Subdomain(s)).toBe(true);
        if (/[A-Z_]/.test(s)) expect(isDns1123Subdomain(s)).toBe(false);
      }),
    );
  });
});

const deployment = (patch: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  creationTimestamp: null
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, creationTimestamp: null}
    spec:
      containers:
        - name: web
          image: nginx:1.27.0
          args: null
${patch}`;

describe('values the API server rejects are schema errors', () => {
  it('accepts null where the API server drops it (creationTimestamp: null, args: null)', () => {
    expect(lintYaml('nulls', deployment('')).filter((f) => f.rule === 'schema')).toEqual([]);
  });

  it.each([
    [
      'name My_App',
      (y: string) => y.replace('  name: web\n  namespace', '  name: My_App\n  namespace'),
      'My_App',
    ],
    ['imagePullPolicy Sometimes', (y: string) => `${y}          imagePullPolicy: Sometimes\n`, 'Sometimes'],
    ['port 70000', (y: string) => `${y}          ports: [{containerPort: 70000}]\n`, '70000'],
    ['quantity abc', (y: string) => `${y}          resources: {requests: {cpu: abc}}\n`, '"abc"'],
    [
      'a port name of 16 characters',
      (y: string) => `${y}          ports: [{containerPort: 80, name: averylongportname}]\n`,
      'averylongportname',
    ],
  ])('rejects %s', (_name, edit, mention) => {
    const found = lintYaml('bad', edit(deployment(''))).filter((f) => f.rule === 'schema');
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((f) => f.message).join('\n')).toContain(mention);
  });

  it('rejects a Service of type Bogus, port 0 and a name that is not a DNS-1035 label', () => {
    const found = lintYaml(
      'service',
      'apiVersion: v1\nkind: Service\nmetadata: {name: 1web, namespace: web}\nspec:\n  type: Bogus\n  ports: [{port: 0}]\n',
    );
    const text = found.map((f) => f.message).join('\n');
    expect(text).toContain('"Bogus"');
    expect(text).toContain('Service port 0');
    expect(text).toContain('DNS-1035');
  });

  it('validates kinds that had no schema: ReplicationController, ApplicationSet, ClusterAnalysisTemplate, Experiment', () => {
    const yaml = [
      'apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc, namespace: web}\nspec:\n  replicaz: 1\n',
      'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: set, namespace: argocd}\nspec:\n  generatorz: []\n  template: {metadata: {}, spec: {project: default, destination: {}}}\n',
      'apiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: {name: cat}\nspec:\n  metrics: [{name: m, provider: {web: {url: "http://x"}}, succesCondition: "true"}]\n',
      'apiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {name: ex, namespace: web}\nspec:\n  templatez: []\n',
    ].join('---\n');
    const messages = lintYaml('kinds', yaml)
      .filter((f) => f.rule === 'schema')
      .map((f) => `${f.resource}: ${f.message}`);
    expect(messages.some((m) => m.startsWith('ReplicationController/') && m.includes('"replicaz"'))).toBe(
      true,
    );
    expect(messages.some((m) => m.startsWith('ApplicationSet/') && m.includes('"generatorz"'))).toBe(true);
    expect(
      messages.some((m) => m.startsWith('ClusterAnalysisTemplate/') && m.includes('"succesCondition"')),
    ).toBe(true);
    expect(messages.some((m) => m.startsWith('Experiment/') && m.includes('"templatez"'))).toBe(true);
  });

  // Fields that newer Argo CD CRDs have but v3.1.12's does not (manifests/crds/application-crd.yaml at
  // v3.1.12 has neither spec.syncPolicy.retry.refresh nor spec.source.directory.disableExtensionFilter).
  it('rejects Application fields that Argo CD v3.1.12 does not have', () => {
    const found = lintYaml(
      'argo-version',
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: web}
  source:
    repoURL: https://example.com/repo.git
    path: web
    directory: {disableExtensionFilter: true}
  syncPolicy:
    retry: {limit: 2, refresh: true}
`,
    );
    const text = found.map((f) => f.message).join('\n');
    expect(text).toContain('"disableExtensionFilter"');
    expect(text).toContain('"refresh"');
  });

  it('reports a document without kind and an object defined twice in one file; leaves other YAML alone', () => {
    const found = lintYaml(
      'documents',
      [
        'apiVersion: v1\nmetadata: {name: cfg, namespace: web}\ndata: {a: b}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: twice, namespace: web}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: twice, namespace: web}\n',
        'replicaCount: 2\nimage: {tag: 1.0.0}\n',
      ].join('---\n'),
    );
    const messages = found.map((f) => `${f.line}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1: document 1 is a Kubernetes object without kind/),
        expect.stringMatching(/ConfigMap twice is defined twice in objects\.yaml \(documents 2 and 3\)/),
      ]),
    );
    expect(found).toHaveLength(2);
  });

  it('validates custom resources against a CustomResourceDefinition found in the repository', () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                color: {type: string, enum: [red, blue]}
`;
    const good =
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: web}\nspec: {size: 2, color: red}\n';
    expect(lintYaml('crd-good', `${crd}---\n${good}`)).toEqual([]);
    const bad =
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: web}\nspec: {size: 0, colour: red}\n';
    const messages = lintYaml('crd-bad', `${crd}---\n${bad}`).map((f) => f.message);
    expect(messages.join('\n')).toContain('unknown field "colour"');
    expect(messages.join('\n')).toContain('spec.size');
    expect(
      messages.every((m) => m.endsWith('(schema from the CustomResourceDefinition in this repository)')),
    ).toBe(true);
  });

  // go-yaml (kyaml, what kubectl kustomize and Argo CD read YAML with) accepts a double-quoted value and a
  // flow sequence continued at their key's indentation; the YAML 1.2 parser rejects both (checked with
  // `kubectl kustomize` 5.5.0 and yaml 2.9.1).
  it('reads YAML that go-yaml accepts and the strict parser does not, with a warning; bad YAML stays an error', () => {
    const quirky = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: quirky',
      '  namespace: web',
      '  annotations:',
      '    example.com/list: [a,',
      '  b]',
      'data:',
      '  text: "line one',
      '  line two"',
      '  typo: 1',
      '',
    ].join('\n');
    const found = lintYaml('go-yaml', quirky);
    expect(found.map((f) => `${f.rule}:${f.severity}`).sort()).toEqual([
      'schema:error',
      'yaml-parse:warning',
    ]);
    expect(found.find((f) => f.rule === 'yaml-parse')?.message).toMatch(/go-yaml .* reads this file/);
    // The objects are read: data.typo (a number) is reported by the schema.
    expect(found.find((f) => f.rule === 'schema')?.message).toContain('data.typo');
    const broken = quirky.replace('  typo: 1', '  typo: [1');
    expect(
      lintYaml('go-yaml-broken', broken).some((f) => f.rule === 'yaml-parse' && f.severity === 'error'),
    ).toBe(true);
    const dir = join(temp, 'go-yaml');
    const builtin = lintRepository({ dir, renderer: 'builtin' }).findings;
    expect(builtin.some((f) => f.rule === 'yaml-parse' && f.severity === 'error')).toBe(true);
  });

  it('warns about runAsGroup: 0 (root group)', () => {
    const found = lintYaml(
      'run-as-group',
      deployment('').replace(
        '      containers:',
        '      securityContext: {runAsGroup: 0}\n      containers:',
      ),
    );
    expect(
      found.some(
        (f) =>
          f.rule === 'policy-run-as-root' && f.severity === 'warning' && f.message.includes('runAsGroup: 0'),
      ),
    ).toBe(true);
  });
});
