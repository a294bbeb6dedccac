/**
 * Fault injection: a drill's promise is that the lab is back as it was, whatever stops it and wherever. The
 * built CLI (dist/) runs the `faults` drill (a Git commit and push, a live patch, a scale, a delete) against
 * the fake API server (tests/support/fake-kube, behind a proxy that can hold a request) and a real bare Git
 * repository whose pre-receive hook can hold a push. Each case holds the drill at one place — a phase boundary
 * or the middle of one action — delivers SIGINT, SIGTERM or SIGHUP (or SIGKILL, then runs `--recover`), lets
 * the held request or push go when the drill is ready for it, and checks that Git's tree, the live objects
 * and the lock are exactly as before the drill.
 *
 * The test decides every moment: it waits for the request or the push to be caught, for the CLI to say what
 * it is doing, and only then moves on. A held push or PATCH is let through at the latest when the drill says
 * its verdict, so a rollback that did not wait for it fails here every time instead of now and then.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { which } from '../../../src/lab/tools/runner.js';
import { repoRoot } from '../../support/cli.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';
import {
  type CliRun,
  type GitRemote,
  type HoldingProxy,
  type ProxiedRequest,
  startCli,
  startGitRemote,
  startHoldingProxy,
  until,
} from './fault-injection-helpers.js';
import { labObjects } from './lab-sim.js';

const hasGit = (await which('git')) !== undefined;
const drills = join(repoRoot, 'tests', 'lab', 'drills', 'fixtures', 'fault-injection');

const victim: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'drill-victim', namespace: 'docqa' },
  data: { role: 'victim' },
};

const rolloutPath = '/apis/argoproj.io/v1alpha1/namespaces/docqa/rollouts/docqa';
const is = (method: string, path: string, body?: string) => (r: ProxiedRequest) =>
  r.method === method && r.path.split('?')[0] === path && (body === undefined || r.body.includes(body));

/** Where the drill is held. `git`: the push waits in pre-receive; otherwise the first request matching `hold`. */
interface Point {
  name: string;
  hold?: () => (r: ProxiedRequest) => boolean;
  git?: boolean;
  /** Let the held request or push go once the output matches this. */
  releaseOn: RegExp;
  /** The verdict of the interrupted run. */
  verdict: 'interrupted' | 'completed';
  /** Something was injected before the hold (a report of the rollback is then expected). */
}

// The drill says this when it stops; a held action in flight is let go when the drill waits for it to
// settle — or, had it not waited, at its verdict, too late for its rollback.
const noticed = /SIG[A-Z]+: stopping the drill and rolling back/;
const settling = /letting it settle|verdict:/;

const points: Point[] = [
  {
    name: 'between the preconditions and the steady state',
    hold: () => is('GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/docqa'),
    releaseOn: noticed,
    verdict: 'interrupted',
  },
  {
    name: 'between the steady state and inject',
    hold: () => is('GET', rolloutPath),
    releaseOn: noticed,
    verdict: 'interrupted',
  },
  {
    name: 'in the middle of the git commit and push',
    git: true,
    releaseOn: settling,
    verdict: 'interrupted',
  },
  {
    name: 'in the middle of the kube patch',
    hold: () => is('PATCH', rolloutPath, '"gitops-lab/drill":"faults"'),
    releaseOn: settling,
    verdict: 'interrupted',
  },
  {
    name: 'in the middle of the kube scale',
    hold: () => is('PATCH', rolloutPath, '"replicas":5'),
    releaseOn: settling,
    verdict: 'interrupted',
  },
  {
    name: 'in the middle of the kube delete, the last inject action',
    hold: () => is('DELETE', '/api/v1/namespaces/docqa/configmaps/drill-victim'),
    releaseOn: settling,
    verdict: 'interrupted',
  },
  {
    name: 'between observe and rollback',
    hold: () => {
      let deleted = false;
      return (r) => {
        if (is('DELETE', '/api/v1/namespaces/docqa/configmaps/drill-victim')(r)) deleted = true;
        return deleted && is('GET', rolloutPath)(r);
      };
    },
    releaseOn: noticed,
    verdict: 'interrupted',
  },
  {
    name: 'in the rollback, before verify (the rollback runs on)',
    hold: () => is('PATCH', rolloutPath, '"replicas":2'),
    releaseOn: noticed,
    verdict: 'completed',
  },
];

if (!hasGit && process.env.CI === 'true') {
  it('needs git in CI', () => {
    throw new Error('git is not installed: apt-get install -y git');
  });
}

describe.runIf(hasGit)('drills under interruption: the lab, Git and the lock end as before', () => {
  let fake: FakeKube;
  let proxy: HoldingProxy;
  let remote: GitRemote;
  let scratch: string;

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gitops-lab-faults-run-'));
    fake = await startFakeKube({ seed: [...labObjects(), victim] });
    // What a ReplicaSet does for a deleted pod: the deleted object comes back.
    fake.addController((event, f) => {
      if (event.type === 'DELETED' && event.object.metadata?.name === 'drill-victim')
        f.seed(structuredClone(victim));
    });
    proxy = await startHoldingProxy(fake.url, scratch);
    remote = await startGitRemote();
  });
  afterEach(async () => {
    remote.release();
    await proxy?.close();
    await fake?.close();
    await remote?.remove();
    await rm(scratch, { recursive: true, force: true });
  });

  const drillArgs = () => [
    'drill',
    'faults',
    '--drills',
    drills,
    '--repo',
    remote.bare,
    '--reports-dir',
    scratch,
  ];
  const env = () => ({ KUBECONFIG: proxy.kubeconfigPath });
  const lock = () => fake.get('v1', 'ConfigMap', 'gitops-lab-drill-lock', 'argocd');

  function expectAsBefore(): void {
    expect(remote.tree()).toBe(remote.initialTree);
    const rollout = fake.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
    expect((rollout?.spec as { replicas?: number } | undefined)?.replicas).toBe(2);
    expect(rollout?.metadata?.annotations?.['gitops-lab/drill']).toBeUndefined();
    expect(fake.get('v1', 'ConfigMap', 'drill-victim', 'docqa')?.data).toEqual({ role: 'victim' });
    expect(lock()).toBeUndefined();
  }

  /** Starts the drill and returns once it is held at `point`. */
  async function holdAt(point: Point): Promise<{ run: CliRun; release: () => void }> {
    if (point.git) {
      remote.arm();
      const run = startCli(drillArgs(), env());
      await until(() => remote.entered(), `the push to wait in pre-receive:\n${run.output()}`);
      return { run, release: () => remote.release() };
    }
    const hold = proxy.hold(point.hold?.() ?? (() => false));
    const run = startCli(drillArgs(), env());
    await until(() => hold.caught, `the drill to reach ${point.name}:\n${run.output()}`);
    return { run, release: () => hold.release() };
  }

  it('SIGINT while a push hangs: the push is let run to its time limit, then killed with the server side, and never lands', async () => {
    // The same drill with a short limit on its git action; the held push is never released while the drill runs.
    const folder = join(scratch, 'short-limit');
    await mkdir(folder);
    const text = await readFile(join(drills, 'faults.yaml'), 'utf8');
    await writeFile(
      join(folder, 'faults.yaml'),
      text.replace(
        '    message: "drill(faults): three replicas in Git"\n',
        '    message: "drill(faults): three replicas in Git"\n    timeout: 6s\n',
      ),
    );
    remote.arm();
    const run = startCli(
      ['drill', 'faults', '--drills', folder, '--repo', remote.bare, '--reports-dir', scratch],
      env(),
    );
    try {
      await until(() => remote.entered(), `the push to wait in pre-receive:\n${run.output()}`);
      run.child.kill('SIGINT');
      await run.waitFor(/verdict:/);
      // Too late for a push that was killed: the receiving side went with it.
      remote.release();
      expect(await run.exited).toBe(1);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
    const out = run.output();
    expect(out).toMatch(/interrupted while "git commit .*" is in flight: letting it settle \(at most 6s\)/);
    expect(out).toContain('did not finish within its time limit of 6s');
    expect(out).toMatch(/fetched .*lab\.git after the rollback: no commit of this drill is left unreverted/);
    expect(remote.subjects()).toEqual(['lab manifests']);
    expectAsBefore();
  }, 60_000);

  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const point of points) {
    for (const signal of signals) {
      it(`${signal} ${point.name}`, async () => {
        const { run, release } = await holdAt(point);
        try {
          run.child.kill(signal);
          await run.waitFor(point.releaseOn);
          release();
          expect(await run.exited).toBe(point.verdict === 'completed' ? 0 : 1);
        } finally {
          if (run.child.exitCode === null) run.child.kill('SIGKILL');
        }
        expect(run.output()).toContain(`${signal}: stopping the drill and rolling back`);
        expect(run.output()).toContain(`verdict: ${point.verdict}`);
        if (point.git) {
          // The push landed after the interrupt; the rollback saw it and reverted it.
          expect(run.output()).toMatch(
            /\[inject\] interrupted while "git commit .*" is in flight: letting it settle/,
          );
          expect(remote.subjects().slice(0, 2)).toEqual([
            'Revert "drill(faults): three replicas in Git"',
            'drill(faults): three replicas in Git',
          ]);
        }
        expectAsBefore();
      }, 60_000);
    }

    it(`SIGKILL ${point.name}, then --recover`, async () => {
      const { run, release } = await holdAt(point);
      if (point.git) {
        // The push is recorded in the lock before the test kills the run.
        await until(
          () => Boolean((lock()?.data as Record<string, string> | undefined)?.inflight),
          'the push in flight to be recorded in the lock',
        );
      }
      run.child.kill('SIGKILL');
      await run.exited;
      expect(lock()).toBeDefined();
      // A request the server already had is applied, whatever became of the client.
      if (!point.git) release();
      const recover = startCli([...drillArgs(), '--recover'], env());
      try {
        if (point.git) {
          await recover.waitFor(/still in flight, left by the killed run|verdict:/);
          release();
        }
        expect(await recover.exited).toBe(0);
      } finally {
        if (recover.child.exitCode === null) recover.child.kill('SIGKILL');
      }
      const out = recover.output();
      expect(out).toContain('verdict: completed');
      expect(out).toMatch(
        /fetched .*lab\.git after the rollback: no commit of this drill is left unreverted/,
      );
      if (point.git) {
        expect(out).toMatch(/recover: found git push to .*lab\.git \(pid \d+, since .*\) still in flight/);
        expect(remote.subjects()[0]).toBe('Revert "drill(faults): three replicas in Git"');
      } else {
        expect(out).toMatch(/recover: the run that held the lock \(.* pid \d+\) left no git push in flight/);
      }
      expectAsBefore();
    }, 60_000);
  }
});
