/**
 * The simulated Argo Rollouts owns ReplicaSets, and the ReplicaSet controller their pods: what
 * `kubectl get rs,pods -n docqa` shows at rest, during a canary, after a promotion and after an abort
 * (argo-rollouts v1.8.3 rollout/sync.go getNewReplicaSet, rollout/replicaset.go, utils/annotations/annotations.go).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { podReady } from '../../../src/lab/sim/kubelet.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { abortScaleDownDelay } from '../../../src/lab/sim/rollouts.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { docqa, image, refresh, release, until } from '../../support/sim-releases.js';

const HASH = 'rollouts-pod-template-hash';
const GENERATED = '[bcdfghjklmnpqrstvwxz2456789]{5}';

interface RsView {
  name: string;
  replicas?: number;
  ready?: number;
  revision?: string;
}

describe('the simulated Rollout owns ReplicaSets (argo-rollouts v1.8.3)', { timeout: 180_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const replicaSets = () => lab?.cluster.list('apps/v1', 'ReplicaSet', 'docqa') ?? [];
  const pods = (hash: string) =>
    (lab?.cluster.list('v1', 'Pod', 'docqa') ?? []).filter((p) => p.metadata?.labels?.[HASH] === hash);
  const view = (rs: KubeObject): RsView => ({
    name: rs.metadata?.name ?? '',
    replicas: (rs.spec as { replicas?: number }).replicas,
    ready: (rs.status as { readyReplicas?: number } | undefined)?.readyReplicas,
    revision: rs.metadata?.annotations?.['rollout.argoproj.io/revision'],
  });
  const rsViews = () => replicaSets().map(view);
  const rollout = () => lab?.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
  const stableHash = () => (rollout()?.status as { stableRS?: string } | undefined)?.stableRS ?? '';

  it('at rest: one ReplicaSet docqa-<hash>, owned by the Rollout, with 2 ready pods docqa-<hash>-<5 chars>', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const hash = stableHash();
    expect(hash).toMatch(/^[0-9a-f]{10}$/);
    const [rs, ...others] = replicaSets();
    expect(others).toEqual([]);
    expect(rs?.metadata).toMatchObject({
      name: `docqa-${hash}`,
      namespace: 'docqa',
      labels: { 'app.kubernetes.io/name': 'docqa', [HASH]: hash },
      annotations: { 'rollout.argoproj.io/revision': '1', 'rollout.argoproj.io/desired-replicas': '2' },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'docqa',
          uid: rollout()?.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    const spec = rs?.spec as {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'docqa', [HASH]: hash });
    expect(spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'docqa', [HASH]: hash });
    expect(rs?.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const running = pods(hash);
    expect(running).toHaveLength(2);
    for (const pod of running) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^docqa-${hash}-${GENERATED}$`));
      expect(pod.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'ReplicaSet', name: `docqa-${hash}`, uid: rs?.metadata?.uid }),
      ]);
      expect(podReady(pod)).toBe(true);
      expect(pod.metadata?.labels?.['sim.gitops-lab/canary']).toBeUndefined();
    }
  });

  it('pod names are the same from one run of the lab to the next (a seeded name generator)', async () => {
    const names = async () => {
      const started = await startSimLab({ clock: new VirtualClock({ start: 0 }) });
      const list = started.cluster.list('v1', 'Pod', 'docqa').map((p) => p.metadata?.name);
      await started.close();
      return list.sort();
    };
    expect(await names()).toEqual(await names());
  });

  it('a canary runs a second ReplicaSet; after the promotion the old one is at 0 and its pods are gone', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const old = stableHash();
    await release(lab, { 'spec.template.metadata.annotations': { release: 'good' } }, 'test: a good release');
    await until(clock, () => replicaSets().length === 2 && rsViews().every((r) => r.ready), 120_000);
    const canary = replicaSets().find((r) => r.metadata?.name !== `docqa-${old}`);
    const hash = canary?.metadata?.labels?.[HASH] ?? '';
    // setWeight 25 of 2 replicas without traffic routing: ceil(0.5) = 1 canary pod beside the 2 stable ones.
    expect(rsViews()).toEqual(
      expect.arrayContaining([
        { name: `docqa-${old}`, replicas: 2, ready: 2, revision: '1' },
        { name: `docqa-${hash}`, replicas: 1, ready: 1, revision: '2' },
      ]),
    );
    expect(canary?.metadata?.annotations?.['rollout.argoproj.io/desired-replicas']).toBe('2');
    expect(pods(hash).map((p) => p.metadata?.labels?.['sim.gitops-lab/canary'])).toEqual(['true']);
    await until(clock, () => stableHash() === hash, 900_000);
    await sleep(clock, 5000);
    expect(rsViews()).toEqual(
      expect.arrayContaining([
        { name: `docqa-${old}`, replicas: 0, ready: undefined, revision: '1' },
        { name: `docqa-${hash}`, replicas: 2, ready: 2, revision: '2' },
      ]),
    );
    expect(replicaSets()).toHaveLength(2);
    expect(pods(old)).toEqual([]);
    expect(pods(hash)).toHaveLength(2);
    // The model's canary marker is gone from the promoted pods and from their ReplicaSet's template.
    expect(pods(hash).map((p) => p.metadata?.labels?.['sim.gitops-lab/canary'])).toEqual([
      undefined,
      undefined,
    ]);
    const promoted = lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${hash}`, 'docqa');
    type Spec = { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
    const labels = (promoted?.spec as Spec)?.template?.metadata?.labels;
    expect(labels?.[HASH]).toBe(hash);
    expect(labels?.['sim.gitops-lab/canary']).toBeUndefined();
  });

  it('an aborted basic canary is scaled to 0 at once (no traffic routing: rollout/replicaset.go shouldDelayScaleDownOnAbort), its pods gone', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const stable = stableHash();
    await release(
      lab,
      { 'spec.template.spec.containers[0].env[1]': { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' } },
      'test: a bad canary',
    );
    const aborted = () =>
      (lab?.cluster.list('v1', 'Event', 'docqa') ?? []).find((e) => e.reason === 'RolloutAborted');
    const canaryHash = () =>
      replicaSets().find((r) => r.metadata?.name !== `docqa-${stable}`)?.metadata?.labels?.[HASH] ?? '';
    await until(clock, () => canaryHash() !== '' && pods(canaryHash()).length > 0, 900_000);
    const hash = canaryHash();
    await until(clock, () => aborted() !== undefined, 900_000);
    const at = Date.parse(String(aborted()?.firstTimestamp));
    const replicaOf = (h: string) => rsViews().find((r) => r.name === `docqa-${h}`)?.replicas ?? Number.NaN;
    await until(clock, () => replicaOf(hash) === 0, 60_000);
    // At the abort's own instant (the 1 s steps of the wait and the event's whole seconds give it 2 s).
    expect(clock.now() - at).toBeLessThanOrEqual(2000);
    await sleep(clock, 1000);
    expect(pods(hash)).toEqual([]);
    expect(rsViews()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: `docqa-${hash}`, replicas: 0 }),
        { name: `docqa-${stable}`, replicas: 2, ready: 2, revision: '1' },
      ]),
    );
    expect(pods(stable)).toHaveLength(2);
  });

  it('with traffic routing an aborted canary waits abortScaleDownDelaySeconds, 30 s unless set (defaults.GetAbortScaleDownDelaySecondsOrDefault)', () => {
    expect(abortScaleDownDelay(undefined)).toBe(0);
    expect(abortScaleDownDelay({ steps: [] })).toBe(0);
    expect(abortScaleDownDelay({ abortScaleDownDelaySeconds: 10 })).toBe(0);
    expect(abortScaleDownDelay({ trafficRouting: { nginx: {} } })).toBe(30);
    expect(abortScaleDownDelay({ trafficRouting: { nginx: {} }, abortScaleDownDelaySeconds: 10 })).toBe(10);
  });

  it('a new spec.replicas (as the HPA sets it) resizes the stable ReplicaSet and its desired-replicas annotation', async () => {
    const clock = new VirtualClock({ start: 0 });
    // No metrics for the HPA: it leaves spec.replicas as the test sets it (ScalingActive False).
    lab = await startSimLab({ clock, hpa: { usage: () => undefined } });
    const hash = stableHash();
    lab.cluster.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
      (o.spec as { replicas: number }).replicas = 3;
    });
    await sleep(clock, 5000);
    const rs = lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${hash}`, 'docqa');
    expect((rs?.spec as { replicas?: number } | undefined)?.replicas).toBe(3);
    expect(rs?.metadata?.annotations?.['rollout.argoproj.io/desired-replicas']).toBe('3');
    expect(pods(hash)).toHaveLength(3);
  });

  it('a release reverted after its promotion runs the old template again in its old ReplicaSet, at a new revision', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const first = stableHash();
    await release(
      lab,
      { 'spec.template.metadata.annotations': { release: 'good' } },
      'test: a release to undo',
    );
    await until(clock, () => stableHash() !== first, 900_000);
    const second = stableHash();
    await lab.repo.revert('a release to undo');
    refresh(lab);
    await until(clock, () => stableHash() === first, 900_000);
    await sleep(clock, 5000);
    expect(replicaSets()).toHaveLength(2);
    expect(rsViews()).toEqual(
      expect.arrayContaining([
        { name: `docqa-${first}`, replicas: 2, ready: 2, revision: '3' },
        { name: `docqa-${second}`, replicas: 0, ready: undefined, revision: '2' },
      ]),
    );
    expect(pods(second)).toEqual([]);
  });

  const annotationsOf = (hash: string) =>
    lab?.cluster.get('apps/v1', 'ReplicaSet', `docqa-${hash}`, 'docqa')?.metadata?.annotations ?? {};

  it('a canary reverted before its promotion: the stable ReplicaSet becomes the new one, at a new revision, its old one in revision-history (rollout/canary_test.go TestRollBackToStable)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const stable = stableHash();
    await release(lab, { 'spec.template.metadata.annotations': { release: 'undone' } }, 'test: undone');
    await until(clock, () => replicaSets().length === 2, 120_000);
    const canary = replicaSets().find((r) => r.metadata?.name !== `docqa-${stable}`)?.metadata?.labels?.[
      HASH
    ];
    expect(annotationsOf(canary ?? '')['rollout.argoproj.io/revision']).toBe('2');
    await lab.repo.revert('test: undone');
    refresh(lab);
    await until(clock, () => annotationsOf(stable)['rollout.argoproj.io/revision'] === '3', 120_000);
    expect(annotationsOf(stable)).toMatchObject({
      'rollout.argoproj.io/revision': '3',
      'rollout.argoproj.io/revision-history': '1',
    });
    await sleep(clock, 5000);
    expect(rsViews()).toEqual(
      expect.arrayContaining([
        { name: `docqa-${stable}`, replicas: 2, ready: 2, revision: '3' },
        { name: `docqa-${canary}`, replicas: 0, ready: undefined, revision: '2' },
      ]),
    );
    expect(stableHash()).toBe(stable);
  });

  it('a rollback to an earlier image re-uses that image’s ReplicaSet at a new revision (FindNewReplicaSet by hash; SetNewReplicaSetAnnotations)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock, images: [docqa('0.1.1'), docqa('0.1.2')] });
    const first = stableHash();
    await image(lab, '0.1.1');
    await until(clock, () => stableHash() !== first, 900_000);
    const second = stableHash();
    await image(lab, '0.1.2');
    await until(clock, () => stableHash() !== second, 900_000);
    const third = stableHash();
    const rsNames = () =>
      replicaSets()
        .map((r) => r.metadata?.name)
        .sort();
    const before = rsNames();
    const uid = lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${second}`, 'docqa')?.metadata?.uid;
    await image(lab, '0.1.1');
    await until(clock, () => stableHash() === second, 900_000);
    await sleep(clock, 5000);
    // No new ReplicaSet: the one of 0.1.1, the same object, is the stable one again.
    expect(rsNames()).toEqual(before);
    const reused = lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${second}`, 'docqa');
    expect(reused?.metadata?.uid).toBe(uid);
    expect(reused?.metadata?.annotations).toMatchObject({
      'rollout.argoproj.io/revision': '4',
      'rollout.argoproj.io/revision-history': '2',
    });
    expect(rsViews()).toEqual(
      expect.arrayContaining([
        { name: `docqa-${first}`, replicas: 0, ready: undefined, revision: '1' },
        { name: `docqa-${second}`, replicas: 2, ready: 2, revision: '4' },
        { name: `docqa-${third}`, replicas: 0, ready: undefined, revision: '3' },
      ]),
    );
    expect(pods(second)).toHaveLength(2);
    expect(pods(third)).toEqual([]);
  });

  /** Releases each tag in turn, each promoted before the next (the stable hash changes). */
  async function releaseEach(clock: VirtualClock, tags: string[]): Promise<string[]> {
    const stables: string[] = [];
    for (const tag of tags) {
      const was = stableHash();
      if (!lab) break;
      await image(lab, tag);
      await until(clock, () => stableHash() !== was, 900_000);
      expect(stableHash(), `${tag} promoted`).not.toBe(was);
      stables.push(stableHash());
    }
    // The old stable's pods go and the ReplicaSet controller reports it at 0: the Rollout is queued again.
    await sleep(clock, 5000);
    return stables;
  }
  const analysisRuns = (hash: string) =>
    (lab?.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa') ?? []).filter(
      (r) => r.metadata?.labels?.[HASH] === hash,
    );

  it('after 12 image updates with no revisionHistoryLimit (10): the stable and the 10 latest old ReplicaSets, the 2 oldest deleted with their pods and AnalysisRuns; a rollback re-uses its ReplicaSet (rollout/sync.go reconcileRevisionHistoryLimit)', async () => {
    const clock = new VirtualClock({ start: 0 });
    const tags = Array.from({ length: 12 }, (_, i) => `0.1.${i + 1}`);
    lab = await startSimLab({ clock, images: tags.map(docqa) });
    await lab.repo.change(
      [{ file: 'workloads/docqa/rollout.yaml', delete: ['spec.revisionHistoryLimit'] }],
      'test: the default revision history',
    );
    refresh(lab);
    await until(clock, () => !('revisionHistoryLimit' in ((rollout()?.spec as object) ?? {})), 120_000);
    expect(rollout()?.spec).not.toHaveProperty('revisionHistoryLimit');
    const first = stableHash();
    const stables = await releaseEach(clock, tags);
    const hashes = [first, ...stables];
    expect(new Set(hashes).size).toBe(13);
    // Revisions 1 and 2 are gone (the oldest created); 3 to 12 are kept at 0, 13 is the stable one.
    expect(rsViews().sort((a, b) => Number(a.revision) - Number(b.revision))).toEqual(
      hashes.slice(2).map((hash, i) => ({
        name: `docqa-${hash}`,
        replicas: i === 10 ? 2 : 0,
        ready: i === 10 ? 2 : undefined,
        revision: String(i + 3),
      })),
    );
    for (const gone of hashes.slice(0, 2)) {
      expect(pods(gone)).toEqual([]);
      expect(analysisRuns(gone)).toEqual([]);
    }
    // Each release ran one AnalysisRun (revisions 2 to 13), all Successful: the 5 newest are kept
    // (successfulRunHistoryLimit, 5 by default: rollout/analysis.go reconcileAnalysisRuns), older ones go even where
    // their ReplicaSet is kept, and a deleted run's eval Job went with it.
    expect(hashes.map((hash) => analysisRuns(hash).length)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const jobs = lab.cluster.list('batch/v1', 'Job', 'docqa');
    const runUids = new Set(
      lab.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa').map((r) => r.metadata?.uid),
    );
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) expect(runUids.has(job.metadata?.ownerReferences?.[0]?.uid)).toBe(true);

    // A rollback to 0.1.5 (revision 6): its ReplicaSet, the same object, runs again at revision 14.
    const reused = hashes[5] ?? '';
    const uid = lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${reused}`, 'docqa')?.metadata?.uid;
    const names = replicaSets()
      .map((r) => r.metadata?.name)
      .sort();
    await releaseEach(clock, ['0.1.5']);
    expect(stableHash()).toBe(reused);
    expect(
      replicaSets()
        .map((r) => r.metadata?.name)
        .sort(),
    ).toEqual(names);
    const rs = lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${reused}`, 'docqa');
    expect(rs?.metadata?.uid).toBe(uid);
    expect(rs?.metadata?.annotations).toMatchObject({
      'rollout.argoproj.io/revision': '14',
      'rollout.argoproj.io/revision-history': '6',
    });
    expect(pods(reused)).toHaveLength(2);
  });

  it('with the lab’s revisionHistoryLimit of 3: after 5 releases, the stable and 3 old ReplicaSets; during a canary, the canary too', async () => {
    const clock = new VirtualClock({ start: 0 });
    const tags = ['0.1.1', '0.1.2', '0.1.3', '0.1.4', '0.1.5', '0.1.6'];
    lab = await startSimLab({ clock, images: tags.map(docqa) });
    expect(rollout()?.spec).toMatchObject({ revisionHistoryLimit: 3 });
    const first = stableHash();
    const hashes = [first, ...(await releaseEach(clock, tags.slice(0, 5)))];
    expect(
      rsViews()
        .map((r) => r.revision)
        .sort(),
    ).toEqual(['3', '4', '5', '6']);
    expect(
      replicaSets()
        .map((r) => r.metadata?.labels?.[HASH])
        .sort(),
    ).toEqual(hashes.slice(2).sort());
    for (const gone of hashes.slice(0, 2)) expect(pods(gone)).toEqual([]);
    // A sixth release's canary runs beside the stable and the 3 old ones (neither counts against the limit).
    const stable = stableHash();
    await image(lab, '0.1.6');
    await until(clock, () => rsViews().some((r) => r.revision === '7' && r.ready === 1), 120_000);
    await sleep(clock, 5000);
    expect(
      rsViews()
        .map((r) => r.revision)
        .sort(),
    ).toEqual(['3', '4', '5', '6', '7']);
    await until(clock, () => stableHash() !== stable, 900_000);
    await sleep(clock, 5000);
    expect(
      rsViews()
        .map((r) => r.revision)
        .sort(),
    ).toEqual(['4', '5', '6', '7']);
  });
});
