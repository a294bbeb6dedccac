/**
 * The pod printer (src/lab/sim/printers/pods.ts) on the cases of Kubernetes v1.33 pkg/printers/internalversion/
 * printers_test.go TestPrintPod, TestPrintPodWithRestartableInitContainer and TestPrintPodwide (inputs and
 * expected cells; the JSON here is the v1 form of the same pods). AGE is "<unknown>" there (no creationTimestamp);
 * "(10s ago)" is measured at the `now` given.
 */
import { describe, expect, it } from 'vitest';
import { podPrinter } from '../../../../src/lab/sim/printers/pods.js';
import type { KubeObject } from '../../../../src/lab/sim/store.js';

const now = Date.UTC(2026, 0, 10);
const ago = (ms: number) => new Date(now - ms).toISOString();
const two = [{}, {}];
const one = [{}];
const running = { running: {} };
const pod = (name: string, spec: object, status: object, metadata: object = {}): KubeObject => ({
  metadata: { name, ...metadata },
  spec,
  status,
});
/** The five columns kubectl shows without -o wide. */
const cells = (p: KubeObject) => podPrinter.row(p, now).cells.slice(0, 5);

describe('pod printer: READY, STATUS, RESTARTS (TestPrintPod)', () => {
  it.each([
    [
      'a waiting container gives its reason; restarts add up',
      pod(
        'test2',
        { containers: two },
        {
          phase: 'podPhase',
          containerStatuses: [
            { ready: true, restartCount: 3, state: running },
            { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
          ],
        },
      ),
      ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>'],
    ],
    [
      'the first container has the last word',
      pod(
        'test3',
        { containers: two },
        {
          phase: 'podPhase',
          containerStatuses: [
            { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
            { state: { terminated: { reason: 'ContainerTerminatedReason' } }, restartCount: 3 },
          ],
        },
      ),
      ['test3', '0/2', 'ContainerWaitingReason', '6', '<unknown>'],
    ],
    [
      'ready alone does not make a container count as running',
      pod(
        'test4',
        { containers: two },
        {
          phase: 'podPhase',
          containerStatuses: [
            { ready: true, restartCount: 3, state: running },
            { ready: true, restartCount: 3 },
          ],
        },
      ),
      ['test4', '1/2', 'podPhase', '6', '<unknown>'],
    ],
    [
      "the pod's reason before its phase",
      pod(
        'test5',
        { containers: two },
        {
          reason: 'podReason',
          phase: 'podPhase',
          containerStatuses: [
            { ready: true, restartCount: 3, state: running },
            { ready: true, restartCount: 3 },
          ],
        },
      ),
      ['test5', '1/2', 'podReason', '6', '<unknown>'],
    ],
    [
      'one container completed and one running, no Ready condition: NotReady',
      pod(
        'test6',
        { containers: two },
        {
          phase: 'Running',
          containerStatuses: [
            { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
            { ready: true, restartCount: 3, state: running },
          ],
        },
      ),
      ['test6', '1/2', 'NotReady', '6', '<unknown>'],
    ],
    [
      'the same with the Ready condition: Running',
      pod(
        'test6',
        { containers: two },
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
            { ready: true, restartCount: 3, state: running },
          ],
        },
      ),
      ['test6', '1/2', 'Running', '6', '<unknown>'],
    ],
    [
      'an init container restarting: Init:0/1, its restarts with when',
      pod(
        'test7',
        { initContainers: one, containers: one },
        {
          phase: 'podPhase',
          initContainerStatuses: [
            {
              ready: false,
              restartCount: 3,
              state: running,
              lastState: { terminated: { finishedAt: ago(10_000) } },
            },
          ],
          containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
        },
      ),
      ['test7', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>'],
    ],
    [
      'the first init container done, the second restarting: Init:1/2, the restarts of both',
      pod(
        'test10',
        { initContainers: two, containers: one },
        {
          phase: 'podPhase',
          initContainerStatuses: [
            {
              restartCount: 2,
              state: { terminated: {} },
              lastState: { terminated: { finishedAt: ago(120_000) } },
            },
            { restartCount: 3, state: running, lastState: { terminated: { finishedAt: ago(10_000) } } },
          ],
          containerStatuses: [{ state: { waiting: {} } }],
        },
      ),
      ['test10', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>'],
    ],
    [
      'initialized: only the containers count, init restarts are left out',
      pod(
        'test11',
        { initContainers: one, containers: one },
        {
          phase: 'Running',
          initContainerStatuses: [
            {
              restartCount: 2,
              state: { terminated: {} },
              lastState: { terminated: { finishedAt: ago(120_000) } },
            },
          ],
          containerStatuses: [
            { restartCount: 4, state: running, lastState: { terminated: { finishedAt: ago(20_000) } } },
          ],
        },
      ),
      ['test11', '0/1', 'Running', '4 (20s ago)', '<unknown>'],
    ],
    [
      'the latest restart of any container',
      pod(
        'test14',
        { containers: two },
        {
          phase: 'Running',
          containerStatuses: [
            {
              ready: true,
              restartCount: 6,
              state: running,
              lastState: { terminated: { finishedAt: ago(5 * 86_400_000) } },
            },
            {
              ready: true,
              restartCount: 3,
              state: running,
              lastState: { terminated: { finishedAt: ago(20 * 86_400_000) } },
            },
          ],
        },
      ),
      ['test14', '2/2', 'Running', '9 (5d ago)', '<unknown>'],
    ],
    [
      'scheduling gated',
      pod(
        'test15',
        { containers: two },
        {
          phase: 'podPhase',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        },
      ),
      ['test15', '0/2', 'SchedulingGated', '0', '<unknown>'],
    ],
    [
      'a failed container: its reason',
      pod(
        'test17',
        { containers: one },
        {
          phase: 'Failed',
          containerStatuses: [{ restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } }],
        },
      ),
      ['test17', '0/1', 'Error', '0', '<unknown>'],
    ],
    [
      'being deleted while running: Terminating',
      pod(
        'test19',
        { containers: one },
        { phase: 'Running', containerStatuses: [{ restartCount: 0, state: running }] },
        { deletionTimestamp: ago(0) },
      ),
      ['test19', '0/1', 'Terminating', '0', '<unknown>'],
    ],
    [
      'being deleted after it succeeded: Completed stays',
      pod(
        'test18',
        { containers: one },
        {
          phase: 'Succeeded',
          containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
        },
        { deletionTimestamp: ago(0) },
      ),
      ['test18', '0/1', 'Completed', '0', '<unknown>'],
    ],
    [
      'being deleted on a lost node: Unknown',
      pod(
        'lost',
        { containers: one },
        { phase: 'Running', reason: 'NodeLost' },
        { deletionTimestamp: ago(0) },
      ),
      ['lost', '0/1', 'Unknown', '0', '<unknown>'],
    ],
    [
      'a container terminated without a reason: its exit code, or its signal',
      pod(
        'exit',
        { containers: two },
        {
          phase: 'Running',
          containerStatuses: [
            { state: { terminated: { exitCode: 2 } } },
            { state: { terminated: { signal: 9 } } },
          ],
        },
      ),
      ['exit', '0/2', 'ExitCode:2', '0', '<unknown>'],
    ],
  ])('%s', (_, p, expected) => {
    expect(cells(p)).toEqual(expected);
  });

  it('marks a Succeeded or Failed pod Completed in the row conditions', () => {
    const done = pod('test16', { containers: one }, { phase: 'Succeeded' });
    expect(podPrinter.row(done, now).conditions?.[0]).toMatchObject({
      type: 'Completed',
      status: 'True',
      reason: 'Succeeded',
    });
    expect(
      podPrinter.row(pod('up', { containers: one }, { phase: 'Running' }), now).conditions,
    ).toBeUndefined();
  });
});

describe('pod printer: restartable init containers (TestPrintPodWithRestartableInitContainer)', () => {
  const sidecars = {
    initContainers: [
      { name: 'restartable-init-1', restartPolicy: 'Always' },
      { name: 'restartable-init-2', restartPolicy: 'Always' },
    ],
    containers: one,
  };
  it('counts sidecars among the containers; a started sidecar lets initialization go on', () => {
    const starting = pod('test1', sidecars, {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'restartable-init-1',
          restartCount: 3,
          state: running,
          started: true,
          lastState: { terminated: { finishedAt: ago(10_000) } },
        },
        { name: 'restartable-init-2', state: running, started: false },
      ],
      containerStatuses: [{ state: { waiting: {} } }],
      conditions: [{ type: 'Initialized', status: 'False' }],
    });
    expect(cells(starting)).toEqual(['test1', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>']);
  });

  it('once initialized: sidecar restarts count with the containers', () => {
    const up = pod('test2', sidecars, {
      phase: 'Running',
      initContainerStatuses: [
        {
          name: 'restartable-init-1',
          restartCount: 3,
          state: running,
          started: true,
          lastState: { terminated: { finishedAt: ago(10_000) } },
        },
        { name: 'restartable-init-2', state: running, started: true },
      ],
      containerStatuses: [
        {
          ready: true,
          restartCount: 4,
          state: running,
          lastState: { terminated: { finishedAt: ago(20_000) } },
        },
      ],
      conditions: [{ type: 'Initialized', status: 'True' }],
    });
    expect(cells(up)).toEqual(['test2', '1/3', 'Running', '7 (10s ago)', '<unknown>']);
  });

  it('statuses of containers the spec does not have', () => {
    const odd = pod(
      'test4',
      {
        initContainers: [{ name: 'init1' }, { name: 'sidecar1', restartPolicy: 'Always' }],
        containers: [{ name: 'container1' }],
      },
      {
        phase: 'Running',
        initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }],
        containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }],
      },
    );
    expect(cells(odd)).toEqual(['test4', '0/2', 'Init:0/2', '0', '<unknown>']);
  });
});

describe('pod printer: -o wide columns (TestPrintPodwide)', () => {
  it('IP, NODE, NOMINATED NODE and READINESS GATES (true gates of all)', () => {
    const p = pod(
      'test1',
      {
        containers: two,
        nodeName: 'test1',
        readinessGates: [
          { conditionType: 'condition1' },
          { conditionType: 'condition2' },
          { conditionType: 'condition3' },
        ],
      },
      {
        phase: 'podPhase',
        conditions: [
          { type: 'condition1', status: 'False' },
          { type: 'condition2', status: 'True' },
        ],
        podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }],
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
        nominatedNodeName: 'node1',
      },
    );
    expect(podPrinter.row(p, now).cells).toEqual([
      'test1',
      '1/2',
      'podPhase',
      '6',
      '<unknown>',
      '1.1.1.1',
      'test1',
      'node1',
      '1/3',
    ]);
  });

  it('<none> for what is not set', () => {
    const p = pod('test2', { containers: two }, { phase: 'podPhase' });
    expect(podPrinter.row(p, now).cells.slice(5)).toEqual(['<none>', '<none>', '<none>', '<none>']);
  });

  it('has the columns of v1.33, the wide ones at priority 1', () => {
    expect(podPrinter.columns.map((c) => [c.name, c.priority ?? 0])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
  });
});
