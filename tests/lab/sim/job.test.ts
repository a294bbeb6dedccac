import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { resourceHealth } from '../../../src/lab/sim/argo-health.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { GarbageCollector } from '../../../src/lab/sim/garbage-collector.js';
import { JobController, jobTrackingFinalizer } from '../../../src/lab/sim/job.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import {
  exitCodeAnnotation,
  jobContainerBehaviour,
  labContainerBehaviour,
  runSecondsAnnotation,
} from '../../../src/lab/sim/lab-containers.js';
import { startNamespaceDefaults } from '../../../src/lab/sim/namespace-defaults.js';
import { jobPrinter } from '../../../src/lab/sim/printers/workloads.js';
import { TtlAfterFinishedController } from '../../../src/lab/sim/ttl-after-finished.js';
import { type ControllerCluster, controllerCluster } from '../../support/controller-cluster.js';
import { docqaWith } from '../../support/docqa-extra.js';
import type { FakeKube, KubeObject } from '../../support/fake-kube/index.js';

type Spec = Record<string, unknown>;

describe('a Job on the simulated cluster', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  let fake: FakeKube;
  let clock: VirtualClock;
  afterEach(() => lab.close());

  /** The Job and TTL controllers and the garbage collector; pods behave as the lab's (lab-containers.ts). */
  async function cluster() {
    lab = await controllerCluster(
      (f, models) => {
        const stops = [
          startNamespaceDefaults(f),
          new JobController(f, { clock: models }).start(),
          new TtlAfterFinishedController(f, { clock: models }).start(),
          new GarbageCollector(f, { clock: models }).start(),
        ];
        return () => {
          for (const stop of stops) stop();
        };
      },
      (pod) => labContainerBehaviour(pod, {}),
    );
    ({ fake, clock } = lab);
  }

  /** A Job `pi` whose container runs `runSeconds` and exits `exitCode`. */
  function create(
    spec: Spec = {},
    run: { seconds?: number; exitCode?: number; restartPolicy?: string } = {},
  ) {
    const annotations: Record<string, string> = {};
    if (run.seconds !== undefined) annotations[runSecondsAnnotation] = String(run.seconds);
    if (run.exitCode !== undefined) annotations[exitCodeAnnotation] = String(run.exitCode);
    return fake.seed({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default' },
      spec: {
        template: {
          metadata: { annotations },
          spec: {
            restartPolicy: run.restartPolicy ?? 'Never',
            containers: [{ name: 'pi', image: 'perl:5.34' }],
          },
        },
        ...spec,
      },
    })[0] as KubeObject;
  }
  const job = () => fake.get('batch/v1', 'Job', 'pi', 'default') as KubeObject;
  const status = () => (job()?.status ?? {}) as Record<string, unknown>;
  const conditions = () =>
    ((status().conditions ?? []) as Array<Record<string, string>>).map((c) => [
      c.type,
      c.status,
      c.reason,
      c.message,
    ]);
  /** The Job's pods, oldest first. */
  const pods = () =>
    fake
      .list('v1', 'Pod', 'default')
      .sort(
        (a, b) =>
          Date.parse(a.metadata?.creationTimestamp ?? '') - Date.parse(b.metadata?.creationTimestamp ?? ''),
      );
  const phases = () => pods().map((p) => (p.status as { phase?: string }).phase);
  const events = (reason: string) => lab.events('default', reason);
  const at = (seconds: number) =>
    new Date(Date.parse('2026-01-01T00:00:00Z') + seconds * 1000).toISOString().replace('.000', '');
  /** Lets time pass until `seconds` after the start, and the controllers settle at that instant. */
  const until = async (seconds: number) => {
    await sleep(clock, Date.parse(at(seconds)) - clock.now());
    await lab.settle();
  };

  it('runs completions 5 two at a time, counts them, then SuccessCriteriaMet and Complete (CompletionsReached)', async () => {
    await cluster();
    const created = create({ completions: 5, parallelism: 2 });
    await lab.settle();
    // job_controller_test.go "WQ job: correct # of pods": parallelism 2 → 2 pods, active 2.
    expect(pods()).toHaveLength(2);
    const [pod] = pods();
    const uid = created.metadata?.uid;
    expect(pod?.metadata?.name).toMatch(/^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod?.metadata?.generateName).toBe('pi-');
    expect(pod?.metadata?.finalizers).toEqual([jobTrackingFinalizer]);
    expect(pod?.metadata?.labels).toEqual({
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'batch.kubernetes.io/controller-uid': uid,
    });
    expect(pod?.metadata?.ownerReferences).toEqual([
      { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(status()).toMatchObject({
      active: 2,
      ready: 0,
      terminating: 0,
      startTime: at(0),
      uncountedTerminatedPods: {},
    });
    await until(1);
    expect(status()).toMatchObject({ active: 2, ready: 2 });
    // The default run: exit 0 after 5 s; the kubelet sees it at 6 s, the Job syncs a second later.
    await until(7);
    expect(status()).toMatchObject({ active: 2, succeeded: 2 });
    expect(pods()).toHaveLength(4);
    expect(pods().filter((p) => p.metadata?.finalizers)).toHaveLength(2);
    await until(14);
    expect(status()).toMatchObject({ active: 1, succeeded: 4 });
    await until(21);
    expect(phases().filter((p) => p === 'Succeeded')).toHaveLength(5);
    expect(status()).toEqual({
      startTime: at(0),
      completionTime: at(21),
      ready: 0,
      terminating: 0,
      succeeded: 5,
      uncountedTerminatedPods: {},
      conditions: [
        {
          type: 'SuccessCriteriaMet',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: at(21),
          lastTransitionTime: at(21),
        },
        {
          type: 'Complete',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: at(21),
          lastTransitionTime: at(21),
        },
      ],
    });
    expect(pods().every((p) => !p.metadata?.finalizers)).toBe(true);
    expect(events('SuccessfulCreate').sort()).toEqual(
      pods()
        .map((p) => `Created pod: ${p.metadata?.name}`)
        .sort(),
    );
    expect(events('Completed')).toEqual(['Job completed']);
    // `kubectl get job pi`: STATUS, COMPLETIONS, DURATION (printers/workloads.ts printJob).
    expect(jobPrinter.row(job(), clock.now()).cells.slice(1, 4)).toEqual(['Complete', '5/5', '21s']);
    const source = fake.list('v1', 'Event', 'default').find((e) => e.reason === 'Completed');
    expect(source?.source).toMatchObject({ component: 'job-controller' });
  });

  it('a pod the API server refuses (its ServiceAccount is missing) is a FailedCreate; the Job retries rate-limited and runs once it exists', async () => {
    await cluster();
    const spec = {
      template: {
        spec: {
          serviceAccountName: 'migrator',
          restartPolicy: 'Never',
          containers: [{ name: 'pi', image: 'perl:5.34' }],
        },
      },
    };
    create(spec);
    await sleep(clock, 2_000);
    expect(pods()).toEqual([]);
    expect(events('FailedCreate')).toContain(
      'Error creating: pods "pi-" is forbidden: error looking up service account default/migrator: serviceaccount "migrator" not found',
    );
    expect(status().active ?? 0).toBe(0);
    fake.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'migrator', namespace: 'default' },
    });
    // Nothing watches ServiceAccounts for the Job: its pod comes with the rate-limited retry (5 ms doubling).
    await sleep(clock, 120_000);
    expect(pods()).toHaveLength(1);
    expect(conditions().map(([type]) => type)).toContain('Complete');
  });

  it('deletes the surplus when parallelism drops, without counting it as failed', async () => {
    await cluster();
    create({ parallelism: 3, completions: 6 }, { seconds: 30 });
    await until(1);
    expect(status()).toMatchObject({ active: 3, ready: 3 });
    // job_controller_test.go "too many active pods": the pods beyond parallelism are deleted.
    fake.update('batch/v1', 'Job', 'pi', 'default', (o) => {
      (o.spec as Spec).parallelism = 1;
    });
    await lab.settle();
    expect(events('SuccessfulDelete')).toHaveLength(2);
    expect(status()).toMatchObject({ active: 1, ready: 1, terminating: 2 });
    expect(pods().filter((p) => p.metadata?.deletionTimestamp && p.metadata.finalizers)).toEqual([]);
    await until(3);
    expect(pods()).toHaveLength(1);
    expect(status()).toMatchObject({ active: 1, terminating: 0 });
    expect(status().failed).toBeUndefined();
  });

  it('replaces failed pods after 10 s, then 20 s, and fails past backoffLimit: FailureTarget, then Failed', async () => {
    await cluster();
    create({ backoffLimit: 2 }, { seconds: 1, exitCode: 1 });
    await lab.settle();
    const created = () =>
      pods().map((p) => Date.parse(p.metadata?.creationTimestamp ?? '') / 1000 - Date.parse(at(0)) / 1000);
    // Each pod exits at +1 s, is Failed at +2 s and counted at +3 s; the back-off counts from the container's exit.
    await until(40);
    expect(created()).toEqual([0, 11, 32]);
    expect(phases()).toEqual(['Failed', 'Failed', 'Failed']);
    expect(status()).toMatchObject({ failed: 3, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(status().active).toBeUndefined();
    expect(conditions()).toEqual([
      ['FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(status().completionTime).toBeUndefined();
    const failed = fake.list('v1', 'Event', 'default').filter((e) => e.reason === 'BackoffLimitExceeded');
    expect(failed.map((e) => [e.type, e.message])).toEqual([
      ['Warning', 'Job has reached the specified backoff limit'],
    ]);
    expect(resourceHealth(job())).toEqual({
      status: 'Degraded',
      message: 'Job has reached the specified backoff limit',
    });
  });

  it('under restartPolicy OnFailure counts container restarts against backoffLimit and deletes the pod', async () => {
    await cluster();
    create({ backoffLimit: 1 }, { seconds: 1, exitCode: 1, restartPolicy: 'OnFailure' });
    await until(10);
    // The kubelet restarted the container in place (restartCount 1): the limit is reached, the pod deleted.
    expect(conditions().map(([type, , reason]) => [type, reason])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded'],
      ['Failed', 'BackoffLimitExceeded'],
    ]);
    expect(status()).toMatchObject({ failed: 1, terminating: 0 });
    expect(pods()).toEqual([]);
    expect(events('SuccessfulDelete')).toHaveLength(1);
  });

  it('fails a Job active past activeDeadlineSeconds once its deleted pods are gone (DeadlineExceeded)', async () => {
    await cluster();
    create({ activeDeadlineSeconds: 10, parallelism: 2, completions: 4 }, { seconds: 60 });
    await until(10);
    // job_controller_test.go "activeDeadlineSeconds": the active pods are deleted and counted as failed.
    expect(conditions()).toEqual([
      ['FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
    ]);
    expect(status()).toMatchObject({ failed: 2, terminating: 2, ready: 0 });
    expect(status().active).toBeUndefined();
    expect(events('SuccessfulDelete').sort()).toEqual(
      pods()
        .map((p) => `Deleted pod: ${p.metadata?.name}`)
        .sort(),
    );
    expect(resourceHealth(job())?.status).toBe('Progressing');
    // The lab's containers end a second after SIGTERM; the kubelet removes the pods; the Job fails a second later.
    await until(12);
    expect(pods()).toEqual([]);
    expect(conditions()).toEqual([
      ['FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
      ['Failed', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
    ]);
    expect(status()).toMatchObject({ failed: 2, terminating: 0 });
    expect(events('DeadlineExceeded')).toEqual(['Job was active longer than specified deadline']);
  });

  it('runs an Indexed Job: one pod per index, its annotation, label and hostname, completedIndexes', async () => {
    await cluster();
    create({ completions: 3, parallelism: 2, completionMode: 'Indexed' });
    await lab.settle();
    const byIndex = () =>
      pods().map((p) => [
        p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'],
        p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'],
        (p.spec as { hostname?: string }).hostname,
        p.metadata?.generateName,
      ]);
    expect(byIndex()).toEqual([
      ['0', '0', 'pi-0', 'pi-0-'],
      ['1', '1', 'pi-1', 'pi-1-'],
    ]);
    expect(pods()[0]?.metadata?.name).toMatch(/^pi-0-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const env = (pods()[0]?.spec as { containers?: Array<{ env?: unknown[] }> } | undefined)?.containers?.[0]
      ?.env;
    expect(env).toEqual([
      {
        name: 'JOB_COMPLETION_INDEX',
        // The API server defaults the fieldRef's apiVersion (api-defaults.ts).
        valueFrom: {
          fieldRef: {
            apiVersion: 'v1',
            fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']",
          },
        },
      },
    ]);
    await until(7);
    expect(status()).toMatchObject({ active: 1, succeeded: 2, completedIndexes: '0,1' });
    expect(byIndex()[2]).toEqual(['2', '2', 'pi-2', 'pi-2-']);
    await until(14);
    expect(status()).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    expect(conditions().map(([type]) => type)).toEqual(['SuccessCriteriaMet', 'Complete']);
  });

  it('starts a suspended Job only once resumed, and a suspension deletes its pods without counting them', async () => {
    await cluster();
    create({ suspend: true, parallelism: 2, completions: 2 }, { seconds: 30 });
    await lab.settle();
    // test/integration/job TestSuspendJob: no pods, no startTime, Suspended True.
    expect(pods()).toEqual([]);
    expect(status().startTime).toBeUndefined();
    expect(conditions()).toEqual([['Suspended', 'True', 'JobSuspended', 'Job suspended']]);
    expect(events('Suspended')).toEqual(['Job suspended']);
    expect(resourceHealth(job())?.status).toBe('Suspended');
    await until(5);
    fake.update('batch/v1', 'Job', 'pi', 'default', (o) => {
      (o.spec as Spec).suspend = false;
    });
    await lab.settle();
    expect(pods()).toHaveLength(2);
    expect(conditions()).toEqual([['Suspended', 'False', 'JobResumed', 'Job resumed']]);
    expect(status()).toMatchObject({ active: 2, startTime: at(5) });
    expect(events('Resumed')).toEqual(['Job resumed']);
    await until(10);
    fake.update('batch/v1', 'Job', 'pi', 'default', (o) => {
      (o.spec as Spec).suspend = true;
    });
    await lab.settle();
    expect(conditions()).toEqual([['Suspended', 'True', 'JobSuspended', 'Job suspended']]);
    expect(status()).toMatchObject({ terminating: 2, ready: 0 });
    expect(status().active).toBeUndefined();
    expect(status().failed).toBeUndefined();
    expect(events('SuccessfulDelete')).toHaveLength(2);
    await until(15);
    expect(pods()).toEqual([]);
    expect(status()).toMatchObject({ terminating: 0 });
    expect(status().failed).toBeUndefined();
  });

  it('deletes a finished Job ttlSecondsAfterFinished after it finished, in the foreground with its pods', async () => {
    await cluster();
    create({ ttlSecondsAfterFinished: 10 });
    await until(7);
    expect(conditions().map(([type]) => type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(pods()).toHaveLength(1);
    await until(16);
    expect(job()).toBeDefined();
    await until(17);
    expect(job()).toBeUndefined();
    expect(pods()).toEqual([]);
  });

  it('is Progressing to Argo CD until Complete, then Healthy (gitops-engine health_job.go)', async () => {
    await cluster();
    create({ completions: 1 });
    await lab.settle();
    const health = () => resourceHealth(job());
    expect(health()).toEqual({ status: 'Progressing' });
    await until(6);
    expect(health()).toEqual({ status: 'Progressing' });
    await until(7);
    expect(health()).toEqual({ status: 'Healthy', message: 'Reached expected number of succeeded pods' });
  });
});

describe("a Job pod's container in the simulation (lab-containers.ts)", () => {
  const jobPod = (annotations: Record<string, string> = {}): KubeObject => ({
    metadata: {
      name: 'pi-abcde',
      annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'u', controller: true }],
    },
  });

  it('exits 0 after 5 s unless the pod says otherwise; other pods and given exits are left alone', () => {
    expect(jobContainerBehaviour(jobPod(), {}).exits).toEqual({ afterMs: 5000, exitCode: 0, log: [] });
    expect(
      jobContainerBehaviour(jobPod({ [exitCodeAnnotation]: '3', [runSecondsAnnotation]: '1.5' }), {}).exits,
    ).toEqual({ afterMs: 1500, exitCode: 3, log: [] });
    const given = { exits: { afterMs: 1, exitCode: 2, log: ['x'] } };
    expect(jobContainerBehaviour(jobPod(), given)).toBe(given);
    expect(jobContainerBehaviour({ metadata: { name: 'web' } }, {})).toEqual({});
    expect(labContainerBehaviour(jobPod(), {})).toMatchObject({
      exits: { afterMs: 5000, exitCode: 0 },
      stops: { afterMs: 1000, exitCode: 0 },
    });
  });
});

describe('the docqa Argo CD app holding a Job, in the simulated lab', { timeout: 300_000 }, () => {
  let lab: SimLab | undefined;
  let remove: (() => void) | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
    remove?.();
  });

  it('is Progressing while the Job runs and Healthy once it is Complete', async () => {
    // The package's manifests with a Job `migrate` in workloads/docqa that runs 120 s (past the lab's warm-up).
    const extra = docqaWith({
      'job.yaml': {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'migrate' },
        spec: {
          template: {
            metadata: { annotations: { [runSecondsAnnotation]: '120' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'busybox:1.36' }] },
          },
        },
      },
    });
    remove = extra.remove;
    const repo = extra.repo;
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock, repo, source: repo, images: ['busybox:1.36'] });
    lab = l;
    const app = () =>
      l.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd')?.status as {
        health?: { status?: string };
      };
    const job = () => l.cluster.get('batch/v1', 'Job', 'migrate', 'docqa') as KubeObject;
    // After the lab's 60 s warm-up the Job's pod runs: the app is as unhealthy as its Job.
    expect(
      l.cluster.list('v1', 'Pod', 'docqa').filter((p) => p.metadata?.name?.startsWith('migrate-')),
    ).toHaveLength(1);
    expect(resourceHealth(job())).toEqual({ status: 'Progressing' });
    expect(app().health?.status).toBe('Progressing');
    await sleep(clock, 65_000);
    expect(resourceHealth(job())?.status).toBe('Healthy');
    expect(app().health?.status).toBe('Healthy');
  });
});
