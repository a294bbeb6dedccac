/**
 * src/lab/simulate/connect.ts: which kube context a command uses, and what it takes from the simulated lab's state.
 */
import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type LabConfig } from '../../../src/lab/config.js';
import { kubeconfigYaml } from '../../../src/lab/sim/kubeconfig.js';
import { contextInUse, currentContext, resolveSimLab } from '../../../src/lab/simulate/connect.js';
import { SIM_CONTEXT } from '../../../src/lab/simulate/state.js';
import { deadPid, simContextIn } from '../../support/sim-lab.js';
import { tempDirsForEachTest } from '../../support/temp-dirs.js';

const tempDir = tempDirsForEachTest();

async function configWith(current: string | undefined, context?: string): Promise<LabConfig> {
  const dir = await tempDir('gitops-lab-connect-');
  const kubeconfig = join(dir, 'kubeconfig');
  if (current)
    await writeFile(kubeconfig, kubeconfigYaml({ server: 'http://127.0.0.1:9', context: current }));
  return { ...defaultConfig({}), kubeconfig, stateDir: join(dir, 'state'), ...(context ? { context } : {}) };
}

describe('contextInUse', () => {
  it('is --context (or gitops-lab.yaml) when given, whatever is current', async () => {
    expect(await contextInUse(await configWith(SIM_CONTEXT, 'kind-other'))).toBe('kind-other');
    expect(await contextInUse(await configWith('kind-gitops-lab', SIM_CONTEXT))).toBe(SIM_CONTEXT);
  });

  it("is the sim's when it is the kubeconfig's current context", async () => {
    expect(await contextInUse(await configWith(SIM_CONTEXT))).toBe(SIM_CONTEXT);
  });

  it("is the kind lab's otherwise: another current context, or no kubeconfig at all", async () => {
    expect(await contextInUse(await configWith('some-cluster'))).toBe('kind-gitops-lab');
    expect(await contextInUse(await configWith(undefined))).toBe('kind-gitops-lab');
  });
});

describe('currentContext', () => {
  it("reads $KUBECONFIG's files in order: the first that sets current-context wins, as kubectl merges them", async () => {
    const dir = await tempDir('gitops-lab-connect-files-');
    const none = join(dir, 'none');
    const unset = join(dir, 'unset');
    const sim = join(dir, 'sim');
    const kind = join(dir, 'kind');
    await writeFile(unset, 'apiVersion: v1\nkind: Config\nclusters: []\n');
    await writeFile(sim, kubeconfigYaml({ server: 'http://127.0.0.1:9', context: SIM_CONTEXT }));
    await writeFile(kind, kubeconfigYaml({ server: 'http://127.0.0.1:9' }));
    const env = (...files: string[]) => ({ KUBECONFIG: files.join(delimiter) });
    expect(await currentContext(undefined, env(none, unset, sim, kind))).toBe(SIM_CONTEXT);
    expect(await currentContext(undefined, env(kind, sim))).toBe('kind-gitops-lab');
    expect(await currentContext(undefined, env(none, unset))).toBeUndefined();
    // The config's kubeconfig (gitops-lab.yaml, or the one the sim's state names) is the only file read.
    expect(await currentContext(sim, env(kind))).toBe(SIM_CONTEXT);
    // Not YAML, or not a mapping: it sets nothing.
    await writeFile(unset, '{ not: yaml');
    expect(await currentContext(undefined, env(unset, sim))).toBe(SIM_CONTEXT);
  });
});

describe('currentContext on any file', () => {
  it('never throws on what a kubeconfig file may hold: a string context or nothing (property)', async () => {
    const dir = await tempDir('gitops-lab-connect-any-');
    const file = join(dir, 'kubeconfig');
    const text = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .dictionary(fc.constantFrom('current-context', 'kind', 'contexts'), fc.jsonValue())
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        await writeFile(file, content);
        const current = await currentContext(file);
        expect(current === undefined || (typeof current === 'string' && current !== '')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('resolveSimLab', () => {
  it('is undefined when the context is not the simulated lab’s', async () => {
    expect(await resolveSimLab(await configWith('kind-gitops-lab'))).toBeUndefined();
  });

  it("takes the sim's kubeconfig, repository, Prometheus and clock from a live daemon's state", async () => {
    const dir = await tempDir('gitops-lab-connect-live-');
    const wallOrigin = Date.now() - 10_000;
    const simOrigin = Date.UTC(2026, 0, 1);
    const ctx = await simContextIn(dir, {
      speed: 20,
      clock: { wallOrigin, simOrigin },
      prometheus: { url: 'http://127.0.0.1:9091', real: true, note: '' },
    });
    const base = { ...defaultConfig({}), stateDir: ctx.stateDir, kubeconfig: ctx.kubeconfig };
    const before = Date.now();
    const sim = await resolveSimLab(base);
    const now = sim?.clock.now() ?? 0;
    const after = Date.now();
    expect(sim?.speed).toBe(20);
    expect(sim?.config.context).toBe(SIM_CONTEXT);
    expect(sim?.config.kubeconfig).toBe(ctx.kubeconfig);
    expect(sim?.repo).toBe(`file://${join(dir, 'lab.git')}`);
    expect(sim?.prometheusUrl).toBe('http://127.0.0.1:9091');
    // Simulated time = simOrigin + (wall - wallOrigin) * speed, read between two wall readings.
    expect(now).toBeGreaterThanOrEqual(simOrigin + (before - wallOrigin) * 20);
    expect(now).toBeLessThanOrEqual(simOrigin + (after - wallOrigin) * 20);
  });

  it('a gone daemon, or no state, is a PreconditionError (exit 3) saying how to start the lab', async () => {
    const pid = await deadPid();
    const gone = await simContextIn(await tempDir('gitops-lab-connect-gone-'), { pid });
    await expect(
      resolveSimLab({ ...defaultConfig({}), stateDir: gone.stateDir, kubeconfig: gone.kubeconfig }),
    ).rejects.toMatchObject({
      exitCode: 3,
      message: `the simulated lab is not running (pid ${pid}).`,
      hint: expect.stringContaining('gitops-lab up --simulate'),
    });
    const none = await simContextIn(await tempDir('gitops-lab-connect-none-'));
    await expect(
      resolveSimLab({ ...defaultConfig({}), stateDir: none.stateDir, kubeconfig: none.kubeconfig }),
    ).rejects.toMatchObject({ exitCode: 3, hint: expect.stringContaining('gitops-lab up --simulate') });
  });
});
