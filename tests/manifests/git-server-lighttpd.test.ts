/**
 * The lab's Git server image, run for real (Debian lighttpd + git-http-backend) with its own entrypoint.sh and
 * lighttpd.conf as an unprivileged uid whose stderr is a pipe owned by root, as under containerd.
 * See tests/support/lighttpd-git.ts for what differs from the container (paths and port only).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GitServerExited,
  git,
  imageDir,
  lighttpdAvailable,
  lighttpdBinary,
  lighttpdInstallHint,
  type RunningGitServer,
  runningAsRoot,
  startGitServer,
} from '../support/lighttpd-git.js';

const inCi = process.env.CI === 'true';
const PUSHER = 'gitops-lab:pa55-word-for-tests';

describe('Git server test prerequisites', () => {
  // Runs everywhere: in CI a missing lighttpd, or not being root, fails here instead of skipping silently.
  it('has lighttpd installed and runs as root when running in CI', () => {
    expect(lighttpdAvailable || !inCi, `${lighttpdBinary} is missing: ${lighttpdInstallHint}.`).toBe(true);
    // .ci/run runs everything as root. A CI that runs `npm test` as another user runs this file again as root
    // in a separate step and says so with GITOPS_LAB_ROOT_TESTS=separate (.github/workflows/ci.yml).
    expect(
      runningAsRoot || !inCi || process.env.GITOPS_LAB_ROOT_TESTS === 'separate',
      'CI must run this file as root, so that the server runs as an unprivileged uid with a root-owned stderr',
    ).toBe(true);
  });
});

if (!lighttpdAvailable && !inCi) console.warn(`skipping the Git server tests: ${lighttpdInstallHint}.`);

describe.runIf(lighttpdAvailable)('the Git server image (lighttpd + git-http-backend, non-root)', () => {
  let server: RunningGitServer;
  let work: string;

  beforeAll(async () => {
    server = await startGitServer({ users: [PUSHER] });
    work = await mkdtemp(join(tmpdir(), 'gitops-lab-git-client-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function commitBigFile(dir: string, bytes: number): Promise<Buffer> {
    const content = randomBytes(bytes);
    await writeFile(join(dir, 'blob.bin'), content);
    await git(['add', '-A'], { cwd: dir });
    await git(['commit', '-q', '-m', `${bytes} random bytes`], { cwd: dir });
    return content;
  }

  it('clones the empty repository the entrypoint created, anonymously', async () => {
    const dir = join(work, 'empty');
    const { stderr } = await git(['clone', server.url, dir]);
    expect(stderr).toMatch(/empty repository/);
  });

  it('takes a push of a few MB with the credential, and serves it back to an anonymous clone', async () => {
    const dir = join(work, 'pusher');
    await git(['init', '-q', '-b', 'main', dir]);
    // 4 MB of incompressible data: bigger than git's 1 MiB http.postBuffer, so the push is a chunked POST.
    const content = await commitBigFile(dir, 4 * 1024 * 1024);
    await git(['push', '-q', server.url, 'HEAD:refs/heads/main'], { cwd: dir, credential: PUSHER });
    const clone = join(work, 'reader');
    await git(['clone', '-q', server.url, clone]);
    expect((await readFile(join(clone, 'blob.bin'))).equals(content)).toBe(true);
  });

  it('answers ls-remote over protocol v2', async () => {
    const { stdout, stderr } = await git(['-c', 'protocol.version=2', 'ls-remote', server.url], {
      env: { GIT_TRACE_PACKET: '1' },
    });
    expect(stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
    // The server's capability advertisement starts with "version 2" when git-http-backend got Git-Protocol.
    expect(stderr).toMatch(/git< version 2/);
  });

  it('refuses a push without the credential, with a wrong one, and an anonymous force-push', async () => {
    const before = (await git(['ls-remote', server.url])).stdout;
    const dir = join(work, 'intruder');
    await git(['init', '-q', '-b', 'main', dir]);
    await commitBigFile(dir, 1024);
    await expect(git(['push', '-q', server.url, 'HEAD:refs/heads/main'], { cwd: dir })).rejects.toThrow(
      /could not read Username|Authentication failed|401/,
    );
    await expect(
      git(['push', '-q', '--force', server.url, 'HEAD:refs/heads/main'], { cwd: dir }),
    ).rejects.toThrow();
    await expect(
      git(['push', '-q', server.url, 'HEAD:refs/heads/other'], {
        cwd: dir,
        credential: 'gitops-lab:not-the-password',
      }),
    ).rejects.toThrow(/could not read Username|Authentication failed|401/);
    expect((await git(['ls-remote', server.url])).stdout).toBe(before);
    expect(server.log()).toMatch(/password doesn't match/);
  });
});

describe.runIf(lighttpdAvailable && runningAsRoot)('what made the Git server exit at start', () => {
  it('the old `server.errorlog = "/dev/stderr"` line fails as a non-root uid with a root-owned stderr pipe', async () => {
    const shipped = await readFile(join(imageDir, 'lighttpd.conf'), 'utf8');
    expect(shipped).not.toMatch(/^\s*server\.errorlog\s*=/m);
    const error = await startGitServer({
      users: [PUSHER],
      editConfig: (text) => `${text}\nserver.errorlog = "/dev/stderr"\n`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitServerExited);
    expect((error as GitServerExited).log).toMatch(
      /opening errorlog '\/dev\/stderr' failed: Permission denied/,
    );
  });
});

describe.runIf(lighttpdAvailable)('the Git server without its push credential', () => {
  it('does not start, and says which Secret is missing', async () => {
    const error = await startGitServer({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitServerExited);
    expect((error as GitServerExited).log).toMatch(/no push credential .*lab-git\/git-server-push/);
  });
});
