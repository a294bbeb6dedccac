/** `serve` binds --host, else $DOCQA_HOST, else 127.0.0.1, as docs/service.md's environment table says. */
import { describe, expect, it } from 'vitest';
import { startServe } from '../support/serve.js';

async function boundUrl(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const serve = startServe(['--port', '0', ...args], env);
  try {
    return await serve.url;
  } finally {
    await serve.stop();
  }
}

describe('gitops-lab serve: which address it binds', () => {
  it('DOCQA_HOST sets the address when --host is not given', async () => {
    expect(await boundUrl([], { DOCQA_HOST: '0.0.0.0' })).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  }, 60_000);

  it('--host wins over DOCQA_HOST', async () => {
    expect(await boundUrl(['--host', '127.0.0.1'], { DOCQA_HOST: '0.0.0.0' })).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+$/,
    );
  }, 60_000);

  it('loopback by default', async () => {
    expect(await boundUrl([], { DOCQA_HOST: '' })).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  }, 60_000);
});
