/**
 * Runs the lab's Git server image for tests, for real: the image's own entrypoint.sh and lighttpd.conf
 * (manifests/bootstrap/git-server/image, copied byte for byte into a temporary folder) with Debian's lighttpd
 * and git-http-backend, on a free port on 127.0.0.1.
 *
 * Only what the entrypoint documents as settable through the environment differs from the container: the port,
 * the bind address, the repository root, the temporary folder, the push credential file and the config path
 * (GIT_SERVER_*). The backend comes from `git --exec-path`, as in the image.
 *
 * As root (CI runs as root), the server runs as the unprivileged uid/gid 65534 (nobody) with no supplementary
 * groups, and its stdout/stderr are pipes this (root) process creates: the situation of a container under
 * containerd's runc shim, whose stdio pipes belong to root. That is what makes `server.errorlog = "/dev/stderr"`
 * fail with EACCES, as it does in the cluster.
 *
 * Tests of the lab's own Git client against a private remote (a GitHub repository: 401 to any request without
 * the credential) use the same server with `private: true`, the credential as a push user and a `seed`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './prometheus.js';

const run = promisify(execFile);

export const imageDir = join(
  import.meta.dirname,
  '..',
  '..',
  'manifests',
  'bootstrap',
  'git-server',
  'image',
);
export const lighttpdBinary = process.env.LIGHTTPD_BIN ?? '/usr/sbin/lighttpd';
export const lighttpdAvailable = existsSync(lighttpdBinary);
export const lighttpdInstallHint =
  'install it with `sudo apt-get install -y --no-install-recommends lighttpd git`';
/** Root can drop to an unprivileged uid whose stdio pipes it owns (the containerd situation). */
export const runningAsRoot = process.getuid?.() === 0;
const NOBODY = 65534;

export interface GitServerOptions {
  /** The push credential lines ("user:password"); omit to start without the credential file. */
  users?: string[];
  /** Rewrites the image's lighttpd.conf before the start (to prove what an old line did). */
  editConfig?: (text: string) => string;
  /** Reads need the credential too (a private GitHub repository), not only pushes. */
  private?: boolean;
  /** A folder whose files become lab.git's first commit on main before the start (else the entrypoint makes it empty). */
  seed?: string;
}

export interface RunningGitServer {
  /** http://127.0.0.1:PORT/lab.git */
  url: string;
  /** The bare repository it serves. */
  bare: string;
  /** Runs git in the bare repository as the server's user (so the repository stays the server's), returns stdout. */
  repoGit(args: string[]): Promise<string>;
  /** The server's stdout and stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Test-only addition to the image's config for `private: true`: every request needs the credential, as GitHub
 * answers 401 without it for a private repository.
 */
const privateReads =
  '\n# tests: a private repository, reads need the credential too\nauth.require = ( "" => ( "method" => "basic", "realm" => "gitops-lab", "require" => "valid-user" ) )\n';

/** Git's identity and no global or system config, for the commits the helpers make. */
const gitIdentity = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Makes `bare` a repository whose main holds the files of `seed` as one commit (as the entrypoint would init it). */
async function seedRepository(bare: string, seed: string, scratch: string): Promise<void> {
  const env = { ...process.env, ...gitIdentity };
  const work = join(scratch, 'seed');
  await run('git', ['init', '-q', '--bare', '--initial-branch=main', bare], { env });
  await run('git', ['-C', bare, 'config', 'receive.denyNonFastForwards', 'false'], { env });
  await run('git', ['clone', '-q', bare, work], { env });
  await run('cp', ['-a', `${seed}/.`, work]);
  await run('git', ['-C', work, 'add', '-A'], { env });
  await run('git', ['-C', work, 'commit', '-q', '-m', 'lab manifests'], { env });
  await run('git', ['-C', work, 'push', '-q', 'origin', 'HEAD:main'], { env });
  await rm(work, { recursive: true, force: true });
}

/** Thrown when the server exits before it serves; `log` holds what it printed. */
export class GitServerExited extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly log: string,
  ) {
    super(`the Git server exited with ${exitCode} before it started:\n${log}`);
  }
}

async function own(path: string): Promise<void> {
  if (runningAsRoot) await chown(path, NOBODY, NOBODY);
}

export async function startGitServer(options: GitServerOptions = {}): Promise<RunningGitServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gitops-lab-git-server-'));
  await chmod(dir, 0o755);
  const files = {
    conf: join(dir, 'lighttpd.conf'),
    entrypoint: join(dir, 'entrypoint.sh'),
    users: join(dir, 'push-users'),
    root: join(dir, 'srv'),
    tmp: join(dir, 'tmp'),
  };
  await copyFile(join(imageDir, 'entrypoint.sh'), files.entrypoint);
  const shipped = await readFile(join(imageDir, 'lighttpd.conf'), 'utf8');
  const conf = options.private ? `${shipped}${privateReads}` : shipped;
  await writeFile(files.conf, options.editConfig ? options.editConfig(conf) : conf);
  if (options.users) {
    await writeFile(files.users, `${options.users.join('\n')}\n`);
    // As from a Secret volume: readable by the server's group only.
    await chmod(files.users, 0o440);
  }
  await mkdir(files.root);
  await mkdir(files.tmp);
  const bare = join(files.root, 'lab.git');
  if (options.seed) {
    await seedRepository(bare, options.seed, dir);
    if (runningAsRoot) await run('chown', ['-R', `${NOBODY}:${NOBODY}`, bare]);
  }
  for (const path of [dir, files.root, files.tmp, ...(options.users ? [files.users] : [])]) await own(path);

  const port = await freePort();
  // The server's stdout and stderr: a FIFO that root creates with mode 0600 and holds open, as containerd's
  // shim does for a container's stdio (node's own 'pipe' would be a socketpair, which cannot be reopened at all).
  const fifo = join(dir, 'stdio.fifo');
  await run('mkfifo', ['-m', '0600', fifo]);
  // Plain descriptors (not FileHandles, which the garbage collector would close under the socket).
  const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeEnd = openSync(fifo, constants.O_WRONLY);
  const reader = new Socket({ fd: readEnd, readable: true, writable: false });
  const child: ChildProcess = spawn('sh', [files.entrypoint], {
    cwd: dir,
    stdio: ['ignore', writeEnd, writeEnd],
    ...(runningAsRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    env: {
      PATH: `${dirname(lighttpdBinary)}:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: dir,
      GIT_SERVER_PORT: String(port),
      GIT_SERVER_BIND: '127.0.0.1',
      GIT_SERVER_ROOT: files.root,
      GIT_SERVER_TMP: files.tmp,
      GIT_SERVER_USERFILE: files.users,
      GIT_SERVER_CONF: files.conf,
    },
  });
  closeSync(writeEnd);
  let output = '';
  // The output ends when the server has exited (the last writer closed the FIFO); then its exit code.
  const drained = new Promise<void>((resolve) => reader.once('close', () => resolve()));
  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const exited = Promise.all([exitCode, drained]).then(([code]) => code);
  // lighttpd prints "server started" once it listens: wait for that line (or for the exit), no polling.
  const started = new Promise<void>((resolve) => {
    reader.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      if (/server started/.test(output)) resolve();
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const first = await Promise.race([started.then(() => 'started' as const), exited]);
  if (first !== 'started') {
    await stop();
    throw new GitServerExited(first, output);
  }
  const repoGit = async (args: string[]) =>
    (
      await run('git', args, {
        cwd: bare,
        env: { ...process.env, ...gitIdentity, HOME: dir },
        maxBuffer: 64 * 1024 * 1024,
        ...(runningAsRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      })
    ).stdout;
  return { url: `http://127.0.0.1:${port}/lab.git`, bare, repoGit, log: () => output, stop };
}

/**
 * Runs git with a push credential supplied the way the lab's tools supply it: an Authorization header in the
 * environment (GIT_CONFIG_COUNT / http.extraHeader), never in the URL or the arguments.
 */
export async function git(
  args: string[],
  options: { cwd?: string; credential?: string; env?: Record<string, string> } = {},
): Promise<{ stdout: string; stderr: string }> {
  const auth = options.credential
    ? {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(options.credential).toString('base64')}`,
      }
    : {};
  return run('git', args, {
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...gitIdentity, ...auth, ...options.env },
  });
}
