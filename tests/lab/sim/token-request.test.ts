/**
 * The TokenRequest subresource (token-request.ts) as `kubectl create token` meets it on a kind cluster: a signed
 * RS256 service-account token whose claims follow pkg/serviceaccount/claims.go, the API server's default audience
 * and one-hour lifetime, and its refusals (too short a duration, a missing account, a pod of another account).
 * The kubectl tests run the real kubectl (CI installs it; with CI=true a missing kubectl fails).
 */
import { createVerify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { StoreError } from '../../../src/lab/sim/store.js';
import {
  createToken,
  DEFAULT_TOKEN_SECONDS,
  type ObjectGetter,
  SERVICE_ACCOUNT_ISSUER,
  TokenIssuer,
} from '../../../src/lab/sim/token-request.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

const objects: Record<string, KubeObject> = {
  'ServiceAccount/default': { metadata: { name: 'default', namespace: 'docqa', uid: 'sa-uid' } },
  'ServiceAccount/docqa': { metadata: { name: 'docqa', namespace: 'docqa', uid: 'sa2-uid' } },
  'Pod/docqa-0': {
    metadata: { name: 'docqa-0', namespace: 'docqa', uid: 'pod-uid' },
    spec: { nodeName: 'gitops-lab-control-plane', serviceAccountName: 'docqa' },
  },
  'Node/gitops-lab-control-plane': { metadata: { name: 'gitops-lab-control-plane', uid: 'node-uid' } },
};
const get: ObjectGetter = (kind, name) => objects[`${kind}/${name}`];

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
  };
}

function refusal(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('createToken (TokenREST.Create)', () => {
  const issuer = new TokenIssuer();

  it('issues an RS256 JWT, signed by the issuer key, with the claims of claims.go', () => {
    const answer = createToken(issuer, 'docqa', 'default', {}, get, NOW);
    const token = (answer.status as { token: string }).token;
    const [header, payload, signature] = token.split('.');
    const valid = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(issuer.publicKey, Buffer.from(signature ?? '', 'base64url'));
    expect(valid).toBe(true);
    const { header: h, claims } = decode(token);
    expect(h).toMatchObject({ alg: 'RS256' });
    expect(h.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const iat = NOW / 1000;
    expect(claims).toEqual({
      aud: [SERVICE_ACCOUNT_ISSUER],
      exp: iat + DEFAULT_TOKEN_SECONDS,
      iat,
      iss: SERVICE_ACCOUNT_ISSUER,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'kubernetes.io': { namespace: 'docqa', serviceaccount: { name: 'default', uid: 'sa-uid' } },
      nbf: iat,
      sub: 'system:serviceaccount:docqa:default',
    });
    // go-jose writes the merged claims as a map: keys sorted.
    expect(Object.keys(claims)).toEqual([...Object.keys(claims)].sort());
  });

  it('answers the TokenRequest with its defaults and the expiration on the sim clock', () => {
    const answer = createToken(issuer, 'docqa', 'default', { spec: { expirationSeconds: 1200 } }, get, NOW);
    expect(answer).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'default', namespace: 'docqa', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { audiences: [SERVICE_ACCOUNT_ISSUER], expirationSeconds: 1200 },
      status: { expirationTimestamp: '2026-01-01T00:20:00Z' },
    });
    expect(answer.spec).not.toHaveProperty('boundObjectRef');
  });

  it('keeps the audiences asked for, and a token bound to a pod names the pod and its node', () => {
    const answer = createToken(
      issuer,
      'docqa',
      'docqa',
      { spec: { audiences: ['vault'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'docqa-0' } } },
      get,
      NOW,
    );
    const { claims } = decode((answer.status as { token: string }).token);
    expect(claims.aud).toEqual(['vault']);
    expect(claims['kubernetes.io']).toEqual({
      namespace: 'docqa',
      node: { name: 'gitops-lab-control-plane', uid: 'node-uid' },
      pod: { name: 'docqa-0', uid: 'pod-uid' },
      serviceaccount: { name: 'docqa', uid: 'sa2-uid' },
    });
  });

  it('refuses what TokenREST and ValidateTokenRequest refuse, with their messages', () => {
    const cases: Array<[string, unknown, number, string]> = [
      [
        'default',
        { spec: { expirationSeconds: 60 } },
        422,
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      ],
      [
        'default',
        { spec: { expirationSeconds: 2 ** 32 + 1 } },
        422,
        `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: ${2 ** 32 + 1}: may not specify a duration larger than 2^32 seconds`,
      ],
      ['ghost', {}, 404, 'serviceaccounts "ghost" not found'],
      [
        'default',
        { metadata: { name: 'other' } },
        422,
        'TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
      ],
      [
        'default',
        { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'docqa-0' } } },
        400,
        'cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.',
      ],
      [
        'default',
        { spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'docqa' } } },
        400,
        'cannot bind token to object of type apps/v1, Kind=Deployment',
      ],
      [
        'docqa',
        { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'docqa-0', uid: 'old' } } },
        409,
        'Operation cannot be fulfilled on Pod "docqa-0": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
      ],
    ];
    for (const [account, body, code, message] of cases) {
      const error = refusal(() => createToken(issuer, 'docqa', account, body, get, NOW));
      expect({ code: error.code, message: error.message }).toEqual({ code, message });
    }
  });

  it('any body is answered or refused with an API status, never a crash (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        try {
          createToken(issuer, 'docqa', 'default', body, get, NOW);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError);
        }
      }),
      { numRuns: 200 },
    );
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl create token against the sim', () => {
  let cluster: SimCluster;
  let dir: string;
  const { kubectl } = kubectlRunner(() => ({ kubeconfigPath: cluster.kubeconfigPath, dir }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-token-'));
    cluster = await startSimCluster({ clock: new VirtualClock({ start: NOW }), dir });
    cluster.seed(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'docqa' } },
    );
  });
  afterAll(async () => {
    await cluster?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a token for the account, valid for the duration asked', async () => {
    const out = await kubectl(
      'create',
      'token',
      'default',
      '-n',
      'docqa',
      '--duration=20m',
      '--audience=vault',
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const { claims } = decode(out.stdout.trim());
    expect(claims).toMatchObject({ aud: ['vault'], sub: 'system:serviceaccount:docqa:default' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(1200);
  });

  it('a duration under ten minutes is refused as the API server refuses it', async () => {
    const out = await kubectl('create', 'token', 'default', '-n', 'docqa', '--duration=1m');
    expect(out.code).not.toBe(0);
    expect(out.stderr.trim()).toBe(
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    );
  });

  it('a missing account is a NotFound', async () => {
    const out = await kubectl('create', 'token', 'ghost', '-n', 'docqa');
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('serviceaccounts "ghost" not found');
  });
});
