import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../src/errors.js';
import { filterCases, loadCases, parseCaseFile } from '../../src/evals/cases.js';

const valid = `- id: hpa-ignore-replicas
  question: How do I keep Argo CD from undoing the replica count my autoscaler sets?
  expect:
    status: answered
    answer_contains: ["ignoreDifferences"]
    doc: argo-cd-and-hpa.md
  tags: [argo, hpa]
- id: which-database
  question: Which database does the doc-QA service store answers in?
  expect: { status: insufficient_context }
`;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('parsing a case file', () => {
  it('reads a list of cases with defaults', () => {
    const { cases, warnings } = parseCaseFile(valid, 'argo.yaml');
    expect(warnings).toEqual([]);
    expect(cases).toEqual([
      {
        id: 'hpa-ignore-replicas',
        question: 'How do I keep Argo CD from undoing the replica count my autoscaler sets?',
        expect: { status: 'answered', answer_contains: ['ignoreDifferences'], doc: 'argo-cd-and-hpa.md' },
        tags: ['argo', 'hpa'],
        file: 'argo.yaml',
      },
      {
        id: 'which-database',
        question: 'Which database does the doc-QA service store answers in?',
        expect: { status: 'insufficient_context' },
        tags: [],
        file: 'argo.yaml',
      },
    ]);
  });

  it('accepts a single expected string', () => {
    const { cases } = parseCaseFile(
      '- id: a\n  question: q?\n  expect: { status: answered, answer_contains: foo }',
      'f.yaml',
    );
    expect(cases[0]?.expect.answer_contains).toEqual(['foo']);
  });

  it('names the file, the case and what is wrong', () => {
    expect(
      errorOf(() => parseCaseFile('- id: Bad_Id\n  question: q\n  expect: { status: answered }', 'a.yaml')),
    ).toBe(
      'Invalid eval case in a.yaml, case "Bad_Id" (#1): id: must be kebab-case (lowercase letters, digits and single dashes).',
    );
    expect(
      errorOf(() =>
        parseCaseFile(`${valid}- id: third\n  question: q\n  expect: { status: maybe }`, 'b.yaml'),
      ),
    ).toBe(
      'Invalid eval case in b.yaml, case "third" (#3): expect.status: must be "answered" or "insufficient_context".',
    );
    expect(errorOf(() => parseCaseFile('- id: no-question\n  expect: { status: answered }', 'c.yaml'))).toBe(
      'Invalid eval case in c.yaml, case "no-question" (#1): question is missing.',
    );
    expect(errorOf(() => parseCaseFile('- question: q\n  expect: { status: answered }', 'd.yaml'))).toBe(
      'Invalid eval case in d.yaml, case #1: id is missing.',
    );
    expect(errorOf(() => parseCaseFile('- id: no-expect\n  question: q', 'd.yaml'))).toBe(
      'Invalid eval case in d.yaml, case "no-expect" (#1): expect is missing.',
    );
    expect(
      errorOf(() =>
        parseCaseFile(
          '- id: x\n  question: q\n  expect: { status: answered, answer_contains: [1] }',
          'e.yaml',
        ),
      ),
    ).toMatch(/case "x" \(#1\): expect\.answer_contains(\.0)?: must be/);
    expect(errorOf(() => parseCaseFile('- just a string', 'f.yaml'))).toMatch(
      /case #1: a case must be a mapping/,
    );
    expect(errorOf(() => parseCaseFile('id: x\nquestion: q', 'g.yaml'))).toMatch(
      /g\.yaml: the file must be a YAML list/,
    );
    expect(errorOf(() => parseCaseFile('- id: x\n  question: [unclosed', 'h.yaml'))).toMatch(
      /^Invalid eval case file h\.yaml: /,
    );
  });

  it('warns about unknown keys and fields that do not apply', () => {
    const { warnings } = parseCaseFile(
      '- id: x\n  question: q\n  note: hi\n  expect: { status: insufficient_context, doc: a.md, answer_contain: [y] }',
      'w.yaml',
    );
    expect(warnings).toEqual([
      'w.yaml, case "x" (#1): unknown key "note" ignored.',
      'w.yaml, case "x" (#1): unknown key "expect.answer_contain" ignored.',
      'w.yaml, case "x" (#1): answer_contains, doc and gold_answer are ignored when expect.status is insufficient_context.',
    ]);
  });

  it('never crashes on arbitrary YAML text: cases or a UsageError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          const { cases } = parseCaseFile(text, 'fuzz.yaml');
          expect(Array.isArray(cases)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toContain('fuzz.yaml');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on arbitrary structured documents', () => {
    const caseLike = fc.record(
      {
        id: fc.oneof(fc.string(), fc.constantFrom('a', 'ok-id', 'Bad Id'), fc.integer()),
        question: fc.oneof(fc.string(), fc.constant(null)),
        expect: fc.oneof(
          fc.record(
            {
              status: fc.oneof(fc.constantFrom('answered', 'insufficient_context'), fc.string()),
              answer_contains: fc.oneof(fc.array(fc.string()), fc.string(), fc.integer()),
              doc: fc.oneof(fc.string(), fc.boolean()),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        tags: fc.oneof(fc.array(fc.string()), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.oneof(caseLike, fc.anything())), fc.anything()), (document) => {
        let text: string;
        try {
          text = stringify(document);
        } catch {
          return; // not representable as YAML
        }
        try {
          const { cases } = parseCaseFile(text, 'fuzz.yaml');
          for (const item of cases) expect(item.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('loading cases from files and folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cases-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every YAML file of a folder in name order, skipping other files', async () => {
    const folder = join(dir, 'ok');
    await mkdir(folder);
    await writeFile(join(folder, 'b.yaml'), '- id: b1\n  question: q b1\n  expect: { status: answered }\n');
    await writeFile(join(folder, 'a.yml'), '- id: a1\n  question: q a1\n  expect: { status: answered }\n');
    await writeFile(join(folder, 'README.md'), '# not cases');
    const loaded = await loadCases(folder);
    expect(loaded.cases.map((c) => [c.id, c.file])).toEqual([
      ['a1', 'a.yml'],
      ['b1', 'b.yaml'],
    ]);
    const single = await loadCases(join(folder, 'b.yaml'));
    expect(single.cases.map((c) => c.id)).toEqual(['b1']);
  });

  it('rejects ids duplicated across files', async () => {
    const folder = join(dir, 'dup');
    await mkdir(folder);
    await writeFile(join(folder, 'one.yaml'), '- id: same\n  question: q\n  expect: { status: answered }\n');
    await writeFile(join(folder, 'two.yaml'), '- id: same\n  question: q2\n  expect: { status: answered }\n');
    await expect(loadCases(folder)).rejects.toThrow(
      'Duplicate eval case id "same" in two.yaml (first defined in one.yaml).',
    );
  });

  it('reports a missing path and a folder without case files', async () => {
    await expect(loadCases(join(dir, 'missing'))).rejects.toThrow(
      /Eval cases not found: .*missing does not exist/,
    );
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(loadCases(empty)).rejects.toThrow(/No eval case files/);
  });

  it('filters on id, question and tags, case-insensitively', () => {
    const { cases } = parseCaseFile(valid, 'argo.yaml');
    expect(filterCases(cases, 'HPA').map((c) => c.id)).toEqual(['hpa-ignore-replicas']);
    expect(filterCases(cases, 'database').map((c) => c.id)).toEqual(['which-database']);
    expect(filterCases(cases, undefined)).toHaveLength(2);
    expect(filterCases(cases, 'nothing-like-this')).toEqual([]);
  });
});
