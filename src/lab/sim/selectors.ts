/** Label and field selectors, the subset of the Kubernetes syntax the lab uses (=, ==, !=, in, notin, exists, !exists). */
type Labels = Record<string, string> | undefined;

type Requirement = (labels: Labels) => boolean;

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function requirement(expr: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(expr);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    return op === 'in'
      ? (l) => l?.[key] !== undefined && values.includes(l[key] as string)
      : (l) => l?.[key] === undefined || !values.includes(l[key] as string);
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(expr);
  if (cmp) {
    const [, key = '', op, value] = cmp;
    return op === '!=' ? (l) => l?.[key] !== value : (l) => l?.[key] === value;
  }
  if (expr.startsWith('!')) {
    const key = expr.slice(1).trim();
    return (l) => l?.[key] === undefined;
  }
  return (l) => l?.[expr] !== undefined;
}

export function labelSelectorMatcher(selector: string | null | undefined): (labels: Labels) => boolean {
  if (!selector) return () => true;
  const requirements = splitTopLevel(selector).map(requirement);
  return (labels) => requirements.every((r) => r(labels));
}

function valueAt(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? undefined : String(cur);
}

/** Field selectors over any dotted path of the object, e.g. `metadata.name=x,involvedObject.kind=Pod`. */
export function fieldSelectorMatcher(selector: string | null | undefined): (obj: unknown) => boolean {
  if (!selector) return () => true;
  const tests = splitTopLevel(selector).map((expr) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(expr);
    if (!m) return () => true;
    const [, path = '', op, value] = m;
    return (obj: unknown) => (op === '!=' ? valueAt(obj, path) !== value : valueAt(obj, path) === value);
  });
  return (obj) => tests.every((t) => t(obj));
}
