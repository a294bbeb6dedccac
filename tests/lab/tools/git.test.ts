import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClonedLabRepo } from '../../../src/lab/drills/lab-repo.js';
import { gitAuthEnv, summariseGitError, withoutCredentials } from '../../../src/lab/tools/git.js';
import { which } from '../../../src/lab/tools/runner.js';
import { packagePath } from '../../../src/paths.js';
import { lighttpdAvailable, type RunningGitServer, startGitServer } from '../../support/lighttpd-git.js';
import { createGitSpy, secretForms } from './git-spy.js';

const hasGit = (await which('git')) !== undefined;

describe('gitAuthEnv', () => {
  it('hands the token to git as an extraHeader for the one origin, through GIT_CONFIG_* variables', () => {
    const env = gitAuthEnv('https://github.com/me/lab.git', 's3cret');
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://github.com/.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from('x-access-token:s3cret').toString('base64')}`,
    });
  });

  it('gives nothing for a path, an ssh URL or no token', () => {
    expect(gitAuthEnv('/srv/lab.git', 's3cret')).toEqual({});
    expect(gitAuthEnv('git@github.com:me/lab.git', 's3cret')).toEqual({});
    expect(gitAuthEnv('https://github.com/me/lab.git', undefined)).toEqual({});
  });

  it('strips a user and password from a URL before it is shown or stored', () => {
    expect(withoutCredentials('https://x-access-token:s3cret@github.com/me/lab.git')).toBe(
      'https://github.com/me/lab.git',
    );
    expect(withoutCredentials('/srv/lab.git')).toBe('/srv/lab.git');
  });
});

describe('summariseGitError', () => {
  it("keeps what git said went wrong and drops the 'To <remote>' line and hints", () => {
    const stderr = [
      'remote: denied by policy',
      'To /tmp/x/lab.git',
      ' ! [remote rejected] HEAD -> main (pre-receive hook declined)',
      "error: failed to push some refs to '/tmp/x/lab.git'",
      'hint: Updates were rejected',
    ].join('\n');
    expect(summariseGitError(stderr)).toBe(
      "remote: denied by policy | ! [remote rejected] HEAD -> main (pre-receive hook declined) | error: failed to push some refs to '/tmp/x/lab.git'",
    );
    expect(summariseGitError('To /tmp/x/lab.git\n')).toBe('(no message from git)');
  });
});

describe.runIf(hasGit || process.env.CI === 'true')('lab repository Git over a real server', () => {
  it('a refused push says what git said, not only "To <remote>"', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gitops-lab-refuse-'));
    try {
      const bare = join(root, 'lab.git');
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
      const seed = join(root, 'seed');
      execFileSync('git', ['clone', '-q', bare, seed]);
      writeFileSync(join(seed, 'a.yaml'), 'a: 1\n');
      const id = ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid'];
      execFileSync('git', ['-C', seed, ...id, 'add', '-A']);
      execFileSync('git', ['-C', seed, ...id, 'commit', '-q', '-m', 'seed']);
      execFileSync('git', ['-C', seed, 'push', '-q', 'origin', 'HEAD:main']);
      const hook = join(bare, 'hooks', 'pre-receive');
      writeFileSync(hook, '#!/bin/sh\necho "denied by policy" >&2\nexit 1\n');
      chmodSync(hook, 0o755);
      const error = (await new ClonedLabRepo(bare)
        .change([{ file: 'a.yaml', set: { a: 2 } }], 'drill(x): two')
        .catch((caught: unknown) => caught)) as Error;
      expect(error.message).toMatch(
        /^cannot push to .*lab\.git: git push -q origin HEAD failed \(exit 1\): /,
      );
      expect(error.message).toContain('remote: denied by policy');
      expect(error.message).toContain('pre-receive hook declined');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  // The lab's Git server image (lighttpd + git-http-backend) as a private repository: 401 without the token.
  // In CI a missing lighttpd fails here (and in tests/manifests/git-server-lighttpd.test.ts), not skips.
  describe.runIf(lighttpdAvailable || process.env.CI === 'true')('with a token, over HTTP', () => {
    const token = 'ghp_fault1njection0token0value0000000';
    let server: RunningGitServer;
    let scan: string;
    const saved = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };
    beforeAll(async () => {
      server = await startGitServer({
        users: [`x-access-token:${token}`],
        private: true,
        seed: packagePath('manifests'),
      });
      scan = mkdtempSync(join(tmpdir(), 'gitops-lab-scan-'));
    });
    afterAll(async () => {
      process.env.PATH = saved.PATH;
      if (saved.TMPDIR === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved.TMPDIR;
      await server?.stop();
      rmSync(scan, { recursive: true, force: true });
    });

    it('commits, pushes and reverts with the token in no argv and no file, and leaves no temp folder', async () => {
      const spy = createGitSpy(secretForms(token), scan);
      process.env.PATH = `${spy.dir}:${saved.PATH}`;
      process.env.TMPDIR = scan;
      const watcher = spy.watchProcesses();
      const repo = new ClonedLabRepo(server.url, { token });
      const edits = [{ file: 'workloads/docqa/rollout.yaml', set: { 'spec.replicas': 1 } }];
      const changed = await repo.change(edits, 'drill(creds): one replica');
      const reverted = await repo.revert('drill(creds)');
      await watcher.stop();
      process.env.PATH = saved.PATH;
      expect(changed.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(reverted.reverted).toEqual([changed.commit]);
      // The server saw the credential: the push landed.
      const log = await server.repoGit(['log', '--format=%s', 'main']);
      expect(log.split('\n').slice(0, 2)).toEqual([
        'Revert "drill(creds): one replica"',
        'drill(creds): one replica',
      ]);
      const calls = spy.calls();
      expect(calls.map((argv) => argv[0])).toEqual(expect.arrayContaining(['clone', 'push']));
      for (const argv of calls)
        for (const form of secretForms(token)) expect(argv.join(' ')).not.toContain(form);
      expect(calls.find((argv) => argv[0] === 'clone')).toContain(server.url);
      expect(spy.filesWithSecret()).toEqual([]);
      expect(spy.commandLinesWithSecret()).toEqual([]);
      expect(readdirSync(scan)).toEqual([]);
    });

    it('takes a token written into the URL out of it: shown and cloned without it, still sent', async () => {
      const spy = createGitSpy(secretForms(token), scan);
      process.env.PATH = `${spy.dir}:${saved.PATH}`;
      const withToken = server.url.replace('http://', `http://x-access-token:${token}@`);
      const repo = new ClonedLabRepo(withToken);
      expect(repo.location).toBe(server.url);
      expect(await repo.unreverted(['no such subject'])).toEqual([]);
      process.env.PATH = saved.PATH;
      for (const argv of spy.calls())
        for (const form of secretForms(token)) expect(argv.join(' ')).not.toContain(form);
      expect(spy.calls().length).toBeGreaterThan(0);
    });

    it('without the token the server refuses and the error says so, promptly (no password prompt)', async () => {
      const error = (await new ClonedLabRepo(server.url)
        .change([{ file: 'workloads/docqa/rollout.yaml', set: { 'spec.replicas': 1 } }], 'x')
        .catch((caught: unknown) => caught)) as Error;
      expect(error.message).toMatch(/^cannot clone the lab repository http:\/\/127\.0\.0\.1:\d+\/lab\.git: /);
      // Git asks for a username only after the server answered 401: the server refused it.
      expect(error.message).toMatch(
        /Authentication failed|could not read Username|terminal prompts disabled/,
      );
      expect(readFileSync(join(server.bare, 'HEAD'), 'utf8')).toContain('main');
    });
  });
});
