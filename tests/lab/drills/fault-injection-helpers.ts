/**
 * Test support for the fault-injection suite: the places where a drill can be stopped, held open by the test
 * itself, so every interrupt lands exactly where it is meant to (no sleeps, no timing luck).
 *
 * - `startHoldingProxy`: an HTTP proxy in front of the fake API server (tests/support/fake-kube). A hold
 *   catches the first request that matches, reads it whole (the server has it), and forwards it only when the
 *   test releases it — even if the client gave up meanwhile, as a real API server applies what it received.
 *   The hold tells when it caught its request and whether the client closed the connection while held.
 * - `startGitRemote`: a real bare repository with a pre-receive hook that, when armed, announces itself and
 *   waits until the test releases it: a push in flight for as long as the test wants.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../../../src/lab/sim/kubeconfig.js';
import { cliPath, repoRoot } from '../../support/cli.js';
import { gitEnv } from '../pin/lab-repo.js';

/** Waits (bounded) until `condition` holds; the bound only turns a hang into a clear failure. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface CliRun {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  output(): string;
  stdout(): string;
  exited: Promise<number | null>;
  waitFor(pattern: RegExp): Promise<void>;
}

/** Starts the built CLI as a child process (real signals, real exit). */
export function startCli(args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): CliRun {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    waitFor: (pattern) =>
      until(() => pattern.test(output), `${pattern} in the output of gitops-lab ${args[0]}:\n${output}`),
  };
}

export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  path: string;
  body: string;
}

export interface Hold {
  /** True once a request was caught. */
  readonly caught: boolean;
  /** Resolves when a request is caught. */
  readonly reached: Promise<void>;
  /** Resolves when the client closes the caught request's connection before it is released (it gave up). */
  readonly abandoned: Promise<void>;
  /** Lets the caught request through (or the next one, if none was caught yet). */
  release(): void;
}

export interface HoldingProxy {
  url: string;
  kubeconfigPath: string;
  /** Every request, in order. */
  readonly requests: ProxiedRequest[];
  /** Holds the first request for which `match` is true. */
  hold(match: (request: ProxiedRequest) => boolean): Hold;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A promise and the function that resolves it. */
function signalled(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export async function startHoldingProxy(upstream: string, dir: string): Promise<HoldingProxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  interface HoldEntry {
    match: (r: ProxiedRequest) => boolean;
    caught: boolean;
    isReleased: boolean;
    released: Promise<void>;
    release: () => void;
    onCaught: () => void;
    onAbandoned: () => void;
  }
  const holds: HoldEntry[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const seen: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      body: body.toString('utf8'),
    };
    requests.push(seen);
    const hold = holds.find((h) => !h.caught && h.match(seen));
    if (hold) {
      hold.caught = true;
      hold.onCaught();
      res.once('close', () => {
        if (!hold.isReleased) hold.onAbandoned();
      });
      await hold.released;
    }
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: seen.method,
        path: seen.path,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamRes) => {
        if (res.destroyed) {
          upstreamRes.resume();
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kubeconfigPath: writeKubeconfig({ server: url, dir }),
    requests,
    hold(match) {
      const released = signalled();
      const reached = signalled();
      const abandoned = signalled();
      const entry: HoldEntry = {
        match,
        caught: false,
        isReleased: false,
        released: released.promise,
        release: () => {
          entry.isReleased = true;
          released.resolve();
        },
        onCaught: reached.resolve,
        onAbandoned: abandoned.resolve,
      };
      holds.push(entry);
      return {
        get caught() {
          return entry.caught;
        },
        reached: reached.promise,
        abandoned: abandoned.promise,
        release: entry.release,
      };
    },
    async close() {
      // A request still held is let go (to a closed socket): nothing waits on the test any more.
      for (const h of holds) {
        h.caught = true;
        h.release();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface GitRemote {
  /** The bare repository (what `--repo` points at). */
  bare: string;
  /** The tree of main before any drill. */
  initialTree: string;
  tree(): string;
  subjects(): string[];
  /** The next push waits in pre-receive until `release()`. */
  arm(): void;
  /** True while an armed push waits. */
  entered(): boolean;
  release(): void;
  remove(): Promise<void>;
}

const seedEnv = { ...process.env, ...gitEnv };

export async function startGitRemote(): Promise<GitRemote> {
  const root = await mkdtemp(join(tmpdir(), 'gitops-lab-faults-'));
  const bare = join(root, 'lab.git');
  const gate = join(root, 'gate');
  const seed = join(root, 'seed');
  await mkdir(gate);
  const git = (...args: string[]) => execFileSync('git', args, { env: seedEnv, encoding: 'utf8' }).trim();
  git('init', '-q', '--bare', '-b', 'main', bare);
  await cp(join(repoRoot, 'manifests'), seed, { recursive: true });
  git('-C', seed, 'init', '-q', '-b', 'main');
  git('-C', seed, 'add', '-A');
  git('-C', seed, 'commit', '-q', '-m', 'lab manifests');
  git('-C', seed, 'push', '-q', bare, 'main');
  await rm(seed, { recursive: true, force: true });
  // Armed: take the arm (one push only), say so, and wait for the release file the test writes.
  const hook = join(bare, 'hooks', 'pre-receive');
  await writeFile(
    hook,
    [
      '#!/bin/sh',
      `gate='${gate}'`,
      'cat >/dev/null',
      'if [ -e "$gate/armed" ]; then',
      '  rm -f "$gate/armed"',
      '  : > "$gate/entered"',
      '  while [ ! -e "$gate/release" ]; do sleep 0.02; done',
      '  rm -f "$gate/entered" "$gate/release"',
      'fi',
      'exit 0',
      '',
    ].join('\n'),
  );
  await chmod(hook, 0o755);
  const tree = () => git('--git-dir', bare, 'rev-parse', 'main^{tree}');
  return {
    bare,
    initialTree: tree(),
    tree,
    subjects: () => git('--git-dir', bare, 'log', '--format=%s', 'main').split('\n'),
    arm: () => execFileSync('touch', [join(gate, 'armed')]),
    entered: () => existsSync(join(gate, 'entered')),
    release: () => execFileSync('touch', [join(gate, 'release')]),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
