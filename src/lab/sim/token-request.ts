/**
 * The TokenRequest subresource (`POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`), which `kubectl create
 * token <sa>` calls, as a Kubernetes v1.33 API server answers it on a kind cluster. Rules read in untagged copies
 * of kubernetes/kubernetes of the v1.3x line:
 * - pkg/registry/core/serviceaccount/storage/token.go TokenREST.Create: a name or namespace in the body must match
 *   the URL's (422 "must match the service account name if specified"); the ServiceAccount must exist (404); no
 *   audiences means the API server's (`--api-audiences`, which kubeadm leaves to the issuer,
 *   https://kubernetes.default.svc.cluster.local); name, namespace and creationTimestamp are filled in; the status is
 *   the token and `expirationTimestamp` = now + expirationSeconds; the answer is 201 with the whole TokenRequest.
 *   A bound object (`--bound-object-kind Pod|Secret|Node`) must exist and, for a pod, run as this account (400);
 *   a uid that differs from the object's is a 409.
 * - pkg/apis/authentication/v1/defaults.go SetDefaults_TokenRequestSpec: expirationSeconds 3600 when unset.
 * - pkg/apis/authentication/validation/validation.go ValidateTokenRequest: at least 600 s ("may not specify a
 *   duration less than 10 minutes") and at most 2^32 s; kind sets no --service-account-max-token-expiration.
 * - pkg/serviceaccount/claims.go Claims: sub `system:serviceaccount:<ns>:<name>`, aud, iat = nbf = now,
 *   exp = now + expirationSeconds, jti a new UUID (ServiceAccountTokenJTI, on in v1.33), and the private claim
 *   `kubernetes.io` with the namespace, the account's name and uid, and the bound pod (with its node, the
 *   ServiceAccountTokenPodNodeInfo gate, on in v1.33), secret or node.
 * - pkg/serviceaccount/jwt.go: an RS256 JWT whose `kid` is the unpadded base64url SHA-256 of the public key's DER
 *   (keyIDFromPublicKey); go-jose merges the public and private claims into one map, so the payload's keys come
 *   sorted at every level. The sim makes its own RSA key when it issues its first token.
 * The expiry is on the sim's clock. The sim does not authenticate with these tokens (its API server knows one bearer
 * token, api.ts); they are what a real cluster would hand out.
 */
import {
  createHash,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { canonicalJson } from './deployment-util.js';
import { type KubeObject, kubeTime, StoreError } from './store.js';

/** kubeadm's --service-account-issuer on kind, which is also the API server's default audience. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** SetDefaults_TokenRequestSpec. */
export const DEFAULT_TOKEN_SECONDS = 3600;
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

interface TokenRequestBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: BoundObjectRef };
}

/** Reads objects the request names: the account, and a bound object. */
export type ObjectGetter = (
  kind: 'ServiceAccount' | 'Pod' | 'Secret' | 'Node',
  name: string,
) => KubeObject | undefined;

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

const invalid = (name: string, message: string) =>
  new StoreError(422, 'Invalid', `TokenRequest.authentication.k8s.io "${name}" is invalid: ${message}`, {
    kind: 'TokenRequest',
    group: 'authentication.k8s.io',
    name,
  });

const notFound = (plural: string, name: string) =>
  new StoreError(404, 'NotFound', `${plural} "${name}" not found`, { kind: plural, name });

/** Signs service-account tokens with one RSA key, made on first use (jwt.go JWTTokenGenerator). */
export class TokenIssuer {
  private key?: { privateKey: KeyObject; kid: string };

  private signingKey(): { privateKey: KeyObject; kid: string } {
    if (!this.key) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const der = publicKey.export({ type: 'spki', format: 'der' });
      this.key = { privateKey, kid: base64url(createHash('sha256').update(der).digest()) };
    }
    return this.key;
  }

  /** The public half of the signing key, as the API server's JWKS would publish it. */
  get publicKey(): KeyObject {
    return createPublicKey(this.signingKey().privateKey);
  }

  /** A compact RS256 JWT of these claims. */
  sign(claims: Record<string, unknown>): string {
    const { privateKey, kid } = this.signingKey();
    const input = `${base64url(JSON.stringify({ alg: 'RS256', kid }))}.${base64url(canonicalJson(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
    return `${input}.${base64url(signature)}`;
  }
}

/** The bound object (Pod, Secret or Node) a token names, checked as TokenREST.Create checks it. */
function boundObject(
  ref: BoundObjectRef,
  account: string,
  get: ObjectGetter,
): { claim: Record<string, unknown> } {
  const apiVersion = ref.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const kind = ref.kind ?? '';
  const name = ref.name ?? '';
  // schema.GroupVersionKind String(): `<group>/<version>, Kind=<kind>`.
  if (group !== '' || !['Pod', 'Secret', 'Node'].includes(kind))
    throw new StoreError(
      400,
      'BadRequest',
      `cannot bind token to object of type ${group}/${version}, Kind=${kind}`,
    );
  const plural = `${kind.toLowerCase()}s`;
  const object = get(kind as 'Pod' | 'Secret' | 'Node', name);
  if (!object) throw notFound(plural, name);
  if (
    kind === 'Pod' &&
    ((object.spec as { serviceAccountName?: string })?.serviceAccountName || 'default') !== account
  )
    throw new StoreError(
      400,
      'BadRequest',
      `cannot bind token for serviceaccount "${account}" to pod running with different serviceaccount name.`,
    );
  const uid = object.metadata?.uid ?? '';
  if (ref.uid && ref.uid !== uid)
    throw new StoreError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${kind} "${name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      { kind, name },
    );
  const claim: Record<string, unknown> = { [kind.toLowerCase()]: { name, uid } };
  if (kind === 'Pod') {
    const nodeName = (object.spec as { nodeName?: string })?.nodeName;
    if (nodeName) {
      const node = get('Node', nodeName);
      claim.node = { name: nodeName, ...(node?.metadata?.uid ? { uid: node.metadata.uid } : {}) };
    }
  }
  return { claim };
}

/** TokenREST.Create: the TokenRequest answered, its status holding a signed token. */
export function createToken(
  issuer: TokenIssuer,
  namespace: string,
  account: string,
  body: unknown,
  get: ObjectGetter,
  now: number,
): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new StoreError(400, 'BadRequest', 'invalid body: a TokenRequest must be an object');
  const request = body as TokenRequestBody;
  const metadata = request.metadata ?? {};
  if (metadata.name && metadata.name !== account)
    throw invalid(
      account,
      `metadata.name: Invalid value: "${metadata.name}": must match the service account name if specified`,
    );
  if (metadata.namespace && metadata.namespace !== namespace)
    throw invalid(
      account,
      `metadata.namespace: Invalid value: "${metadata.namespace}": must match the service account namespace if specified`,
    );
  const spec = request.spec ?? {};
  const seconds = spec.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
  if (!Number.isSafeInteger(seconds))
    throw new StoreError(400, 'BadRequest', 'invalid body: spec.expirationSeconds must be an integer');
  const sa = get('ServiceAccount', account);
  if (!sa) throw notFound('serviceaccounts', account);
  if (seconds < MIN_TOKEN_SECONDS)
    throw invalid(
      '',
      `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes`,
    );
  if (seconds > MAX_TOKEN_SECONDS)
    throw invalid(
      '',
      `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration larger than 2^32 seconds`,
    );
  const audiences = spec.audiences?.length ? spec.audiences : [SERVICE_ACCOUNT_ISSUER];
  const bound = spec.boundObjectRef ? boundObject(spec.boundObjectRef, account, get) : undefined;
  const iat = Math.floor(now / 1000);
  const token = issuer.sign({
    aud: audiences,
    exp: iat + seconds,
    iat,
    iss: SERVICE_ACCOUNT_ISSUER,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace,
      ...(bound?.claim ?? {}),
      serviceaccount: { name: account, uid: sa.metadata?.uid ?? '' },
    },
    nbf: iat,
    sub: `system:serviceaccount:${namespace}:${account}`,
  });
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: account, namespace, creationTimestamp: kubeTime(now) },
    spec: {
      audiences,
      expirationSeconds: seconds,
      ...(spec.boundObjectRef ? { boundObjectRef: spec.boundObjectRef } : {}),
    },
    status: { token, expirationTimestamp: kubeTime(now + seconds * 1000) },
  } as KubeObject;
}
