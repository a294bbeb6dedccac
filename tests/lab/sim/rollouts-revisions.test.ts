/**
 * The sim's Argo Rollouts revision rules (src/lab/sim/rollouts-revisions.ts) against the cases of argo-rollouts
 * v1.8.3's own tests, written again here: utils/annotations/annotations_test.go TestAnnotationUtils,
 * utils/replicaset/replicaset_test.go TestMaxRevision, rollout/canary_test.go TestRollBackToStable,
 * rollout/sync_test.go TestReconcileRevisionHistoryLimit, utils/defaults/defaults_test.go
 * TestGetRevisionHistoryOrDefault, utils/annotations/annotations_test.go SetRolloutRevision.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../../src/lab/sim/deployment-util.js';
import {
  newReplicaSetAnnotations,
  nextRevision,
  REVISION,
  REVISION_HISTORY,
  replicaSetsToDelete,
  revisionHistoryLimit,
  rolloutRevisionUpdate,
} from '../../../src/lab/sim/rollouts-revisions.js';

const withRevision = (revision?: string): ReplicaSet => ({
  metadata: { annotations: revision === undefined ? {} : { [REVISION]: revision } },
});

describe('Argo Rollouts v1.8.3 revisions of a Rollout’s ReplicaSets', () => {
  it('the new ReplicaSet’s revision is one more than the highest of the others (TestMaxRevision: 1, none, 2 → 2)', () => {
    expect(nextRevision([withRevision('1'), withRevision(), withRevision('2')])).toBe(3);
    expect(nextRevision([])).toBe(1);
    // MaxRevision skips a revision it cannot parse.
    expect(nextRevision([withRevision('x'), withRevision('4')])).toBe(5);
  });

  it('the revision only grows, 1 through 20 in turn (SetNewReplicaSetAnnotations)', () => {
    let annotations: Record<string, string> = {};
    for (let i = 1; i <= 20; i++) {
      annotations = newReplicaSetAnnotations({ [REVISION]: '1' }, annotations, i).annotations;
      expect(annotations[REVISION]).toBe(String(i));
    }
    const lower = newReplicaSetAnnotations(undefined, annotations, 7);
    expect(lower).toEqual({ annotations, changed: false });
  });

  it('the Rollout’s annotations are copied, but its revision (SetNewReplicaSetAnnotationsCopyAnnotations)', () => {
    const rollout = { key: 'value', [REVISION]: '1' };
    const { annotations, changed } = newReplicaSetAnnotations(rollout, { [REVISION]: '1' }, 20);
    expect(changed).toBe(true);
    expect(annotations[REVISION]).toBe('20');
    expect(annotations.key).toBe('value');
    // Neither are kubectl's last-applied configuration, the history, desired replicas or the notifications marker.
    const skipped = {
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      [REVISION_HISTORY]: '9',
      'rollout.argoproj.io/desired-replicas': '9',
      'notified.notifications.argoproj.io': '{}',
    };
    expect(newReplicaSetAnnotations(skipped, {}, 1).annotations).toEqual({ [REVISION]: '1' });
  });

  it('a revision that is not a number changes nothing (SetNewReplicaSetAnnotationsHandleBadOldRevision)', () => {
    const current = { [REVISION]: 'Not an int' };
    expect(newReplicaSetAnnotations({ key: 'value' }, current, 3)).toEqual({
      annotations: current,
      changed: false,
    });
  });

  it('a ReplicaSet re-used at a new revision keeps the ones it served in revision-history (TestRollBackToStable: 1 → 3, history "1")', () => {
    const first = newReplicaSetAnnotations({}, { [REVISION]: '1' }, 3);
    expect(first).toEqual({ annotations: { [REVISION]: '3', [REVISION_HISTORY]: '1' }, changed: true });
    // Again later: the history grows, comma-separated.
    expect(newReplicaSetAnnotations({}, first.annotations, 6).annotations).toEqual({
      [REVISION]: '6',
      [REVISION_HISTORY]: '1,3',
    });
    // A new ReplicaSet has no revision to keep.
    expect(newReplicaSetAnnotations({}, {}, 4).annotations).toEqual({ [REVISION]: '4' });
  });

  it('a copied annotation that changes appends the current revision too (the history is kept when anything changed)', () => {
    const { annotations } = newReplicaSetAnnotations({ team: 'b' }, { [REVISION]: '5', team: 'a' }, 5);
    expect(annotations).toEqual({ [REVISION]: '5', team: 'b', [REVISION_HISTORY]: '5' });
  });
});

const at = (time: string) => new Date(time).toISOString().replace('.000Z', 'Z');
const before = at('2026-01-01T00:00:00Z');
const now = at('2026-01-01T00:01:00Z');

/** A ReplicaSet of rollout/sync_test.go TestReconcileRevisionHistoryLimit: its name, creation, spec and status replicas. */
function rs(name: string, created: string, replicas: number, extra: ReplicaSet['metadata'] = {}): ReplicaSet {
  return {
    metadata: { name, creationTimestamp: created, ...extra },
    spec: { replicas },
    status: { replicas },
  };
}

const deleted = (rss: ReplicaSet[], limit: number) =>
  replicaSetsToDelete(rss, limit).map((r) => r.metadata?.name);

describe('Argo Rollouts v1.8.3 revision history limit (rollout/sync.go reconcileRevisionHistoryLimit)', () => {
  it('the limit is spec.revisionHistoryLimit, 10 when unset (utils/defaults TestGetRevisionHistoryOrDefault)', () => {
    expect(revisionHistoryLimit({ revisionHistoryLimit: 2 })).toBe(2);
    expect(revisionHistoryLimit({})).toBe(10);
    expect(revisionHistoryLimit(undefined)).toBe(10);
  });

  it('no limit set: of 11 old ReplicaSets created together, foo1 goes (by creation, then by name)', () => {
    const rss = Array.from({ length: 11 }, (_, i) => rs(`foo${i + 1}`, before, 0));
    expect(deleted(rss, revisionHistoryLimit({}))).toEqual(['foo1']);
  });

  it('a ReplicaSet being deleted is neither deleted nor counted', () => {
    expect(deleted([rs('foo', now, 0, { deletionTimestamp: now })], 1)).toEqual([]);
    const rss = [rs('a', before, 0, { deletionTimestamp: now }), rs('b', before, 0), rs('c', now, 0)];
    expect(deleted(rss, 1)).toEqual(['b']);
  });

  it('limit 1: the extra one at 0 goes (foo), the one with replicas stays (bar)', () => {
    expect(deleted([rs('foo', before, 0), rs('bar', now, 1)], 1)).toEqual(['foo']);
  });

  it('limit 1: scaled ReplicaSets are not deleted, and none later takes the place of one skipped', () => {
    expect(deleted([rs('foo', before, 1), rs('bar', now, 1)], 1)).toEqual([]);
    expect(deleted([rs('foo', before, 1), rs('bar', now, 0)], 1)).toEqual([]);
  });

  it('limit 2 with two: nothing to do', () => {
    expect(deleted([rs('foo', before, 1), rs('bar', now, 1)], 2)).toEqual([]);
  });

  it('a ReplicaSet is deleted only at 0 in spec and status, its latest spec observed', () => {
    const scaling = { ...rs('a', before, 0), status: { replicas: 2, observedGeneration: 2 } };
    const unobserved = {
      ...rs('b', before, 0, { generation: 3 }),
      status: { replicas: 0, observedGeneration: 2 },
    };
    const idle = { ...rs('c', before, 0, { generation: 3 }), status: { replicas: 0, observedGeneration: 3 } };
    expect(deleted([scaling, unobserved, idle, rs('z', now, 0)], 1)).toEqual(['c']);
  });

  it('the oldest created goes first, whatever its revision (a re-used ReplicaSet keeps its creation time)', () => {
    const reused = rs('reused', before, 0, { annotations: { [REVISION]: '9' } });
    const newer = rs('newer', now, 0, { annotations: { [REVISION]: '3' } });
    expect(deleted([newer, reused], 1)).toEqual(['reused']);
  });
});

describe('the Rollout’s own revision (annotations.SetRolloutRevision, rollout/sync.go setRolloutRevision)', () => {
  it('a different revision is set, with the RolloutUpdated message (annotations_test.go SetRolloutRevision)', () => {
    expect(rolloutRevisionUpdate({ [REVISION]: '1' }, '2')).toBe('Rollout updated to revision 2');
  });

  it('a Rollout without annotations takes the revision (SetRolloutRevisionNoAnnotations)', () => {
    expect(rolloutRevisionUpdate(undefined, '2')).toBe('Rollout updated to revision 2');
  });

  it('the same revision changes nothing: no event', () => {
    expect(rolloutRevisionUpdate({ [REVISION]: '2' }, '2')).toBeUndefined();
  });
});
