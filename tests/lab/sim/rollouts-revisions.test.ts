/**
 * The sim's Argo Rollouts revision rules (src/lab/sim/rollouts-revisions.ts) against the cases of argo-rollouts
 * v1.8.3's own tests, written again here: utils/annotations/annotations_test.go TestAnnotationUtils,
 * utils/replicaset/replicaset_test.go TestMaxRevision, rollout/canary_test.go TestRollBackToStable.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../../src/lab/sim/deployment-util.js';
import {
  newReplicaSetAnnotations,
  nextRevision,
  REVISION,
  REVISION_HISTORY,
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
