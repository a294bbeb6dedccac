/** Reads a field of a Kubernetes object by JSONPath, accepting kubectl's `{.status.replicas}` form too. */
import { JSONPath } from 'jsonpath-plus';

export function normalizeJsonPath(path: string): string {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) return p;
  if (p.startsWith('.') || p.startsWith('[')) return `$${p}`;
  return `$.${p}`;
}

/** The value at `path`: a single match as itself, several as an array, none as undefined. */
export function readPath(object: unknown, path: string): unknown {
  if (object === undefined || object === null) return undefined;
  const matches = JSONPath({
    path: normalizeJsonPath(path),
    json: object as object,
    wrap: true,
  }) as unknown[];
  if (!Array.isArray(matches) || matches.length === 0) return undefined;
  return matches.length === 1 ? matches[0] : matches;
}
