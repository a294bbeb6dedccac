import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvalResult, evaluate } from '../../src/evals/evaluate.js';
import { escapeXml, renderJunit } from '../../src/evals/reports/junit.js';
import { escapeMarkdown, renderMarkdown } from '../../src/evals/reports/markdown.js';
import { writeReportFile } from '../../src/evals/reports/write.js';
import { fetchTarget } from '../../src/evals/targets.js';
import { abstained, answered, fakeHandler, type Script } from './fake-service.js';

const CASES = `- id: hpa-ignore
  question: How do I stop Argo CD fighting my HPA?
  expect: { status: answered, answer_contains: [ignoreDifferences], doc: argo-cd-and-hpa.md }
  tags: [hpa]
- id: canary-steps
  question: How are canary steps defined?
  expect: { status: answered, answer_contains: [setWeight], doc: argo-rollouts-canary.md }
- id: weird-chars
  question: What does <b>&"quote"'|pipe| mean?
  expect: { status: answered, answer_contains: ["a|b"], doc: x.md }
- id: no-database
  question: Which database does the lab use?
  expect: { status: insufficient_context }
`;

const GATES = `gates:
  - { metric: answer_accuracy, op: ">=", threshold: 0.6 }
  - { metric: abstain_recall, op: ">=", threshold: 1 }
  - { metric: schema_validity, op: ">=", threshold: 1 }
`;

/** A healthy service answers everything right but the weird-chars case. */
const healthy: Script = (q) => {
  if (q.includes('HPA'))
    return { body: answered('Use ignoreDifferences on /spec/replicas.', ['argo-cd-and-hpa.md']) };
  if (q.includes('canary'))
    return { body: answered('With setWeight and pause steps.', ['argo-rollouts-canary.md']) };
  if (q.includes('database')) return { body: abstained() };
  return { body: answered('Control \u0001 chars & <tags> "quoted"', ['y.md']) };
};

/** A regressed service: the canary case loses its citation, the database case gets a made-up answer. */
const regressed: Script = (q) => {
  if (q.includes('canary'))
    return { body: answered('With setWeight and pause steps.', ['image-pinning.md']) };
  if (q.includes('database')) return { body: answered('PostgreSQL.', ['app-of-apps.md']) };
  return healthy(q);
};

let dir: string;
let casesFile: string;
let gatesFile: string;

async function runWith(script: Script, extra: { baselinePath?: string } = {}): Promise<EvalResult> {
  return evaluate({
    casesPath: casesFile,
    gatesPath: gatesFile,
    mode: 'extractive',
    createTarget: async () =>
      fetchTarget(fakeHandler(script), 'http://fake/v1/ask', {
        timeoutMs: 2000,
        description: 'fake service',
      }),
    now: () => new Date('2026-01-02T03:04:05.000Z'),
    ...extra,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-reports-'));
  casesFile = join(dir, 'cases.yaml');
  gatesFile = join(dir, 'gates.yaml');
  await writeFile(casesFile, CASES);
  await writeFile(gatesFile, GATES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evaluate', () => {
  it('summarises cases, metrics and gates', async () => {
    const result = await runWith(healthy);
    expect(result).toMatchObject({ total: 4, passed: 3, failed: 1, ok: true, target: 'fake service' });
    expect(result.metrics.answer_accuracy).toBeCloseTo(2 / 3, 4);
    expect(result.metrics.abstain_recall).toBe(1);
    expect(result.gates.map((g) => g.ok)).toEqual([true, true, true]);
    const weird = result.cases.find((c) => c.id === 'weird-chars');
    expect(weird).toMatchObject({
      passed: false,
      failure_kind: 'missing-strings',
      reason: 'missing from answer: "a|b"',
    });
  });

  it('fails the gates on a regressed service', async () => {
    const result = await runWith(regressed);
    expect(result.ok).toBe(false);
    expect(result.gates.find((g) => g.metric === 'abstain_recall')).toMatchObject({ value: 0, ok: false });
  });
});

describe('JUnit XML', () => {
  it('is valid XML with one testcase per case, named by id, with the reason as failure message', async () => {
    const result = await runWith(healthy);
    const xml = renderJunit(result);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suites = parsed.testsuites;
    expect(suites.tests).toBe('4');
    expect(suites.failures).toBe('1');
    const suite = suites.testsuite;
    expect(suite.timestamp).toBe('2026-01-02T03:04:05.000Z');
    const testcases = suite.testcase as {
      name: string;
      classname: string;
      failure?: { message: string; type: string; '#text': string };
    }[];
    expect(testcases.map((t) => t.name)).toEqual([
      'hpa-ignore',
      'canary-steps',
      'weird-chars',
      'no-database',
    ]);
    expect(testcases[0]?.classname).toBe('evals.cases');
    expect(testcases.filter((t) => t.failure).map((t) => t.name)).toEqual(['weird-chars']);
    const failure = testcases[2]?.failure;
    expect(failure?.type).toBe('missing-strings');
    expect(failure?.message).toBe('missing from answer: "a|b"');
    // element text is unescaped by the parser back to the original (control characters dropped)
    expect(failure?.['#text']).toContain('What does <b>&"quote"\'|pipe| mean?');
    expect(failure?.['#text']).toContain('answer: Control  chars & <tags> "quoted"');
    const properties = (suite.properties.property as { name: string; value: string }[]).map((p) => [
      p.name,
      p.value,
    ]);
    expect(properties).toContainEqual(['answer_accuracy', String(result.metrics.answer_accuracy)]);
    expect(properties).toContainEqual(['gate abstain_recall >= 1', '1 (ok)']);
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    expect(escapeXml(`a<b>&"c"'d'\u0000\u0007e\uD800`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;e');
    expect(escapeXml('😀 line\nnext')).toBe('😀 line&#10;next');
  });
});

describe('Markdown summary', () => {
  it('gives the verdict, the metrics against their gates and the failures', async () => {
    const markdown = renderMarkdown(await runWith(regressed));
    expect(markdown).toMatch(/^## ❌ Doc-QA eval: 1 quality gate failed/);
    expect(markdown).toContain('**1/4** cases passed');
    expect(markdown).toContain('| abstain_recall | 0.000 | ❌ >= 1 |');
    expect(markdown).toContain('| answer_accuracy | 0.667 | ✅ >= 0.6 |');
    expect(markdown).toContain('| f1 |');
    expect(markdown).toContain(
      '- `canary-steps`: wrong citation: expected argo-rollouts-canary.md, cited image-pinning.md',
    );
    // pipes in reasons cannot break the layout
    expect(markdown).toContain('missing from answer: "a\\|b"');
    expect(escapeMarkdown('a|b\nc <script>')).toBe('a\\|b c &lt;script&gt;');
  });

  it('draws a reliability diagram and states the expected calibration error', async () => {
    const result = await runWith(healthy);
    const markdown = renderMarkdown(result);
    expect(result.calibration.answered).toBeGreaterThan(0);
    expect(markdown).toContain('### Calibration');
    expect(markdown).toMatch(/Expected calibration error \*\*\d\.\d{3}\*\*/);
    const svg = /<svg[\s\S]*?<\/svg>/.exec(markdown)?.[0] ?? '';
    expect(svg).toContain('aria-label="reliability diagram"');
    // one bar for each bin that holds answers
    const filled = result.calibration.bins.filter((bin) => bin.count > 0).length;
    expect(svg.match(/<rect [^>]*fill="#4a90d9"/g)?.length).toBe(filled);
  });

  it('says so when every gate holds', async () => {
    expect(renderMarkdown(await runWith(healthy))).toMatch(/^## ✅ Doc-QA eval: all quality gates hold/);
  });
});

describe('baseline comparison', () => {
  it('lists regressed and improved cases and metric deltas', async () => {
    const baselineFile = join(dir, 'baseline.json');
    await writeFile(baselineFile, JSON.stringify(await runWith(healthy)));
    const result = await runWith(regressed, { baselinePath: baselineFile });
    expect(result.baseline?.regressed).toEqual([
      {
        id: 'canary-steps',
        reason: 'wrong citation: expected argo-rollouts-canary.md, cited image-pinning.md',
      },
      { id: 'no-database', reason: 'status: expected insufficient_context, got answered ("PostgreSQL.")' },
    ]);
    expect(result.baseline?.improved).toEqual([]);
    expect(result.baseline?.metrics.find((m) => m.metric === 'abstain_recall')).toEqual({
      metric: 'abstain_recall',
      before: 1,
      after: 0,
      delta: -1,
    });
    const markdown = renderMarkdown(result);
    expect(markdown).toContain('**Regressed (2)**');
    expect(markdown).toContain('| abstain_recall | 0.000 | ❌ >= 1 | −1.000 |');

    // and the other way round: improvements
    const regressedFile = join(dir, 'regressed.json');
    await writeFile(regressedFile, JSON.stringify(result));
    const back = await runWith(healthy, { baselinePath: regressedFile });
    expect(back.baseline?.improved.map((c) => c.id)).toEqual(['canary-steps', 'no-database']);
    expect(back.baseline?.regressed).toEqual([]);
  });

  it('names added and removed cases', async () => {
    const file = join(dir, 'other.json');
    const previous = await runWith(healthy);
    const [first, ...rest] = previous.cases;
    if (first === undefined) throw new Error('no cases');
    previous.cases = [...rest, { ...first, id: 'retired-case' }];
    await writeFile(file, JSON.stringify(previous));
    const result = await runWith(healthy, { baselinePath: file });
    expect(result.baseline?.added).toEqual(['hpa-ignore']);
    expect(result.baseline?.removed).toEqual(['retired-case']);
  });

  it('rejects a baseline that is not an eval result', async () => {
    const file = join(dir, 'not-a-result.json');
    await writeFile(file, '{"hello": 1}');
    await expect(runWith(healthy, { baselinePath: file })).rejects.toThrow(/is not an eval result/);
    await writeFile(file, 'nope');
    await expect(runWith(healthy, { baselinePath: file })).rejects.toThrow(/is not JSON/);
    await expect(runWith(healthy, { baselinePath: join(dir, 'absent.json') })).rejects.toThrow(
      /Baseline file not found/,
    );
  });
});

describe('atomic writes', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const file = join(dir, 'out', 'report.json');
    await writeReportFile(file, 'first', '--json');
    await writeReportFile(file, 'second', '--json');
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'out'))).toEqual(['report.json']);
  });

  it('reports an unwritable destination as a usage error naming the flag', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(writeReportFile(join(dir, 'a-file', 'report.xml'), 'x', '--junit')).rejects.toThrow(
      /Cannot write --junit .*report\.xml/,
    );
  });
});
