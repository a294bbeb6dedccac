import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/handlers/lint.js';
import { lintRepository } from '../../../src/lab/lint/index.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'lint');
const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-formats-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const savedExit = process.exitCode;
afterEach(() => {
  process.exitCode = savedExit;
});

async function lintCli(options: Record<string, unknown>, stdin = ''): Promise<string> {
  let text = '';
  const sink = () =>
    Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          text += String(chunk);
          done();
        },
      }),
      { isTTY: false },
    );
  await run(options, { stdout: sink(), stderr: sink() }, Readable.from([stdin]));
  return text;
}

describe('lint --format sarif', () => {
  // Shape checked against what GitHub code scanning reads (docs.github.com, "SARIF support for code
  // scanning"): version 2.1.0, tool.driver.name and rules, results with ruleId, level, message.text and a
  // physical location with a relative uri and a start line.
  it('gives SARIF 2.1.0 results with rule, level, file and line', async () => {
    const sarif = JSON.parse(
      await lintCli({ dir: join(fixtures, 'policy-privileged', 'fail'), format: 'sarif' }),
    );
    expect(sarif.version).toBe('2.1.0');
    const [runOf] = sarif.runs;
    expect(runOf.tool.driver.name).toBe('gitops-lab lint');
    const result = runOf.results.find((r: { ruleId: string }) => r.ruleId === 'policy-privileged');
    expect(result.level).toBe('error');
    expect(result.message.text).toContain('privileged');
    const location = result.locations[0].physicalLocation;
    expect(location.artifactLocation.uri).toBe('workload.yaml');
    expect(location.region.startLine).toBeGreaterThan(1);
    expect(runOf.tool.driver.rules[result.ruleIndex].id).toBe('policy-privileged');
    expect(process.exitCode).toBe(1);
  });
});

describe('lint --format junit', () => {
  it('gives valid JUnit XML, one test case per file, a failure per file with problems', async () => {
    const xml = await lintCli({ dir: join(fixtures, 'policy-privileged', 'fail'), format: 'junit' });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const suite = doc.testsuites.testsuite;
    const cases = [suite.testcase].flat();
    expect(cases.map((c: Record<string, string>) => c['@_name'])).toContain('workload.yaml');
    const failed = cases.find((c: Record<string, unknown>) => c['@_name'] === 'workload.yaml');
    expect(String(failed.failure['#text'])).toMatch(/workload\.yaml:\d+: error policy-privileged/);
    expect(Number(suite['@_failures'])).toBe(1);
  });
});

describe('lint - (standard input)', () => {
  it('lints one YAML stream read from stdin', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web, namespace: web}',
      'spec:',
      '  typo: ClusterIP',
      '  ports: [{port: 80}]',
      '',
    ].join('\n');
    const out = await lintCli({ dir: '-', json: true }, yaml);
    const report = JSON.parse(out) as {
      files: string[];
      findings: Array<{ rule: string; file: string; line: number }>;
    };
    expect(report.files).toEqual(['stdin.yaml']);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ rule: 'schema', file: 'stdin.yaml', line: 5 }),
    );
  });

  it('refuses empty standard input', async () => {
    await expect(lintCli({ dir: '-' }, '')).rejects.toThrow(/standard input held no YAML/);
  });
});

describe('.gitops-lab-lint.yaml', () => {
  const repo = join(temp, 'configured');
  cpSync(join(fixtures, 'policy-probes', 'fail'), repo, { recursive: true });
  const rulesOf = () => lintRepository({ dir: repo }).findings.map((f) => `${f.rule}:${f.severity}`);

  it('turns a rule off, changes a severity and exempts paths', () => {
    expect(rulesOf().some((r) => r.startsWith('policy-probes:'))).toBe(true);
    writeFileSync(join(repo, '.gitops-lab-lint.yaml'), 'rules:\n  policy-probes: off\n');
    expect(rulesOf().some((r) => r.startsWith('policy-probes:'))).toBe(false);
    writeFileSync(join(repo, '.gitops-lab-lint.yaml'), 'rules:\n  policy-probes: info\n');
    expect(
      rulesOf()
        .filter((r) => r.startsWith('policy-probes:'))
        .every((r) => r.endsWith(':info')),
    ).toBe(true);
    writeFileSync(
      join(repo, '.gitops-lab-lint.yaml'),
      'exceptions:\n  - rules: [policy-*]\n    paths: ["*.yaml"]\n    reason: a demo\n',
    );
    expect(rulesOf().some((r) => r.startsWith('policy-'))).toBe(false);
    writeFileSync(
      join(repo, '.gitops-lab-lint.yaml'),
      'exceptions:\n  - rules: [policy-*]\n    paths: ["other/**"]\n    reason: a demo\n',
    );
    expect(rulesOf().some((r) => r.startsWith('policy-probes'))).toBe(true);
  });

  it('rejects a bad config with the field and what is allowed', () => {
    writeFileSync(join(repo, '.gitops-lab-lint.yaml'), 'rules:\n  policy-probes: sometimes\n');
    expect(() => lintRepository({ dir: repo })).toThrow(/rules\.policy-probes/);
    writeFileSync(
      join(repo, '.gitops-lab-lint.yaml'),
      'exceptions:\n  - rules: [policy-probes]\n    paths: [a]\n',
    );
    expect(() => lintRepository({ dir: repo })).toThrow(/exceptions\.0\.reason/);
    writeFileSync(join(repo, '.gitops-lab-lint.yaml'), 'rulez: {}\n');
    expect(() => lintRepository({ dir: repo })).toThrow(/rulez/);
    rmSync(join(repo, '.gitops-lab-lint.yaml'));
  });
});

describe('lint --kubernetes-version', () => {
  it('accepts the bundled version and refuses others with what is bundled', () => {
    const dir = join(fixtures, 'policy-probes', 'pass');
    expect(lintRepository({ dir, kubernetesVersion: 'v1.33.1' }).counts.error).toBe(0);
    expect(() => lintRepository({ dir, kubernetesVersion: '1.29' })).toThrow(
      /no schemas for Kubernetes 1\.29 are bundled; bundled: 1\.33/,
    );
    expect(() => lintRepository({ dir, kubernetesVersion: 'latest' })).toThrow(
      /expected a version such as 1\.33/,
    );
  });
});
