/** Dotted paths into YAML documents, as drill files write them: `spec.containers[0].image`, `metadata.annotations["a/b"]`. */
export function parseYamlPath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const pattern = /\s*(?:\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\])/y;
  let index = 0;
  while (index < path.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(path);
    if (!match || match[0].length === 0) {
      throw new Error(`cannot read the path "${path}" at "${path.slice(index)}"`);
    }
    if (match[1] !== undefined) parts.push(match[1]);
    else if (match[2] !== undefined) parts.push(Number(match[2]));
    else parts.push(match[3] ?? match[4] ?? '');
    index = pattern.lastIndex;
  }
  if (parts.length === 0) throw new Error(`the path "${path}" is empty`);
  return parts;
}
