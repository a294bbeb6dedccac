import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../src/errors.js';
import { parseBaseline } from '../../src/evals/baseline.js';
import { evaluateGates, loadGates, parseGates } from '../../src/evals/gates.js';
import type { Metrics } from '../../src/evals/metrics.js';

const metrics: Metrics = {
  answer_accuracy: 0.75,
  citation_accuracy: 0.9,
  abstain_precision: null,
  abstain_recall: 0.5,
  f1: 0.4,
  exact_match: 0.1,
  answer_length_words: 12,
  schema_validity: 1,
  workflow_completion_ratio: 0.98,
  latency_ms: { p50: 3, p95: 12, p99: 40 },
};

describe('quality gates', () => {
  it('parses gates and compares with every operator', () => {
    const gates = parseGates(
      `gates:
  - { metric: answer_accuracy, op: ">=", threshold: 0.75 }
  - { metric: citation_accuracy, op: ">", threshold: 0.9 }
  - { metric: latency_ms.p95, op: "<", threshold: 50 }
  - { metric: workflow_completion_ratio, op: "<=", threshold: 1 }
  - { metric: schema_validity, op: ">=", threshold: 1 }
  - { metric: abstain_precision, op: ">=", threshold: 0.8 }
`,
      'gates.yaml',
    );
    const results = evaluateGates(gates, metrics);
    expect(results.map((r) => [r.metric, r.value, r.ok])).toEqual([
      ['answer_accuracy', 0.75, true],
      ['citation_accuracy', 0.9, false],
      ['latency_ms.p95', 12, true],
      ['workflow_completion_ratio', 0.98, true],
      ['schema_validity', 1, true],
      ['abstain_precision', null, true],
    ]);
    expect(results[0]).toEqual({
      metric: 'answer_accuracy',
      op: '>=',
      threshold: 0.75,
      value: 0.75,
      ok: true,
      measured: true,
    });
    expect(results[5]?.measured).toBe(false);
  });

  it('rejects unknown metrics, operators and missing thresholds, naming the gate', () => {
    const bad = (text: string) => () => parseGates(text, 'g.yaml');
    expect(bad('gates:\n  - { metric: accuracy, op: ">=", threshold: 1 }')).toThrow(
      /Invalid gates file g\.yaml, gate #1 \(metric\): metric must be one of/,
    );
    expect(
      bad('gates:\n  - { metric: f1, op: ">=", threshold: 1 }\n  - { metric: f1, op: "==", threshold: 1 }'),
    ).toThrow(/gate #2 \(op\): op must be one of/);
    expect(bad('gates:\n  - { metric: f1, op: ">=" }')).toThrow(/gate #1 \(threshold\)/);
    expect(bad('gates:\n  - { metric: f1, op: ">=", threshold: high }')).toThrow(
      /threshold must be a number/,
    );
    expect(bad('- metric: f1')).toThrow(/top level/);
    expect(bad('gates: [')).toThrow(UsageError);
  });

  describe('files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gates-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    it('loads a file and reports a missing one as a usage error', async () => {
      const file = join(dir, 'gates.yaml');
      await writeFile(file, 'gates:\n  - metric: f1\n    op: ">="\n    threshold: 0.2\n');
      expect(await loadGates(file)).toEqual([{ metric: 'f1', op: '>=', threshold: 0.2 }]);
      await expect(loadGates(join(dir, 'nope.yaml'))).rejects.toThrow(/Gates file not found: .*nope\.yaml/);
    });
  });
});

describe('parsing untrusted gates and baseline files', () => {
  it('never crashes on arbitrary gates YAML: gates or a UsageError', () => {
    const gateLike = fc.record(
      {
        metric: fc.oneof(fc.constantFrom('f1', 'answer_accuracy', 'latency_ms.p95', 'nope'), fc.anything()),
        op: fc.oneof(fc.constantFrom('>=', '<', '==', '>'), fc.anything()),
        threshold: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.record({ gates: fc.oneof(fc.array(gateLike), fc.anything()) }), fc.anything()),
        (document) => {
          let text: string;
          try {
            text = stringify(document);
          } catch {
            return;
          }
          try {
            for (const gate of parseGates(text, 'fuzz.yaml'))
              expect(Number.isFinite(gate.threshold)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(UsageError);
          }
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseGates(text, 'fuzz.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on an arbitrary baseline: a baseline or a UsageError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (text) => {
        try {
          const baseline = parseBaseline(text, 'fuzz.json');
          expect(Array.isArray(baseline.cases)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
