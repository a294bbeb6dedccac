/**
 * Protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl's typed commands send them: decoded
 * into the JSON the server stores. Unit tests encode messages here with protobufjs' Writer (field numbers of
 * k8s.io/api v0.33.1 generated.proto); the kubectl tests run the real `kubectl create <kind>` when kubectl is on
 * PATH (in CI, CI=true, a missing kubectl fails).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { kindBaseline } from '../../../src/lab/sim/kind-baseline.js';
import { decodeProtobufBody, protobufMediaType } from '../../../src/lab/sim/protobuf-body.js';
import { StoreError } from '../../../src/lab/sim/store.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

/** A field: its number and a value (string, varint, bool, bytes, or a nested message as its fields). */
type Part = [field: number, value: string | number | boolean | Uint8Array | Part[]];

function message(...parts: Part[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const [field, value] of parts) {
    if (typeof value === 'number') writer.uint32(field << 3).int64(value);
    else if (typeof value === 'boolean') writer.uint32(field << 3).bool(value);
    else if (typeof value === 'string') writer.uint32((field << 3) | 2).string(value);
    else writer.uint32((field << 3) | 2).bytes(value instanceof Uint8Array ? value : message(...value));
  }
  return writer.finish();
}

const entry = (field: number, key: string, value: string | Uint8Array | Part[]): Part => [
  field,
  [
    [1, key],
    [2, value],
  ],
];

/** The `k8s\0` prefix and a runtime.Unknown {typeMeta(1), raw(2)}. */
function body(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const unknown = message(
    [
      1,
      [
        [1, apiVersion],
        [2, kind],
      ],
    ],
    [2, raw],
  );
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}

/** ObjectMeta as gogo writes it: every non-pointer field, zero or not; creationTimestamp an empty Time (null). */
const objectMeta = (name: string, ...more: Part[]): Part => [
  1,
  [[1, name], [2, ''], [3, ''], [4, ''], [5, ''], [6, ''], [7, 0], [8, []], ...more],
];

function refusal(bytes: Uint8Array): StoreError {
  try {
    decodeProtobufBody(bytes);
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('decoded');
}

describe('protobuf request bodies', () => {
  it('a ConfigMap: zero fields left out as omitempty does, the zero Time null, labels/annotations/data maps as objects, binaryData as base64', () => {
    const raw = message(
      objectMeta('c', entry(11, 'app', 'web'), entry(12, 'note', '')),
      entry(2, 'a', 'b'),
      entry(3, 'bin', new Uint8Array([0, 1, 255])),
    );
    expect(decodeProtobufBody(body('v1', 'ConfigMap', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', creationTimestamp: null, labels: { app: 'web' }, annotations: { note: '' } },
      data: { a: 'b' },
      binaryData: { bin: 'AAH/' },
    });
  });

  it('a Deployment: pointer replicas kept even at 0, IntOrString as number or string, empty structs as {}, Quantity as its string', () => {
    const container: Part[] = [
      [1, 'web'],
      [2, 'nginx'],
      [
        6,
        [
          [3, 80],
          [4, 'TCP'],
          [5, ''],
        ],
      ],
      [8, [entry(1, 'cpu', [[1, '500m']]), entry(2, 'memory', [[1, '64Mi']])]],
      [13, ''],
    ];
    const raw = message(
      objectMeta('d'),
      [
        2,
        [
          [1, 0],
          [2, [entry(1, 'app', 'd')]],
          [
            3,
            [
              [1, [entry(11, 'app', 'd')]],
              [2, [[2, container]]],
            ],
          ],
          [
            4,
            [
              [1, 'RollingUpdate'],
              [
                2,
                [
                  [1, [[2, 1]]],
                  [
                    2,
                    [
                      [1, 1],
                      [3, '25%'],
                    ],
                  ],
                ],
              ],
            ],
          ],
          [5, 0],
          [7, false],
        ],
      ],
      [3, [[1, 0]]],
    );
    expect(decodeProtobufBody(body('apps/v1', 'Deployment', raw))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', creationTimestamp: null },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx',
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
              },
            ],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
      },
      status: {},
    });
  });

  it('a Secret: data bytes as base64; a Time as RFC 3339 to the second; an inline volume source in its Volume', () => {
    const secret = message(objectMeta('s'), entry(2, 'password', new TextEncoder().encode('hunter2')), [
      3,
      'Opaque',
    ]);
    expect(decodeProtobufBody(body('v1', 'Secret', secret))).toMatchObject({
      data: { password: 'aHVudGVyMg==' },
      type: 'Opaque',
    });
    const cronJob = message(objectMeta('cj'), [
      3,
      [
        [
          4,
          [
            [1, Date.UTC(2026, 0, 2, 3, 4, 5) / 1000],
            [2, 6000],
          ],
        ],
      ],
    ]);
    expect(decodeProtobufBody(body('batch/v1', 'CronJob', cronJob))).toMatchObject({
      status: { lastScheduleTime: '2026-01-02T03:04:05Z' },
    });
    const epoch = message(objectMeta('cj'), [3, [[4, [[1, 0]]]]]);
    expect(decodeProtobufBody(body('batch/v1', 'CronJob', epoch))).toMatchObject({
      status: { lastScheduleTime: '1970-01-01T00:00:00Z' },
    });
    const volume: Part[] = [
      [1, 'config'],
      [
        2,
        [
          [
            19,
            [
              [1, [[1, 'settings']]],
              [3, 420],
            ],
          ],
        ],
      ],
    ];
    const pod = message(objectMeta('p'), [2, [[1, volume]]]);
    expect(decodeProtobufBody(body('v1', 'Pod', pod))).toMatchObject({
      spec: { volumes: [{ name: 'config', configMap: { name: 'settings', defaultMode: 420 } }] },
    });
  });

  it('a field the table does not know is refused (400) naming the kind, the message and the field number', () => {
    const raw = message(objectMeta('d'), [
      2,
      [
        [
          3,
          [
            [
              2,
              [
                [
                  2,
                  [
                    [1, 'web'],
                    [99, 'x'],
                  ],
                ],
              ],
            ],
          ],
        ],
      ],
    ]);
    const error = refusal(body('apps/v1', 'Deployment', raw));
    expect(error.code).toBe(400);
    expect(error.message).toContain('apps/v1/Deployment');
    expect(error.message).toContain('field 99 of io.k8s.api.core.v1.Container');
  });

  it('a kind without a table is 415; a body that is not protobuf is 400 "not valid protobuf"', () => {
    const quota = refusal(body('v1', 'ResourceQuota', message(objectMeta('q'))));
    expect([quota.code, quota.reason]).toEqual([415, 'UnsupportedMediaType']);
    expect(quota.message).toContain('v1/ResourceQuota');
    for (const bad of [
      new TextEncoder().encode('{"kind":"ConfigMap"}'),
      body('v1', 'ConfigMap', message(objectMeta('c'))).subarray(0, 20),
      body('v1', 'ConfigMap', new Uint8Array([0x0a, 0x05, 0x0a])),
    ]) {
      const error = refusal(bad);
      expect(error.code).toBe(400);
      expect(error.message).toMatch(/^the body of the request was not valid protobuf/);
    }
  });

  it('any bytes after the prefix are decoded or refused with a 400/415 Status, never a crash (a 500)', () => {
    const deployment = body('apps/v1', 'Deployment', message(objectMeta('d'), [2, [[1, 2]]]));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(deployment.length), (noise, cut) => {
        for (const bytes of [
          new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...noise]),
          new Uint8Array([...deployment.subarray(0, cut), ...noise]),
        ]) {
          try {
            decodeProtobufBody(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(StoreError);
            expect([400, 415]).toContain((error as StoreError).code);
          }
        }
      }),
    );
  });

  it('round trip: any ConfigMap encoded as kubectl does decodes to its JSON', () => {
    const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(
        name,
        fc.dictionary(name, text, { maxKeys: 4 }),
        fc.dictionary(name, text, { maxKeys: 4 }),
        (cmName, labels, data) => {
          const raw = message(
            objectMeta(cmName, ...Object.entries(labels).map(([k, v]) => entry(11, k, v))),
            ...Object.entries(data).map(([k, v]) => entry(2, k, v)),
          );
          expect(decodeProtobufBody(body('v1', 'ConfigMap', raw))).toEqual({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: cmName,
              creationTimestamp: null,
              ...(Object.keys(labels).length > 0 ? { labels } : {}),
            },
            ...(Object.keys(data).length > 0 ? { data } : {}),
          });
        },
      ),
    );
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

let cluster: SimCluster;
let dir: string;
const { kubectl, json } = kubectlRunner(() => ({ kubeconfigPath: cluster.kubeconfigPath, dir }));

/**
 * What the server set (identity, times, allocated IPs, status), so that two stored objects can be compared; the
 * object's own uid, wherever the server wrote it (a Job's generated selector and labels), reads as `<uid>`.
 */
function content(object: Record<string, unknown>): Record<string, unknown> {
  const uid = (object.metadata as { uid?: string } | undefined)?.uid;
  const own = uid ? (JSON.parse(JSON.stringify(object).replaceAll(uid, '<uid>')) as typeof object) : object;
  return withoutServerFields(own);
}

function withoutServerFields(object: Record<string, unknown>): Record<string, unknown> {
  const {
    status: _status,
    metadata,
    spec,
    ...rest
  } = object as {
    status?: unknown;
    metadata: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  const {
    uid: _u,
    resourceVersion: _r,
    creationTimestamp: _c,
    namespace: _n,
    generation: _g,
    ...meta
  } = metadata;
  const { clusterIP: _ip, clusterIPs: _ips, ...specRest } = spec ?? {};
  return { ...rest, metadata: meta, ...(spec ? { spec: specRest } : {}) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitops-lab-protobuf-'));
  cluster = await startSimCluster({
    clock: new VirtualClock({ start: Date.UTC(2026, 0, 1) }),
    context: 'sim',
  });
  cluster.seed(
    ...kindBaseline(),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'typed' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-json' } },
  );
});

afterAll(async () => {
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the simulated API server and protobuf bodies', () => {
  it('stores a protobuf ConfigMap and answers JSON; refuses an unknown field with 400 and a Status naming it', async () => {
    const post = (raw: Uint8Array) =>
      fetch(`${cluster.url}/api/v1/namespaces/typed/configmaps`, {
        method: 'POST',
        headers: { 'content-type': protobufMediaType, accept: `${protobufMediaType}, */*` },
        body: body('v1', 'ConfigMap', raw),
      });
    const created = await post(message(objectMeta('raw-proto'), entry(2, 'k', 'v')));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(cluster.get('v1', 'ConfigMap', 'raw-proto', 'typed')?.data).toEqual({ k: 'v' });
    const refused = await post(message(objectMeta('odd'), [42, 'x']));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: expect.stringContaining('field 42 of io.k8s.api.core.v1.ConfigMap'),
    });
    expect(cluster.get('v1', 'ConfigMap', 'odd', 'typed')).toBeUndefined();
  });
});

describeKubectl('kubectl create <kind> against the simulated API server (protobuf bodies)', () => {
  it('`kubectl create namespace` is sent as protobuf and creates the namespace', async () => {
    const out = await kubectl('create', 'namespace', 'team-a');
    expect(out).toMatchObject({ code: 0, stdout: 'namespace/team-a created\n' });
    const created = cluster.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces');
    expect(created?.contentType).toBe(protobufMediaType);
    expect(await json('get', 'namespace', 'team-a')).toMatchObject({
      kind: 'Namespace',
      metadata: { name: 'team-a' },
    });
  });

  /**
   * Each command is run twice: as `--dry-run=client -o json` (the object kubectl means, sent as JSON with
   * `create -f` into namespace from-json) and for real (sent as protobuf into namespace typed). Both stored
   * objects must be the same, and hold what the command asked for.
   */
  const commands: Array<{
    args: string[];
    resource: string;
    name: string;
    expected: Record<string, unknown>;
  }> = [
    {
      args: ['configmap', 'settings', '--from-literal=mode=fast', '--from-literal=empty='],
      resource: 'configmap',
      name: 'settings',
      expected: { data: { mode: 'fast', empty: '' } },
    },
    {
      args: ['secret', 'generic', 'creds', '--from-literal=password=hunter2'],
      resource: 'secret',
      name: 'creds',
      expected: { data: { password: 'aHVudGVyMg==' } },
    },
    {
      args: ['deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=8080'],
      resource: 'deployment',
      name: 'web',
      expected: {
        metadata: { labels: { app: 'web' } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
          },
        },
      },
    },
    {
      args: ['job', 'once', '--image=busybox', '--', 'echo', 'hi'],
      resource: 'job',
      name: 'once',
      expected: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'once', image: 'busybox', command: ['echo', 'hi'] }],
            },
          },
        },
      },
    },
    {
      args: ['service', 'clusterip', 'api', '--tcp=80:8080'],
      resource: 'service',
      name: 'api',
      expected: {
        spec: {
          type: 'ClusterIP',
          selector: { app: 'api' },
          ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
      },
    },
    {
      args: ['role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps'],
      resource: 'role',
      name: 'reader',
      expected: {
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
        ],
      },
    },
    { args: ['serviceaccount', 'robot'], resource: 'serviceaccount', name: 'robot', expected: {} },
    {
      args: ['cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'],
      resource: 'cronjob',
      name: 'nightly',
      expected: {
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure' } } } },
        },
      },
    },
    {
      args: ['ingress', 'site', '--rule=example.com/docs=api:80'],
      resource: 'ingress',
      name: 'site',
      expected: {
        spec: {
          rules: [
            {
              host: 'example.com',
              http: {
                paths: [
                  {
                    path: '/docs',
                    pathType: 'Exact',
                    backend: { service: { name: 'api', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    },
    {
      args: ['poddisruptionbudget', 'keep-one', '--selector=app=web', '--min-available=1'],
      resource: 'poddisruptionbudget',
      name: 'keep-one',
      expected: { spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
    },
    {
      args: ['rolebinding', 'read-it', '--role=reader', '--user=ada'],
      resource: 'rolebinding',
      name: 'read-it',
      expected: {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ada' }],
      },
    },
    {
      args: ['secret', 'docker-registry', 'pull', '--docker-username=ada', '--docker-password=pw'],
      resource: 'secret',
      name: 'pull',
      expected: { type: 'kubernetes.io/dockerconfigjson' },
    },
  ];

  for (const { args, resource, name, expected } of commands)
    it(`\`kubectl create ${args.slice(0, 2).join(' ')}\` stores what kubectl meant`, async () => {
      const end = args.includes('--') ? args.indexOf('--') : args.length;
      const withFlags = (...flags: string[]) => [...args.slice(0, end), ...flags, ...args.slice(end)];
      const meant = await json('create', ...withFlags('--dry-run=client', '-n', 'from-json', '-o', 'json'));
      const file = join(dir, `${resource}.json`);
      await writeFile(file, JSON.stringify(meant));
      expect((await kubectl('create', '-f', file)).code).toBe(0);

      const out = await kubectl('create', ...withFlags('-n', 'typed'));
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const post = cluster.requests.filter(
        (r) => r.method === 'POST' && r.path.includes('/namespaces/typed/'),
      );
      expect(post.at(-1)?.contentType).toBe(protobufMediaType);
      const typed = await json('get', resource, name, '-n', 'typed');
      expect(typed).toMatchObject({ metadata: { name, namespace: 'typed' }, ...expected });
      expect(content(typed)).toEqual(content(await json('get', resource, name, '-n', 'from-json')));
    });

  it('a kind the server has no protobuf table for is refused with a message that says to send JSON', async () => {
    const out = await kubectl('create', 'quota', 'small', '--hard=pods=2', '-n', 'typed');
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('v1/ResourceQuota');
    expect(out.stderr).toContain('send it as JSON');
  });
});
