import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatImageReference,
  type ImageReference,
  parseDigest,
  parseImageName,
  parseImageReference,
} from '../../../src/lab/pin/reference.js';

const lowerHex = fc.constantFrom(...'0123456789abcdef'.split(''));
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const word = (max: number) =>
  fc.array(alnum, { minLength: 1, maxLength: max }).map((chars) => chars.join(''));
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const pathComponent = fc
  .tuple(word(8), fc.array(fc.tuple(separator, word(6)), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([sep, part]) => sep + part).join(''));
const host = fc
  .tuple(fc.array(word(10), { minLength: 1, maxLength: 3 }), fc.constantFrom('io', 'com', 'example'))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const domain = fc.oneof(
  host,
  fc.tuple(host, fc.integer({ min: 1, max: 65535 })).map(([h, port]) => `${h}:${port}`),
  fc.constant('localhost:5000'),
);
const imageName = fc
  .tuple(fc.option(domain, { nil: undefined }), fc.array(pathComponent, { minLength: 1, maxLength: 3 }))
  .map(([registry, path]) => [...(registry ? [registry] : []), ...path].join('/'));
const tag = fc
  .tuple(
    fc.constantFrom(...'abcXYZ019_'.split('')),
    fc.array(fc.constantFrom(...'abcXYZ019_.-'.split('')), { maxLength: 20 }),
  )
  .map(([first, rest]) => first + rest.join(''));
const digest = fc
  .array(lowerHex, { minLength: 64, maxLength: 64 })
  .map((chars) => `sha256:${chars.join('')}`);
const reference: fc.Arbitrary<ImageReference> = fc
  .tuple(imageName, fc.option(tag, { nil: undefined }), fc.option(digest, { nil: undefined }))
  .map(([name, t, d]) => ({
    name,
    ...(t === undefined ? {} : { tag: t }),
    ...(d === undefined ? {} : { digest: d }),
  }));

describe('image references', () => {
  it('parses what it formats, for any valid name, tag and digest', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const parsed = parseImageReference(formatImageReference(ref));
        expect(parsed).toEqual({ ok: true, value: ref });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary or almost-valid text, and whatever it accepts formats back to that text', () => {
    const almostValid = fc
      .tuple(reference, fc.nat(), fc.string({ minLength: 1, maxLength: 2 }))
      .map(([ref, at, inserted]) => {
        const text = formatImageReference(ref);
        const position = at % (text.length + 1);
        return text.slice(0, position) + inserted + text.slice(position);
      });
    const lowerDigest = (text: string) =>
      text.replace(/@sha256:([0-9a-fA-F]{64})$/, (_, hex: string) => `@sha256:${hex.toLowerCase()}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), almostValid), (text) => {
        const parsed = parseImageReference(text);
        if (parsed.ok) expect(formatImageReference(parsed.value)).toBe(lowerDigest(text));
        else expect(parsed.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads registries with ports, tags and digests the way registries do', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`localhost:5000/docqa:0.1.0@${d}`)).toEqual({
      ok: true,
      value: { name: 'localhost:5000/docqa', tag: '0.1.0', digest: d },
    });
    expect(parseImageReference('ghcr.io/gitops-lab/docqa:0.1.0')).toEqual({
      ok: true,
      value: { name: 'ghcr.io/gitops-lab/docqa', tag: '0.1.0' },
    });
    expect(parseImageReference('docqa')).toEqual({ ok: true, value: { name: 'docqa' } });
  });

  it('rejects upper-case repository names, bad tags and bad digests with a reason', () => {
    expect(parseImageName('ghcr.io/Acme/docqa')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Acme'),
    });
    expect(parseImageReference('ghcr.io/acme/docqa:-bad')).toMatchObject({ ok: false });
    expect(parseImageReference('ghcr.io/acme/docqa@sha256:abc')).toMatchObject({ ok: false });
    expect(parseImageReference('')).toMatchObject({ ok: false });
  });
});

describe('digests', () => {
  it('accepts exactly sha256: followed by 64 hex digits, lower-casing upper-case hex', () => {
    fc.assert(
      fc.property(digest, fc.boolean(), (d, upper) => {
        const input = upper ? `sha256:${d.slice(7).toUpperCase()}` : d;
        expect(parseDigest(input)).toEqual({ ok: true, value: d });
      }),
    );
  });

  it('rejects any other text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        fc.pre(!/^sha256:[0-9a-fA-F]{64}$/.test(text));
        const parsed = parseDigest(text);
        expect(parsed.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.array(lowerHex, { minLength: 0, maxLength: 100 }), (chars) => {
        fc.pre(chars.length !== 64);
        expect(parseDigest(`sha256:${chars.join('')}`)).toMatchObject({
          ok: false,
          reason: expect.stringContaining(`${chars.length} character`),
        });
      }),
    );
    expect(parseDigest(`sha512:${'a'.repeat(64)}`)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('sha256:'),
    });
  });
});
