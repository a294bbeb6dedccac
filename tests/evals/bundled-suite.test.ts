import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../src/evals/cases.js';
import { loadGates } from '../../src/evals/gates.js';
import { packagePath } from '../../src/paths.js';

const squash = (text: string) => text.toLowerCase().replace(/`/g, '').replace(/\s+/g, ' ');

describe('the bundled eval suite', async () => {
  const { cases, warnings } = await loadCases(packagePath('evals', 'cases'));
  const answerable = cases.filter((c) => c.expect.status === 'answered');
  const abstain = cases.filter((c) => c.expect.status === 'insufficient_context');

  it('loads without warnings and has at least 80 cases, a quarter of them insufficient_context', () => {
    expect(warnings).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(abstain.length / cases.length).toBeGreaterThanOrEqual(0.25);
    // most abstentions are near misses (on-topic questions the handbook does not answer)
    expect(abstain.filter((c) => c.tags.includes('near-miss')).length / abstain.length).toBeGreaterThan(0.5);
  });

  it('gives every answerable case one or two expected strings and a handbook document that holds them', () => {
    const problems: string[] = [];
    for (const c of answerable) {
      const strings = c.expect.answer_contains ?? [];
      if (strings.length < 1 || strings.length > 2)
        problems.push(`${c.id}: ${strings.length} expected strings`);
      const doc = c.expect.doc;
      if (doc === undefined || !existsSync(packagePath('handbook', doc))) {
        problems.push(`${c.id}: doc ${doc} is not in handbook/`);
        continue;
      }
      const text = squash(readFileSync(packagePath('handbook', doc), 'utf8'));
      for (const s of strings)
        if (!text.includes(squash(s))) problems.push(`${c.id}: "${s}" is not in ${doc}`);
    }
    expect(problems).toEqual([]);
  });

  it('does not copy handbook sentences into questions', () => {
    const handbook = readdirSync(packagePath('handbook'))
      .filter((name) => name.endsWith('.md'))
      .map((doc) => squash(readFileSync(packagePath('handbook', doc), 'utf8')))
      .join(' ');
    for (const c of cases) {
      // no run of 8 consecutive question words appears verbatim in the handbook
      const words = squash(c.question).replace(/[?.,]/g, '').split(' ');
      for (let i = 0; i + 8 <= words.length; i += 1) {
        expect(
          handbook.includes(words.slice(i, i + 8).join(' ')),
          `${c.id}: "${words.slice(i, i + 8).join(' ')}"`,
        ).toBe(false);
      }
    }
  });

  it('ships valid gates no weaker than the held-out quality targets', async () => {
    const gates = await loadGates(packagePath('evals', 'gates.yaml'));
    const threshold = (metric: string) => gates.find((g) => g.metric === metric && g.op === '>=')?.threshold;
    expect(threshold('answer_accuracy')).toBeGreaterThanOrEqual(0.7);
    expect(threshold('citation_accuracy')).toBeGreaterThanOrEqual(0.85);
    expect(threshold('abstain_precision')).toBeGreaterThanOrEqual(0.8);
    expect(threshold('abstain_recall')).toBeGreaterThanOrEqual(0.5);
    expect(threshold('schema_validity')).toBe(1);
    expect(threshold('workflow_completion_ratio')).toBe(1);
  });
});
