import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/lab/canary/check.js';
import { parseTemplate } from '../../../src/lab/canary/template.js';
import { retarget, selectJsonPath } from '../../../src/lab/canary/web.js';

let server: Server;
let target: string;
const requests: { method?: string; url?: string; body: string; headers: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, body, headers: req.headers });
      if (req.url?.startsWith('/broken')) {
        res.writeHead(503).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { grounded: 0.42, ok: true, samples: [1, 2] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const template = parseTemplate(
  `kind: AnalysisTemplate
metadata: {name: web}
spec:
  metrics:
    - name: quality
      successCondition: result >= 0.9
      provider:
        web:
          url: http://docqa-canary.docqa.svc:8080/quality?window=5m
          method: POST
          jsonBody: {question: probe}
          headers: [{key: x-probe, value: "1"}]
          jsonPath: "{$.data.grounded}"
    - name: broken
      provider:
        web:
          url: http://docqa-canary.docqa.svc:8080/broken
`,
  'web.yaml',
);

describe('web metrics', () => {
  it('are Skipped without --run-jobs, and do not decide the verdict', async () => {
    const report = await runCheck({ template });
    expect(report.metrics.map((m) => m.phase)).toEqual(['Skipped', 'Skipped']);
    expect(report.metrics[0]?.reason).toContain('pass --run-jobs --target URL');
    expect(report.phase).toBe('Inconclusive');
    expect(report.message).toContain('no metric could be measured');
  });

  it('with --run-jobs call the URL at --target, select jsonPath and apply the conditions', async () => {
    const report = await runCheck({ template, runJobs: true, target });
    const [quality, broken] = report.metrics;
    expect(quality).toMatchObject({ phase: 'Failed', value: '0.42', url: `${target}/quality?window=5m` });
    const call = requests.find((r) => r.url?.startsWith('/quality'));
    expect(call).toMatchObject({ method: 'POST', body: '{"question":"probe"}' });
    expect(call?.headers['x-probe']).toBe('1');
    expect(broken).toMatchObject({ phase: 'Error', reason: 'received non 2xx response code: 503' });
    expect(report.phase).toBe('Failed');
    expect(report.exitCode).toBe(1);
  });

  it('retargets only the origin', () => {
    expect(retarget('http://svc.ns:8080/a/b?c=1', 'https://127.0.0.1:9000')).toBe(
      'https://127.0.0.1:9000/a/b?c=1',
    );
  });

  it.each([
    ['{$}', { a: 1 }, { value: { a: 1 } }],
    ['{$.a.b[1]}', { a: { b: [5, 6] } }, { value: 6 }],
    ["{$['a-b']}", { 'a-b': 'x' }, { value: 'x' }],
    ['{$.missing}', { a: 1 }, { error: 'jsonPath {$.missing} matches nothing in the response' }],
    [
      '{$..a}',
      { a: 1 },
      { error: "jsonPath {$..a}: only .field, ['field'] and [index] steps are supported" },
    ],
  ])('selects %s', (path, body, expected) => {
    expect(selectJsonPath(body, path)).toEqual(expected);
  });
});
