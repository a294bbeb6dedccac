import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLabRepo,
  digestA,
  docqa,
  gitAvailable,
  gitEnv,
  kustomizationPath,
  type LabRepo,
} from '../lab/pin/lab-repo.js';
import { runCli } from '../support/cli.js';

const env = { ...gitEnv, GITHUB_SHA: '' };

describe('gitops-lab pin --help', () => {
  it('documents the flags, the local-lab difference and an example', async () => {
    const result = await runCli(['pin', '--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--image',
      '--digest',
      '--digest-from-docker',
      '--file',
      '--commit',
      '--message',
      '--dry-run',
      '--json',
    ]) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('content tag');
  });
});

if (!gitAvailable && process.env.CI === 'true') {
  it('needs git in CI', () => {
    throw new Error('git is not installed: install the Debian package "git" (apt-get install -y git).');
  });
}

describe.runIf(gitAvailable)(
  'gitops-lab pin on a copy of the lab repository (needs git: apt-get install git)',
  () => {
    let repo: LabRepo;
    afterEach(() => repo?.remove());

    it('--dry-run prints the diff and changes nothing', async () => {
      repo = createLabRepo();
      const snapshot = repo.snapshot();
      const result = await runCli(['pin', '--image', docqa, '--digest', digestA, '--dry-run'], {
        cwd: repo.dir,
        env,
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`would pin ${docqa}@${digestA} in ${kustomizationPath}`);
      expect(result.stdout).toMatch(/^-\s+newTag: "0\.1\.0"$/m);
      expect(result.stdout).toMatch(new RegExp(`^\\+\\s+digest: ${digestA}$`, 'm'));
      expect(result.stdout).toContain('dry run: nothing written');
      expect(repo.snapshot()).toEqual(snapshot);
    });

    it('--commit --json pins, commits and reports it; a second run says already pinned', async () => {
      repo = createLabRepo();
      const source = repo.head();
      const first = await runCli(['pin', '--image', docqa, '--digest', digestA, '--commit', '--json'], {
        cwd: repo.dir,
        env,
      });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const report = JSON.parse(first.stdout);
      expect(report).toMatchObject({
        status: 'pinned',
        image: docqa,
        digest: digestA,
        file: kustomizationPath,
        commit: { sha: repo.head(), sourceCommit: source },
      });
      expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe(kustomizationPath);

      const second = await runCli(['pin', '--image', docqa, '--digest', digestA, '--commit'], {
        cwd: repo.dir,
        env,
      });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('already pinned');
      expect(repo.commitCount()).toBe(2);
    });

    it('leaves manifests that gitops-lab lint still passes (a pin commit must not break CI)', async () => {
      repo = createLabRepo();
      const pinned = await runCli(['pin', '--image', docqa, '--digest', digestA], { cwd: repo.dir, env });
      expect(pinned.code).toBe(0);
      const lint = await runCli(['lint', 'manifests'], { cwd: repo.dir, env });
      expect(lint.stdout).toMatch(/0 errors/);
      expect(lint.code).toBe(0);
    });

    it('a bad digest is one clear error with exit 2 and no stack trace; nothing changes', async () => {
      repo = createLabRepo();
      const snapshot = repo.snapshot();
      const result = await runCli(['pin', '--image', docqa, '--digest', 'sha256:1234', '--commit'], {
        cwd: repo.dir,
        env,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --digest: /);
      expect(result.stderr).toContain('hint:');
      expect(result.stderr).not.toContain('    at ');
      expect(repo.snapshot()).toEqual(snapshot);
      expect(repo.commitCount()).toBe(1);
    });

    it('an image the manifests do not name is exit 2 and lists what is there', async () => {
      repo = createLabRepo();
      const result = await runCli(['pin', '--image', 'ghcr.io/acme/docqa', '--digest', digestA], {
        cwd: repo.dir,
        env,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('ghcr.io/acme/docqa is not named in manifests');
      expect(result.stderr).toContain(docqa);
    });

    it('a dirty working tree with --commit is exit 2', async () => {
      repo = createLabRepo();
      writeFileSync(join(repo.dir, kustomizationPath), '# local edit\n', { flag: 'a' });
      const before = repo.read(kustomizationPath);
      const result = await runCli(['pin', '--image', docqa, '--digest', digestA, '--commit'], {
        cwd: repo.dir,
        env,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('uncommitted changes');
      expect(repo.read(kustomizationPath)).toBe(before);
      expect(repo.commitCount()).toBe(1);
    });

    it('a pre-commit hook that exits 1 without a word is exit 1, says why, and reports no commit', async () => {
      repo = createLabRepo();
      const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(hook, '#!/bin/sh\nexit 1\n');
      chmodSync(hook, 0o755);
      const head = repo.head();
      const before = repo.read(kustomizationPath);
      const result = await runCli(['pin', '--image', docqa, '--digest', digestA, '--commit'], {
        cwd: repo.dir,
        env,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('committed');
      expect(result.stderr).toContain(
        `--commit: git could not commit ${kustomizationPath}: git commit exited with status 1 and printed nothing`,
      );
      expect(result.stderr).toMatch(/pre-commit/);
      expect(repo.head()).toBe(head);
      expect(repo.read(kustomizationPath)).toBe(before);
      expect(repo.git('status', '--porcelain')).toBe('');
    });
  },
);

describe.runIf(gitAvailable)('gitops-lab pin --digest-from-docker (needs git: apt-get install git)', () => {
  let repo: LabRepo;
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'gitops-lab-fake-docker-'));
    return () => rmSync(bin, { recursive: true, force: true });
  });
  afterEach(() => repo?.remove());

  /** A fake `docker` that records its arguments and prints the given RepoDigests JSON. */
  function fakeDocker(repoDigests: string[]): NodeJS.ProcessEnv {
    const script = join(bin, 'docker');
    writeFileSync(
      script,
      `#!/bin/sh\necho "$@" > "${join(bin, 'args')}"\necho '${JSON.stringify(repoDigests)}'\n`,
    );
    chmodSync(script, 0o755);
    return { ...env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  }

  it('reads the digest for --image from the local image RepoDigests and pins it', async () => {
    repo = createLabRepo();
    const result = await runCli(['pin', '--image', docqa, '--digest-from-docker', `${docqa}:0.2.0`], {
      cwd: repo.dir,
      env: fakeDocker([`ghcr.io/other/mirror@sha256:${'1'.repeat(64)}`, `${docqa}@${digestA}`]),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(join(bin, 'args'), 'utf8').trim()).toBe(
      `image inspect --format {{json .RepoDigests}} ${docqa}:0.2.0`,
    );
    expect(repo.read(kustomizationPath)).toContain(`digest: ${digestA}`);
  });

  it('takes the image name from the RepoDigest when --image is left out and there is only one', async () => {
    repo = createLabRepo();
    const result = await runCli(['pin', '--digest-from-docker', `${docqa}:0.2.0`, '--json'], {
      cwd: repo.dir,
      env: fakeDocker([`${docqa}@${digestA}`]),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'pinned', image: docqa, digest: digestA });
  });

  it('asks for --image when the local image has digests under several names (exit 2)', async () => {
    repo = createLabRepo();
    const result = await runCli(['pin', '--digest-from-docker', `${docqa}:0.2.0`], {
      cwd: repo.dir,
      env: fakeDocker([`ghcr.io/other/mirror@sha256:${'1'.repeat(64)}`, `${docqa}@${digestA}`]),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--image');
  });

  it('explains that an image loaded into kind has no registry digest (exit 2)', async () => {
    repo = createLabRepo();
    const snapshot = repo.snapshot();
    const result = await runCli(['pin', '--image', docqa, '--digest-from-docker', 'docqa:dev'], {
      cwd: repo.dir,
      env: fakeDocker([]),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no RepoDigests');
    expect(result.stderr).toContain('kind');
    expect(result.stderr).toContain('content tag');
    expect(repo.snapshot()).toEqual(snapshot);
  });

  it('says so when docker is not installed (exit 3)', async () => {
    repo = createLabRepo();
    const empty = mkdtempSync(join(tmpdir(), 'gitops-lab-no-docker-'));
    try {
      const result = await runCli(['pin', '--image', docqa, '--digest-from-docker', 'docqa:dev'], {
        cwd: repo.dir,
        env: { ...env, PATH: empty },
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('docker command was not found');
      expect(result.stderr).toContain('--digest');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
