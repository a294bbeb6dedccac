/**
 * Running `git` for the lab's own Git work (drill commits and reverts, pin commits), with three guarantees the
 * generic Runner does not give:
 *
 * - credentials never reach argv or disk: a token travels as an `http.<url>.extraHeader` set through
 *   GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n (git 2.31+, git-config(1) "ENVIRONMENT"), so `ps`
 *   shows the plain URL and a clone's .git/config holds no secret;
 * - every git runs in a process group of its own (it does not get the terminal's Ctrl-C or hang-up), and a
 *   time limit kills the whole group: for a local or file:// remote that includes the receiving side
 *   (git-receive-pack and its hooks), so a killed push has either landed or not, never "later";
 * - every exit status is checked, and a failure names the command and git's own stderr (not only its last
 *   "To <remote>" line).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LabError } from '../../errors.js';

/** The environment that hands `token` to git for `url` (http or https), without putting it anywhere else. */
export function gitAuthEnv(url: string, token: string | undefined): Record<string, string> {
  if (!token || !/^https?:\/\//i.test(url)) return {};
  const origin = new URL(url);
  const scope = `${origin.protocol}//${origin.host}/`;
  // GitHub, GitLab and Gitea accept HTTP Basic with any user name and the token as password.
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${scope}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** A URL without user name or password (what may be shown and stored). */
export function withoutCredentials(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export interface GitOptions {
  cwd?: string;
  /** Extra environment variables (over the process environment). */
  env?: Record<string, string>;
  /** Kills the git process group: the caller's time limit. */
  signal?: AbortSignal;
  /** Hide these strings wherever the command or its output is shown. */
  secrets?: string[];
  /** Called with the pid (and process group) of git as soon as it started. */
  onSpawn?: (pid: number) => void;
  /** A non-zero exit is returned, not thrown. */
  allowFailure?: boolean;
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A git command exited non-zero, or was killed. `stderr` is git's own, secrets masked. */
export class GitCommandError extends LabError {
  constructor(
    readonly command: string,
    readonly gitExitCode: number | null,
    readonly stderr: string,
    readonly killed: boolean,
  ) {
    super(
      `${command} ${killed ? 'was stopped' : `failed (exit ${gitExitCode})`}: ${summariseGitError(stderr)}`,
      1,
      {
        hint: 'Fix what git reported, then run the command again.',
      },
    );
  }
}

/**
 * The lines of git's stderr that say what went wrong: "To <remote>" / "From <remote>" and progress lines are
 * dropped, hints kept short; "(no message from git)" when it printed nothing (a hook that just exits 1).
 */
export function summariseGitError(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line && !/^(To|From) \S/.test(line) && !/^hint: /.test(line));
  if (lines.length === 0) return '(no message from git)';
  return lines.slice(-4).join(' | ');
}

const baseEnv = {
  GIT_TERMINAL_PROMPT: '0',
  // A lab commit is never signed or edited interactively.
  GIT_EDITOR: 'true',
};

function mask(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

/** Sends `signal` to the process group of `child` (or to the child alone where groups do not exist). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function git(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const secrets = [...(options.secrets ?? [])];
  const shown = mask(`git ${args.join(' ')}`, secrets);
  if (options.signal?.aborted) throw new GitCommandError(shown, null, 'stopped before it started', true);
  const child = spawn('git', args, {
    cwd: options.cwd,
    env: { ...process.env, ...baseEnv, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: the terminal's signals go to gitops-lab, which decides; a kill reaches git's children.
    detached: process.platform !== 'win32',
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let killed = false;
  let escalate: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killed = true;
    killGroup(child, 'SIGTERM');
    escalate = setTimeout(() => killGroup(child, 'SIGKILL'), 2_000);
    escalate.unref();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    stderr = mask(stderr, secrets);
    stdout = mask(stdout, secrets);
    if (killed || exitCode === null) throw new GitCommandError(shown, exitCode, stderr, true);
    if (exitCode !== 0 && !options.allowFailure) throw new GitCommandError(shown, exitCode, stderr, false);
    return { exitCode, stdout, stderr };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LabError('`git` was not found on PATH.', 3, {
        hint: 'Install git: https://git-scm.com/downloads (Debian/Ubuntu: `sudo apt-get install git`)',
      });
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (escalate) clearTimeout(escalate);
  }
}

/** Whether a process is still running (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; Z is a zombie nobody reaped yet (it did exit).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Kills a process group left behind (`--recover` after a killed run). */
export function killProcessGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // already gone
  }
}
