/** Label and field selectors, the subset of the Kubernetes syntax the lab uses (=, ==, !=, in, notin, exists, !exists). */
import { byKey } from './compare.js';

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

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/**
 * A LabelSelector in the string syntax (metav1.LabelSelectorAsSelector, then labels.Selector's String): one
 * requirement per label and expression, sorted by key; set values sorted. Empty for an empty or absent selector.
 */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  const requirements: Array<[string, string]> = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => [
    k,
    `${k}=${v}`,
  ]);
  for (const { key, operator, values = [] } of selector?.matchExpressions ?? []) {
    const set = `(${[...values].sort().join(',')})`;
    const text = {
      In: `${key} in ${set}`,
      NotIn: `${key} notin ${set}`,
      Exists: key,
      DoesNotExist: `!${key}`,
    }[operator];
    if (text !== undefined) requirements.push([key, text]);
  }
  return requirements
    .sort(byKey)
    .map(([, text]) => text)
    .join(',');
}

/** metav1.FormatLabelSelector: the string syntax, `<none>` for an empty selector. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  return labelSelectorString(selector) || '<none>';
}

/**
 * Whether `labels` hold every key and value of the set `want` (apimachinery labels.SelectorFromSet(...).Matches, as a
 * ReplicaSet's template labels and a Service's selector match pods).
 */
export function matchesLabelSet(want: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}
