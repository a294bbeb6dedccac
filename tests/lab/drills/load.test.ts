import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../../src/errors.js';
import { formatDuration, parseDuration } from '../../../src/lab/drills/duration.js';
import { catalogueNames, loadCatalogue, parseDrill } from '../../../src/lab/drills/load.js';
import { tempDirsForEachTest } from '../../support/temp-dirs.js';

const rolloutRef = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' };

function baseDrill(): Record<string, unknown> {
  return {
    name: 'my-drill',
    title: 'My drill',
    teaches: 'Something. And more.',
    runbook: 'handbook/drill-my-drill.md',
    fix: 'Do the thing.',
    probes: {
      replicas: { type: 'k8s', target: rolloutRef, path: '.spec.replicas', range: [2, 6] },
      app: { type: 'argo-app', name: 'docqa', sync: 'Synced' },
    },
    steady_state: { hypothesis: 'It holds.', probes: ['replicas', 'app'] },
    inject: [{ type: 'scale', target: rolloutRef, replicas: 1 }],
    observe: { window: '1m', expect: [{ probe: 'replicas', flaps: { between: [1, 2] } }] },
    rollback: [{ type: 'scale', target: rolloutRef, replicas: 2 }],
  };
}

const parse = (data: unknown, file = 'drills/my-drill.yaml') => parseDrill(stringify(data), file);
const errorOf = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
};

describe('drill loader', () => {
  it('resolves named probes and fills defaults', () => {
    const drill = parse(baseDrill());
    expect(drill.steady_state.probes.map((p) => p.id)).toEqual(['replicas', 'app']);
    expect(drill.observe.expect[0]?.probe.probe).toMatchObject({ type: 'k8s', path: '.spec.replicas' });
    expect(drill.observe.expect[0]?.flaps?.times).toBe(2);
    expect(drill.observe.interval).toBe('5s');
    expect(drill.verify.probes.map((p) => p.id)).toEqual(['replicas', 'app']);
    expect(drill.timeout).toBe('10m');
  });

  it('names file, line and field for a bad value', () => {
    const text = stringify(baseDrill()).replace('window: 1m', 'window: a minute');
    const error = errorOf(() => parseDrill(text, 'drills/my-drill.yaml'));
    const line = text.split('\n').findIndex((l) => l.includes('window: a minute')) + 1;
    expect(error.message).toBe(
      `drills/my-drill.yaml:${line} observe.window: expected a duration such as 30s, 5m or 1m30s.`,
    );
  });

  it('takes an optional time limit on a Git or Kubernetes action', () => {
    const data = baseDrill();
    data.inject = [{ type: 'scale', target: rolloutRef, replicas: 1, timeout: '90s' }];
    const drill = parse(data);
    expect(drill.inject[0]).toMatchObject({ type: 'scale', timeout: '90s' });
    expect(drill.rollback[0]).not.toHaveProperty('timeout');
  });

  it('names file, line and field for a bad action time limit', () => {
    const data = baseDrill();
    data.rollback = [{ type: 'scale', target: rolloutRef, replicas: 2, timeout: 'forever' }];
    const text = stringify(data);
    const line = text.split('\n').findIndex((l) => l.includes('timeout: forever')) + 1;
    expect(errorOf(() => parseDrill(text, 'drills/my-drill.yaml')).message).toBe(
      `drills/my-drill.yaml:${line} rollback[0].timeout: expected a duration such as 30s, 5m or 1m30s.`,
    );
  });

  it('accepts any well-formed duration as an action time limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 3_600_000 }), (ms) => {
        const data = baseDrill();
        const timeout = formatDuration(ms);
        data.inject = [{ type: 'delete', target: rolloutRef, timeout }];
        const action = parse(data).inject[0] as { timeout?: string };
        expect(parseDuration(action.timeout ?? '')).toBe(parseDuration(timeout));
      }),
      { numRuns: 50 },
    );
  });

  it('reports an unknown probe reference with the defined names', () => {
    const data = baseDrill();
    (data.observe as { expect: unknown[] }).expect = [{ probe: 'replica', holds: true }];
    expect(errorOf(() => parse(data)).message).toBe(
      'drills/my-drill.yaml observe.expect[0].probe: unknown probe "replica" (defined: replicas, app).',
    );
  });

  it('wants exactly one verb per expectation', () => {
    const data = baseDrill();
    (data.observe as { expect: unknown[] }).expect = [{ probe: 'replicas', holds: true, eventually: true }];
    expect(errorOf(() => parse(data)).message).toMatch(
      /observe\.expect\[0\]: an expectation needs exactly one of holds, eventually, reaches, changes, flaps \(got holds, eventually\)/,
    );
  });

  it('rejects a wait with neither duration nor until, and unknown fields', () => {
    const data = baseDrill();
    data.inject = [{ type: 'wait' }];
    expect(errorOf(() => parse(data)).message).toMatch(/inject\[0\]/);
    const extra = { ...baseDrill(), colour: 'red' };
    expect(errorOf(() => parse(extra)).message).toMatch(/Unrecognized key.*colour/i);
  });

  it('wants the name to match the file', () => {
    expect(errorOf(() => parse(baseDrill(), 'drills/other.yaml')).message).toBe(
      'drills/other.yaml name: "my-drill" does not match the file name "other".',
    );
  });

  it('substitutes {{variables}} and rejects unknown ones', () => {
    const data = baseDrill();
    (data.probes as Record<string, unknown>).up = { type: 'http', url: '{{docqa_url}}/readyz' };
    const drill = parseDrill(stringify(data), 'drills/my-drill.yaml', {
      vars: { docqa_url: 'http://10.0.0.1:8080' },
    });
    expect(drill.probes.up).toMatchObject({ url: 'http://10.0.0.1:8080/readyz' });
    (data.probes as Record<string, unknown>).up = { type: 'http', url: '{{nope}}/readyz' };
    expect(errorOf(() => parse(data)).message).toMatch(/probes\.up\.url: unknown variable \{\{nope\}\}/);
  });

  it('reports invalid YAML with its line', () => {
    const error = errorOf(() => parseDrill('name: x\ntitle: [unclosed\n', 'drills/x.yaml'));
    expect(error.message).toMatch(/^drills\/x\.yaml:\d+: invalid YAML/);
  });

  it('loads every drill of the shipped catalogue, each with a runbook in the handbook', async () => {
    const drills = await loadCatalogue();
    // One list: the catalogue folder's files (catalogueNames), each drill named as its file.
    const names = await catalogueNames();
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(drills.map((d) => d.name)).toEqual(names);
    expect(names).toContain('argo-vs-hpa');
    for (const d of drills) {
      expect(d.runbook).toBe(`handbook/drill-${d.name}.md`);
      expect(d.teaches.split(/(?<=\.)\s/).length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('catalogueNames', () => {
  const tempDir = tempDirsForEachTest();
  it('lists the drill files of a folder by name, sorted, and names a folder it cannot read', async () => {
    const dir = await tempDir('catalogue-');
    for (const file of ['zeta.yaml', 'alpha.yml', 'README.md']) await writeFile(join(dir, file), '');
    expect(await catalogueNames(dir)).toEqual(['alpha', 'zeta']);
    await expect(catalogueNames(join(dir, 'none'))).rejects.toThrow(/cannot read the drill catalogue .*none/);
  });
});

describe('drill loader properties', () => {
  const duration = fc
    .tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom('ms', 's', 'm', 'h'))
    .map(([n, u]) => `${n}${u}`);
  const kebab = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}$/);

  it('accepts any well-formed drill and keeps what it says', () => {
    fc.assert(
      fc.property(
        kebab,
        fc.uniqueArray(kebab, { minLength: 1, maxLength: 4 }),
        duration,
        duration,
        fc.integer({ min: 0, max: 50 }),
        (name, probeNames, window, interval, replicas) => {
          const data = baseDrill();
          data.name = name;
          data.probes = Object.fromEntries(
            probeNames.map((p) => [
              p,
              { type: 'k8s', target: rolloutRef, path: '.spec.replicas', equals: replicas },
            ]),
          );
          data.steady_state = { hypothesis: 'h', probes: probeNames };
          data.observe = { window, interval, expect: probeNames.map((p) => ({ probe: p, holds: true })) };
          const drill = parse(data, `drills/${name}.yaml`);
          expect(drill.name).toBe(name);
          expect(drill.observe.window).toBe(window);
          expect(drill.observe.expect.map((e) => e.probe.id)).toEqual(probeNames);
          expect(parseDuration(drill.observe.interval)).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers any damaged drill with a UsageError naming the file, never a crash', () => {
    const fields = [
      'name',
      'title',
      'probes',
      'steady_state',
      'inject',
      'observe',
      'rollback',
      'verify',
      'timeout',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const data = { ...baseDrill(), [field]: value };
        try {
          parse(data);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message.startsWith('drills/my-drill.yaml')).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('answers arbitrary text with a drill or a UsageError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseDrill(text, 'drills/x.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('parses durations back from their short form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
  });
});
