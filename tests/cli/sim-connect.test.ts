/**
 * How `status`, `drill` and `canary` find the simulated lab (src/lab/simulate/connect.ts) through the built CLI:
 * the context gitops-lab-sim (current, or --context) plus the daemon's state file. A daemon that is gone, or no state
 * at all, is a clear exit 3 from every one of them; canary asks the sim's Prometheus without --prometheus.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeconfigYaml } from '../../src/lab/sim/kubeconfig.js';
import { SIM_CONTEXT } from '../../src/lab/simulate/state.js';
import { runCli } from '../support/cli.js';
import { type PrometheusStub, startPrometheusStub } from '../support/prometheus-stub.js';
import { deadPid, simContextIn } from '../support/sim-lab.js';
import { tempDirsForEachTest } from '../support/temp-dirs.js';

const commands: Array<[string, string[]]> = [
  ['status', ['status']],
  ['drill', ['drill', 'argo-vs-hpa']],
  ['canary check', ['canary', 'check', '--arg', 'canary-hash=abc']],
  ['canary compare', ['canary', 'compare', '--canary', 'abc', '--baseline', 'def']],
];

// Generous limits: each test spawns the CLI, which an overloaded machine starts slowly; nothing asserts time.
describe('the CLI and the simulated lab', { timeout: 120_000 }, () => {
  const tempDir = tempDirsForEachTest();
  let prometheus: PrometheusStub | undefined;
  afterEach(async () => {
    await prometheus?.close();
    prometheus = undefined;
  });

  it.each(commands)(
    '%s: a state whose daemon is gone is exit 3, naming the pid and `up --simulate`',
    async (_, args) => {
      const pid = await deadPid();
      const ctx = await simContextIn(await tempDir('gitops-lab-sim-gone-'), { pid });
      const result = await runCli(args, { env: ctx.env });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`error: the simulated lab is not running (pid ${pid}).`);
      expect(result.stderr).toContain('gitops-lab up --simulate');
    },
  );

  it.each(commands)(
    '%s: the sim context and no state is exit 3, saying no simulated lab runs',
    async (_, args) => {
      const ctx = await simContextIn(await tempDir('gitops-lab-sim-none-'));
      const result = await runCli(args, { env: ctx.env });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`the kube context is ${SIM_CONTEXT}, but no simulated lab is running`);
      expect(result.stderr).toContain('gitops-lab up --simulate');
    },
  );

  it('status: a daemon alive whose API server does not answer is exit 3 with the way to restart it', async () => {
    const ctx = await simContextIn(await tempDir('gitops-lab-sim-mute-'), {});
    const result = await runCli(['status'], { env: ctx.env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`No lab found: the cluster of context ${SIM_CONTEXT} is not reachable`);
    expect(result.stderr).toContain('`gitops-lab down`, then `gitops-lab up --simulate`');
  });

  it('--context gitops-lab-sim selects the sim when another context is current', async () => {
    const dir = await tempDir('gitops-lab-sim-flag-');
    const pid = await deadPid();
    const ctx = await simContextIn(dir, { pid });
    // The current context is the kind lab's; the sim's is in the file too.
    const { parse, stringify } = await import('yaml');
    const both = parse(kubeconfigYaml({ server: 'http://127.0.0.1:9' }));
    const simOnly = parse(kubeconfigYaml({ server: 'http://127.0.0.1:9', context: SIM_CONTEXT }));
    for (const key of ['clusters', 'users', 'contexts']) both[key].push(...simOnly[key]);
    await writeFile(ctx.kubeconfig, stringify(both));
    const kind = await runCli(['status'], { env: ctx.env });
    expect(kind.stderr).toContain('kind-gitops-lab');
    const flagged = await runCli(['status', '--context', SIM_CONTEXT], { env: ctx.env });
    expect(flagged.code).toBe(3);
    expect(flagged.stderr).toContain(`the simulated lab is not running (pid ${pid})`);
  });

  it("canary check without --prometheus asks the simulated lab's Prometheus", async () => {
    prometheus = await startPrometheusStub({ 'grounded="true"': '0.97' });
    const ctx = await simContextIn(await tempDir('gitops-lab-sim-canary-'), {
      prometheus: { url: prometheus.url, real: true, note: '' },
    });
    const result = await runCli(['canary', 'check', '--arg', 'canary-hash=abc', '--json'], { env: ctx.env });
    const report = JSON.parse(result.stdout) as { prometheus: string };
    expect(report.prometheus).toBe(prometheus.url);
    expect(prometheus.queries.some((q) => q.includes('docqa_answers_grounded_total'))).toBe(true);
    expect(prometheus.queries.some((q) => q.includes('abc'))).toBe(true);
  });

  it("canary compare without --prometheus asks the simulated lab's Prometheus", async () => {
    prometheus = await startPrometheusStub();
    const ctx = await simContextIn(await tempDir('gitops-lab-sim-compare-'), {
      prometheus: { url: prometheus.url, real: true, note: '' },
    });
    const result = await runCli(['canary', 'compare', '--canary', 'abc', '--baseline', 'def', '--json'], {
      env: ctx.env,
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { source: { kind: string; prometheus: string } };
    expect(report.source).toMatchObject({ kind: 'prometheus', prometheus: prometheus.url });
    expect(prometheus.queries.some((q) => q.includes('abc'))).toBe(true);
    expect(prometheus.queries.some((q) => q.includes('def'))).toBe(true);
  });
});
