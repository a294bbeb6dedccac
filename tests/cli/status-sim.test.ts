/**
 * `gitops-lab status` against the simulated lab, through the built CLI: the lab runs in this process
 * (tests/support/sim-lab.ts) at 100x, and the CLI finds it through the kubeconfig's current context `gitops-lab-sim`
 * and the state file. What is asserted is simulated time; wall time only bounds the test against a hang.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runCli } from '../support/cli.js';
import { startTestSimLab, type TestSimLab } from '../support/sim-lab.js';

const speed = 100;

interface Snapshot {
  context: string;
  healthy: boolean;
  checkedAt: string;
  simulated?: { speed: number; time: string };
  quality: { available: boolean; source: string; groundedRatio?: number };
}

/** Runs `status --watch` until `enough(lines)`, then SIGINT; the exit code and stdout lines. */
async function watch(
  args: string[],
  env: NodeJS.ProcessEnv,
  enough: (lines: string[]) => boolean,
): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, [cliPath, 'status', '--watch', ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    lines = [...lines, ...chunk.toString().split('\n').filter(Boolean)];
    if (enough(lines)) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(stderr).toBe('');
  return { code, lines };
}

// Generous limits: a hang guard for an overloaded machine; nothing asserts wall time.
describe('gitops-lab status against the simulated lab', { timeout: 180_000 }, () => {
  let sim: TestSimLab;

  beforeAll(async () => {
    sim = await startTestSimLab({ speed, prometheus: { 'grounded="true"': '0.97', 'status="error"': '0' } });
  }, 120_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("shows the simulated lab, its speed and its simulated time, with the sim's Prometheus figures", async () => {
    const result = await runCli(['status'], { env: sim.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Lab gitops-lab-sim: healthy · simulated lab \(100x\) · simulated time \d\d:\d\d:\d\d$/m,
    );
    expect(result.stdout).toMatch(/docqa\s+Synced\s+Healthy/);
    expect(result.stdout).toContain('grounded 97.0%');
    expect(sim.prometheusQueries.length).toBeGreaterThan(0);
    // The sim's model of Prometheus runs on simulated time: the 5-minute windows are asked as written.
    expect(sim.prometheusQueries.some((q) => q.includes('[5m]'))).toBe(true);
  });

  it("with no doc-QA traffic, says how to send some to the lab's docqa Service", async () => {
    const services = { 'docqa-stable': 'http://127.0.0.1:41001', 'docqa-canary': 'http://127.0.0.1:41002' };
    const quiet = await startTestSimLab({
      speed,
      services,
      prometheus: { ' / ': 'NaN', histogram_quantile: 'NaN', 'sum(rate(docqa_requests_total[5m]))': '0' },
    });
    try {
      const result = await runCli(['status'], { env: quiet.env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('0.00 req/s');
      expect(result.stdout).toContain(
        'send some: gitops-lab eval --target http://127.0.0.1:41001 --repeat 5',
      );
      const json = JSON.parse((await runCli(['status', '--json'], { env: quiet.env })).stdout) as Snapshot;
      expect(json.simulated).toMatchObject({ speed, services });
    } finally {
      await quiet.close();
    }
  });

  it("divides the quality windows by the speed when the sim's Prometheus is the real one (wall time), as drills do", async () => {
    const real = await startTestSimLab({
      speed,
      prometheusReal: true,
      prometheus: { 'grounded="true"': '0.97', 'status="error"': '0' },
    });
    try {
      const result = await runCli(['status'], { env: real.env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('grounded 97.0%');
      // 5m / 100 is 3 s, floored at four 1 s scrape intervals of the live lab at this speed.
      expect(real.prometheusQueries).toContain(
        'sum(rate(docqa_answers_grounded_total{grounded="true"}[4s])) / sum(rate(docqa_answers_grounded_total[4s]))',
      );
      expect(real.prometheusQueries.some((q) => q.includes('[5m]'))).toBe(false);
      // --prometheus names another Prometheus: its queries are not rewritten.
      const other = await runCli(['status', '--prometheus', real.state.prometheus.url], { env: real.env });
      expect(other.code).toBe(0);
      expect(real.prometheusQueries.some((q) => q.includes('[5m]'))).toBe(true);
    } finally {
      await real.close();
    }
  });

  it('--json has simulated: { speed, time } in the sim’s time', async () => {
    const result = await runCli(['status', '--json'], { env: sim.env });
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as Snapshot;
    expect(status.context).toBe('gitops-lab-sim');
    expect(status.simulated?.speed).toBe(speed);
    expect(status.simulated?.time).toBe(status.checkedAt);
    // Simulated time: past the lab's anchor by at least the minute the lab warmed up for.
    expect(Date.parse(status.simulated?.time ?? '')).toBeGreaterThanOrEqual(
      sim.state.clock.simOrigin + 60_000,
    );
    expect(status.quality).toMatchObject({ available: true, source: sim.state.prometheus.url });
  });

  it('--watch refreshes every --interval seconds of simulated time', async () => {
    // 300 simulated seconds are 3 s of wall time at 100x (on the wall clock it would be five minutes).
    const { code, lines } = await watch(['--json', '--interval', '300'], sim.env, (l) => l.length >= 2);
    expect(code).toBe(0);
    const [first, second] = lines.slice(0, 2).map((l) => JSON.parse(l) as Snapshot);
    expect(first?.simulated?.speed).toBe(speed);
    const gap = Date.parse(second?.simulated?.time ?? '') - Date.parse(first?.simulated?.time ?? '');
    expect(gap).toBeGreaterThanOrEqual(300_000);
  });

  it('--watch plain output says each refresh in simulated time', async () => {
    const { code, lines } = await watch(['--interval', '1'], sim.env, (l) =>
      l.some((x) => x.startsWith('— refreshed')),
    );
    expect(code).toBe(0);
    expect(lines).toContainEqual(
      expect.stringMatching(/^— refreshed \d\d:\d\d:\d\d simulated time; Ctrl-C to stop$/),
    );
    expect(lines[0]).toMatch(/· simulated lab \(100x\) · simulated time \d\d:\d\d:\d\d$/);
  });
});
