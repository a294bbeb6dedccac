/**
 * Eval cases: YAML files, each a list of cases, validated with zod. A case asks the doc-QA service one
 * question and says what a correct response looks like. This is a contract: other suites (a held-out set,
 * a team's own corpus) are run through the same format.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const CaseStatusSchema = z.enum(['answered', 'insufficient_context']);
export type CaseStatus = z.infer<typeof CaseStatusSchema>;

const nonEmpty = () => z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty');

const ExpectSchema = z.object(
  {
    status: z.enum(CaseStatusSchema.options, {
      error: 'must be "answered" or "insufficient_context"',
    }),
    /** Case-insensitive; every string must appear in the answer. A single string is accepted as a list of one. */
    answer_contains: z
      .union([nonEmpty(), z.array(nonEmpty())], {
        error: 'must be a string or a list of strings',
      })
      .transform((value) => (typeof value === 'string' ? [value] : value))
      .optional(),
    /** The corpus file a correct answer cites, e.g. `argo-cd-and-hpa.md`. */
    doc: nonEmpty().optional(),
    /**
     * The shortest span of the corpus that answers the question (SQuAD style), for exact match and token F1.
     * Without it, the case counts for answer accuracy but not for EM/F1.
     */
    gold_answer: nonEmpty().max(300, 'must be at most 300 characters (a short answer)').optional(),
  },
  { error: 'must be a mapping with at least a status' },
);

export const EvalCaseSchema = z.object(
  {
    id: z
      .string({ error: 'must be a string' })
      .regex(KEBAB_CASE, 'must be kebab-case (lowercase letters, digits and single dashes)'),
    question: nonEmpty().max(2000, 'must be at most 2000 characters'),
    expect: ExpectSchema,
    tags: z
      .array(nonEmpty(), { error: 'must be a list of strings' })
      .optional()
      .transform((tags) => tags ?? []),
  },
  { error: 'a case must be a mapping with id, question and expect' },
);

export type EvalCase = z.output<typeof EvalCaseSchema> & {
  /** Where the case came from, relative to the loaded path's folder (for reports). */
  file: string;
};

export interface LoadedCases {
  cases: EvalCase[];
  /** Things worth saying that do not stop the run (unknown keys, fields ignored for this status). */
  warnings: string[];
  /** The files read, in order. */
  files: string[];
}

const KNOWN_CASE_KEYS = new Set(['id', 'question', 'expect', 'tags']);
const KNOWN_EXPECT_KEYS = new Set(['status', 'answer_contains', 'doc', 'gold_answer']);

function isYamlFile(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return ext === '.yaml' || ext === '.yml';
}

async function listCaseFiles(path: string): Promise<{ files: string[]; root: string }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`Eval cases not found: ${path} does not exist.`, {
      hint: 'Pass --cases with a YAML file or a folder of YAML files (default: the bundled evals/cases).',
    });
  }
  if (info.isFile()) return { files: [path], root: join(path, '..') };
  if (!info.isDirectory()) {
    throw new UsageError(`Eval cases path ${path} is neither a file nor a folder.`, {
      hint: 'Pass --cases with a YAML file or a folder of YAML files.',
    });
  }
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && isYamlFile(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) {
    throw new UsageError(`No eval case files (*.yaml, *.yml) in ${path}.`, {
      hint: 'Add a YAML file holding a list of cases, or point --cases at one.',
    });
  }
  return { files: names.map((name) => join(path, name)), root: path };
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.path.length === 0) return issue.message;
  const where = issue.path.map(String).join('.');
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) return `${where} is missing`;
  return `${where}: ${issue.message}`;
}

function caseLabel(raw: unknown, index: number): string {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const id = (raw as Record<string, unknown>).id;
    if (typeof id === 'string' && id.trim() !== '') return `case "${id}" (#${index + 1})`;
  }
  return `case #${index + 1}`;
}

/** Parses and validates the text of one case file. `file` is used in messages only. */
export function parseCaseFile(text: string, file: string): { cases: EvalCase[]; warnings: string[] } {
  let document: unknown;
  try {
    document = parseYaml(text, {
      prettyErrors: true,
      uniqueKeys: true,
      maxAliasCount: 100,
      logLevel: 'error',
    });
  } catch (error) {
    const detail =
      error instanceof YAMLParseError
        ? (error.message.split('\n')[0] ?? 'invalid YAML')
        : error instanceof Error
          ? error.message
          : String(error);
    throw new UsageError(`Invalid eval case file ${file}: ${detail}.`, {
      hint: 'Fix the YAML syntax; each file must be a list of cases.',
      cause: error,
    });
  }
  if (document === null || document === undefined)
    return { cases: [], warnings: [`${file} holds no cases.`] };
  if (!Array.isArray(document)) {
    throw new UsageError(`Invalid eval case file ${file}: the file must be a YAML list of cases.`, {
      hint: 'Start each case with "- id: ..." at the top level of the file.',
    });
  }
  const cases: EvalCase[] = [];
  const warnings: string[] = [];
  document.forEach((raw: unknown, index: number) => {
    const parsed = EvalCaseSchema.safeParse(raw);
    const label = caseLabel(raw, index);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new UsageError(
        `Invalid eval case in ${file}, ${label}: ${first ? describeIssue(first, raw) : 'invalid case'}.`,
        { hint: 'Each case needs id (kebab-case), question and expect.status; see docs/evals.md.' },
      );
    }
    const record = raw as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!KNOWN_CASE_KEYS.has(key)) warnings.push(`${file}, ${label}: unknown key "${key}" ignored.`);
    }
    const expectRecord = record.expect as Record<string, unknown>;
    for (const key of Object.keys(expectRecord)) {
      if (!KNOWN_EXPECT_KEYS.has(key))
        warnings.push(`${file}, ${label}: unknown key "expect.${key}" ignored.`);
    }
    const value = parsed.data;
    if (
      value.expect.status === 'insufficient_context' &&
      (value.expect.answer_contains !== undefined ||
        value.expect.doc !== undefined ||
        value.expect.gold_answer !== undefined)
    ) {
      warnings.push(
        `${file}, ${label}: answer_contains, doc and gold_answer are ignored when expect.status is insufficient_context.`,
      );
    }
    cases.push({ ...value, file });
  });
  return { cases, warnings };
}

/** Loads every case from a YAML file or a folder of them; ids must be unique across all files. */
export async function loadCases(path: string): Promise<LoadedCases> {
  const { files, root } = await listCaseFiles(path);
  const cases: EvalCase[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const absolute of files) {
    const display = relative(root, absolute) || basename(absolute);
    let text: string;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read eval case file ${absolute}: ${(error as Error).message}.`, {
        hint: 'Check the path and its permissions.',
        cause: error,
      });
    }
    const parsed = parseCaseFile(text, display);
    for (const item of parsed.cases) {
      const other = seen.get(item.id);
      if (other !== undefined) {
        throw new UsageError(
          `Duplicate eval case id "${item.id}" in ${display} (first defined in ${other}).`,
          { hint: 'Case ids must be unique across all case files; rename one of them.' },
        );
      }
      seen.set(item.id, display);
      cases.push(item);
    }
    warnings.push(...parsed.warnings);
  }
  return { cases, warnings, files };
}

/** Keeps the cases whose id, question or tags contain `text` (case-insensitive). */
export function filterCases(cases: EvalCase[], text: string | undefined): EvalCase[] {
  if (text === undefined || text === '') return cases;
  const needle = text.toLowerCase();
  return cases.filter(
    (item) =>
      item.id.toLowerCase().includes(needle) ||
      item.question.toLowerCase().includes(needle) ||
      item.tags.some((tag) => tag.toLowerCase().includes(needle)),
  );
}
