import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../src/service/corpus.js';
import { buildQaEngine } from '../../../src/service/qa/index.js';
import type { QaEngine } from '../../../src/service/qa/types.js';

const runbook = `# Cache service runbook

## Keeping the cache warm after a deploy

To keep the cache warm after a deploy, give the Deployment a preStop hook and a longer grace period:

\`\`\`yaml
spec:
  terminationGracePeriodSeconds: 45
  containers:
    - name: cache
      lifecycle:
        preStop:
          exec:
            command: ["cache-cli", "flush-to-disk"]
\`\`\`

The hook writes the cache to disk so the next pod starts warm.
`;

describe('answers introduced by a lead-in sentence', () => {
  let dir: string;
  let engine: QaEngine;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-qa-lead-in-'));
    await writeFile(join(dir, 'cache-runbook.md'), runbook);
    engine = buildQaEngine(await loadCorpus(dir));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the relative indentation of code blocks in passages', async () => {
    const corpus = await loadCorpus(dir);
    const text = corpus.passages.map((p) => p.text).join('\n');
    expect(text).toContain('spec:\n  terminationGracePeriodSeconds: 45\n  containers:\n    - name: cache');
  });

  it('answers with the snippet the lead-in introduces, not just its first line', () => {
    const result = engine.answer('How do I keep the cache warm when a new version is deployed?', { topK: 3 });
    expect(result.status).toBe('answered');
    expect(result.answer).toContain('give the Deployment a preStop hook');
    expect(result.answer).toContain('terminationGracePeriodSeconds: 45');
    expect(result.answer).toContain('        preStop:');
    expect(result.citations[0]?.doc_id).toBe('cache-runbook.md');
    expect(engine.isGrounded('How do I keep the cache warm?', result.answer ?? '', result.citations)).toBe(
      true,
    );
  });
});
