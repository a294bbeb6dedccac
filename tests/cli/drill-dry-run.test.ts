/**
 * `drill <name> --dry-run` for every drill of the catalogue: each `expect` line states what its probe means (the
 * verb comes from the probe, "the canary's AnalysisRun fails"), not the expectation's short description, and each
 * `wait until` states its condition. Long rows wrap with indentation, not to column 0.
 */
import { describe, expect, it } from 'vitest';
import { describeExpectation } from '../../src/lab/drills/expectations.js';
import { loadCatalogue } from '../../src/lab/drills/load.js';
import { describeProbe } from '../../src/lab/drills/probes.js';
import type { Probe } from '../../src/lab/drills/schema.js';
import { runCli } from '../support/cli.js';

const drills = await loadCatalogue();

/** The rule a probe applies, whatever its description says. */
const rule = (probe: Probe) => describeProbe({ ...probe, description: undefined });

describe.each(drills.map((d) => [d.name, d] as const))('drill %s --dry-run', (name, drill) => {
  it('each expectation line carries its probe’s meaning and condition', async () => {
    const r = await runCli(['drill', name, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { steps: Array<{ phase: string; text: string }> };
    const lines = plan.steps
      .filter((s) => s.phase === 'observe' && s.text.startsWith('expect '))
      .map((s) => s.text);
    expect(lines).toHaveLength(drill.observe.expect.length);
    drill.observe.expect.forEach((e, i) => {
      const line = lines[i] ?? '';
      const probe = e.probe.probe;
      const meaning = probe.description ?? rule(probe);
      // The probe's own words are on the line ...
      expect(line).toContain(meaning);
      if (e.holds || e.eventually) {
        // ... with the rule whose passing is expected ...
        expect(line).toContain(rule(probe));
        expect(line).toMatch(e.holds ? /^expect throughout/ : /^expect at least once/);
        expect(line).toContain(`expect ${describeExpectation(e)}: `);
        // ... and the expectation's label is not made the subject of a pass/fail verb.
        if (e.description) {
          expect(line).not.toContain(`${e.description} ${describeExpectation(e)}`);
          expect(line.indexOf(meaning)).toBeLessThan(line.lastIndexOf(e.description));
        }
      } else {
        expect(line).toContain(describeExpectation(e));
      }
    });
  });

  it('each wait until says what it waits for', async () => {
    const r = await runCli(['drill', name, '--dry-run', '--json']);
    const plan = JSON.parse(r.stdout) as { steps: Array<{ phase: string; text: string }> };
    const waits = [...drill.inject, ...drill.rollback].filter((a) => a.type === 'wait' && a.until);
    const lines = plan.steps.filter((s) => s.text.includes('wait until ')).map((s) => s.text);
    expect(lines).toHaveLength(waits.length);
    waits.forEach((a, i) => {
      if (a.type !== 'wait' || !a.until) return;
      expect(lines[i]).toContain(rule(a.until.probe));
    });
  });

  it('the plain table keeps every row within 100 columns, continuation lines indented', async () => {
    const r = await runCli(['drill', name, '--dry-run']);
    expect(r.code).toBe(0);
    const [, header, ...rows] = r.stdout.trimEnd().split('\n');
    const stepColumn = header?.indexOf('step') ?? -1;
    expect(stepColumn).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.length).toBeLessThanOrEqual(100);
      if (!/^\d/.test(row)) expect(row.slice(0, stepColumn).trim()).toBe('');
    }
  });
});

describe('the dry run says what the shipped drills expect', () => {
  it('bad-canary expects the AnalysisRun to fail and the error rate to stay zero', async () => {
    const r = await runCli(['drill', 'bad-canary', '--dry-run', '--json']);
    const texts = (JSON.parse(r.stdout) as { steps: Array<{ text: string }> }).steps.map((s) => s.text);
    const analysis = texts.find((t) => t.includes('the quality analysis'));
    expect(analysis).toMatch(/^expect at least once: the canary's AnalysisRun fails/);
    expect(texts.find((t) => t.includes('HTTP-level errors'))).toMatch(/^expect throughout: .*stays zero/);
  });

  it('config-no-reload waits until DOCQA_FAULTS is empty again', async () => {
    const r = await runCli(['drill', 'config-no-reload', '--dry-run', '--json']);
    const texts = (JSON.parse(r.stdout) as { steps: Array<{ text: string }> }).steps.map((s) => s.text);
    expect(texts.find((t) => t.includes('wait until'))).toContain('.data.DOCQA_FAULTS = ""');
  });
});
