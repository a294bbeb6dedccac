import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { LabError, UsageError } from '../../../src/errors.js';
import { type PinOptions, pinImage, pinTrailer } from '../../../src/lab/pin/pin.js';
import {
  createLabRepo,
  digestA,
  digestB,
  docqa,
  fixtures,
  gitAvailable,
  gitEnv,
  kustomizationPath,
  type LabRepo,
} from './lab-repo.js';

const env = { ...process.env, ...gitEnv, GITHUB_SHA: '' };

async function pinError(options: PinOptions): Promise<UsageError> {
  const error = await pinImage(options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
}

if (!gitAvailable && process.env.CI === 'true') {
  it('needs git in CI', () => {
    throw new Error('git is not installed: install the Debian package "git" (apt-get install -y git).');
  });
}

describe.runIf(gitAvailable)(
  'pin on a Git repository holding the lab manifests (needs git: apt-get install git)',
  () => {
    let repo: LabRepo;
    afterEach(() => repo?.remove());

    it('pins the kustomization entry by digest and commits only that file, naming digest and source commit', async () => {
      repo = createLabRepo();
      const before = repo.read(kustomizationPath);
      const source = repo.head();
      const result = await pinImage({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });

      expect(result.status).toBe('pinned');
      expect(result.file).toBe(kustomizationPath);
      const after = repo.read(kustomizationPath);
      // Exactly one line changed: newTag gave way to digest; every comment and other line is byte-identical.
      const removed = before.split('\n').filter((line) => !after.split('\n').includes(line));
      const added = after.split('\n').filter((line) => !before.split('\n').includes(line));
      expect(removed).toEqual(['    newTag: "0.1.0"']);
      expect(added).toEqual([`    digest: ${digestA}`]);
      const comments = (text: string) => text.split('\n').filter((line) => line.trimStart().startsWith('#'));
      expect(comments(after)).toEqual(comments(before));
      const oldDoc = parseDocument(before).toJS();
      const newDoc = parseDocument(after).toJS();
      expect(Object.keys(newDoc)).toEqual(Object.keys(oldDoc));
      expect(newDoc.images).toEqual([{ name: docqa, digest: digestA }]);

      expect(repo.commitCount()).toBe(2);
      expect(repo.git('show', '--name-only', '--format=', 'HEAD').split('\n')).toEqual([kustomizationPath]);
      const message = repo.git('log', '-1', '--format=%B');
      expect(message).toContain(digestA);
      expect(message).toContain(source);
      expect(message).toContain(`${pinTrailer}: ${docqa}@${digestA}`);
      expect(result.commit?.sha).toBe(repo.head());
      expect(result.commit?.sourceCommit).toBe(source);
      expect(repo.git('status', '--porcelain')).toBe('');
    });

    it('names $GITHUB_SHA as the source commit in CI', async () => {
      repo = createLabRepo();
      const built = 'a'.repeat(40);
      await pinImage({
        image: docqa,
        digest: digestA,
        commit: true,
        cwd: repo.dir,
        env: { ...env, GITHUB_SHA: built },
      });
      expect(repo.git('log', '-1', '--format=%(trailers:key=Source-Commit,valueonly)')).toBe(built);
    });

    it('is idempotent: the same digest again changes nothing and makes no commit', async () => {
      repo = createLabRepo();
      await pinImage({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
      const snapshot = repo.snapshot();
      const head = repo.head();
      const again = await pinImage({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
      expect(again.status).toBe('already-pinned');
      expect(again.commit).toBeUndefined();
      expect(repo.head()).toBe(head);
      expect(repo.snapshot()).toEqual(snapshot);
    });

    it('moves an existing pin to a new digest in place, with a custom message keeping the trailers', async () => {
      repo = createLabRepo();
      await pinImage({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
      const result = await pinImage({
        image: docqa,
        digest: digestB.toUpperCase().replace('SHA256:', 'sha256:'),
        commit: true,
        message: 'deploy: docqa from the release branch',
        cwd: repo.dir,
        env,
      });
      expect(result.status).toBe('pinned');
      expect(repo.read(kustomizationPath)).toContain(`    digest: ${digestB}\n`);
      expect(repo.read(kustomizationPath)).not.toContain(digestA);
      const message = repo.git('log', '-1', '--format=%B');
      expect(message.split('\n')[0]).toBe('deploy: docqa from the release branch');
      expect(message).toContain(`${pinTrailer}: ${docqa}@${digestB}`);
      expect(repo.commitCount()).toBe(3);
    });

    it('shows the change with --dry-run and writes and commits nothing', async () => {
      repo = createLabRepo();
      const snapshot = repo.snapshot();
      const result = await pinImage({
        image: docqa,
        digest: digestA,
        commit: true,
        dryRun: true,
        cwd: repo.dir,
        env,
      });
      expect(result.status).toBe('would-pin');
      expect(result.diff).toContain('-    newTag: "0.1.0"');
      expect(result.diff).toContain(`+    digest: ${digestA}`);
      expect(result.sourceCommit).toBe(repo.head());
      expect(repo.snapshot()).toEqual(snapshot);
      expect(repo.commitCount()).toBe(1);
    });

    describe('every bad input leaves files and history unchanged (exit 2)', () => {
      const cases: [string, (repo: LabRepo) => PinOptions, RegExp][] = [
        ['a digest that is too short', () => ({ image: docqa, digest: 'sha256:abc' }), /--digest: .*64 hex/],
        [
          'a digest of another algorithm',
          () => ({ image: docqa, digest: `sha512:${'a'.repeat(64)}` }),
          /sha256:/,
        ],
        ['an image with a tag', () => ({ image: `${docqa}:0.1.0`, digest: digestA }), /without a tag/],
        [
          'an image the manifests do not name',
          () => ({ image: 'ghcr.io/acme/docqa', digest: digestA }),
          /not named in manifests.*ghcr\.io\/gitops-lab\/docqa/,
        ],
        [
          'a missing --file',
          () => ({ image: docqa, digest: digestA, file: 'manifests/nope.yaml' }),
          /--file: .*does not exist/,
        ],
        ['no digest at all', () => ({ image: docqa }), /--digest is required/],
        [
          '--message without --commit',
          () => ({ image: docqa, digest: digestA, message: 'x', commit: false }),
          /--message only applies with --commit/,
        ],
        [
          'both --digest and --digest-from-docker',
          () => ({ image: docqa, digest: digestA, digestFromDocker: 'x:1' }),
          /cannot be used together/,
        ],
      ];
      for (const [name, options, message] of cases) {
        it(name, async () => {
          repo = createLabRepo();
          const snapshot = repo.snapshot();
          const error = await pinError({ commit: true, ...options(repo), cwd: repo.dir, env });
          expect(error.message).toMatch(message);
          expect(error.hint).toBeTruthy();
          expect(repo.snapshot()).toEqual(snapshot);
          expect(repo.commitCount()).toBe(1);
        });
      }

      it('a dirty working tree with --commit', async () => {
        repo = createLabRepo();
        writeFileSync(join(repo.dir, 'manifests/workloads/docqa/hpa.yaml'), '# edited by hand\n', {
          flag: 'a',
        });
        const snapshot = repo.snapshot();
        const error = await pinError({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
        expect(error.message).toContain('uncommitted changes');
        expect(error.message).toContain('manifests/workloads/docqa/hpa.yaml');
        expect(repo.snapshot()).toEqual(snapshot);
        expect(repo.commitCount()).toBe(1);
      });

      it('a file that is not valid YAML', async () => {
        repo = createLabRepo();
        writeFileSync(join(repo.dir, 'broken.yaml'), 'images:\n  - name: [unclosed\n');
        repo.git('add', 'broken.yaml');
        repo.git('commit', '-q', '-m', 'broken');
        const snapshot = repo.snapshot();
        const error = await pinError({
          image: docqa,
          digest: digestA,
          file: 'broken.yaml',
          commit: true,
          cwd: repo.dir,
          env,
        });
        expect(error.message).toMatch(/broken\.yaml:\d+ is not valid YAML/);
        expect(repo.snapshot()).toEqual(snapshot);
        expect(repo.commitCount()).toBe(2);
      });

      it('the image named in two kustomizations (pin will not guess)', async () => {
        repo = createLabRepo();
        cpSync(
          join(repo.dir, 'manifests/workloads/docqa'),
          join(repo.dir, 'manifests/workloads/docqa-copy'),
          {
            recursive: true,
          },
        );
        repo.git('add', '-A');
        repo.git('commit', '-q', '-m', 'copy');
        const snapshot = repo.snapshot();
        const error = await pinError({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
        expect(error.message).toMatch(/more than one file.*docqa-copy/);
        expect(repo.snapshot()).toEqual(snapshot);
      });
    });

    it('puts the file back when the commit itself fails (a pre-commit hook refuses it)', async () => {
      repo = createLabRepo();
      const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(hook, '#!/bin/sh\necho "hook says no" >&2\nexit 1\n');
      chmodSync(hook, 0o755);
      const snapshot = repo.snapshot();
      const error = await pinImage({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('could not commit');
      expect(repo.snapshot()).toEqual(snapshot);
      expect(repo.commitCount()).toBe(1);
    });

    it('fails, naming the silent hook, when pre-commit exits 1 with nothing on stderr; HEAD and file stay', async () => {
      repo = createLabRepo();
      const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(hook, '#!/bin/sh\nexit 1\n');
      chmodSync(hook, 0o755);
      const snapshot = repo.snapshot();
      const head = repo.head();
      const error = (await pinImage({
        image: docqa,
        digest: digestA,
        commit: true,
        cwd: repo.dir,
        env,
      }).catch((caught: unknown) => caught)) as LabError;
      expect(error).toBeInstanceOf(LabError);
      expect(error.exitCode).toBe(1);
      expect(error.message).toBe(
        `--commit: git could not commit ${kustomizationPath}: git commit exited with status 1 and printed nothing (a hook such as pre-commit or commit-msg refusing it says nothing)`,
      );
      expect(repo.head()).toBe(head);
      expect(repo.snapshot()).toEqual(snapshot);
    });

    it('refuses a --file that is a symbolic link and leaves the link and its file as they were', async () => {
      repo = createLabRepo();
      const link = join(repo.dir, 'manifests', 'workloads', 'docqa', 'pin-here.yaml');
      symlinkSync('kustomization.yaml', link);
      const before = repo.read(kustomizationPath);
      const error = await pinError({ image: docqa, digest: digestA, file: link, cwd: repo.dir, env });
      expect(error.message).toBe(
        '--file: manifests/workloads/docqa/pin-here.yaml is a symbolic link (to kustomization.yaml); pin will not replace a link with a regular file.',
      );
      expect(error.hint).toBe(`Pass --file ${kustomizationPath} (the real file) instead.`);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(repo.read(kustomizationPath)).toBe(before);
    });

    it('through a symlinked kustomization.yaml inside the folder, pins the real file and keeps the link', async () => {
      repo = createLabRepo();
      const folder = join(repo.dir, 'manifests', 'workloads', 'docqa');
      renameSync(join(folder, 'kustomization.yaml'), join(folder, 'kustomization.shared.yaml'));
      symlinkSync('kustomization.shared.yaml', join(folder, 'kustomization.yaml'));
      repo.git('add', '-A');
      repo.git('commit', '-q', '-m', 'kustomization behind a link');
      const result = await pinImage({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
      expect(result.file).toBe('manifests/workloads/docqa/kustomization.shared.yaml');
      expect(result.changes.map((change) => change.kind)).toEqual(['kustomize-image']);
      expect(lstatSync(join(folder, 'kustomization.yaml')).isSymbolicLink()).toBe(true);
      expect(repo.read(kustomizationPath)).toContain(`digest: ${digestA}`);
      expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe(
        'manifests/workloads/docqa/kustomization.shared.yaml',
      );
    });

    it('refuses, rather than pin the overridden container image, when the kustomization links outside the folder', async () => {
      repo = createLabRepo();
      const folder = join(repo.dir, 'manifests', 'workloads', 'docqa');
      mkdirSync(join(repo.dir, 'shared'));
      renameSync(join(folder, 'kustomization.yaml'), join(repo.dir, 'shared', 'docqa-kustomization.yaml'));
      symlinkSync('../../../shared/docqa-kustomization.yaml', join(folder, 'kustomization.yaml'));
      repo.git('add', '-A');
      repo.git('commit', '-q', '-m', 'kustomization outside manifests/');
      const snapshot = repo.snapshot();
      const error = await pinError({ image: docqa, digest: digestA, commit: true, cwd: repo.dir, env });
      expect(error.message).toMatch(
        /^pin: manifests\/workloads\/docqa\/kustomization\.yaml names image ghcr\.io\/gitops-lab\/docqa but is a symbolic link to .*shared\/docqa-kustomization\.yaml, outside manifests; pin will not write through it\.$/,
      );
      expect(repo.snapshot()).toEqual(snapshot);
      expect(repo.commitCount()).toBe(2);
    });

    it('refuses --commit outside a Git repository and changes nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-pin-nogit-'));
      try {
        cpSync(join(fixtures, 'manifests'), join(dir, 'manifests'), { recursive: true });
        const file = join(dir, 'manifests/workloads/docqa/kustomization.yaml');
        const before = readFileSync(file, 'utf8');
        const error = await pinError({
          image: docqa,
          digest: digestA,
          commit: true,
          cwd: dir,
          env,
        });
        expect(error.message).toContain('not inside a Git repository');
        expect(readFileSync(file, 'utf8')).toBe(before);
        // Without --commit the same pin works on plain files.
        const result = await pinImage({ image: docqa, digest: digestA, cwd: dir, env });
        expect(result.status).toBe('pinned');
        expect(readFileSync(file, 'utf8')).toContain(`digest: ${digestA}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe.runIf(gitAvailable)(
  'pin on container image fields and other layouts (needs git: apt-get install git)',
  () => {
    let repo: LabRepo;
    afterEach(() => repo?.remove());

    it('rewrites every container of the workload that runs the image, and nothing else', async () => {
      repo = createLabRepo({ withFixtures: true });
      const file = 'plain/deployment.yaml';
      const before = repo.read(file);
      const result = await pinImage({
        image: docqa,
        digest: digestA,
        file,
        commit: true,
        cwd: repo.dir,
        env,
      });
      expect(result.changes.map((change) => change.owner)).toEqual([
        'Deployment/docqa init container warm-index',
        'Deployment/docqa container docqa',
      ]);
      const after = repo.read(file);
      expect(after).toContain(`image: "${docqa}@${digestA}" # same image, builds the index`);
      expect(after).toContain(`image: "${docqa}@${digestA}" # the service`);
      expect(after).toContain('image: ghcr.io/other/proxy:1.2');
      // Untouched lines are byte-identical, two spaces before a comment included.
      const untouched = before.split('\n').filter((line) => !line.includes('ghcr.io/gitops-lab/docqa'));
      expect(after.split('\n').filter((line) => !line.includes('ghcr.io/gitops-lab/docqa'))).toEqual(
        untouched,
      );
      expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe(file);
    });

    it('keeps newName and the kustomize layout (indentless lists, flow entries) and matches by newName', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-pin-layout-'));
      try {
        const file = join(dir, 'kustomization.yaml');
        cpSync(join(fixtures, 'layouts', 'kustomization.yaml'), file);
        const before = readFileSync(file, 'utf8');
        const result = await pinImage({ image: 'ghcr.io/acme/docqa', digest: digestA, file, cwd: dir, env });
        expect(result.warnings).toEqual([]);
        const after = readFileSync(file, 'utf8');
        const expected = before.replace(
          '- {name: ghcr.io/gitops-lab/docqa, newName: ghcr.io/acme/docqa, newTag: "0.1.0"}  # a fork',
          `- {name: ghcr.io/gitops-lab/docqa, newName: ghcr.io/acme/docqa, digest: ${digestA}} # a fork`,
        );
        expect(after).toBe(expected);
        expect(result.changes[0]?.after).toBe(`ghcr.io/acme/docqa@${digestA}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
