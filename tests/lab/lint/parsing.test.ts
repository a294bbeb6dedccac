import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOverrides, formatImage, parseImage } from '../../../src/lab/lint/images.js';
import { promqlErrors, substituteArgs } from '../../../src/lab/lint/rules/promql.js';
import { closest } from '../../../src/lab/lint/schemas.js';
import { lineAt, parseYamlText } from '../../../src/lab/lint/yaml-files.js';

const segment = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const imageName = fc
  .tuple(
    fc.option(fc.constantFrom('ghcr.io', 'registry.local:5000', 'docker.io')),
    fc.array(segment, { minLength: 1, maxLength: 3 }),
  )
  .map(([registry, parts]) => [registry, ...parts].filter(Boolean).join('/'));
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/);
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);

describe('image references', () => {
  it('parse and format round-trip, with registry ports, tags and digests', () => {
    fc.assert(
      fc.property(imageName, fc.option(tag), fc.option(digest), (name, t, d) => {
        const text = `${name}${t ? `:${t}` : ''}${d ? `@${d}` : ''}`;
        const ref = parseImage(text);
        expect(ref.name).toBe(name);
        expect(ref.tag).toBe(t ?? undefined);
        expect(ref.digest).toBe(d ?? undefined);
        expect(formatImage(ref)).toBe(text);
      }),
    );
  });

  it('applies a kustomize override by image name: a digest replaces the tag', () => {
    fc.assert(
      fc.property(imageName, tag, tag, digest, (name, oldTag, newTag, d) => {
        expect(formatImage(applyOverrides(`${name}:${oldTag}`, [{ name, newTag }]).ref)).toBe(
          `${name}:${newTag}`,
        );
        expect(formatImage(applyOverrides(`${name}:${oldTag}`, [{ name, digest: d }]).ref)).toBe(
          `${name}@${d}`,
        );
        expect(
          applyOverrides(`${name}:${oldTag}`, [{ name: `${name}-other`, newTag }]).override,
        ).toBeUndefined();
      }),
    );
  });
});

describe('YAML reading', () => {
  it('never throws on arbitrary text: errors come back with a line number', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseYamlText(text);
        for (const e of parsed.errors) expect(e.line === undefined || e.line >= 1).toBe(true);
      }),
    );
  });

  it('finds the line of a nested key, and of a key missing from its parent', () => {
    const parsed = parseYamlText('a:\n  b:\n    c: 1\n    d: 2\n');
    const doc = parsed.documents[0]?.doc;
    expect(lineAt(doc, parsed.lineCounter, ['a', 'b', 'd'])).toBe(4);
    expect(lineAt(doc, parsed.lineCounter, ['a', 'b', 'zz'])).toBe(2);
  });
});

describe('PromQL checking', () => {
  const metric = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
  const label = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
  const value = fc.string({ maxLength: 12 }).map((s) => s.replace(/["\\\n]/g, ''));

  it('accepts generated well-formed ratio queries after argument substitution', () => {
    fc.assert(
      fc.property(metric, label, value, fc.constantFrom('1m', '2m', '30s'), (m, l, v, w) => {
        const query = `sum(rate(${m}{${l}="${v}",hash="{{args.canary-hash}}"}[${w}])) / sum(rate(${m}{hash="{{ args.canary-hash }}"}[${w}]))`;
        expect(promqlErrors(substituteArgs(query, {}))).toEqual([]);
      }),
    );
  });

  it('reports an unbalanced query wherever the bracket is dropped', () => {
    fc.assert(
      fc.property(metric, fc.nat(), (m, n) => {
        const query = `sum(rate(${m}[2m])) / sum(rate(${m}[2m]))`;
        const closers = [...query].map((c, i) => (c === ')' || c === ']' ? i : -1)).filter((i) => i >= 0);
        const drop = closers[n % closers.length] as number;
        const broken = query.slice(0, drop) + query.slice(drop + 1);
        expect(promqlErrors(broken).length).toBeGreaterThan(0);
      }),
    );
  });

  it('substitutes declared values and fits placeholders to their context', () => {
    expect(substituteArgs('up{job="{{args.job}}"} > {{args.min}}', { job: 'docqa' })).toBe(
      'up{job="docqa"} > 1',
    );
    expect(substituteArgs('rate(x[{{args.window}}])', {})).toBe('rate(x[1m])');
  });
});

describe('field-name suggestions', () => {
  it('suggests the known field for a case slip or a small typo, and nothing for an unrelated word', () => {
    expect(closest('selfheal', ['prune', 'selfHeal', 'allowEmpty'])).toBe('selfHeal');
    expect(closest('replica', ['replicas', 'selector', 'template'])).toBe('replicas');
    expect(closest('banana', ['replicas', 'selector', 'template'])).toBeUndefined();
  });
});
