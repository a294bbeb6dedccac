/**
 * Which AnalysisRuns a Rollout deletes (src/lab/sim/rollouts-analysis-history.ts), against argo-rollouts v1.8.3's
 * utils/analysis/filter_test.go TestFilterAnalysisRunsToDelete and TestFilterAnalysisRunsToDeleteByLimit, and
 * utils/defaults/defaults_test.go's history limit defaults.
 */
import { describe, expect, it } from 'vitest';
import { analysisRunsToDelete, runHistoryLimits } from '../../../src/lab/sim/rollouts-analysis-history.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const HASH = 'rollouts-pod-template-hash';
const rs = (hash: string, deleting = false): KubeObject => ({
  metadata: { labels: { [HASH]: hash }, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
});
const run = (name: string, hash: string | undefined, phase?: string, second = 0): KubeObject => ({
  metadata: {
    name,
    labels: hash === undefined ? {} : { [HASH]: hash },
    creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  },
  status: phase ? { phase } : {},
});
const names = (runs: KubeObject[]) => runs.map((r) => r.metadata?.name);

describe('FilterAnalysisRunsToDelete (utils/analysis/filter.go)', () => {
  it('deletes a run with no pod hash, one whose ReplicaSet is being deleted, one with no ReplicaSet (TestFilterAnalysisRunsToDelete)', () => {
    const runs = [run('kept', 'a'), run('no-hash', undefined), run('deleted-rs', 'b'), run('no-rs', 'c')];
    expect(
      names(analysisRunsToDelete(runs, [rs('a'), rs('b', true)], { successful: 4, unsuccessful: 4 })).sort(),
    ).toEqual(['deleted-rs', 'no-hash', 'no-rs']);
  });

  it('keeps the limits’ number of Successful and of unsuccessful runs (TestFilterAnalysisRunsToDeleteByLimit)', () => {
    const runs = Array.from({ length: 10 }, (_, i) =>
      run(`r${i}`, 'a', i % 2 === 0 ? 'Successful' : 'Failed'),
    );
    const count = (successful: number, unsuccessful: number) =>
      analysisRunsToDelete(runs, [rs('a')], { successful, unsuccessful }).length;
    expect([count(1, 0), count(5, 0), count(10, 0)]).toEqual([9, 5, 5]);
    expect([count(0, 1), count(0, 5), count(0, 10)]).toEqual([9, 5, 5]);
    expect([count(0, 0), count(4, 4), count(10, 10)]).toEqual([10, 2, 0]);
  });

  it('keeps the newest created; Error and Inconclusive count as unsuccessful; a Running run is never deleted', () => {
    const runs = [
      run('old-ok', 'a', 'Successful', 1),
      run('new-ok', 'a', 'Successful', 3),
      run('mid-ok', 'a', 'Successful', 2),
      run('error', 'a', 'Error', 4),
      run('inconclusive', 'a', 'Inconclusive', 5),
      run('running', 'a', 'Running', 0),
      run('pending', 'a', undefined, 0),
    ];
    expect(names(analysisRunsToDelete(runs, [rs('a')], { successful: 1, unsuccessful: 1 }))).toEqual([
      'error',
      'mid-ok',
      'old-ok',
    ]);
  });
});

describe('the history limits (utils/defaults/defaults.go)', () => {
  it('are 5 each unless spec.analysis sets them', () => {
    expect(runHistoryLimits(undefined)).toEqual({ successful: 5, unsuccessful: 5 });
    expect(runHistoryLimits({ analysis: {} })).toEqual({ successful: 5, unsuccessful: 5 });
    expect(
      runHistoryLimits({ analysis: { successfulRunHistoryLimit: 1, unsuccessfulRunHistoryLimit: 0 } }),
    ).toEqual({
      successful: 1,
      unsuccessful: 0,
    });
  });
});
