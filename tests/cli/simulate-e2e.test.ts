/**
 * `gitops-lab up --simulate` end to end, as a user runs it: the built CLI (bin/ → dist/) in a temporary HOME,
 * KUBECONFIG and state folder; the real kubectl and git of this machine against the simulated lab; then `down`
 * leaves no process, no context and no state. Waits are bounded and generous (an overloaded machine starts the
 * daemon slowly); nothing asserts a wall time.
 *
 * `status` and `drill` find the lab by the current context alone (no flag), as a user types them after
 * `up --simulate`, and the drills run on the lab's clock at 20x. bad-canary runs against the daemon's real doc-QA
 * processes and, when Debian's `prometheus` is installed (always in CI), a real Prometheus scraping them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isDaemon, stopSim } from '../../src/lab/simulate/lifecycle.js';
import { readSimState, simStateFile } from '../../src/lab/simulate/state.js';
import { which } from '../../src/lab/tools/runner.js';
import { runCli } from '../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'sim-e2e-'));
const stateDir = join(home, 'state');
const kubeconfig = join(home, 'kubeconfig');
const env = { HOME: home, KUBECONFIG: kubeconfig, GITOPS_LAB_STATE_DIR: stateDir, XDG_STATE_HOME: '' };

// The user's own kubeconfig: its context must come out of up and down as it went in.
const before = `apiVersion: v1
kind: Config
# mine
clusters:
- name: work
  cluster: {server: "https://work.example:6443"}
contexts:
- name: work
  context: {cluster: work, user: alice}
users:
- name: alice
  user: {token: alice-token}
current-context: work
`;
writeFileSync(kubeconfig, before, { mode: 0o600 });

function run(program: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 124) : 0, stdout, stderr }),
    );
  });
}

const kubectl = (...args: string[]) => run('kubectl', ['--context', 'gitops-lab-sim', ...args]);

afterAll(async () => {
  // Whatever happened above, no daemon outlives the test.
  await stopSim(stateDir, { graceMs: 5_000 });
});

describe('gitops-lab up --simulate, end to end', { timeout: 300_000 }, () => {
  it('kubectl is installed (CI installs it: .ci/run)', async () => {
    expect(await which('kubectl')).toBeDefined();
  });

  let pid = 0;

  it('up --simulate --speed 20 starts the daemon and merges its context as the current one', async () => {
    const up = await runCli(['up', '--simulate', '--speed', '20', '--json'], { env, timeoutMs: 240_000 });
    expect(up.stderr, up.stdout).toBe('');
    expect(up.code).toBe(0);
    const report = JSON.parse(up.stdout) as Record<string, unknown> & { pid: number; repo: { url: string } };
    expect(report).toMatchObject({
      simulated: true,
      alreadyRunning: false,
      speed: 20,
      context: 'gitops-lab-sim',
    });
    // The token stays in the state file and the kubeconfig: not printed.
    expect(report).not.toHaveProperty('token');
    pid = report.pid;
    expect(isDaemon({ pid })).toBe(true);
    const state = await readSimState(stateDir);
    expect(state?.pid).toBe(pid);
    expect(state?.apiServer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const config = parse(readFileSync(kubeconfig, 'utf8')) as {
      'current-context': string;
      contexts: Array<{ name: string }>;
    };
    expect(config['current-context']).toBe('gitops-lab-sim');
    expect(config.contexts.map((c) => c.name)).toEqual(['work', 'gitops-lab-sim']);
  });

  it('a second up --simulate reports the running lab; another speed is refused', async () => {
    const again = await runCli(['up', '--simulate', '--speed', '20'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running (pid ${pid}, speed 20x`);
    const other = await runCli(['up', '--simulate', '--speed', '5'], { env });
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('already running at speed 20, not 5');
    expect(other.stderr).toContain('gitops-lab down');
  });

  it('kubectl get works against it with the token, and is refused without it', async () => {
    const rollouts = await kubectl('get', 'rollouts', '-n', 'docqa', '-o', 'json');
    expect(rollouts.code, rollouts.stderr).toBe(0);
    const list = JSON.parse(rollouts.stdout) as { items: Array<{ metadata: { name: string } }> };
    expect(list.items.map((r) => r.metadata.name)).toEqual(['docqa']);

    const pods = await kubectl('get', 'pods', '-A', '-o', 'json');
    expect(pods.code, pods.stderr).toBe(0);
    const docqa = (
      JSON.parse(pods.stdout) as { items: Array<{ metadata: { namespace: string } }> }
    ).items.filter((p) => p.metadata.namespace === 'docqa');
    expect(docqa.length).toBeGreaterThanOrEqual(2);
    // The default table output too.
    const table = await kubectl('get', 'pods', '-A');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/docqa\s+docqa-/);

    const stranger = await kubectl('--token', 'not-the-token', 'get', 'namespaces');
    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toMatch(/Unauthorized|provide credentials/);
  });

  it('its Git repository is a real one with the manifests on main', async () => {
    const state = await readSimState(stateDir);
    const remote = await run('git', ['ls-remote', state?.repo.url ?? '', 'refs/heads/main']);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main/);
  });

  it('status reads the simulated lab and finds it healthy', async () => {
    const status = await runCli(['status'], { env });
    expect(status.code, `${status.stdout}\n${status.stderr}`).toBe(0);
    expect(status.stdout).toContain('docqa');
    expect(status.stdout).toMatch(/simulated lab \(20x\) · simulated time \d\d:\d\d:\d\d/);
  });

  it('the docqa-stable Service answers questions on 127.0.0.1', async () => {
    const state = await readSimState(stateDir);
    const service = state?.services?.['docqa-stable'];
    expect(service).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${service}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What does selfHeal do?' }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()) as { answer?: string }).toHaveProperty('answer');
  });

  it("canary check with no --arg judges the Rollout's newest ReplicaSet, its canary-hash read from the Rollout", async () => {
    const rollout = await kubectl('get', 'rollout', 'docqa', '-n', 'docqa', '-o', 'json');
    const hash = (JSON.parse(rollout.stdout) as { status?: { currentPodHash?: string } }).status
      ?.currentPodHash;
    expect(hash).toMatch(/^[0-9a-f]+$/);
    const check = await runCli(['canary', 'check', '--json'], { env });
    const detail = `${check.stdout.slice(-2000)}\n${check.stderr}`;
    const report = JSON.parse(check.stdout) as {
      args: Record<string, string>;
      argsFromLab?: { rollout: string; values: Record<string, string>; noCanary?: boolean };
    };
    expect(report.args['canary-hash'], detail).toBe(hash);
    expect(report.argsFromLab, detail).toMatchObject({ rollout: 'docqa/docqa', noCanary: true });
  });

  it('drill argo-vs-hpa shows the fight and the recovery, and the hypothesis holds', async () => {
    const state = await readSimState(stateDir);
    const reports = join(home, 'reports');
    const drill = await runCli(['drill', 'argo-vs-hpa', '--speed', '20', '--reports-dir', reports], {
      env,
      timeoutMs: 600_000,
    });
    const detail = `${drill.stdout.slice(-3000)}\n${drill.stderr}`;
    expect(drill.code, detail).toBe(0);
    // The fight: Argo CD puts Git's 1 back, the HPA its 2, again and again; then the rollback ends it.
    expect(drill.stdout, detail).toMatch(
      /✓ the replica count flaps between 1 and 2 at least 2 times: switched \d+ times/,
    );
    expect(drill.stdout, detail).toMatch(/✓ Argo CD self-heal syncs changes at least 2 time\(s\)/);
    expect(drill.stdout, detail).toContain('the steady state holds again');
    expect(drill.stdout, detail).toContain('verdict: completed');
    // The drill's commits and their revert landed in the lab's real Git repository.
    const log = await run('git', ['--git-dir', state?.repo.path ?? '', 'log', '--format=%s', 'main']);
    expect(log.stdout).toMatch(/^Revert "drill\(argo-vs-hpa\)/m);
    const report = readFileSync(
      join(reports, readdirSync(reports).find((f) => f.endsWith('.md')) ?? ''),
      'utf8',
    );
    expect(report.split('\n')[0]).toMatch(/\(simulated\)/);
  }, 660_000);

  it('bad-canary: the real AnalysisRun over the real doc-QA canary aborts it', async () => {
    const state = await readSimState(stateDir);
    if (process.env.CI === 'true') expect(state?.prometheus.real, state?.prometheus.note).toBe(true);
    expect(state?.docqa?.map((e) => e.role)).toContain('stable');
    const drill = await runCli(
      ['drill', 'bad-canary', '--json', '--reports-dir', join(home, 'reports-canary')],
      {
        env,
        timeoutMs: 600_000,
      },
    );
    const detail = `${drill.stdout.slice(-3000)}\n${drill.stderr}`;
    expect(drill.code, detail).toBe(0);
    const journal = JSON.parse(drill.stdout) as { status: string; simulated?: { speed: number } };
    expect(journal.status, detail).toBe('completed');
    expect(journal.simulated).toEqual({ speed: 20 });
    // The AnalysisRun that aborted the canary failed on measurements of the real service.
    const runs = await kubectl('get', 'analysisruns', '-n', 'docqa', '-o', 'json');
    const items = (JSON.parse(runs.stdout) as { items: Array<{ status?: { phase?: string } }> }).items;
    expect(items.map((r) => r.status?.phase)).toContain('Failed');
  }, 660_000);

  it('down stops it and leaves no process, no context and no state; a second down is a no-op', async () => {
    const down = await runCli(['down'], { env });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('Removed the simulated lab');
    expect(isDaemon({ pid })).toBe(false);
    expect(existsSync(simStateFile(stateDir))).toBe(false);
    const config = parse(readFileSync(kubeconfig, 'utf8')) as Record<string, unknown>;
    const original = parse(before) as Record<string, unknown>;
    for (const key of ['clusters', 'users', 'contexts']) expect(config[key]).toEqual(original[key]);
    expect(readFileSync(kubeconfig, 'utf8')).toContain('# mine');
    const again = await runCli(['down', '--simulate', '--json'], { env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ simulated: { found: false, removed: [] } });
  });
});

describe('gitops-lab up --simulate at speed 1', { timeout: 300_000 }, () => {
  it('starts without waiting a wall minute for the warm-up, and stops on SIGTERM without being killed', async () => {
    const up = await runCli(['up', '--simulate', '--json'], { env, timeoutMs: 240_000 });
    expect(up.code, up.stderr).toBe(0);
    const report = JSON.parse(up.stdout) as {
      speed: number;
      clock: { wallOrigin: number; simOrigin: number };
    };
    expect(report.speed).toBe(1);
    // The warm-up's simulated minute passed at 60x, in the simulated past: at speed 1 the lab's clock is not behind
    // the wall clock once it is up (ahead only by what a late warm-up timer adds: 59 ms per wall ms of lateness),
    // so kubectl's own ages (`describe`) read true. (A Node timer may fire a millisecond early: 59 ms behind.)
    expect(report.clock.simOrigin - report.clock.wallOrigin).toBeGreaterThanOrEqual(-1000);
    // ... and the lab's first objects are that simulated minute older than the moment it was ready.
    const ns = await kubectl('get', 'namespace', 'docqa', '-o', 'jsonpath={.metadata.creationTimestamp}');
    expect(ns.code, ns.stderr).toBe(0);
    expect(report.clock.simOrigin - Date.parse(ns.stdout)).toBeGreaterThanOrEqual(59_000);
    const down = await runCli(['down', '--simulate', '--json'], { env });
    expect(down.code, down.stderr).toBe(0);
    // The daemon closes everything and exits on SIGTERM by itself, within the grace period: it is not killed.
    expect(JSON.parse(down.stdout)).toMatchObject({ simulated: { found: true, stopped: 'terminated' } });
  });
});
