/**
 * The workload printers (src/lab/sim/printers/workloads.ts) on cases of Kubernetes v1.33
 * pkg/printers/internalversion/printers_test.go (TestPrintReplicaSet, TestPrintDeployment, TestPrintHPA,
 * TestPrintPodDisruptionBudget, TestPrintJob...): inputs and expected cells, in their v1 JSON form.
 */
import { describe, expect, it } from 'vitest';
import {
  deploymentPrinter,
  formatHpaMetrics,
  hpaPrinter,
  jobPrinter,
  pdbPrinter,
  replicaSetPrinter,
} from '../../../../src/lab/sim/printers/workloads.js';

const now = Date.UTC(2026, 0, 10);
const ago = (ms: number) => new Date(now - ms).toISOString();
const template = {
  spec: {
    containers: [
      { name: 'fake-container1', image: 'fake-image1' },
      { name: 'fake-container2', image: 'fake-image2' },
    ],
  },
};

describe('ReplicaSet and Deployment', () => {
  it('DESIRED CURRENT READY AGE, then CONTAINERS IMAGES SELECTOR', () => {
    const rs = {
      metadata: { name: 'test1', creationTimestamp: ago(10_000) },
      spec: { replicas: 5, template, selector: { matchLabels: { foo: 'bar' } } },
      status: { replicas: 5, readyReplicas: 2 },
    };
    expect(replicaSetPrinter.row(rs, now).cells).toEqual([
      'test1',
      5,
      5,
      2,
      '10s',
      'fake-container1,fake-container2',
      'fake-image1,fake-image2',
      'foo=bar',
    ]);
  });

  it('READY ready/desired, UP-TO-DATE, AVAILABLE; the selector in set syntax', () => {
    const d = {
      metadata: { name: 'test1', creationTimestamp: ago(10_000) },
      spec: {
        replicas: 5,
        template,
        selector: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] },
      },
      status: { replicas: 10, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 4 },
    };
    expect(deploymentPrinter.row(d, now).cells).toEqual([
      'test1',
      '0/5',
      2,
      1,
      '10s',
      'fake-container1,fake-container2',
      'fake-image1,fake-image2',
      'foo in (bar)',
    ]);
  });

  it('reads spec.replicas as the API server defaults it (1) when absent', () => {
    expect(replicaSetPrinter.row({ metadata: { name: 'x' } }, now).cells.slice(0, 4)).toEqual(['x', 1, 0, 0]);
  });
});

describe('HorizontalPodAutoscaler TARGETS (TestPrintHPA)', () => {
  const cases: Array<[string, object[], object[] | undefined, string]> = [
    ['no metrics', [], undefined, '<none>'],
    [
      'external average value, not measured',
      [{ type: 'External', external: { target: { type: 'AverageValue', averageValue: '100m' } } }],
      undefined,
      '<unknown>/100m (avg)',
    ],
    [
      'external average value',
      [{ type: 'External', external: { target: { type: 'AverageValue', averageValue: '100m' } } }],
      [{ type: 'External', external: { current: { averageValue: '50m' } } }],
      '50m/100m (avg)',
    ],
    [
      'external value',
      [{ type: 'External', external: { target: { type: 'Value', value: '100m' } } }],
      [{ type: 'External', external: { current: { value: '50m' } } }],
      '50m/100m',
    ],
    [
      'pods, not measured',
      [{ type: 'Pods', pods: { target: { type: 'AverageValue', averageValue: '100m' } } }],
      undefined,
      '<unknown>/100m',
    ],
    [
      'object value',
      [{ type: 'Object', object: { target: { type: 'Value', value: '100m' } } }],
      [{ type: 'Object', object: { current: { value: '50m' } } }],
      '50m/100m',
    ],
    [
      'resource average value, not measured',
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m' } },
        },
      ],
      undefined,
      'cpu: <unknown>/100m',
    ],
    [
      'resource utilization',
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '10' } },
        },
      ],
      'cpu: 50%/80%',
    ],
    [
      'resource utilization, not measured',
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
      undefined,
      'cpu: <unknown>/80%',
    ],
    [
      'container resource utilization',
      [
        {
          type: 'ContainerResource',
          containerResource: { name: 'cpu', container: 'app', target: { averageUtilization: 80 } },
        },
      ],
      [
        {
          type: 'ContainerResource',
          containerResource: { name: 'cpu', current: { averageUtilization: 50 } },
        },
      ],
      'cpu: 50%/80%',
    ],
  ];
  it.each(cases)('%s', (_, specs, statuses, text) => {
    expect(formatHpaMetrics(specs, statuses)).toBe(text);
  });

  it('two metrics at most, then "+ N more..."', () => {
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 80 } } };
    const memory = { type: 'Resource', resource: { name: 'memory', target: { averageValue: '100Mi' } } };
    expect(formatHpaMetrics([cpu, memory, cpu, memory], [])).toBe(
      'cpu: <unknown>/80%, memory: <unknown>/100Mi + 2 more...',
    );
  });

  it('REFERENCE Kind/name, MINPODS, MAXPODS, REPLICAS', () => {
    const hpa = {
      metadata: { name: 'some-hpa' },
      spec: {
        scaleTargetRef: { kind: 'ReplicationController', name: 'some-rc' },
        minReplicas: 2,
        maxReplicas: 10,
      },
      status: { currentReplicas: 4, desiredReplicas: 5 },
    };
    expect(hpaPrinter.row(hpa, now).cells).toEqual([
      'some-hpa',
      'ReplicationController/some-rc',
      '<none>',
      '2',
      10,
      4,
      '<unknown>',
    ]);
    // Upstream's printer says <unset> for a nil minReplicas; over the API autoscaling/v2 defaults it to 1 first.
    const { minReplicas: _, ...unset } = hpa.spec;
    expect(hpaPrinter.row({ ...hpa, spec: unset }, now).cells[3]).toBe('1');
  });
});

describe('PodDisruptionBudget and Job', () => {
  it('MIN AVAILABLE / MAX UNAVAILABLE as set (N/A otherwise), ALLOWED DISRUPTIONS', () => {
    const pdb = {
      metadata: { name: 'pdb1', creationTimestamp: ago(10_000) },
      spec: { minAvailable: 22 },
      status: { disruptionsAllowed: 5 },
    };
    expect(pdbPrinter.row(pdb, now).cells).toEqual(['pdb1', '22', 'N/A', 5, '10s']);
    const percent = { ...pdb, spec: { maxUnavailable: '11%' } };
    expect(pdbPrinter.row(percent, now).cells.slice(1, 3)).toEqual(['N/A', '11%']);
  });

  it('STATUS, COMPLETIONS, DURATION', () => {
    const job = {
      metadata: { name: 'job1', creationTimestamp: ago(0) },
      spec: { completions: 2, template },
      status: { succeeded: 1, startTime: ago(10_000) },
    };
    expect(jobPrinter.row(job, now).cells.slice(0, 5)).toEqual(['job1', 'Running', '1/2', '10s', '0s']);
    const done = {
      ...job,
      status: {
        succeeded: 2,
        startTime: ago(300_000),
        completionTime: ago(60_000),
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    };
    expect(jobPrinter.row(done, now).cells.slice(1, 4)).toEqual(['Complete', '2/2', '4m']);
    const parallel = { ...job, spec: { parallelism: 2, template } };
    expect(jobPrinter.row(parallel, now).cells[2]).toBe('1/1 of 2');
  });
});
