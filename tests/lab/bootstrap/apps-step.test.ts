/**
 * `up`'s last Argo step decides "nothing to do" from what it recorded (the inputs that once reached every app
 * Synced and Healthy), not from live health: a re-run while an app is momentarily Progressing or OutOfSync
 * (a sync, an HPA scale, a drill) must not re-apply anything (e2e-kind.yml checks that a re-run is a no-op).
 */
import { describe, expect, it } from 'vitest';
import { upSteps } from '../../../src/lab/bootstrap/steps.js';
import type { Step, StepContext } from '../../../src/lab/bootstrap/types.js';
import type { KubeClient } from '../../../src/lab/kube/client.js';
import type { Application } from '../../../src/lab/kube/types.js';
import { stepContext } from '../../support/step-context.js';

const appNames = [
  'lab-root',
  'argo-cd',
  'argo-rollouts',
  'blackbox-exporter',
  'docqa',
  'guestbook',
  'kube-prometheus-stack',
  'metrics-server',
  'observability',
  'opentelemetry-collector',
];

function app(name: string, sync: string, health: string): Application {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    status: { sync: { status: sync }, health: { status: health } },
  } as Application;
}

function context(apps: Application[]): StepContext {
  const kube = { list: async () => ({ items: apps }) } as unknown as KubeClient;
  return stepContext({ kube: () => kube });
}

const appsStep = (ctx: StepContext) => upSteps(ctx.config).find((s) => s.id === 'apps') as Step;

async function recorded(ctx: StepContext): Promise<StepContext> {
  const step = appsStep(ctx);
  ctx.state.steps.apps = { digest: (await step.digest?.(ctx)) ?? '', completedAt: '2026-01-01T00:00:00Z' };
  return ctx;
}

describe('up: the apps step re-run check', () => {
  it('is done when recorded with the same inputs, even while an app is Progressing or OutOfSync', async () => {
    const apps = appNames.map((n) => app(n, 'Synced', 'Healthy'));
    apps[4] = app('docqa', 'OutOfSync', 'Progressing');
    const ctx = await recorded(context(apps));
    const result = await appsStep(ctx).check(ctx);
    expect(result.done).toBe(true);
    expect(result.reason).toMatch(/all 10 Applications exist/);
  });

  it('is not done when nothing was recorded, the inputs changed, or an Application is missing', async () => {
    const all = appNames.map((n) => app(n, 'Synced', 'Healthy'));
    const fresh = context(all);
    expect((await appsStep(fresh).check(fresh)).done).toBe(false);

    const changed = await recorded(context(all));
    changed.env = { GEMINI_API_KEY: 'a new key' };
    expect((await appsStep(changed).check(changed)).done).toBe(false);

    const missing = await recorded(context(all.filter((a) => a.metadata.name !== 'guestbook')));
    const result = await appsStep(missing).check(missing);
    expect(result).toEqual({ done: false, reason: 'missing Applications: guestbook' });
  });
});
