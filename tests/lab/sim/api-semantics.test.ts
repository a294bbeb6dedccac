import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch } from '../../../src/lab/sim/patch.js';
import { fieldSelectorMatcher, labelSelectorMatcher } from '../../../src/lab/sim/selectors.js';

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
});
