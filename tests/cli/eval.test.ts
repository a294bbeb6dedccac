import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answered, startFakeServer } from '../evals/fake-service.js';
import { cliPath, runCli } from '../support/cli.js';
import { startGeminiStub } from '../support/gemini-stub.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface JsonResult {
  total: number;
  passed: number;
  failed: number;
  ok: boolean;
  target: string;
  metrics: Record<string, unknown> & { latency_ms: { p50: number; p95: number; p99: number } };
  gates: { metric: string; op: string; threshold: number; value: number | null; ok: boolean }[];
  cases: { id: string; passed: boolean; reason?: string }[];
  baseline?: { regressed: { id: string }[]; improved: { id: string }[] };
}

describe('gitops-lab eval on the bundled suite', () => {
  it('passes every gate in-process and writes JSON, JUnit and Markdown reports', async () => {
    const json = join(dir, 'healthy.json');
    const junit = join(dir, 'healthy.xml');
    const markdown = join(dir, 'healthy.md');
    const result = await runCli(['eval', '--json', json, '--junit', junit, '--markdown', markdown]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/PASS: all \d+ gates hold/);
    expect(result.stdout).toContain('answer_accuracy');

    const report = JSON.parse(await readFile(json, 'utf8')) as JsonResult;
    expect(report.total).toBeGreaterThanOrEqual(80);
    expect(report.passed + report.failed).toBe(report.total);
    expect(report.ok).toBe(true);
    expect(report.target).toBe('in-process');
    expect(Object.keys(report.metrics).sort()).toEqual(
      [
        'abstain_precision',
        'abstain_recall',
        'answer_accuracy',
        'citation_accuracy',
        'f1',
        'exact_match',
        'answer_length_words',
        'latency_ms',
        'schema_validity',
        'workflow_completion_ratio',
      ].sort(),
    );
    expect(report.metrics.schema_validity).toBe(1);
    expect(report.gates.length).toBeGreaterThanOrEqual(6);
    expect(report.gates.every((gate) => gate.ok)).toBe(true);

    const xml = await readFile(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml).testsuites
      .testsuite;
    const testcases = ([] as { name: string }[]).concat(suite.testcase);
    expect(testcases.map((t) => t.name)).toEqual(report.cases.map((c) => c.id));

    expect(await readFile(markdown, 'utf8')).toMatch(/^## ✅ Doc-QA eval: all quality gates hold/);
  });

  it('fails the gates with exit 1 against a service with DOCQA_FAULTS=wrong-retrieval, listing regressions', async () => {
    const healthy = join(dir, 'baseline.json');
    await runCli(['eval', '--json', healthy]);
    const json = join(dir, 'faulty.json');
    const markdown = join(dir, 'faulty.md');
    const result = await runCli(['eval', '--json', json, '--markdown', markdown, '--baseline', healthy], {
      env: { DOCQA_FAULTS: 'wrong-retrieval' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL: \d+ of \d+ gates failed/);
    expect(result.stdout).toContain('Failing cases');
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonResult;
    expect(report.ok).toBe(false);
    expect(report.gates.some((gate) => gate.metric === 'citation_accuracy' && !gate.ok)).toBe(true);
    expect(report.baseline?.regressed.length ?? 0).toBeGreaterThan(10);
    // a degraded service still answers with valid JSON: the failure is quality, not HTTP
    expect(report.metrics.schema_validity).toBe(1);
    expect(await readFile(markdown, 'utf8')).toMatch(/Regressed \(\d+\)/);
  });

  it('prints the JSON result to stdout with --json -', async () => {
    const result = await runCli(['eval', '--json', '-', '--filter', 'canary']);
    const report = JSON.parse(result.stdout) as JsonResult;
    expect(result.code).toBe(report.ok ? 0 : 1);
    expect(report.total).toBeGreaterThan(0);
    expect(report.total).toBeLessThan(144);
    // the human summary goes to stderr so stdout stays parseable
    expect(result.stderr).toContain('answer_accuracy');
  });
});

describe('gitops-lab eval against --target', () => {
  it('replays the cases over HTTP against a running `gitops-lab serve`', async () => {
    const server = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('serve did not report its address in 20 s')), 20_000);
        let output = '';
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          if (match && match[1] !== '0') {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${match[1]}`);
          }
        };
        server.stdout.on('data', onData);
        server.stderr.on('data', onData);
        server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
      });
      const json = join(dir, 'http.json');
      const result = await runCli([
        'eval',
        '--target',
        url,
        '--json',
        json,
        '--concurrency',
        '4',
        '--filter',
        'argo',
      ]);
      const report = JSON.parse(await readFile(json, 'utf8')) as JsonResult;
      expect(result.code).toBe(report.ok ? 0 : 1);
      expect(report.target).toBe(url);
      expect(report.metrics.workflow_completion_ratio).toBe(1);
      // the engine is deterministic: over HTTP every case ends as it does in-process
      const local = JSON.parse(
        (await runCli(['eval', '--json', '-', '--filter', 'argo'])).stdout,
      ) as JsonResult;
      expect(report.cases.map((c) => [c.id, c.passed, c.reason])).toEqual(
        local.cases.map((c) => [c.id, c.passed, c.reason]),
      );
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      if (server.exitCode === null) server.kill('SIGTERM');
      await exited;
    }
  });

  it('keeps --concurrency requests in flight against a slow target, and times out per request', async () => {
    const server = await startFakeServer((question) => ({
      body: answered(`Use ignoreDifferences (${question})`),
      delayMs: question.includes('slow') ? 3000 : 250,
    }));
    try {
      const cases = join(dir, 'http-cases.yaml');
      await writeFile(
        cases,
        Array.from(
          { length: 12 },
          (_, i) =>
            `- id: case-${i}\n  question: question ${i}\n  expect: { status: answered, answer_contains: [ignoreDifferences], doc: argo-cd-and-hpa.md }\n`,
        ).join(''),
      );
      const result = await runCli(['eval', '--target', server.url, '--cases', cases, '--concurrency', '4']);
      expect(result.code).toBe(0);
      expect(server.requests()).toBe(12);
      expect(server.maxInFlight()).toBe(4);

      const slow = join(dir, 'slow-case.yaml');
      await writeFile(slow, '- id: slow-case\n  question: a slow one\n  expect: { status: answered }\n');
      const json = join(dir, 'slow.json');
      const timedOut = await runCli([
        'eval',
        '--target',
        server.url,
        '--cases',
        slow,
        '--timeout',
        '300',
        '--json',
        json,
      ]);
      expect(timedOut.code).toBe(1);
      expect(timedOut.stdout).toContain('timeout: no response within 300 ms');
      const report = JSON.parse(await readFile(json, 'utf8')) as JsonResult;
      expect(report.metrics.workflow_completion_ratio).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('exits 3 with a clear message when the target cannot be reached', async () => {
    const result = await runCli(['eval', '--target', 'http://127.0.0.1:9', '--timeout', '2000']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: Cannot reach the eval target http:\/\/127\.0\.0\.1:9/);
    expect(result.stderr).toContain('hint:');
  });
});

describe('gitops-lab eval --mode generative', () => {
  it('replays through Gemini (a local stub of its API) and counts fallbacks', async () => {
    const stub = await startGeminiStub({ scenario: 'good' });
    try {
      const env = { GEMINI_API_KEY: 'test-key', DOCQA_GEMINI_BASE_URL: stub.baseUrl };
      const good = await runCli(['eval', '--mode', 'generative', '--filter', 'hpa', '--json', '-'], { env });
      const report = JSON.parse(good.stdout) as JsonResult & {
        mode: string;
        counts: { runs: number; fallbacks: number };
      };
      expect(good.code).toBe(report.ok ? 0 : 1);
      expect(report.mode).toBe('generative');
      expect(report.target).toBe('in-process (generative)');
      expect(report.metrics.workflow_completion_ratio).toBe(1);
      expect(stub.requests.length).toBeGreaterThan(0);
      expect(stub.requests.every((request) => request.apiKey === 'test-key')).toBe(true);
      expect(report.counts.fallbacks).toBeLessThan(report.counts.runs);

      stub.scenario = 'malformed_json';
      const failing = await runCli(['eval', '--mode', 'generative', '--filter', 'hpa', '--json', '-'], {
        env,
      });
      const fallback = JSON.parse(failing.stdout) as typeof report;
      // every answered request fell back to the extractive answer, and the summary says so
      expect(fallback.counts.fallbacks).toBeGreaterThan(0);
      expect(failing.stderr).toMatch(/\d+ of \d+ responses fell back to extractive mode/);
    } finally {
      await stub.close();
    }
  });
});

describe('gitops-lab eval usage errors (exit 2)', () => {
  it.each([
    [['--concurrency', '0'], /--concurrency: expected a whole number from 1 to 64/],
    [['--repeat', 'many'], /--repeat: expected a whole number from 1 to 100/],
    [['--mode', 'magic'], /--mode: expected extractive or generative/],
    [['--cases', 'no/such/dir'], /Eval cases not found: no\/such\/dir does not exist/],
    [['--gates', 'no-gates.yaml'], /Gates file not found: no-gates\.yaml/],
    [['--baseline', 'no-baseline.json'], /Baseline file not found/],
    [['--filter', 'zzz-no-case-matches-this'], /--filter "zzz-no-case-matches-this" matches none of the/],
    [['--target', 'ftp://example'], /must be an http:\/\/ or https:\/\/ URL/],
    [['--target', 'http://127.0.0.1:9', '--corpus', '.'], /--corpus and --target cannot be used together/],
    [['--corpus', 'no/such/corpus'], /--corpus no\/such\/corpus is not a folder/],
  ])('eval %j', async (args, message) => {
    const result = await runCli(['eval', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('hint:');
  });

  it('requires GEMINI_API_KEY for --mode generative', async () => {
    const result = await runCli(['eval', '--mode', 'generative'], { env: { GEMINI_API_KEY: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--mode generative needs GEMINI_API_KEY, which is not set.');
  });

  it('names the file and case of an invalid case file', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      '- id: fine-case\n  question: ok?\n  expect: { status: answered }\n- id: Not Kebab\n  question: q\n  expect: { status: answered }\n',
    );
    const result = await runCli(['eval', '--cases', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'Invalid eval case in bad.yaml, case "Not Kebab" (#2): id: must be kebab-case',
    );
  });

  it('reports an unknown gate metric', async () => {
    const file = join(dir, 'bad-gates.yaml');
    await writeFile(file, 'gates:\n  - { metric: accuracy, op: ">=", threshold: 0.5 }\n');
    const result = await runCli(['eval', '--gates', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid gates file .*bad-gates\.yaml, gate #1 \(metric\)/);
  });
});
