/**
 * The API server's defaults (src/lab/sim/api-defaults.ts) and pod admission (pod-admission.ts) as a client sees
 * them: what the simulated API server stores for a pod or a workload a client created with only the fields it
 * needed. The cases are the rules of pkg/apis/core/v1/defaults.go and pkg/apis/apps/v1/defaults.go (v1.3x line) and
 * of the ServiceAccount, DefaultTolerationSeconds and Priority admission plugins.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { applyApiDefaults, generateJobSelector, imageTag } from '../../../src/lab/sim/api-defaults.js';
import { systemPriorityClasses } from '../../../src/lab/sim/priority-classes.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${cluster?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const spec = (o: Record<string, unknown>) => o.spec as Record<string, unknown>;

describe('a pod as the API server stores it', () => {
  it('gets the pod spec, container and probe defaults, a service account, priority 0 and the default tolerations', async () => {
    cluster = await startSimCluster();
    const { status, body } = await post('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '500m', memory: '128Mi' } },
            readinessProbe: { httpGet: { port: 80 } },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          },
        ],
        volumes: [{ name: 'scratch' }, { name: 'config', configMap: { name: 'web' } }],
      },
    });
    expect(status).toBe(201);
    expect(spec(body)).toMatchObject({
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'config', configMap: { name: 'web', defaultMode: 420 } },
        // The ServiceAccount plugin's token volume (next test).
        { name: expect.stringMatching(/^kube-api-access-/) },
      ],
    });
    const [container] = spec(body).containers as Array<Record<string, unknown>>;
    expect(container).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      // SetDefaults_Pod: requests from the limits.
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } },
      readinessProbe: {
        httpGet: { port: 80, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
      env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }],
    });
  });

  it('keeps what the client set; a toleration of every NoExecute taint needs no default ones', async () => {
    cluster = await startSimCluster({ seed: systemPriorityClasses() });
    const { status, body } = await post('/api/v1/namespaces/kube-system/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'agent' },
      spec: {
        serviceAccountName: 'agent',
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        priorityClassName: 'system-node-critical',
        hostNetwork: true,
        tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
        containers: [
          { name: 'a', image: 'agent', imagePullPolicy: 'Never', ports: [{ containerPort: 9100 }] },
        ],
      },
    });
    expect(status).toBe(201);
    expect(spec(body)).toMatchObject({
      serviceAccountName: 'agent',
      serviceAccount: 'agent',
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      priority: 2_000_001_000,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
    });
    const [container] = spec(body).containers as Array<Record<string, unknown>>;
    // hostNetwork: each port's hostPort is its containerPort (SetDefaults_Pod).
    expect(container).toMatchObject({
      imagePullPolicy: 'Never',
      ports: [{ containerPort: 9100, hostPort: 9100, protocol: 'TCP' }],
    });
  });

  it('mounts the service account token in every container (kube-api-access-<5>), unless opted out', async () => {
    cluster = await startSimCluster({
      seed: [
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'quiet', namespace: 'default' },
          automountServiceAccountToken: false,
        },
      ],
    });
    const pod = (name: string, extra: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        initContainers: [{ name: 'init', image: 'x:1' }],
        containers: [
          { name: 'a', image: 'x:1' },
          // A container with its own mount at the token path keeps it and gets none.
          {
            name: 'b',
            image: 'x:1',
            volumeMounts: [{ name: 'own', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
          },
        ],
        volumes: [{ name: 'own', emptyDir: {} }],
        ...extra,
      },
    });
    const { body } = await post('/api/v1/namespaces/default/pods', pod('mounted', {}));
    const volumes = spec(body).volumes as Array<Record<string, unknown>>;
    const token = volumes.find((v) => String(v.name).startsWith('kube-api-access-'));
    expect(token?.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(token?.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    });
    const mount = {
      name: token?.name,
      readOnly: true,
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
    };
    const mounts = (list: string) =>
      (spec(body)[list] as Array<{ volumeMounts?: unknown[] }>).map((c) => c.volumeMounts);
    expect(mounts('initContainers')).toEqual([[mount]]);
    expect(mounts('containers')).toEqual([
      [mount],
      [{ name: 'own', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
    ]);
    // Opted out by the pod, or by its service account: no volume, no mount.
    for (const [name, extra] of [
      ['pod-opts-out', { automountServiceAccountToken: false }],
      ['account-opts-out', { serviceAccountName: 'quiet' }],
    ] as const) {
      const created = await post('/api/v1/namespaces/default/pods', pod(name, extra));
      expect(created.status).toBe(201);
      expect((spec(created.body).volumes as Array<{ name: string }>).map((v) => v.name)).toEqual(['own']);
      expect(
        (spec(created.body).containers as Array<{ volumeMounts?: unknown[] }>)[0]?.volumeMounts,
      ).toBeUndefined();
    }
  });

  it('refuses a pod of a PriorityClass that does not exist, or with a priority of its own (403)', async () => {
    cluster = await startSimCluster({ seed: systemPriorityClasses() });
    const pod = (extra: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'x:1' }], ...extra },
    });
    const missing = await post('/api/v1/namespaces/default/pods', pod({ priorityClassName: 'urgent' }));
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({
      reason: 'Forbidden',
      message: 'pods "p" is forbidden: no PriorityClass with name urgent was found',
    });
    const own = await post('/api/v1/namespaces/default/pods', pod({ priority: 5 }));
    expect(own.status).toBe(403);
    expect(own.body.message).toContain('the integer value of priority (5) must not be provided in pod spec');
    expect(cluster.get('v1', 'Pod', 'p', 'default')).toBeUndefined();
  });
});

describe('a workload as the API server stores it', () => {
  it('a Deployment gets replicas 1, RollingUpdate 25%/25%, 10 revisions, a 600 s deadline and a defaulted template', async () => {
    cluster = await startSimCluster();
    const { status, body } = await post('/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry:5000/web' }] },
        },
      },
    });
    expect(status).toBe(201);
    expect(spec(body)).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    const template = (spec(body).template as { spec: Record<string, unknown> }).spec;
    expect(template).toMatchObject({
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
    });
    // A template is not a pod: no enableServiceLinks, no admission (service account, priority, tolerations).
    expect(template.enableServiceLinks).toBeUndefined();
    expect(template.serviceAccountName).toBeUndefined();
    expect(template.priority).toBeUndefined();
    // An image with a registry port and no tag is `latest`: pulled Always.
    expect((template.containers as Array<Record<string, unknown>>)[0]?.imagePullPolicy).toBe('Always');
  });

  it('a Recreate Deployment gets no rollingUpdate; StatefulSet and DaemonSet defaults', () => {
    const recreate: KubeObject = { spec: { strategy: { type: 'Recreate' } } };
    applyApiDefaults('apps', 'Deployment', recreate);
    expect(spec(recreate).strategy).toEqual({ type: 'Recreate' });

    const sts: KubeObject = { spec: { template: { spec: { containers: [] } } } };
    applyApiDefaults('apps', 'StatefulSet', sts);
    expect(spec(sts)).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
    });
    // An OnDelete StatefulSet gets no rollingUpdate; a given RollingUpdate type without one gets none either.
    const onDelete: KubeObject = { spec: { updateStrategy: { type: 'OnDelete' } } };
    applyApiDefaults('apps', 'StatefulSet', onDelete);
    expect(spec(onDelete).updateStrategy).toEqual({ type: 'OnDelete' });
    const rolling: KubeObject = { spec: { updateStrategy: { type: 'RollingUpdate' } } };
    applyApiDefaults('apps', 'StatefulSet', rolling);
    expect(spec(rolling).updateStrategy).toEqual({ type: 'RollingUpdate' });

    const ds: KubeObject = { spec: {} };
    applyApiDefaults('apps', 'DaemonSet', ds);
    expect(spec(ds)).toEqual({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
  });

  it('a Job gets its defaults and a selector on its own uid; its template the job-name and controller-uid labels', async () => {
    cluster = await startSimCluster();
    const { status, body } = await post('/apis/batch/v1/namespaces/default/jobs', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'eval' },
      spec: {
        template: {
          metadata: { labels: { app: 'eval' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'eval', image: 'eval:1' }] },
        },
      },
    });
    expect(status).toBe(201);
    const uid = (body.metadata as { uid: string; labels?: Record<string, string> }).uid;
    // SetDefaults_Job: the template's labels become the Job's, taken before the generated ones are added.
    expect((body.metadata as { labels?: Record<string, string> }).labels).toEqual({ app: 'eval' });
    expect(spec(body)).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: {
        metadata: {
          labels: {
            app: 'eval',
            'job-name': 'eval',
            'batch.kubernetes.io/job-name': 'eval',
            'controller-uid': uid,
            'batch.kubernetes.io/controller-uid': uid,
          },
        },
        spec: { restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 },
      },
    });
  });

  it('a Job with a manual selector keeps it; parallelism alone leaves completions unset; a CronJob', () => {
    const manual: KubeObject = {
      metadata: { name: 'm', uid: 'u' },
      spec: { manualSelector: true, parallelism: 3, selector: { matchLabels: { app: 'm' } }, template: {} },
    };
    applyApiDefaults('batch', 'Job', manual);
    generateJobSelector(manual);
    expect(spec(manual).selector).toEqual({ matchLabels: { app: 'm' } });
    expect(spec(manual).completions).toBeUndefined();
    expect(spec(manual).parallelism).toBe(3);
    const cron: KubeObject = {
      spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: {} } } } },
    };
    applyApiDefaults('batch', 'CronJob', cron);
    expect(spec(cron)).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Always' } } } },
    });
  });

  it('a custom resource gets no defaults', () => {
    const rollout: KubeObject = { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } };
    const before = structuredClone(rollout);
    applyApiDefaults('argoproj.io', 'Rollout', rollout);
    expect(rollout).toEqual(before);
  });
});

describe('the image tag that decides imagePullPolicy (parsers.ParseImageName)', () => {
  it.each([
    ['nginx', 'latest'],
    ['nginx:1.27', '1.27'],
    ['nginx:latest', 'latest'],
    ['registry:5000/team/app', 'latest'],
    ['registry:5000/team/app:v2', 'v2'],
    ['ghcr.io/a/b@sha256:0123456789abcdef', ''],
    ['ghcr.io/a/b:v1@sha256:0123456789abcdef', 'v1'],
  ])('%s → %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });

  it('defaulting twice changes nothing more (the API server defaults every write)', () => {
    const container = fc.record({
      name: fc.constantFrom('a', 'b'),
      image: fc.constantFrom('x', 'x:1', 'x:latest', 'r:5000/x@sha256:00'),
      ports: fc.option(fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65_535 }) })), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.array(container, { maxLength: 3 }), fc.boolean(), (containers, hostNetwork) => {
        const pod: KubeObject = { spec: { containers, hostNetwork } };
        applyApiDefaults('', 'Pod', pod);
        const once = structuredClone(pod);
        applyApiDefaults('', 'Pod', pod);
        expect(pod).toEqual(once);
      }),
    );
  });
});
