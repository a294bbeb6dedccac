import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';

class Screen extends Writable {
  text = '';
  isTTY = true;
  columns = 100;
  rows = 40;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('up live view (ink)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('shows each step with its state, the apps while waiting, and the outcome', async () => {
    // The live view is for a person at a terminal; under CI=true ink holds every frame back until the end,
    // so emulate a terminal outside CI (ink reads CI when it is first imported).
    vi.stubEnv('CI', 'false');
    const { inkUpRenderer } = await import('../../src/cli/views/up.js');
    const stdout = new Screen();
    const stderr = new Screen();
    const view = await inkUpRenderer({ stdout, stderr });
    view.event({
      type: 'preflight',
      ok: true,
      findings: [{ id: 'kind', name: 'kind', ok: true, required: true, detail: 'kind 0.29.0' }],
    });
    view.event({
      type: 'plan',
      steps: [
        { id: 'cluster', title: 'Kubernetes cluster' },
        { id: 'apps', title: 'Root Application lab-root' },
      ],
    });
    view.event({
      type: 'step',
      step: 'cluster',
      title: 'Kubernetes cluster',
      status: 'skipped',
      reason: 'kind cluster gitops-lab exists',
      durationMs: 120,
    });
    view.event({
      type: 'step',
      step: 'apps',
      title: 'Root Application lab-root',
      status: 'waiting',
      reason: 'every Application Synced and Healthy',
    });
    view.event({
      type: 'step',
      step: 'apps',
      title: 'progress',
      status: 'waiting',
      progress: ['docqa: OutOfSync/Progressing'],
    });
    // ink renders asynchronously: wait for the frame rather than for a fixed time (the machine may be loaded).
    await vi.waitFor(() => expect(stdout.text).toContain('docqa: OutOfSync/Progressing'), {
      timeout: 10_000,
      interval: 20,
    });
    expect(stdout.text).toContain('Preflight: 1/1 ok');
    expect(stdout.text).toContain('Kubernetes cluster');
    expect(stdout.text).toContain('kind cluster gitops-lab exists');
    expect(stdout.text).toContain('docqa: OutOfSync/Progressing');
    await view.finish({
      ok: false,
      dryRun: false,
      interrupted: true,
      context: 'kind-gitops-lab',
      findings: [],
      durationMs: 1000,
    });
    expect(stdout.text).toContain('Interrupted. Progress is saved');
  });
});
