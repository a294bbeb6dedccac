import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskResponseSchema } from '../../src/service/schemas.js';
import { runCli } from '../support/cli.js';
import { type ServeProcess, startServe } from '../support/serve.js';
import { EXAMPLE_QUESTION } from './helpers.js';

describe('gitops-lab serve', () => {
  let serve: ServeProcess;
  let url: string;
  beforeAll(async () => {
    serve = startServe(['--port', '0']);
    url = await serve.url;
  });
  afterAll(async () => {
    await serve.stop();
  });

  it('prints its URL and a curl example', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { stdout } = serve.output();
    expect(stdout).toContain('extractive mode');
    expect(stdout).toContain(`curl -s ${url}/v1/ask -H 'content-type: application/json'`);
  });

  it('answers the DESIGN example question from the bundled handbook with a cited answer', async () => {
    const response = await fetch(`${url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: EXAMPLE_QUESTION }),
    });
    expect(response.status).toBe(200);
    const body = AskResponseSchema.parse(await response.json());
    expect(body.status).toBe('answered');
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.answer).toMatch(/ignoreDifferences|replicas/i);
  });

  it('logs each request as a JSON line when stdout is not a terminal', async () => {
    await fetch(`${url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'serve-log-1' },
      body: JSON.stringify({ question: EXAMPLE_QUESTION }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = serve
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'request' && l.request_id === 'serve-log-1')).toMatchObject({
      status: 200,
      mode: 'extractive',
    });
  });

  it('opens a probe port when DOCQA_PROBE_PORT is set, and says where', async () => {
    const probed = startServe(['--port', '0'], { DOCQA_PROBE_PORT: '0' });
    try {
      await probed.url;
      const m = /; probes on (http:\/\/127\.0\.0\.1:\d+)/.exec(probed.output().stdout);
      expect(m).not.toBeNull();
      const health = await fetch(`${m?.[1]}/healthz`);
      expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    } finally {
      await probed.stop();
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await serve.stop()).toBe(0);
    expect(serve.output().stdout).toContain('doc-QA service stopped');
  });
});

describe('gitops-lab serve errors', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('exits 1 with a hint when the port is in use', async () => {
    const result = await runCli(['serve', '--port', String(busyPort)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: gitops-lab serve: Port ${busyPort} on 127.0.0.1 is already in use.`,
    );
    expect(result.stderr).toContain('hint:');
    expect(result.stderr).toContain('--port 0');
  });

  it('exits 1 with a hint naming DOCQA_PROBE_PORT when the probe port is in use', async () => {
    const result = await runCli(['serve', '--port', '0'], { env: { DOCQA_PROBE_PORT: String(busyPort) } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: gitops-lab serve: Probe port ${busyPort} on 127.0.0.1 is already in use.`,
    );
    expect(result.stderr).toContain('hint: Set DOCQA_PROBE_PORT to a free port');
  });

  it.each([
    [['--mode', 'creative'], '--mode: expected extractive or generative'],
    [['--port', 'http'], '--port: expected a port number from 0 to 65535'],
    [['--corpus', 'no/such/folder'], 'is not a folder'],
    [['--faults', 'disk-full'], 'unknown fault "disk-full"'],
  ])('rejects %j with exit 2', async (args, message) => {
    const result = await runCli(['serve', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('names a bad environment variable', async () => {
    const result = await runCli(['serve', '--port', '0'], { env: { DOCQA_MODE: 'creative' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DOCQA_MODE');
  });

  it('refuses generative mode without GEMINI_API_KEY', async () => {
    const result = await runCli(['serve', '--mode', 'generative'], { env: { GEMINI_API_KEY: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GEMINI_API_KEY');
  });
});

describe('gitops-lab serve on a terminal', () => {
  it('prints one short line per request instead of JSON', async () => {
    const { createTtyLogger } = await import('../../src/cli/handlers/serve.js');
    const { PassThrough } = await import('node:stream');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => {
      out += String(d);
    });
    stderr.on('data', (d: Buffer) => {
      err += String(d);
    });
    const logger = createTtyLogger({ stdout, stderr });
    logger.log('info', 'request', {
      method: 'POST',
      path: '/v1/ask',
      status: 200,
      latency_ms: 3.2,
      answer_status: 'answered',
      fallback_reason: 'timeout',
    });
    logger.log('warn', 'generative answer replaced by extractive', { reason: 'timeout' });
    const { stripVTControlCharacters } = await import('node:util');
    expect(stripVTControlCharacters(out).trim()).toBe('200 POST /v1/ask 3.2ms answered fallback=timeout');
    expect(stripVTControlCharacters(err).trim()).toBe(
      'warn generative answer replaced by extractive reason=timeout',
    );
  });
});
