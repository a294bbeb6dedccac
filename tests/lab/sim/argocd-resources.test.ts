/**
 * The simulated Argo CD's status.resources against argo-cd v3.1.12: controller/state.go CompareAppState (the
 * entries), controller/health.go setApplicationHealth with --persist-resource-health off by default (no health),
 * controller/appcontroller.go resourceStatusKey (the order), pkg/apis/application/v1alpha1/types.go (the names).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { type ResourceStatus, resourceStatuses } from '../../../src/lab/sim/argocd.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { forceRefresh } from '../../support/argo-apps.js';

const application = (lab: SimLab, name: string) =>
  lab.cluster.get('argoproj.io/v1alpha1', 'Application', name, 'argocd')?.status as {
    sync: { status: string };
    resources: ResourceStatus[];
    resourceHealthSource?: string;
  };

const entry = (lab: SimLab, kind: string, name: string) =>
  application(lab, 'docqa').resources.find((r) => r.kind === kind && r.name === name);

/** The docqa app's objects in the order Argo CD stores them: group, kind, namespace, name (the core group is ''). */
const docqaResources = [
  { version: 'v1', kind: 'ConfigMap', namespace: 'docqa', name: 'docqa-config', status: 'Synced' },
  { version: 'v1', kind: 'Service', namespace: 'docqa', name: 'docqa-canary', status: 'Synced' },
  { version: 'v1', kind: 'Service', namespace: 'docqa', name: 'docqa-stable', status: 'Synced' },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'AnalysisTemplate',
    namespace: 'docqa',
    name: 'docqa-quality',
    status: 'Synced',
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Rollout',
    namespace: 'docqa',
    name: 'docqa',
    status: 'Synced',
  },
  {
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    namespace: 'docqa',
    name: 'docqa',
    status: 'Synced',
  },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    namespace: 'docqa',
    name: 'docqa',
    status: 'Synced',
  },
];

describe('status.resources of the simulated Argo CD (argo-cd v3.1.12 controller/state.go CompareAppState)', {
  timeout: 120_000,
}, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  it('one entry per managed object, sorted by group/kind/namespace/name, with no health by default', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    // What the model itself writes, not what the lab was seeded with: the seeded status is cleared first.
    for (const name of ['docqa', 'lab-root'])
      lab.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
        (o.status as Record<string, unknown>).resources = [];
      });
    forceRefresh(lab, 'docqa');
    forceRefresh(lab, 'lab-root');
    await sleep(clock, 1000);
    const docqa = application(lab, 'docqa');
    expect(docqa.resources).toEqual(docqaResources);
    // --persist-resource-health is off: no entry has a health, and the app says its resources' health is in the tree.
    expect(docqa.resources.some((r) => 'health' in r)).toBe(false);
    expect(docqa.resourceHealthSource).toBe('appTree');
    // The root app's one object: the docqa Application, with the sync wave of its annotation.
    expect(application(lab, 'lab-root').resources).toEqual([
      {
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'Application',
        namespace: 'argocd',
        name: 'docqa',
        status: 'Synced',
        syncWave: 3,
      },
    ]);
  });

  it('the lab starts with every resource listed Synced, as a synced Argo CD shows it', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    expect(application(lab, 'docqa').resources).toEqual(docqaResources);
  });

  it('a drifted object is OutOfSync, alone, until self-heal syncs it; then Synced again', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    lab.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      (o.data as Record<string, string>).DOCQA_MODE = 'edited';
    });
    await sleep(clock, 500);
    expect(application(lab, 'docqa').sync.status).toBe('OutOfSync');
    expect(
      application(lab, 'docqa')
        .resources.filter((r) => r.status === 'OutOfSync')
        .map((r) => `${r.kind}/${r.name}`),
    ).toEqual(['ConfigMap/docqa-config']);
    // The self-heal's sync takes 2 s; its changes come back as a refresh.
    await sleep(clock, 5000);
    expect(application(lab, 'docqa').sync.status).toBe('Synced');
    expect(entry(lab, 'ConfigMap', 'docqa-config')?.status).toBe('Synced');
  });

  it('live objects carry the tracking annotation and last-applied configuration a sync writes', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const annotations = (kind: string, apiVersion: string, name: string, ns: string) =>
      lab?.cluster.get(apiVersion, kind, name, ns)?.metadata?.annotations ?? {};
    const rollout = annotations('Rollout', 'argoproj.io/v1alpha1', 'docqa', 'docqa');
    expect(rollout['argocd.argoproj.io/tracking-id']).toBe('docqa:argoproj.io/Rollout:docqa/docqa');
    const applied = JSON.parse(
      rollout['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}',
    ) as KubeObject;
    expect(applied).toMatchObject({ kind: 'Rollout', metadata: { name: 'docqa', namespace: 'docqa' } });
    expect(applied).not.toHaveProperty('status');
    expect(annotations('Application', 'argoproj.io/v1alpha1', 'docqa', 'argocd')).toMatchObject({
      'argocd.argoproj.io/tracking-id': 'lab-root:argoproj.io/Application:argocd/docqa',
      'argocd.argoproj.io/sync-wave': '3',
    });
  });

  it('a label Git sets, changed by hand, is drift that self-heal reverts; a label Git does not name is not', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const labels = () =>
      lab?.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.metadata?.labels ??
      ({} as Record<string, string>);
    const [key, value] = Object.entries(labels())[0] ?? [];
    expect(key).toBeDefined();
    lab.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      o.metadata = { ...o.metadata, labels: { ...o.metadata?.labels, 'team.example.com/owner': 'ops' } };
    });
    await sleep(clock, 500);
    expect(entry(lab, 'ConfigMap', 'docqa-config')?.status).toBe('Synced');
    lab.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      o.metadata = { ...o.metadata, labels: { ...o.metadata?.labels, [key as string]: 'edited' } };
    });
    await sleep(clock, 500);
    expect(entry(lab, 'ConfigMap', 'docqa-config')?.status).toBe('OutOfSync');
    await sleep(clock, 5000);
    expect(labels()).toMatchObject({ [key as string]: value, 'team.example.com/owner': 'ops' });
    expect(entry(lab, 'ConfigMap', 'docqa-config')?.status).toBe('Synced');
  });

  it('a missing object is OutOfSync (not pruned, no health) until self-heal creates it again', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    lab.cluster.remove('policy/v1', 'PodDisruptionBudget', 'docqa', 'docqa');
    await sleep(clock, 500);
    expect(entry(lab, 'PodDisruptionBudget', 'docqa')).toEqual({
      group: 'policy',
      version: 'v1',
      kind: 'PodDisruptionBudget',
      namespace: 'docqa',
      name: 'docqa',
      status: 'OutOfSync',
    });
    await sleep(clock, 5000);
    expect(lab.cluster.get('policy/v1', 'PodDisruptionBudget', 'docqa', 'docqa')).toBeDefined();
    expect(entry(lab, 'PodDisruptionBudget', 'docqa')?.status).toBe('Synced');
  });
  it('when Git cannot be read, a forced refresh lists the live objects as Unknown and requiring pruning (failedToLoadObjs)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    lab.cluster.update('apps/v1', 'Deployment', 'git-server', 'lab-git', (o) => {
      (o.spec as { replicas: number }).replicas = 0;
      o.status = { ...(o.status as object), readyReplicas: 0 };
    });
    await sleep(clock, 1000);
    forceRefresh(lab, 'docqa');
    await sleep(clock, 1000);
    const docqa = application(lab, 'docqa');
    expect(docqa.sync.status).toBe('Unknown');
    expect(docqa.resources.map((r) => `${r.kind}/${r.name} ${r.status} ${r.requiresPruning}`)).toEqual(
      docqaResources.map((r) => `${r.kind}/${r.name} Unknown true`),
    );
  });
});

describe('resourceStatuses (controller/state.go, controller/health.go at v3.1.12)', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
  const rollout: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'r', namespace: 'n' },
    spec: { replicas: 1 },
    status: { phase: 'Healthy' },
  };

  it('stores health only with --persist-resource-health: Missing when not live, none for a kind without a check', () => {
    const managed = [{ target: cm, live: cm }, { target: rollout }];
    const off = resourceStatuses(managed, { differs: () => false });
    expect(off.map((r) => r.health)).toEqual([undefined, undefined]);
    const on = resourceStatuses(managed, { differs: () => false, persistHealth: true });
    expect(on.map((r) => [r.kind, r.status, r.health?.status])).toEqual([
      ['ConfigMap', 'Synced', undefined],
      ['Rollout', 'OutOfSync', 'Missing'],
    ]);
  });

  it('a live-only object requires pruning; when the desired state cannot be loaded every entry is Unknown', () => {
    expect(resourceStatuses([{ live: cm }], { differs: () => false })).toEqual([
      {
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'n',
        name: 'c',
        status: 'OutOfSync',
        requiresPruning: true,
      },
    ]);
    expect(
      resourceStatuses([{ live: cm }], { differs: () => false, failedToLoad: true }).map((r) => r.status),
    ).toEqual(['Unknown']);
  });

  it('a hook, or an object whose only hook type is Skip, has no sync status; the sync wave comes from its annotation', () => {
    const annotated = (name: string, annotations: Record<string, string>): KubeObject => ({
      ...cm,
      metadata: { name, namespace: 'n', annotations },
    });
    const hook = annotated('h', { 'argocd.argoproj.io/hook': 'PreSync' });
    const skip = annotated('s', { 'argocd.argoproj.io/hook': 'Skip' });
    const wave = annotated('w', { 'argocd.argoproj.io/sync-wave': '-2' });
    const out = resourceStatuses(
      [hook, skip, wave].map((o) => ({ target: o, live: o })),
      { differs: () => true },
    );
    expect(out.map((r) => [r.name, r.status, r.hook, r.syncWave])).toEqual([
      ['h', undefined, true, undefined],
      ['s', undefined, undefined, undefined],
      ['w', 'OutOfSync', undefined, -2],
    ]);
  });
});
