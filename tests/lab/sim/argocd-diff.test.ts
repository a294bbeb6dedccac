/**
 * The simulated Argo CD's diff and sync result (argocd-diff.ts): gitops-engine's three-way diff at e48120133eec.
 * Conformance: pkg/diff/diff_test.go TestThreeWayDiffExample3, whose Deployment config and live object (with the
 * API server's defaults and the last-applied annotation) are in tests/fixtures/argocd-diff and must not differ.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldPatchMeta, type Path, predictedLive, sameJson } from '../../../src/lab/sim/argocd-diff.js';

type Obj = Record<string, unknown>;
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/argocd-diff/${name}`, import.meta.url), 'utf8')) as Obj;

const nothingIgnored = (_: Path) => false;
const deploymentSpec = fieldPatchMeta('apps/v1', 'Deployment', 'spec');
const rolloutSpec = fieldPatchMeta('argoproj.io/v1alpha1', 'Rollout', 'spec');

/** Would Argo CD call the spec OutOfSync? (A Deployment's, or with `custom` a Rollout's.) */
function differs(desired: unknown, live: unknown, last: unknown, custom = false, ignored = nothingIgnored) {
  const meta = custom ? rolloutSpec : deploymentSpec;
  return !sameJson(predictedLive(desired, live, last, ['spec'], ignored, meta), live);
}

const container = (env: Array<{ name: string; value: string }>, image = 'docqa:1') => ({
  name: 'docqa',
  image,
  env,
});
const spec = (containers: unknown[]) => ({ replicas: 2, template: { spec: { containers } } });

describe('Argo CD three-way diff (gitops-engine pkg/diff)', () => {
  it('upstream TestThreeWayDiffExample3: a live Deployment with the server defaults is in sync with its config', () => {
    const config = fixture('deployment-config.json');
    const live = fixture('deployment-live.json');
    const annotations = (live.metadata as { annotations: Record<string, string> }).annotations;
    const last = JSON.parse(annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}') as Obj;
    expect(differs(config.spec, live.spec, last.spec)).toBe(false);
    // and a real change of that config is seen
    const changed = structuredClone(config.spec) as { replicas: number };
    changed.replicas = 3;
    expect(differs(changed, live.spec, last.spec)).toBe(true);
  });

  it('an env var set on the live Deployment (kubectl set env) is no difference, and a sync keeps it', () => {
    const desired = spec([container([{ name: 'A', value: '1' }])]);
    const live = spec([
      container([
        { name: 'A', value: '1' },
        { name: 'DEBUG', value: 'true' },
      ]),
    ]);
    expect(differs(desired, live, desired)).toBe(false);

    const newImage = spec([container([{ name: 'A', value: '1' }], 'docqa:2')]);
    expect(differs(newImage, live, desired)).toBe(true);
    const synced = predictedLive(newImage, live, desired, ['spec'], nothingIgnored, deploymentSpec);
    expect(synced).toEqual(
      spec([
        container(
          [
            { name: 'A', value: '1' },
            { name: 'DEBUG', value: 'true' },
          ],
          'docqa:2',
        ),
      ]),
    );
  });

  it('the same change on a Rollout (a custom resource: lists replaced whole) is a difference, and a sync removes it', () => {
    const desired = spec([container([{ name: 'A', value: '1' }])]);
    const live = spec([
      container([
        { name: 'A', value: '1' },
        { name: 'DEBUG', value: 'true' },
      ]),
    ]);
    expect(differs(desired, live, desired, true)).toBe(true);
    expect(predictedLive(desired, live, desired, ['spec'], nothingIgnored, rolloutSpec)).toEqual(desired);
  });

  it('what Git dropped since the last sync is a difference: a container, an env var, a field', () => {
    const sidecar = { name: 'proxy', image: 'envoy:1' };
    const last = { ...spec([container([{ name: 'A', value: '1' }]), sidecar]), paused: true };
    const live = structuredClone(last);
    expect(differs(spec([container([{ name: 'A', value: '1' }])]), live, last)).toBe(true);
    expect(differs({ ...spec([container([]), sidecar]), paused: true }, live, last)).toBe(true);
    const withoutPaused = spec([container([{ name: 'A', value: '1' }]), sidecar]);
    expect(differs(withoutPaused, live, last)).toBe(true);
    expect(predictedLive(withoutPaused, live, last, ['spec'], nothingIgnored, deploymentSpec)).toEqual(
      withoutPaused,
    );
  });

  it('a container the live object has and no configuration names (a webhook sidecar) is kept, in its place', () => {
    const desired = spec([container([])]);
    const live = spec([{ name: 'istio-proxy', image: 'proxyv2' }, container([])]);
    expect(differs(desired, live, desired)).toBe(false);
  });

  it("a Service's ports with the API server's defaults (protocol, targetPort) are no difference: merged by port", () => {
    const desired = { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] };
    const live = {
      ...desired,
      type: 'ClusterIP',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
    };
    const meta = fieldPatchMeta('v1', 'Service', 'spec');
    expect(sameJson(predictedLive(desired, live, desired, ['spec'], nothingIgnored, meta), live)).toBe(true);
    const renamed = { ...desired, ports: [{ name: 'web', port: 80 }] };
    expect(sameJson(predictedLive(renamed, live, desired, ['spec'], nothingIgnored, meta), live)).toBe(false);
  });

  it('ignoreDifferences: an ignored path is no difference and, kept, survives a sync', () => {
    const ignored = (p: Path) => p.join('/') === 'spec/replicas';
    const desired = spec([container([])]);
    const live = { ...spec([container([])]), replicas: 5 };
    expect(differs(desired, live, desired, false, ignored)).toBe(false);
    expect(predictedLive(desired, live, desired, ['spec'], ignored, deploymentSpec)).toEqual(live);
  });
});

const name = fc.constantFrom('A', 'B', 'C', 'D');
const envList = fc.uniqueArray(fc.record({ name, value: fc.constantFrom('1', '2') }), {
  selector: (e) => e.name,
});

describe('Argo CD three-way diff: properties', () => {
  it('after a sync there is nothing left to sync (built-in and custom resource alike)', () => {
    fc.assert(
      fc.property(envList, envList, envList, fc.boolean(), (desired, live, last, custom) => {
        const meta = custom ? rolloutSpec : deploymentSpec;
        const want = spec([container(desired)]);
        const synced = predictedLive(
          want,
          spec([container(live)]),
          spec([container(last)]),
          ['spec'],
          nothingIgnored,
          meta,
        );
        expect(differs(want, synced, want, custom)).toBe(false);
      }),
    );
  });

  it('a live object equal to its configuration never differs', () => {
    fc.assert(
      fc.property(envList, (env) => {
        const s = spec([container(env)]);
        expect(differs(s, structuredClone(s), s)).toBe(false);
        expect(differs(s, structuredClone(s), undefined, true)).toBe(false);
      }),
    );
  });
});
