/** `eval --target` at a server that is not a doc-QA service: one clear error, exit 3, before any case runs. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serverAnswering(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('gitops-lab eval --target at something else', () => {
  it('a server that answers 404 to everything: exit 3, named, no case replayed', async () => {
    let asks = 0;
    const url = await serverAnswering((req, res) => {
      if (req.url?.includes('/v1/ask')) asks++;
      res.statusCode = 404;
      res.end('404 page not found');
    });
    const result = await runCli(['eval', '--target', url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `The eval target ${url} is not a doc-QA service: GET /openapi.json gave HTTP 404`,
    );
    expect(result.stderr).toMatch(/\nhint: Point --target at the base URL of a doc-QA service/);
    expect(result.stdout).not.toContain('404');
    expect(asks).toBe(0);
  });

  it('a server that answers 200 with something other than the contract: exit 3', async () => {
    const url = await serverAnswering((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"success","data":{}}');
    });
    const result = await runCli(['eval', '--target', url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('it does not describe POST /v1/ask');
  });
});
