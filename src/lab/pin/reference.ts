/**
 * Container image references as registries and Kubernetes understand them:
 * `[registry[:port]/]path[:tag][@sha256:<64 hex>]`. Parsing returns a result instead of throwing, so the
 * caller can say where the bad value came from (a flag, a field of a manifest).
 */

export interface ImageReference {
  /** Registry and repository path, e.g. `ghcr.io/acme/docqa` or `localhost:5000/docqa`. */
  name: string;
  tag?: string;
  /** `sha256:` followed by 64 lowercase hex digits. */
  digest?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const digestPattern = /^sha256:[0-9a-f]{64}$/;
const pathComponentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const domainComponentPattern = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const portPattern = /^[0-9]{1,5}$/;
const maxNameLength = 255;

/** `sha256:` + 64 hex digits (upper-case hex is accepted and lower-cased, as registries print it). */
export function parseDigest(text: string): ParseResult<string> {
  const lowered = text.startsWith('sha256:') ? `sha256:${text.slice(7).toLowerCase()}` : text;
  if (digestPattern.test(lowered)) return { ok: true, value: lowered };
  if (!text.startsWith('sha256:')) {
    return { ok: false, reason: `a digest starts with "sha256:", got ${JSON.stringify(text)}` };
  }
  const hex = text.slice(7);
  return {
    ok: false,
    reason: `a digest is "sha256:" followed by 64 hex digits, got ${hex.length} character(s) ${JSON.stringify(hex)}`,
  };
}

function isDomain(component: string): boolean {
  return (
    component === 'localhost' ||
    component.includes('.') ||
    component.includes(':') ||
    component !== component.toLowerCase()
  );
}

function checkDomain(domain: string): string | undefined {
  const [host = '', port, ...extra] = domain.split(':');
  if (extra.length > 0) return `registry "${domain}" has more than one ":"`;
  if (port !== undefined && !portPattern.test(port)) return `registry port "${port}" is not a number`;
  for (const part of host.split('.')) {
    if (!domainComponentPattern.test(part)) return `registry "${domain}" is not a valid host name`;
  }
  return undefined;
}

/** An image name without tag or digest, e.g. `ghcr.io/acme/docqa`. */
export function parseImageName(text: string): ParseResult<string> {
  if (text.length === 0) return { ok: false, reason: 'the image name is empty' };
  if (text.length > maxNameLength) {
    return { ok: false, reason: `the image name is longer than ${maxNameLength} characters` };
  }
  const parts = text.split('/');
  const first = parts[0] ?? '';
  let hasDomain = parts.length > 1 && isDomain(first);
  if (hasDomain) {
    const problem = checkDomain(first);
    // Like the registries' own grammar: a first component that is no valid host may still be a path.
    if (problem && !pathComponentPattern.test(first)) return { ok: false, reason: problem };
    if (problem) hasDomain = false;
  }
  const path = hasDomain ? parts.slice(1) : parts;
  for (const component of path) {
    if (!pathComponentPattern.test(component)) {
      return {
        ok: false,
        reason: `"${component}" in image name "${text}" must be lower-case letters and digits, separated by ".", "_", "__" or "-"`,
      };
    }
  }
  return { ok: true, value: text };
}

/** A full reference: name, optional `:tag`, optional `@sha256:…`. */
export function parseImageReference(text: string): ParseResult<ImageReference> {
  const at = text.indexOf('@');
  const beforeDigest = at === -1 ? text : text.slice(0, at);
  let digest: string | undefined;
  if (at !== -1) {
    const parsed = parseDigest(text.slice(at + 1));
    if (!parsed.ok) return parsed;
    digest = parsed.value;
  }
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.indexOf(':', lastSlash + 1);
  const nameText = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  let tag: string | undefined;
  if (colon !== -1) {
    tag = beforeDigest.slice(colon + 1);
    if (!tagPattern.test(tag)) {
      return {
        ok: false,
        reason: `tag "${tag}" must be 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"`,
      };
    }
  }
  const name = parseImageName(nameText);
  if (!name.ok) return name;
  return {
    ok: true,
    value: { name: name.value, ...(tag === undefined ? {} : { tag }), ...(digest ? { digest } : {}) },
  };
}

export function formatImageReference(reference: ImageReference): string {
  return `${reference.name}${reference.tag === undefined ? '' : `:${reference.tag}`}${
    reference.digest === undefined ? '' : `@${reference.digest}`
  }`;
}

/** The first 12 hex digits of a digest, the way `docker images` shows image ids. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
