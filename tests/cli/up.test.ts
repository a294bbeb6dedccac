import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { which } from '../../src/lab/tools/runner.js';
import { cliPath, runCli } from '../support/cli.js';
import { jsonLines, type LabFixture, startLabFixture } from '../support/lab-fixture.js';

const gitAvailable = (await which('git')) !== undefined;
const mutating = (c: { program: string; args: string[] }) =>
  (c.program === 'kind' && ['create', 'delete', 'load'].includes(c.args[0] ?? '')) ||
  (c.program === 'docker' && c.args[0] === 'build');

// Generous limits: each test spawns the CLI, which an overloaded machine starts slowly; nothing asserts time.
describe('gitops-lab up: preflight', { timeout: 180_000 }, () => {
  it('on a machine without Docker, kind, kubectl or git it exits 3, naming each with how to install it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-tools-'));
    const result = await runCli(['up'], {
      cwd: empty,
      env: { PATH: empty, GITOPS_LAB_STATE_DIR: join(empty, 'state') },
    });
    expect(result.code).toBe(3);
    for (const tool of ['docker', 'kind', 'kubectl', 'git'])
      expect(result.stderr).toContain(`${tool} is not installed`);
    expect(result.stderr).toContain('https://docs.docker.com/get-docker/');
    expect(result.stderr).toContain('fix: Install kind');
    // What a person can do meanwhile: everything that needs no cluster.
    expect(result.stderr).toMatch(
      /hint: .*Without Docker, try the lab simulated on this machine: `gitops-lab up --simulate`/,
    );
    expect(result.stderr).toMatch(/serve, eval, lint, canary compare --canary-file/);
    expect(result.stderr).toContain('up --dry-run, drill NAME --dry-run');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

// Generous limits: each test spawns the CLI, which an overloaded machine starts slowly; nothing asserts time.
describe.runIf(gitAvailable)('gitops-lab up against the fake cluster', { timeout: 900_000 }, () => {
  let lab: LabFixture;
  afterEach(async () => {
    await lab?.close();
  });

  it('too little memory for Docker fails preflight with exit 3 and says how to fix it', async () => {
    lab = await startLabFixture();
    lab.bin.configure({ memTotal: 2 * 1024 ** 3 });
    const result = await runCli(['up'], { cwd: lab.cwd, env: lab.env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Docker has 2.0 GiB of memory; the lab needs at least 6 GiB.');
    expect(result.stderr).toContain('Settings → Resources → Memory');
  });

  it('a Docker daemon that is down fails preflight with exit 3 and touches nothing', async () => {
    lab = await startLabFixture();
    lab.bin.configure({ dockerDown: true });
    const result = await runCli(['up'], { cwd: lab.cwd, env: lab.env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('The Docker daemon is not reachable');
    expect(result.stderr).toContain('sudo systemctl start docker');
    expect(lab.bin.calls().filter(mutating)).toEqual([]);
    expect(lab.fake.clientMutations()).toEqual([]);
  });

  it('--dry-run prints the full plan with exact commands and changes nothing', async () => {
    lab = await startLabFixture();
    const result = await runCli(['up', '--dry-run', '--json'], { cwd: lab.cwd, env: lab.env });
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    const planned = events.filter((e) => e.type === 'step' && e.status === 'planned');
    expect(planned.map((e) => e.step)).toEqual([
      'cluster',
      'images',
      'git-server',
      'git-seed',
      'argo',
      'apps',
      'access',
    ]);
    const actions = planned.flatMap((e) => e.actions as string[]);
    expect(actions).toContain(
      `kind create cluster --name gitops-lab --config ${join(lab.stateDir, 'kind-gitops-lab', 'kind-config.yaml')} --wait 0s --kubeconfig ${lab.fake.kubeconfigPath}`,
    );
    expect(actions.some((a) => /^docker build -t ghcr\.io\/gitops-lab\/docqa:[0-9a-f]{12} /.test(a))).toBe(
      true,
    );
    expect(actions.some((a) => a.startsWith('kind load docker-image ghcr.io/gitops-lab/docqa:'))).toBe(true);
    expect(actions.some((a) => a.includes(`push -q ${lab.bareRepo} HEAD:refs/heads/main`))).toBe(true);
    expect(actions.some((a) => a.includes('Application argocd/lab-root'))).toBe(true);
    expect(lab.bin.calls().filter(mutating)).toEqual([]);
    expect(lab.fake.clientMutations()).toEqual([]);
    expect(execFileSync('git', ['-C', lab.bareRepo, 'branch', '--list']).toString()).toBe('');
  });

  it('a fresh run builds the lab; a second run skips every step and changes nothing', async () => {
    lab = await startLabFixture();
    const first = await runCli(['up', '--json'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const done = jsonLines(first.stdout).filter((e) => e.type === 'step' && e.status === 'done');
    expect(done.map((e) => e.step)).toEqual([
      'cluster',
      'images',
      'git-server',
      'git-seed',
      'argo',
      'apps',
      'access',
    ]);
    expect(lab.bin.state().clusters).toEqual(['gitops-lab']);
    const root = lab.fake.get('argoproj.io/v1alpha1', 'Application', 'lab-root', 'argocd');
    expect((root?.spec as { source?: { repoURL?: string } } | undefined)?.source?.repoURL).toBe(
      'http://git-server.lab-git.svc.cluster.local/lab.git',
    );
    const gitServer = lab.fake.get('apps/v1', 'Deployment', 'git-server', 'lab-git');
    expect(JSON.stringify(gitServer)).toMatch(/gitops-lab\/git-server:[0-9a-f]{12}/);
    // The seeded repository has the manifests, with the doc-QA image pinned to the tag loaded into kind.
    const kustomization = execFileSync('git', [
      '-C',
      lab.bareRepo,
      'show',
      'main:workloads/docqa/kustomization.yaml',
    ]).toString();
    const loaded = lab.bin.state().loaded['gitops-lab'] ?? [];
    const docqa = loaded.find((i) => i.startsWith('ghcr.io/gitops-lab/docqa:'));
    expect(docqa).toBeDefined();
    expect(kustomization).toMatch(new RegExp(`newTag: "?${docqa?.split(':')[1]}"?\n`));
    const result = jsonLines(first.stdout).find((e) => e.type === 'result') as {
      ok: boolean;
      access: { git: { url: string } };
    };
    expect(result.ok).toBe(true);

    const mutationsBefore = lab.fake.clientMutations().length;
    const callsBefore = lab.bin.calls().length;
    const second = await runCli(['up', '--json'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 });
    expect(second.code).toBe(0);
    const steps = jsonLines(second.stdout).filter((e) => e.type === 'step' && e.status !== 'checking');
    expect(steps.map((e) => `${e.step}:${e.status}${e.status === 'skipped' ? '' : ` ${e.reason}`}`)).toEqual(
      ['cluster', 'images', 'git-server', 'git-seed', 'argo', 'apps', 'access'].map((s) => `${s}:skipped`),
    );
    expect(lab.fake.clientMutations().length).toBe(mutationsBefore);
    expect(lab.bin.calls().slice(callsBefore).filter(mutating)).toEqual([]);
  });

  it('--repo seeds your repository with repoURLs pointing at it and skips the in-cluster Git server', async () => {
    lab = await startLabFixture();
    const result = await runCli(['up', '--repo', lab.bareRepo, '--json'], {
      cwd: lab.cwd,
      env: { ...lab.env, GITOPS_LAB_GIT_TOKEN: 'secret-token' },
      timeoutMs: 300_000,
    });
    expect(result.code).toBe(0);
    const steps = jsonLines(result.stdout).filter((e) => e.type === 'step' && e.status === 'done');
    expect(steps.map((e) => e.step)).not.toContain('git-server');
    const app = execFileSync('git', ['-C', lab.bareRepo, 'show', 'main:apps/docqa.yaml']).toString();
    expect(app).toContain(`repoURL: ${lab.bareRepo}`);
    expect(app).not.toContain('git-server.lab-git.svc.cluster.local');
    const root = lab.fake.get('argoproj.io/v1alpha1', 'Application', 'lab-root', 'argocd');
    expect(JSON.stringify(root?.spec)).toContain(lab.bareRepo);
    expect(lab.fake.get('v1', 'Secret', 'lab-repo', 'argocd')?.metadata?.labels).toEqual({
      'argocd.argoproj.io/secret-type': 'repository',
    });
    expect(result.stdout).not.toContain('secret-token');
  });

  it('commits pushed to the lab repository after up seeded it are kept by the next up', async () => {
    lab = await startLabFixture();
    expect((await runCli(['up'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 })).code).toBe(0);
    // Someone (a person, or a drill) pushes a change the GitOps way.
    const work = join(lab.cwd, 'work');
    execFileSync('git', ['clone', '-q', '-b', 'main', lab.bareRepo, work]);
    execFileSync('git', ['-C', work, 'commit', '-q', '--allow-empty', '-m', 'my change'], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'me',
        GIT_AUTHOR_EMAIL: 'me@x',
        GIT_COMMITTER_NAME: 'me',
        GIT_COMMITTER_EMAIL: 'me@x',
      },
    });
    execFileSync('git', ['-C', work, 'push', '-q', 'origin', 'HEAD:main']);
    const head = execFileSync('git', ['-C', lab.bareRepo, 'rev-parse', 'main']).toString().trim();
    const again = await runCli(['up'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/- skipped git-seed: .*it has commits since up seeded/);
    expect(execFileSync('git', ['-C', lab.bareRepo, 'rev-parse', 'main']).toString().trim()).toBe(head);
  });

  it('a failure in the middle exits 1 with the failing step and a hint; the next run resumes from there', async () => {
    lab = await startLabFixture();
    lab.bin.configure({
      failures: [{ program: 'kind', match: 'load docker-image', stderr: 'ERROR: disk full', times: 1 }],
    });
    const first = await runCli(['up'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('Step images failed');
    expect(first.stderr).toContain('ERROR: disk full');
    expect(first.stderr).toMatch(/hint: /);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    expect(lab.fake.get('argoproj.io/v1alpha1', 'Application', 'lab-root', 'argocd')).toBeUndefined();

    const second = await runCli(['up'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/- skipped cluster: .*\(kind cluster gitops-lab exists\)/);
    expect(second.stdout).toContain('The lab is ready');
    expect(lab.bin.calls().filter((c) => c.program === 'kind' && c.args[0] === 'create')).toHaveLength(1);
  });

  it('Ctrl-C while waiting stops cleanly (exit 130) and the next run resumes at the interrupted step', async () => {
    let progressing = true;
    lab = await startLabFixture({
      health: (app) => (progressing && app.metadata?.name === 'docqa' ? 'Progressing' : 'Healthy'),
    });
    const child = spawn(process.execPath, [cliPath, 'up', '--json'], {
      cwd: lab.cwd,
      env: { ...process.env, NO_COLOR: '1', ...lab.env },
    });
    let stdout = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!signalled && stdout.includes('"step":"apps","title":"progress"')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(signalled).toBe(true);
    expect(code).toBe(130);
    const events = jsonLines(stdout);
    expect(events.find((e) => e.status === 'failed')).toMatchObject({ step: 'apps', reason: 'interrupted' });
    expect(events.find((e) => e.type === 'result')).toMatchObject({ ok: false, interrupted: true });

    progressing = false;
    lab.fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      o.metadata = { ...o.metadata, annotations: { touched: 'yes' } };
    });
    const again = await runCli(['up', '--json'], { cwd: lab.cwd, env: lab.env, timeoutMs: 300_000 });
    expect(again.code).toBe(0);
    const statuses = jsonLines(again.stdout)
      .filter((e) => e.type === 'step' && ['skipped', 'done'].includes(e.status as string))
      .map((e) => `${e.step}:${e.status}`);
    expect(statuses).toEqual([
      'cluster:skipped',
      'images:skipped',
      'git-server:skipped',
      'git-seed:skipped',
      'argo:skipped',
      'apps:done',
      'access:done',
    ]);
  });
});

describe('up test prerequisites', () => {
  it('has git installed when running in CI (apt-get install git)', () => {
    expect(gitAvailable || process.env.CI !== 'true', 'git is not installed: the up tests need it.').toBe(
      true,
    );
  });
});
