/**
 * The token of a --repo URL (GITOPS_LAB_GIT_TOKEN) during a whole drill and a whole `up`, through the built
 * CLI: in no argv of any git (a spy first on PATH, and /proc), in no file under the temp folder at any git
 * call, and no temp folder left behind. The Git server is private (401 without the credential), so a run
 * that works proves the token did reach git: the lab's Git server image (tests/support/lighttpd-git.ts) with
 * reads as well as pushes behind the credential. `up --json` carries no admin password unless asked.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { which } from '../../../src/lab/tools/runner.js';
import { packagePath } from '../../../src/paths.js';
import { repoRoot, runCli } from '../../support/cli.js';
import { startFakeKube } from '../../support/fake-kube/index.js';
import { jsonLines, type LabFixture, startLabFixture } from '../../support/lab-fixture.js';
import { lighttpdAvailable, type RunningGitServer, startGitServer } from '../../support/lighttpd-git.js';
import { startCli } from '../drills/fault-injection-helpers.js';
import { labObjects } from '../drills/lab-sim.js';
import { createGitSpy, secretForms } from './git-spy.js';

const hasGit = (await which('git')) !== undefined;
const token = 'ghp_credentialtest0token00000000000000';
const forms = secretForms(token);

function expectNoSecretIn(calls: string[][]): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const argv of calls) for (const form of forms) expect(argv.join(' ')).not.toContain(form);
}

/** Runs the CLI to its end (a child process, so the /proc watcher sees its git children). */
async function cli(args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot) {
  const run = startCli(args, env, cwd);
  const code = await run.exited;
  return { code, stdout: run.stdout(), output: run.output() };
}

/** The private lab repository, seeded from `seed`, that takes `token` as GitHub takes one. */
const privateRepo = (seed: string) =>
  startGitServer({ users: [`x-access-token:${token}`], private: true, seed });

// In CI a missing git or lighttpd fails here (and in tests/manifests/git-server-lighttpd.test.ts), not skips.
const canRun = (hasGit && lighttpdAvailable) || process.env.CI === 'true';

describe.runIf(canRun)('credentials: never in argv, never on disk', () => {
  let server: RunningGitServer | undefined;
  let lab: LabFixture | undefined;
  let scan: string | undefined;
  afterEach(async () => {
    await server?.stop();
    await lab?.close();
    if (scan) rmSync(scan, { recursive: true, force: true });
    server = undefined;
    lab = undefined;
  });

  it('during a drill that commits to and reverts a private --repo', async () => {
    server = await privateRepo(packagePath('manifests'));
    scan = mkdtempSync(join(tmpdir(), 'gitops-lab-scan-'));
    const victim = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'drill-victim', namespace: 'docqa' },
      data: { role: 'victim' },
    };
    const fake = await startFakeKube({ seed: [...labObjects(), victim] });
    fake.addController((event, f) => {
      if (event.type === 'DELETED' && event.object.metadata?.name === 'drill-victim')
        f.seed(structuredClone(victim));
    });
    const spy = createGitSpy(forms, scan);
    const watcher = spy.watchProcesses();
    try {
      const drills = join(repoRoot, 'tests', 'lab', 'drills', 'fixtures', 'fault-injection');
      const reports = mkdtempSync(join(tmpdir(), 'gitops-lab-reports-'));
      const result = await cli(
        ['drill', 'faults', '--drills', drills, '--repo', server.url, '--reports-dir', reports, '--json'],
        {
          KUBECONFIG: fake.kubeconfigPath,
          GITOPS_LAB_GIT_TOKEN: token,
          PATH: `${spy.dir}:${process.env.PATH}`,
          TMPDIR: scan,
        },
      );
      rmSync(reports, { recursive: true, force: true });
      expect(result.output).toBe(result.stdout);
      expect(result.code).toBe(0);
      for (const form of forms) expect(result.stdout).not.toContain(form);
    } finally {
      await watcher.stop();
      await fake.close();
    }
    const log = await server.repoGit(['log', '--format=%s', 'main']);
    expect(log.split('\n')[0]).toBe('Revert "drill(faults): three replicas in Git"');
    expectNoSecretIn(spy.calls());
    expect(spy.filesWithSecret()).toEqual([]);
    expect(spy.commandLinesWithSecret()).toEqual([]);
    expect(readdirSync(scan)).toEqual([]);
  }, 90_000);

  it('during `up --repo` of a private repository; --json shows no password unless --show-credentials', async () => {
    server = await privateRepo(join(repoRoot, 'tests', 'fixtures', 'pin', 'plain'));
    // A repository with a main branch is yours: up leaves it alone. Start from an empty one so up seeds it.
    await server.repoGit(['update-ref', '-d', 'refs/heads/main']);
    lab = await startLabFixture();
    const password = 'argo-admin-pass-0000';
    lab.fake.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'argocd-initial-admin-secret', namespace: 'argocd' },
      data: { password: Buffer.from(password).toString('base64') },
    });
    scan = mkdtempSync(join(tmpdir(), 'gitops-lab-scan-'));
    const spy = createGitSpy(forms, scan);
    const env = {
      ...lab.env,
      GITOPS_LAB_GIT_TOKEN: token,
      PATH: `${spy.dir}:${lab.env.PATH}`,
      TMPDIR: scan,
    };
    const watcher = spy.watchProcesses();
    let result: Awaited<ReturnType<typeof cli>>;
    try {
      result = await cli(['up', '--repo', server.url, '--json'], env, lab.cwd);
    } finally {
      await watcher.stop();
    }
    expect(result.code).toBe(0);
    const log = await server.repoGit(['log', '--format=%s', 'main']);
    expect(log.split('\n')[0]).toBe('gitops-lab up: seed the lab repository');
    expectNoSecretIn(spy.calls());
    expect(spy.filesWithSecret()).toEqual([]);
    expect(spy.commandLinesWithSecret()).toEqual([]);
    expect(readdirSync(scan)).toEqual([]);
    for (const form of forms) expect(result.stdout).not.toContain(form);

    const outcome = jsonLines(result.stdout).find((e) => e.type === 'result') as {
      access: { argocd: { username: string; password?: string } };
    };
    expect(outcome.access.argocd.username).toBe('admin');
    expect(outcome.access.argocd).not.toHaveProperty('password');
    expect(result.stdout).not.toContain(password);

    const shown = await runCli(['up', '--repo', server.url, '--json', '--show-credentials'], {
      cwd: lab.cwd,
      env,
      timeoutMs: 90_000,
    });
    expect(shown.code).toBe(0);
    const again = jsonLines(shown.stdout).find((e) => e.type === 'result') as {
      access: { argocd: { password?: string } };
    };
    expect(again.access.argocd.password).toBe(password);

    const plain = await runCli(['up', '--repo', server.url], { cwd: lab.cwd, env, timeoutMs: 90_000 });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(password);
    expect(plain.stdout).toContain(
      'password: in Secret argocd-initial-admin-secret (not shown: add --show-credentials)',
    );
  }, 180_000);
});
