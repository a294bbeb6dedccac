/**
 * The simulated repo-server's kustomize model against the real kustomize (the one built into kubectl): the same
 * objects for the lab's own workloads/docqa and for kustomizations that use the other options the model reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kustomizeBuild } from '../../../src/lab/sim/kustomize.js';
import { MemoryRepo } from '../../../src/lab/sim/repo.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { packagePath } from '../../../src/paths.js';
import { hasKubectl } from '../../support/kubectl.js';
import { tempDirsForEachTest } from '../../support/temp-dirs.js';

const tempDir = tempDirsForEachTest();

const kubectl = hasKubectl;

const byKey = (objects: KubeObject[]) =>
  Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`, o]));

function realBuild(dir: string): KubeObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(out).map((d) => d.toJS() as KubeObject);
}

describe('kustomize model prerequisites', () => {
  it('has kubectl installed when running in CI (.ci/run installs it)', () => {
    expect(kubectl || process.env.CI !== 'true', 'kubectl is missing: CI must install it').toBe(true);
  });
});

describe.runIf(kubectl)('the simulated repo-server renders as `kubectl kustomize` does', () => {
  it("the lab's workloads/docqa: the same objects, field for field", () => {
    const repo = new MemoryRepo();
    const model = kustomizeBuild(repo, 'workloads/docqa', repo.head.sha);
    expect(byKey(model)).toEqual(byKey(realBuild(packagePath('manifests', 'workloads', 'docqa'))));
  });

  it('labels with includeTemplates and includeSelectors, images by newName, newTag and digest', async () => {
    const dir = await tempDir('kustomize-model-');
    const base = join(dir, 'workloads', 'app');
    mkdirSync(base, { recursive: true });
    const files: Record<string, string> = {
      'kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'namespace: shop',
        'labels:',
        '  - pairs: { team: web }',
        '    includeTemplates: true',
        '  - pairs: { tier: front }',
        '    includeSelectors: true',
        'resources: [deploy.yaml, svc.yaml]',
        'images:',
        '  - { name: nginx, newTag: "1.27" }',
        '  - { name: busybox, newName: registry.local/busybox }',
        '  - { name: ghcr.io/x/side, digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" }',
      ].join('\n'),
      'deploy.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web }',
        'spec:',
        '  selector: { matchLabels: { app: web } }',
        '  template:',
        '    metadata: { labels: { app: web } }',
        '    spec:',
        '      initContainers: [{ name: init, image: "busybox:1.36" }]',
        '      containers:',
        '        - { name: web, image: nginx }',
        '        - { name: side, image: "ghcr.io/x/side:2" }',
      ].join('\n'),
      'svc.yaml': [
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: web }',
        'spec: { selector: { app: web }, ports: [{ port: 80 }] }',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: settings }',
        'data: { a: "1" }',
      ].join('\n'),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(base, name), `${text}\n`);
    const repo = new MemoryRepo(
      Object.keys(files).map((f) => `workloads/app/${f}`),
      dir,
    );
    expect(byKey(kustomizeBuild(repo, 'workloads/app', repo.head.sha))).toEqual(byKey(realBuild(base)));
  });
});
