/**
 * Which objects the simulated Argo CD takes for hooks (src/lab/sim/argocd-hooks.ts), with the cases of
 * gitops-engine's own tests at e48120133eec (pkg/sync/hook/hook_test.go): the inputs and outcomes are facts from
 * there, written here as TypeScript objects.
 */
import { describe, expect, it } from 'vitest';
import { hookTypes, isHook, skipsSync } from '../../../src/lab/sim/argocd-hooks.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const pod = (annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'my-pod', ...(annotations ? { annotations } : {}) },
});
const hook = (value: string) => pod({ 'argocd.argoproj.io/hook': value });

describe('hook annotations (hook.go IsHook, Skip, Types)', () => {
  it('no annotation: no hook (TestNoHooks)', () => {
    expect([isHook(pod()), skipsSync(pod()), hookTypes(pod())]).toEqual([false, false, []]);
  });
  it('one type each (TestOneHook)', () => {
    for (const t of ['PreSync', 'Sync', 'PostSync', 'SyncFail'])
      expect([isHook(hook(t)), skipsSync(hook(t)), hookTypes(hook(t))]).toEqual([true, false, [t]]);
  });
  it('Skip alone is no hook and leaves the object out of the sync (TestSkipHook)', () => {
    expect([isHook(hook('Skip')), skipsSync(hook('Skip'))]).toEqual([false, true]);
  });
  it('garbage is a hook of no known phase (TestGarbageHook, TestGarbageAndHook)', () => {
    expect([isHook(hook('Garbage')), skipsSync(hook('Garbage')), hookTypes(hook('Garbage'))]).toEqual([
      true,
      false,
      [],
    ]);
    expect(hookTypes(hook('Sync,Garbage'))).toEqual(['Sync']);
  });
  it('duplicates count once; Skip with another type is a hook (TestDupHookTypes, TestSkipAndHook)', () => {
    expect(hookTypes(hook('Sync,Sync'))).toEqual(['Sync']);
    expect(skipsSync(hook('Skip, Skip'))).toBe(true);
    expect([isHook(hook('Skip,PreSync,PostSync')), skipsSync(hook('Skip,PreSync,PostSync'))]).toEqual([
      true,
      false,
    ]);
  });
  it("a Helm hook is one, except Helm's crd-install (TestHelmHook, helm/hook.go IsHook)", () => {
    expect(isHook(pod({ 'helm.sh/hook': 'pre-install' }))).toBe(true);
    expect(isHook(pod({ 'helm.sh/hook': 'crd-install' }))).toBe(false);
  });
});
