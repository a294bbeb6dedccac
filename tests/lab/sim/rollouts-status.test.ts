/**
 * The simulated docqa Rollout's status, events and Services as Argo Rollouts v1.8.3 writes them: the conditions
 * (rollout/sync.go calculateRolloutConditions, checkPausedConditions), the omitempty fields and currentStepIndex
 * (rollout/canary.go syncRolloutStatusCanary, sync.go promoteStable), the events (NewReplicaSetCreated,
 * ScalingReplicaSet, RolloutNotCompleted, RolloutPaused/RolloutResumed, SwitchService) and the stable and canary
 * Services' selectors (rollout/service.go reconcileStableAndCanaryService), on the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { release, until } from '../../support/sim-releases.js';

const HASH = 'rollouts-pod-template-hash';
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}
interface Status {
  phase?: string;
  message?: string;
  abort?: boolean;
  abortedAt?: string;
  stableRS?: string;
  currentPodHash?: string;
  currentStepIndex?: number;
  pauseConditions?: Array<{ reason: string; startTime: string }>;
  controllerPause?: boolean;
  conditions?: Condition[];
}

describe('the simulated Rollout’s status, events and Services (argo-rollouts v1.8.3)', {
  timeout: 180_000,
}, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const status = () =>
    (lab?.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa')?.status ?? {}) as Status;
  const condition = (type: string) => status().conditions?.find((c) => c.type === type);
  const events = (reason: string) =>
    (lab?.cluster.list('v1', 'Event', 'docqa') ?? [])
      .filter((e) => e.reason === reason && (e.involvedObject as { kind?: string }).kind === 'Rollout')
      .sort((a, b) => Date.parse(String(a.firstTimestamp)) - Date.parse(String(b.firstTimestamp)))
      .map((e) => String(e.message));
  const service = (name: string) => lab?.cluster.get('v1', 'Service', name, 'docqa') as KubeObject;
  const selector = (name: string) => (service(name).spec as { selector: Record<string, string> }).selector;
  const app = () =>
    lab?.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd')?.status as {
      sync?: { status?: string };
      resources?: Array<{ kind: string; name: string; status?: string }>;
    };

  /** The sync status of the Services in the docqa Application's status.resources. */
  const serviceSyncStatuses = () =>
    app()
      .resources?.filter((r) => r.kind === 'Service')
      .map((r) => r.status);

  it('at rest: no abort or empty message written, every step counted, the conditions of a healthy Rollout, the Services adopted', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const s = status();
    expect(s.phase).toBe('Healthy');
    // RolloutStatus' omitempty fields (pkg/apis/rollouts/v1alpha1/types.go): no abort: false, no message: "".
    expect(Object.keys(s)).not.toContain('abort');
    expect(Object.keys(s)).not.toContain('message');
    expect(Object.keys(s)).not.toContain('pauseConditions');
    // encoding/json writes the struct fields even when empty; HPAReplicas counts the pods of every ReplicaSet.
    expect(s).toMatchObject({ canary: {}, blueGreen: {}, HPAReplicas: 2 });
    expect(s.currentStepIndex).toBe(6);
    const stable = s.stableRS as string;
    const rs = `docqa-${stable}`;
    expect(s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]).sort()).toEqual([
      ['Available', 'True', 'AvailableReason', 'Rollout has minimum availability'],
      ['Completed', 'True', 'RolloutCompleted', 'RolloutCompleted'],
      ['Healthy', 'True', 'RolloutHealthy', 'Rollout is healthy'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`],
    ]);
    expect(events('NewReplicaSetCreated')).toEqual([`Created ReplicaSet ${rs} (revision 1)`]);
    expect(events('ScalingReplicaSet')).toEqual([`Scaled up ReplicaSet ${rs} (revision 1) from 0 to 2`]);
    expect(events('RolloutCompleted')).toEqual([
      `Rollout completed update to revision 1 (${stable}): Initial deploy`,
    ]);
    // Both Services adopted once the ReplicaSet was fully available: the Git selector and the hash.
    for (const name of ['docqa-stable', 'docqa-canary']) {
      expect(selector(name)).toEqual({ 'app.kubernetes.io/name': 'docqa', [HASH]: stable });
      expect(service(name).metadata?.annotations?.[MANAGED_BY]).toBe('docqa');
    }
    expect(events('SwitchService').sort()).toEqual([
      `Switched selector for service 'docqa-canary' from '' to '${stable}'`,
      `Switched selector for service 'docqa-stable' from '' to '${stable}'`,
    ]);
    // Argo CD's diff ignores the live-only selector key and annotation: the app stays Synced.
    expect(app().sync?.status).toBe('Synced');
    expect(serviceSyncStatuses()).toEqual(['Synced', 'Synced']);
  });

  it('a canary: paused at each pause step, the canary Service on the new ReplicaSet, both on it after the promotion; the app Synced throughout', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const stable = status().stableRS as string;
    const healthyCondition = condition('Healthy');
    const availableCondition = condition('Available');
    expect(availableCondition?.status).toBe('True');
    await release(lab, { 'spec.template.metadata.annotations': { release: 'one' } }, 'test: release one');
    await until(clock, () => status().phase === 'Paused', 60_000);
    const canary = status().currentPodHash as string;
    expect(canary).not.toBe(stable);
    expect(status()).toMatchObject({
      message: 'CanaryPauseStep',
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
    });
    expect(condition('Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    });
    expect(condition('Paused')).toMatchObject({ status: 'True', reason: 'RolloutPaused' });
    // Healthy and Completed turned False: their transition time moved; Available held: its own stayed.
    expect(condition('Healthy')).toMatchObject({ status: 'False', message: 'Rollout is not healthy' });
    expect(condition('Healthy')?.lastTransitionTime).not.toBe(healthyCondition?.lastTransitionTime);
    expect(condition('Available')?.lastTransitionTime).toBe(availableCondition?.lastTransitionTime);
    expect(condition('Completed')?.status).toBe('False');
    expect(events('RolloutNotCompleted')).toEqual([
      `Rollout not completed, started update to revision 2 (${canary})`,
    ]);
    expect(events('NewReplicaSetCreated')).toContain(`Created ReplicaSet docqa-${canary} (revision 2)`);
    expect(events('ScalingReplicaSet')).toContain(
      `Scaled up ReplicaSet docqa-${canary} (revision 2) from 0 to 1`,
    );
    expect(selector('docqa-canary')[HASH]).toBe(canary);
    expect(selector('docqa-stable')[HASH]).toBe(stable);
    expect(events('SwitchService')).toContain(
      `Switched selector for service 'docqa-canary' from '${stable}' to '${canary}'`,
    );
    expect(app().sync?.status).toBe('Synced');

    await until(clock, () => status().phase !== 'Paused', 60_000);
    expect(status().phase).toBe('Progressing');
    expect(Object.keys(status())).not.toContain('pauseConditions');
    expect(Object.keys(status())).not.toContain('controllerPause');
    expect(condition('Paused')?.status).toBe('False');
    expect(events('RolloutPaused')).toEqual(['Rollout is paused (CanaryPauseStep)']);
    expect(events('RolloutResumed')).toEqual(['Rollout is resumed']);

    await until(clock, () => status().stableRS === canary && status().phase === 'Healthy', 600_000);
    expect(status().currentStepIndex).toBe(6);
    expect(condition('Completed')?.status).toBe('True');
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(selector('docqa-stable')[HASH]).toBe(canary);
    expect(selector('docqa-canary')[HASH]).toBe(canary);
    const oldStable = lab?.cluster.get('apps/v1', 'ReplicaSet', `docqa-${stable}`, 'docqa');
    expect((oldStable?.spec as { replicas?: number } | undefined)?.replicas).toBe(0);
    // By the promotion the controller has written more than 25 events about the Rollout within 5 minutes: client-go's
    // spam filter (EventSourceObjectSpamFilter, Argo Rollouts' default broadcaster, utils/record/record.go) drops the
    // rest, here the stable Service's switch and the old stable's scale-down, as on a real cluster.
    const written = (lab?.cluster.list('v1', 'Event', 'docqa') ?? []).filter(
      (e) => (e.involvedObject as { kind?: string }).kind === 'Rollout',
    );
    expect(written.length).toBeLessThanOrEqual(25);
    // The second pause paused and resumed it again (one event each, counted twice).
    const counted = (reason: string) =>
      lab?.cluster.list('v1', 'Event', 'docqa').find((e) => e.reason === reason)?.count;
    expect([counted('RolloutPaused'), counted('RolloutResumed')]).toEqual([2, 2]);
    await until(clock, () => app().sync?.status === 'Synced', 30_000);
    expect(serviceSyncStatuses()).toEqual(['Synced', 'Synced']);
  });

  it('an aborted canary: abort and abortedAt written, the step index 0, Progressing RolloutAborted, the canary Service back on the stable ReplicaSet', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const stable = status().stableRS as string;
    await release(
      lab,
      { 'spec.template.spec.containers[0].env[1]': { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' } },
      'test: a bad canary',
    );
    await until(clock, () => status().abort === true, 600_000);
    const s = status();
    expect(s.currentStepIndex).toBe(0);
    // Once the canary's ReplicaSet is at 0, updatedReplicas is 0: omitted (omitempty).
    await until(clock, () => !('updatedReplicas' in status()), 30_000);
    expect(status()).toMatchObject({ replicas: 2, availableReplicas: 2, currentStepIndex: 0 });
    expect(s.abortedAt).toMatch(/^1970-01-01T00:0\d:\d\dZ$/);
    expect(s.phase).toBe('Degraded');
    expect(s.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Metric "[a-z-]+" assessed Failed/,
    );
    expect(condition('Progressing')).toMatchObject({ status: 'False', reason: 'RolloutAborted' });
    expect(`RolloutAborted: ${condition('Progressing')?.message}`).toBe(s.message);
    expect(events('RolloutAborted')).toEqual([condition('Progressing')?.message]);
    await until(clock, () => selector('docqa-canary')[HASH] === stable, 10_000);
    expect(selector('docqa-canary')[HASH]).toBe(stable);
    expect(selector('docqa-stable')[HASH]).toBe(stable);
    // The analysis step aborted it: the first pause step's RolloutResumed is the only one.
    expect(events('RolloutResumed')).toEqual(['Rollout is resumed']);
  });

  it('a second stall after a timed-out one times out again (the progress-deadline check is queued by each status)', async () => {
    const clock = new VirtualClock({ start: 0 });
    let unready = false;
    let stableHash = '';
    lab = await startSimLab({
      clock,
      // The canary's pods answer their readiness probe with 503 while `unready`.
      containers: (pod) =>
        pod.metadata?.labels?.[HASH] && pod.metadata.labels[HASH] !== stableHash
          ? { probe: (kind) => (kind === 'readiness' && unready ? { status: 503 } : { status: 200 }) }
          : {},
    });
    stableHash = status().stableRS as string;
    unready = true;
    await release(
      lab,
      { 'spec.template.metadata.annotations': { release: 'one' }, 'spec.progressDeadlineSeconds': 60 },
      'test: release one, 60 s deadline',
    );
    await until(clock, () => status().phase === 'Degraded', 120_000);
    expect(status().message).toMatch(
      /^ProgressDeadlineExceeded: ReplicaSet "docqa-[0-9a-f]+" has timed out progressing\.$/,
    );
    expect(status().currentStepIndex).toBe(0);

    // The canary's pod turns Ready: progress, the steps go on.
    unready = false;
    await until(clock, () => (status().currentStepIndex ?? 0) >= 5, 300_000);
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    // Stalled again at setWeight 100: no progress for 60 s is a timeout again.
    unready = true;
    const stalledAt = clock.now();
    await until(clock, () => status().phase === 'Degraded', 180_000);
    expect(status().phase).toBe('Degraded');
    expect(condition('Progressing')?.reason).toBe('ProgressDeadlineExceeded');
    expect(clock.now() - stalledAt).toBeLessThanOrEqual(120_000);
  });
});
