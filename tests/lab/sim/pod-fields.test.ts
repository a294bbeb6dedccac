/**
 * Field selectors on pods (src/lab/sim/pod-fields.ts): the fields of pkg/registry/core/pod/strategy.go
 * ToSelectableFields with the API server's defaults, the labels of pkg/apis/core/v1/conversion.go, and the syntax
 * of apimachinery's fields.ParseSelector.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { podFieldSelectorMatcher, podSelectableFields } from '../../../src/lab/sim/pod-fields.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const labels = Object.keys(podSelectableFields({}));
/** Values as a selector can carry them unescaped (no comma, no operator characters, no backslash). */
const value = fc.stringMatching(/^[a-z0-9.\-/]{0,12}$/);

const podWith = (fields: { name: string; nodeName?: string; phase?: string }): KubeObject => ({
  metadata: { name: fields.name, namespace: 'docqa' },
  spec: { ...(fields.nodeName === undefined ? {} : { nodeName: fields.nodeName }) },
  status: { ...(fields.phase === undefined ? {} : { phase: fields.phase }) },
});

describe('field selectors on pods', () => {
  it('an unbound pod reads as the defaults: empty node, Always, default-scheduler, default, hostNetwork false', () => {
    expect(podSelectableFields(podWith({ name: 'p' }))).toEqual({
      'metadata.name': 'p',
      'metadata.namespace': 'docqa',
      'spec.nodeName': '',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'false',
      'status.phase': '',
      'status.podIP': '',
      'status.nominatedNodeName': '',
    });
  });

  it('`f=v` and `f==v` hold exactly when the field reads v, `f!=v` exactly when it does not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...labels),
        value,
        fc.option(value, { nil: undefined }),
        fc.option(value, { nil: undefined }),
        (label, wanted, nodeName, phase) => {
          const pod = podWith({ name: 'p', nodeName, phase });
          const actual = podSelectableFields(pod)[label];
          expect(podFieldSelectorMatcher(`${label}=${wanted}`)(pod)).toBe(actual === wanted);
          expect(podFieldSelectorMatcher(`${label}==${wanted}`)(pod)).toBe(actual === wanted);
          expect(podFieldSelectorMatcher(`${label}!=${wanted}`)(pod)).toBe(actual !== wanted);
        },
      ),
    );
  });

  it('terms apart by commas must all hold; empty terms are skipped', () => {
    fc.assert(
      fc.property(value, value, (nodeName, phase) => {
        const pod = podWith({ name: 'p', nodeName, phase });
        const both = `spec.nodeName=${nodeName},,status.phase=${phase},`;
        expect(podFieldSelectorMatcher(both)(pod)).toBe(true);
        expect(podFieldSelectorMatcher(`spec.nodeName=${nodeName},status.phase!=${phase}`)(pod)).toBe(false);
      }),
    );
  });

  it('spec.host is spec.nodeName; status.podIPs is accepted and reads as empty', () => {
    const pod = { ...podWith({ name: 'p', nodeName: 'n1' }), status: { podIPs: [{ ip: '10.244.0.5' }] } };
    expect(podFieldSelectorMatcher('spec.host=n1')(pod)).toBe(true);
    expect(podFieldSelectorMatcher('status.podIP=10.244.0.5')(pod)).toBe(true);
    expect(podFieldSelectorMatcher('status.podIPs=')(pod)).toBe(true);
  });

  it('any other field is refused as the API server refuses it, whatever the value', () => {
    fc.assert(
      fc.property(
        fc
          .stringMatching(/^[a-zA-Z][a-zA-Z.]{0,20}$/)
          .filter((l) => !labels.includes(l) && l !== 'spec.host'),
        value,
        (label, v) => {
          if (label === 'status.podIPs') return;
          expect(() => podFieldSelectorMatcher(`${label}=${v}`)).toThrow(
            `field label not supported: ${label}`,
          );
        },
      ),
    );
    expect(() => podFieldSelectorMatcher('spec.nodeName')).toThrow(
      "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'",
    );
  });
});
