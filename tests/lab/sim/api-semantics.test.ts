import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch } from '../../../src/lab/sim/patch.js';
import { builtinResources, type ResourceType } from '../../../src/lab/sim/resources.js';
import { scaleOf, withScaleReplicas } from '../../../src/lab/sim/scale.js';
import {
  fieldSelectorMatcher,
  formatLabelSelector,
  labelSelectorMatcher,
  labelSelectorString,
} from '../../../src/lab/sim/selectors.js';

describe('fake API server semantics', () => {
  it('merge patch (RFC 7386): patching with the target itself gives the target; null deletes', () => {
    const json = fc
      .jsonValue()
      .filter(
        (v) =>
          typeof v === 'object' && v !== null && !Array.isArray(v) && !JSON.stringify(v).includes('null'),
      );
    fc.assert(
      fc.property(json, (doc) => {
        expect(mergePatch(doc, doc)).toEqual(doc);
      }),
    );
    expect(mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } })).toEqual({ a: 1, b: { d: 3 } });
  });

  it('JSON patch add then remove of the same new key leaves the document unchanged', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => !k.includes('/') && !k.includes('~') && k !== 'zz'),
          fc.integer(),
        ),
        (doc) => {
          const out = jsonPatch(doc, [
            { op: 'add', path: '/zz', value: 1 },
            { op: 'remove', path: '/zz' },
          ]);
          expect(out).toEqual(doc);
        },
      ),
    );
  });

  it('label selectors: equality, inequality, sets and existence', () => {
    const labels = { app: 'docqa', tier: 'web' };
    expect(labelSelectorMatcher('app=docqa,tier!=db')(labels)).toBe(true);
    expect(labelSelectorMatcher('app in (a, docqa),!missing')(labels)).toBe(true);
    expect(labelSelectorMatcher('tier notin (web)')(labels)).toBe(false);
    expect(labelSelectorMatcher('missing')(labels)).toBe(false);
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.stringMatching(/^[a-z0-9]{1,8}$/)),
        (l) => {
          const selector = Object.entries(l)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          expect(labelSelectorMatcher(selector)(l)).toBe(true);
        },
      ),
    );
  });

  it('field selectors read any dotted path', () => {
    const event = { involvedObject: { name: 'docqa', kind: 'Rollout' }, metadata: { name: 'e1' } };
    expect(fieldSelectorMatcher('involvedObject.name=docqa,involvedObject.kind=Rollout')(event)).toBe(true);
    expect(fieldSelectorMatcher('metadata.name!=e1')(event)).toBe(false);
  });

  it('a LabelSelector in the string syntax (metav1.FormatLabelSelector): sorted by key, set values sorted', () => {
    const selector = {
      matchLabels: { tier: 'web', app: 'docqa' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
      ],
    };
    expect(formatLabelSelector(selector)).toBe('app=docqa,!canary,env in (dev,prod),tier=web,zone');
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(labelSelectorString({})).toBe('');
  });

  it('reads back what it writes: a formatted selector matches exactly the labels the LabelSelector selects (property)', () => {
    const key = fc.constantFrom('app', 'tier', 'env');
    const value = fc.constantFrom('a', 'b', 'c');
    fc.assert(
      fc.property(
        fc.dictionary(key, value),
        fc.array(
          fc.record({
            key,
            operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
            values: fc.array(value, { minLength: 1, maxLength: 2 }),
          }),
          { maxLength: 2 },
        ),
        fc.dictionary(key, value),
        (matchLabels, matchExpressions, labels) => {
          const text = labelSelectorString({ matchLabels, matchExpressions });
          const selects =
            Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
            matchExpressions.every((e) =>
              e.operator === 'In'
                ? labels[e.key] !== undefined && (e.values as string[]).includes(labels[e.key] as string)
                : e.operator === 'NotIn'
                  ? labels[e.key] === undefined || !(e.values as string[]).includes(labels[e.key] as string)
                  : e.operator === 'Exists'
                    ? labels[e.key] !== undefined
                    : labels[e.key] === undefined,
            );
          expect(labelSelectorMatcher(text)(labels)).toBe(selects);
        },
      ),
    );
  });

  it('the scale subresource: a Deployment selects by spec.selector and defaults to 1; a Rollout reads the paths its CRD names', () => {
    const deployment = { spec: { selector: { matchLabels: { app: 'web' } } }, status: { replicas: 3 } };
    expect(scaleOf(deployment, { group: 'apps' })).toEqual({
      replicas: 1,
      statusReplicas: 3,
      selector: 'app=web',
    });
    // The Rollout as the sim serves it: its v1.8.3 CRD's paths (discovery.test.ts checks them against the CRD).
    const rollout = builtinResources.find((r) => r.kind === 'Rollout') as ResourceType;
    const live = { spec: {}, status: { replicas: 3, HPAReplicas: 2, selector: 'app=docqa' } };
    // A missing spec value reads as 0 (etcd.go scaleFromCustomResource); the status count is HPAReplicas.
    expect(scaleOf(live, rollout)).toEqual({ replicas: 0, statusReplicas: 2, selector: 'app=docqa' });
    expect(withScaleReplicas(live, rollout, 4).spec).toEqual({ replicas: 4 });
    // Another CRD's paths are its own, written where it says.
    const custom = {
      group: 'example.com',
      scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.ready' },
    };
    const written = withScaleReplicas({ metadata: { name: 'x' } }, custom, 5);
    expect(written).toEqual({ metadata: { name: 'x' }, spec: { size: 5 } });
    expect(scaleOf({ ...written, status: { ready: 1 } }, custom)).toEqual({
      replicas: 5,
      statusReplicas: 1,
      selector: '',
    });
  });
});
