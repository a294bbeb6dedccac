/**
 * A private Git server over HTTP for tests: git's own `git http-backend` (CGI, shipped with the Debian git
 * package) behind a small node:http front on 127.0.0.1 that answers 401 to any request without the expected
 * `Authorization: Basic` header, as GitHub does for a private repository. Reads and pushes both need it, so a
 * clone or push that works proves the credential reached git.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitEnv } from '../pin/lab-repo.js';

export interface GitHttpServer {
  /** http://127.0.0.1:PORT/lab.git */
  url: string;
  /** The bare repository behind it. */
  bare: string;
  /** Requests refused for a missing or wrong credential. */
  refused: number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Serves a bare repository seeded from `seed` (a folder committed as one commit on main). */
export async function startGitHttpServer(options: { token: string; seed: string }): Promise<GitHttpServer> {
  const root = await mkdtemp(join(tmpdir(), 'gitops-lab-git-http-'));
  const bare = join(root, 'lab.git');
  const env = { ...process.env, ...gitEnv };
  const git = (...args: string[]) => execFileSync('git', args, { env, encoding: 'utf8' });
  git('init', '-q', '--bare', '-b', 'main', bare);
  const work = join(root, 'seed');
  git('clone', '-q', bare, work);
  execFileSync('cp', ['-a', `${options.seed}/.`, work]);
  git('-C', work, 'add', '-A');
  git('-C', work, 'commit', '-q', '-m', 'lab manifests');
  git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
  await rm(work, { recursive: true, force: true });
  const expected = `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`;

  const state = { refused: 0 };
  const server = createServer(async (req, res) => {
    const input = await body(req);
    if (req.headers.authorization !== expected) {
      state.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="lab"', 'Content-Type': 'text/plain' });
      res.end('credential required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: 'x-access-token',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(input.length),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    cgi.stdin.end(input);
    const chunks: Buffer[] = [];
    for await (const chunk of cgi.stdout) chunks.push(chunk as Buffer);
    const out = Buffer.concat(chunks);
    const split = out.indexOf('\r\n\r\n');
    const head = out.subarray(0, split).toString('utf8').split('\r\n');
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head) {
      const at = line.indexOf(':');
      const name = line.slice(0, at).trim();
      const value = line.slice(at + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else if (name) headers[name] = value;
    }
    res.writeHead(status, headers);
    res.end(out.subarray(split + 4));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/lab.git`,
    bare,
    get refused() {
      return state.refused;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
