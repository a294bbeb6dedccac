/**
 * The simulation's models against the numbers of the pinned upstream sources (each test names its file).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { Kubelet } from '../../../src/lab/sim/kubelet.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { argoSettings, labArgoConfig, labArgoSettings } from '../../../src/lab/sim/settings.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';

describe('Argo CD settings (argo-cd v3.1.12 argocd_application_controller.go, reposerver/cache/cache.go)', () => {
  it('has the v3.1 defaults when argocd-cm and argocd-cmd-params-cm set nothing', () => {
    expect(argoSettings()).toEqual({
      resyncMs: 120_000,
      jitterMs: 60_000,
      repoErrorGraceMs: 180_000,
      revisionCacheMs: 180_000,
      selfHealBackoff: { initialMs: 2000, factor: 3, capMs: 300_000 },
      selfHealCooldownMs: 330_000,
    });
  });

  it('reads the lab install: timeout.reconciliation sets the resync and the revision cache, not the grace period', () => {
    const { cm } = labArgoConfig();
    const settings = labArgoSettings();
    expect(cm['timeout.reconciliation']).toBeDefined();
    expect(settings.resyncMs).toBe(settings.revisionCacheMs);
    expect(argoSettings({ 'timeout.reconciliation': '60s' }).repoErrorGraceMs).toBe(180_000);
    expect(argoSettings({}, { 'controller.repo.error.grace.period.seconds': '30' }).repoErrorGraceMs).toBe(
      30_000,
    );
  });
});

describe('the kubelet (kubernetes pkg/kubelet/kubelet.go back-off constants)', () => {
  let fake: FakeKube;
  let clock: VirtualClock;
  afterEach(async () => {
    clock.stop();
    await fake.close();
  });

  const pod = (image: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image }] },
  });

  it('an image that cannot be pulled: ErrImagePull, then ImagePullBackOff, retried after 10, 20, 40 ... 300 s', async () => {
    clock = new VirtualClock({ start: 0 });
    fake = await startFakeKube({ clock });
    const pulls: number[] = [];
    const kubelet = new Kubelet(fake, { clock, imageExists: () => false }).start();
    fake.onChange((e) => {
      const reason = (
        e.object.status as { containerStatuses?: Array<{ state?: { waiting?: { reason?: string } } }> }
      )?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason === 'ErrImagePull') pulls.push(clock.now());
    });
    fake.seed(pod('ghcr.io/x/y:missing'));
    await sleep(clock, 1_000_000);
    kubelet.stop();
    const gaps = pulls.slice(1).map((t, i) => t - (pulls[i] as number));
    expect(gaps.slice(0, 7)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  /**
   * Runs a crash-looping container for `forMs` of virtual time: each run lives as long as `runs` says (the last
   * entry for every run after), and exits with code 1. Returns how long each restart came after the exit before it.
   */
  async function restartDelays(runs: number[], forMs: number): Promise<number[]> {
    clock = new VirtualClock({ start: 0 });
    fake = await startFakeKube({ clock });
    let started = 0;
    const kubelet = new Kubelet(fake, {
      clock,
      behaviour: () => ({
        exits: { afterMs: runs[Math.min(started++, runs.length - 1)] as number, exitCode: 1, log: ['boom'] },
      }),
    }).start();
    const starts: number[] = [];
    const exits: number[] = [];
    // A start is the status write that shows a run with a new restartCount running.
    fake.onChange((e) => {
      const status = e.object.status as
        | { containerStatuses?: Array<{ restartCount: number; state: { running?: unknown } }> }
        | undefined;
      const c = e.resource.kind === 'Pod' ? status?.containerStatuses?.[0] : undefined;
      if (!c?.state.running || c.restartCount < starts.length) return;
      starts.push(clock.now());
      exits.push(clock.now() + (runs[Math.min(starts.length - 1, runs.length - 1)] as number));
    });
    fake.seed(pod('ghcr.io/x/y:1'));
    await sleep(clock, forMs);
    kubelet.stop();
    return starts.slice(1).map((t, i) => t - (exits[i] as number));
  }

  it('a container that exits again and again: restarted at once, then after 10, 20, 40 ... 300 s (doBackOff, flowcontrol Backoff)', async () => {
    // Each exit is noticed at the next PLEG relist (1 s); a sync the back-off refuses is retried 10 s later, so each
    // restart comes at the first sync past the window: the window and 1 s.
    const delays = await restartDelays([100], 1_500_000);
    expect(delays.slice(0, 9)).toEqual(
      [0, 10, 20, 40, 80, 160, 300, 300, 300].map((window) => window * 1000 + 1000),
    );
    const status = fake.get('v1', 'Pod', 'p', 'default')?.status as {
      containerStatuses: Array<{ restartCount: number }>;
    };
    expect(status.containerStatuses[0]?.restartCount).toBe(delays.length);
    const log = await fetch(`${fake.url}/api/v1/namespaces/default/pods/p/log?previous=true`).then((r) =>
      r.text(),
    );
    expect(log).toBe('boom\n');
  });

  it('the back-off starts over at 10 s after a run of more than 600 s since the last restart (kubelet.go HasExpiredFunc)', async () => {
    // Runs of 0.1 s: restarts after 0, 10, 20 s (windows). The fourth run lasts 700 s: its restart is at once, and the
    // next window is 10 s again.
    expect(await restartDelays([100, 100, 100, 700_000, 100], 760_000)).toEqual([
      1000, 11_000, 21_000, 1000, 11_000,
    ]);
  });

  it('a run of 500 s does not reset the back-off: the window goes on doubling', async () => {
    // The window after the third restart is 40 s; the fourth run's exit is refused for it, and the next is 80 s.
    expect(await restartDelays([100, 100, 100, 500_000, 100], 700_000)).toEqual([
      1000, 11_000, 21_000, 41_000, 81_000,
    ]);
  });
});

// Generous limits: a hang guard for an overloaded machine; what the tests assert is virtual time.
/** Commits a docqa release serving wrong retrieval and asks Argo CD to refresh, as the bad-canary drill does. */
async function shipBadCanary(lab: SimLab, message: string): Promise<void> {
  await lab.repo.change(
    [
      {
        file: 'workloads/docqa/rollout.yaml',
        set: {
          'spec.template.spec.containers[0].env[1]': { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' },
        },
      },
    ],
    message,
  );
  lab.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
    o.metadata = {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'normal' },
    };
  });
}

describe('the lab models together', { timeout: 180_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
  });

  it('the HPA puts a Rollout below minReplicas back within one 15 s sync (horizontal.go)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const rollout = ['argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa'] as const;
    lab.cluster.update(...rollout, (o) => {
      (o.spec as { replicas: number }).replicas = 1;
    });
    const at = clock.now();
    let back: number | undefined;
    lab.cluster.onChange((e) => {
      if (e.object.kind === 'Rollout' && (e.object.spec as { replicas?: number }).replicas === 2)
        back ??= clock.now();
    });
    await sleep(clock, 30_000);
    expect(back).toBeDefined();
    expect((back as number) - at).toBeLessThanOrEqual(15_000);
  });

  it('Argo CD self-heal waits 0, 2, 6, 18, 54 s between attempts on the same revision (shouldSelfHeal)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const cm = ['v1', 'ConfigMap', 'docqa-config', 'docqa'] as const;
    const heals: number[] = [];
    lab.cluster.onChange((e) => {
      if (
        e.object.kind === 'ConfigMap' &&
        (e.object.data as Record<string, string>).DOCQA_MODE === 'extractive'
      )
        heals.push(clock.now());
    });
    // A person keeps editing a managed key right after each heal.
    const edit = () =>
      lab?.cluster.update(...cm, (o) => {
        (o.data as Record<string, string>).DOCQA_MODE = 'edited';
      });
    const drifts: number[] = [];
    for (let i = 0; i < 5; i++) {
      drifts.push(clock.now());
      edit();
      const count = heals.length;
      while (heals.length === count) await sleep(clock, 100);
    }
    // Each heal is the 2 s sync after a back-off of 0, 2, 6, 18, 54 s from the previous sync's end.
    const waits = heals.map((t, i) => t - (drifts[i] as number));
    expect(waits).toEqual([2000, 4000, 8000, 20_000, 56_000]);
  });

  it('a self-heal is told in Application events as the Argo CD audit logger writes them, one event per call (controller/appcontroller.go persistAppStatus, autoSync, setOperationState)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const app = lab.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd');
    const sha = (app?.status as { sync?: { revision?: string } } | undefined)?.sync?.revision;
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const edit = () =>
      lab?.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
        (o.data as Record<string, string>).DOCQA_MODE = 'edited';
      });
    const appEvents = () =>
      (lab?.cluster.list('v1', 'Event', 'argocd') ?? [])
        .filter((e) => (e.involvedObject as { name: string }).name === 'docqa')
        .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    // The events of the lab's start (its Rollout Progressing until its pods are available) come before.
    const atStart = appEvents().length;
    edit();
    await sleep(clock, 10_000);
    expect(
      appEvents()
        .slice(atStart)
        .map((e) => `${e.type} ${e.reason}: ${e.message}`),
    ).toEqual([
      `Normal OperationStarted: Initiated automated sync to '${sha}'`,
      'Normal ResourceUpdated: Updated sync status: Synced -> OutOfSync',
      // setOperationState: a sync that names its resources (a self-heal's) is a "Partial sync operation".
      `Normal OperationCompleted: Partial sync operation to ${sha} succeeded`,
      'Normal ResourceUpdated: Updated sync status: OutOfSync -> Synced',
    ]);
    const [first] = appEvents().slice(atStart);
    expect(first).toMatchObject({
      count: 1,
      source: { component: 'argocd-application-controller' },
      involvedObject: { kind: 'Application', namespace: 'argocd', name: 'docqa' },
      metadata: { annotations: { 'dest-namespace': 'docqa' } },
    });
    // A second drift is told again in new events: the audit logger does not count repeats.
    edit();
    await sleep(clock, 10_000);
    expect(appEvents().filter((e) => e.reason === 'OperationStarted')).toHaveLength(2);
    expect(appEvents().every((e) => e.count === 1)).toBe(true);
  });

  it('a bad canary fails its AnalysisRun as Argo Rollouts would: the run message, its summary, the Rollout aborted with that message (assessRunStatus, rollout/analysis.go)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    await shipBadCanary(lab, 'test: a bad canary');
    type Run = { phase?: string; message?: string; runSummary?: Record<string, number> };
    const runs = () => lab?.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa') ?? [];
    const done = () => runs().find((r) => ['Failed', 'Error'].includes((r.status as Run).phase ?? ''));
    for (let waited = 0; !done() && waited < 600_000; waited += 5000) await sleep(clock, 5000);
    const run = done();
    expect(run, JSON.stringify(runs().map((r) => r.status))).toBeDefined();
    const status = run?.status as Run;
    expect(status.phase).toBe('Failed');
    expect(status.message).toMatch(
      /^Metric "(grounded-ratio|eval-replay)" assessed Failed due to failed \((2|1)\) > failureLimit \((1|0)\)$/,
    );
    expect(status.runSummary?.count).toBe(5);
    expect(status.runSummary?.failed).toBeGreaterThanOrEqual(1);
    await sleep(clock, 1000);
    const revision = run?.metadata?.annotations?.['rollout.argoproj.io/revision'];
    const rollout = lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa')?.status as {
      message?: string;
    };
    expect(rollout.message).toBe(
      `RolloutAborted: Rollout aborted update to revision ${revision}: ${status.message}`,
    );
    // The events `kubectl describe` shows: the metric's and the run's completion (analysis.go), the abort (sync.go).
    const events = lab.cluster
      .list('v1', 'Event', 'docqa')
      .map((e) => [(e.involvedObject as { kind: string }).kind, e.type, e.reason, e.message]);
    expect(events).toContainEqual([
      'AnalysisRun',
      'Warning',
      'AnalysisRunFailed',
      'Analysis Completed. Result: Failed',
    ]);
    expect(
      events.filter(([kind, , reason]) => kind === 'AnalysisRun' && reason === 'MetricFailed').length,
    ).toBeGreaterThanOrEqual(1);
    expect(events).toContainEqual([
      'Rollout',
      'Warning',
      'RolloutAborted',
      `Rollout aborted update to revision ${revision}: ${status.message}`,
    ]);
  });

  it('a Job metric is in flight while its Job runs, and a run another metric ends deletes the Job: "Metric Terminated" (metricproviders/job/job.go Run, Terminate; analysis.go runMeasurements)', async () => {
    const clock = new VirtualClock({ start: 0 });
    // The eval-replay Job outlasts the grounded-ratio measurements that fail the run.
    lab = await startSimLab({ clock, evalJobMs: 30 * 60_000 });
    await shipBadCanary(lab, 'test: a bad canary with a slow eval Job');
    type Measured = { phase: string; message?: string; metadata?: Record<string, string>; value?: string };
    type Result = { name: string; phase: string; measurements: Measured[] };
    const run = () => lab?.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa')[0];
    const evalReplay = () =>
      ((run()?.status as { metricResults?: Result[] } | undefined)?.metricResults ?? []).find(
        (r) => r.name === 'eval-replay',
      );
    const jobs = () => lab?.cluster.list('batch/v1', 'Job', 'docqa') ?? [];
    for (let waited = 0; !evalReplay() && waited < 300_000; waited += 1000) await sleep(clock, 1000);
    const running = evalReplay();
    expect(running?.phase).toBe('Running');
    const inFlight = running?.measurements.at(-1);
    expect(inFlight).toMatchObject({ phase: 'Running' });
    const uid = run()?.metadata?.uid;
    expect(inFlight?.metadata).toEqual({ 'job-name': `${uid}.eval-replay.1`, 'job-namespace': 'docqa' });
    expect(jobs().map((j) => [j.metadata?.name, j.metadata?.ownerReferences?.[0]?.uid])).toEqual([
      [`${uid}.eval-replay.1`, uid],
    ]);
    const failed = () => (run()?.status as { phase?: string } | undefined)?.phase === 'Failed';
    for (let waited = 0; !failed() && waited < 600_000; waited += 5000) await sleep(clock, 5000);
    expect((run()?.status as { message?: string } | undefined)?.message).toMatch(
      /^Metric "grounded-ratio" assessed Failed/,
    );
    expect(evalReplay()).toMatchObject({
      phase: 'Successful',
      measurements: [{ phase: 'Successful', message: 'Metric Terminated' }],
    });
    expect(jobs()).toEqual([]);
  });

  it('a canary reverted before its analysis ends cancels the run: "Run Terminated", its in-flight Job deleted (rollout/analysis.go, assessRunStatus)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock, evalJobMs: 30 * 60_000 });
    await shipBadCanary(lab, 'test: a release to revert');
    const run = () => lab?.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa')[0];
    const jobs = () => lab?.cluster.list('batch/v1', 'Job', 'docqa') ?? [];
    for (let waited = 0; jobs().length === 0 && waited < 300_000; waited += 1000) await sleep(clock, 1000);
    expect(jobs()).toHaveLength(1);
    expect((run()?.status as { phase?: string } | undefined)?.phase).toBe('Running');
    await lab.repo.revert('a release to revert');
    lab.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      o.metadata = {
        ...o.metadata,
        annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'normal' },
      };
    });
    const phase = () => (run()?.status as { phase?: string } | undefined)?.phase;
    for (let waited = 0; phase() === 'Running' && waited < 120_000; waited += 1000) await sleep(clock, 1000);
    expect(run()?.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
    expect((run()?.spec as { terminate?: boolean } | undefined)?.terminate).toBe(true);
    expect(jobs()).toEqual([]);
  });

  it('a healthy release is promoted step by step, with the events Argo Rollouts records (rollout/canary.go, sync.go)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    await lab.repo.change(
      [
        {
          file: 'workloads/docqa/rollout.yaml',
          set: { 'spec.template.metadata.annotations': { release: 'good' } },
        },
      ],
      'test: a good release',
    );
    lab.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      o.metadata = {
        ...o.metadata,
        annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'normal' },
      };
    });
    const messages = () =>
      lab?.cluster
        .list('v1', 'Event', 'docqa')
        .filter((e) => (e.involvedObject as { kind: string }).kind === 'Rollout')
        .sort((a, b) => Date.parse(a.firstTimestamp as string) - Date.parse(b.firstTimestamp as string))
        .map((e) => `${e.reason}: ${e.message}`) ?? [];
    // The first RolloutCompleted is the lab's start ("Initial deploy", rollout/sync.go promoteStable).
    const completed = () =>
      messages().find((m) => m.startsWith('RolloutCompleted') && !m.endsWith('Initial deploy'));
    for (let waited = 0; !completed() && waited < 900_000; waited += 5000) await sleep(clock, 5000);
    const steps = messages().filter((m) => m.startsWith('RolloutStepCompleted'));
    expect(steps[0]).toBe('RolloutStepCompleted: Rollout step 1/6 completed (setWeight: 25)');
    expect(steps.slice(1, 3)).toEqual([
      'RolloutStepCompleted: Rollout step 2/6 completed (pause: 30s)',
      'RolloutStepCompleted: Rollout step 3/6 completed (analysis)',
    ]);
    expect(steps).toHaveLength(6);
    const rollout = lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
    const stable = (rollout?.status as { stableRS?: string } | undefined)?.stableRS;
    expect(completed()).toMatch(
      new RegExp(
        `^RolloutCompleted: Rollout completed update to revision \\d+ \\(${stable}\\): Completed all 6 canary steps$`,
      ),
    );
    // Argo CD tells each health change of the Application in an event and stamps the last one
    // (controller/appcontroller.go persistAppStatus): Healthy, through the canary's states, back to Healthy.
    const healthEvents = lab.cluster
      .list('v1', 'Event', 'argocd')
      .filter((e) => (e.involvedObject as { name: string }).name === 'docqa')
      .filter((e) => String(e.message).startsWith('Updated health status: '))
      .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    const changes = healthEvents.map((e) =>
      String(e.message).slice('Updated health status: '.length).split(' -> '),
    );
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes[0]?.[0]).toBe('Healthy');
    expect(changes.at(-1)?.[1]).toBe('Healthy');
    for (let i = 1; i < changes.length; i++) expect(changes[i]?.[0]).toBe(changes[i - 1]?.[1]);
    const app = lab.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd');
    expect(
      (app?.status as { health?: { lastTransitionTime?: string } } | undefined)?.health?.lastTransitionTime,
    ).toBe(healthEvents.at(-1)?.lastTimestamp);
  });

  it('a live change compares with the revision Argo CD already has, even with a resync queued; a new commit waits for the comparison to expire (needRefreshAppStatus)', async () => {
    const clock = new VirtualClock({ start: 0 });
    // No revision cache: any comparison with the latest revision would see a new commit at once.
    const settings = { ...labArgoSettings(), revisionCacheMs: 0 };
    lab = await startSimLab({ clock, settings });
    const { resyncMs } = settings;
    const status = () =>
      lab?.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd')?.status as {
        reconciledAt: string;
        sync: { revision: string };
      };
    const reconciledAt = () => Date.parse(status().reconciledAt);
    // 1 ms after a resync tick (the model starts at 0): the tick's item is still queued, waiting for its jitter
    // (up to jitterMs). Take the first tick at which the last comparison expires more than 10 s later.
    let tick = Math.ceil(clock.now() / resyncMs) * resyncMs;
    await sleep(clock, tick + 1 - clock.now());
    while (reconciledAt() + resyncMs <= clock.now() + 10_000) {
      tick += resyncMs;
      await sleep(clock, tick + 1 - clock.now());
    }
    const known = status().sync.revision;
    const { commit } = await lab.repo.change(
      [{ file: 'workloads/docqa/configmap.yaml', set: { 'data.DOCQA_FAULTS': 'slow' } }],
      'test: a new revision',
    );
    // A live change that is no drift (an annotation no configuration names): compared, nothing to sync. (A drift
    // would be self-healed, and a completed sync compares with the latest revision at once: argocd-sync-waves.test.ts.)
    lab.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      o.metadata = { ...o.metadata, annotations: { ...o.metadata?.annotations, note: 'edited' } };
    });
    const expiry = reconciledAt() + resyncMs;
    await sleep(clock, 5000);
    // CompareWithRecent: the known revision, without asking Git.
    expect(status().sync.revision).toBe(known);
    expect(lab.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.metadata?.annotations?.note).toBe(
      'edited',
    );
    let seen: number | undefined;
    while (seen === undefined && clock.now() < expiry + resyncMs + settings.jitterMs) {
      await sleep(clock, 1000);
      if (status().sync.revision === commit) seen = clock.now();
    }
    expect(seen).toBeGreaterThan(expiry);
  });
});
