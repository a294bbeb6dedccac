import { describe, expect, it } from 'vitest';
import { setCondition } from '../../../src/lab/sim/conditions.js';

// Cases after UpdatePodCondition (pkg/api/v1/pod/util.go) and meta.SetStatusCondition: the time a condition
// reports moves only with its status.
const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:05:00Z';

describe('setCondition', () => {
  it('keeps lastTransitionTime while the status holds, and takes the new reason', () => {
    const before = [{ type: 'Ready', status: 'False', reason: 'A', lastTransitionTime: t0 }];
    expect(setCondition(before, { type: 'Ready', status: 'False', reason: 'B' }, t1)).toEqual([
      { type: 'Ready', status: 'False', reason: 'B', lastTransitionTime: t0 },
    ]);
  });

  it('moves lastTransitionTime when the status changes, in place among the others', () => {
    const before = [
      { type: 'PodScheduled', status: 'False', lastTransitionTime: t0 },
      { type: 'Ready', status: 'True', lastTransitionTime: t0 },
    ];
    const after = setCondition(before, { type: 'PodScheduled', status: 'True' }, t1);
    expect(after.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['PodScheduled', 'True', t1],
      ['Ready', 'True', t0],
    ]);
    expect(before[0]?.status).toBe('False');
  });

  it('appends a condition of a new type, stamped now', () => {
    const before = [{ type: 'Ready', status: 'True', lastTransitionTime: t0 }];
    expect(setCondition(before, { type: 'DisruptionAllowed', status: 'True' }, t1)[1]).toEqual({
      type: 'DisruptionAllowed',
      status: 'True',
      lastTransitionTime: t1,
    });
  });
});
