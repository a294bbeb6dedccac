/** Container image references and kustomize `images:` overrides. */
import type { ImageOverride } from './types.js';

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

export function formatImage(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The image after kustomize's `images:` transformer (first override whose name matches). */
export function applyOverrides(
  image: string,
  overrides: ImageOverride[],
): { ref: ImageRef; override?: ImageOverride } {
  const ref = parseImage(image);
  const override = overrides.find((o) => o.name === ref.name);
  if (!override) return { ref };
  const out: ImageRef = { ...ref };
  if (override.newName) out.name = override.newName;
  if (override.newTag !== undefined) {
    out.tag = String(override.newTag);
  }
  if (override.digest) {
    out.digest = override.digest;
    out.tag = undefined;
  }
  return { ref: out, override };
}
