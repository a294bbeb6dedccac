/** A StepContext for driving one of `up`'s steps directly in a test, with no cluster unless `kube` is given. */
import { emptyState } from '../../src/lab/bootstrap/state.js';
import type { StepContext } from '../../src/lab/bootstrap/types.js';
import { systemClock } from '../../src/lab/clock.js';
import { defaultConfig } from '../../src/lab/config.js';
import { createRecordingRunner } from '../../src/lab/tools/runner.js';

export function stepContext(overrides: Partial<StepContext> = {}): StepContext {
  const config = overrides.config ?? defaultConfig({ GITOPS_LAB_STATE_DIR: '/nonexistent' });
  return {
    config,
    state: emptyState(config),
    runner: createRecordingRunner(),
    kube: () => {
      throw new Error('no cluster in this test');
    },
    dryRun: false,
    signal: new AbortController().signal,
    env: {},
    applyObjects: async () => undefined,
    note: () => undefined,
    progress: () => undefined,
    facts: {},
    clock: systemClock,
    ...overrides,
  };
}
