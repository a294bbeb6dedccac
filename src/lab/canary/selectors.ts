/**
 * Scopes a PromQL query to one deployment, as Kayenta scopes its queries to canary and baseline: the label
 * matchers of a selector (`rollouts_pod_template_hash="abc"`, or `{app="x", track=~"canary"}`) are set on
 * every vector selector of the query, replacing any matcher on the same label. Parsing uses Prometheus' own
 * PromQL grammar (@prometheus-io/lezer-promql), so strings, functions and `{{args.x}}` placeholders inside
 * label values are left alone.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { UsageError } from '../../errors.js';

export interface LabelMatcher {
  name: string;
  /** The matcher as written, e.g. rollouts_pod_template_hash="abc". */
  text: string;
}

/** The label that a bare value (`--canary 6d4f9c7b8`) selects: the Argo Rollouts pod-template hash. */
export const DEFAULT_SCOPE_LABEL = 'rollouts_pod_template_hash';

interface SyntaxNodeLike {
  name: string;
  from: number;
  to: number;
  firstChild: SyntaxNodeLike | null;
  nextSibling: SyntaxNodeLike | null;
  type: { isError: boolean };
}

function children(node: SyntaxNodeLike): SyntaxNodeLike[] {
  const out: SyntaxNodeLike[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function hasError(text: string): boolean {
  let error = false;
  parser.parse(text).iterate({
    enter(node) {
      if (node.type.isError) error = true;
    },
  });
  return error;
}

/** Parses `--canary`/`--baseline`: label matchers, with or without braces, or a bare pod-template hash. */
export function parseSelector(selector: string, flag: string): LabelMatcher[] {
  const trimmed = selector.trim();
  if (trimmed === '')
    throw new UsageError(`${flag} is empty.`, {
      hint: `Pass ${flag} 'label="value"' or a pod-template hash.`,
    });
  if (/^[A-Za-z0-9_.:-]+$/.test(trimmed)) {
    return [{ name: DEFAULT_SCOPE_LABEL, text: `${DEFAULT_SCOPE_LABEL}=${JSON.stringify(trimmed)}` }];
  }
  const body = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  const text = `__scope__{${body}}`;
  const invalid = () =>
    new UsageError(`${flag} ${JSON.stringify(selector)} is not a PromQL label selector.`, {
      hint: `Write it like ${flag} 'rollouts_pod_template_hash="6d4f9c7b8"' (or just the hash).`,
    });
  if (hasError(text)) throw invalid();
  const matchers: LabelMatcher[] = [];
  const tree = parser.parse(text);
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'UnquotedLabelMatcher' && ref.name !== 'QuotedLabelMatcher') return;
      const node = ref.node as unknown as SyntaxNodeLike;
      const label = children(node).find((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName');
      if (!label) return;
      let name = text.slice(label.from, label.to);
      if (label.name === 'QuotedLabelName') name = JSON.parse(name) as string;
      matchers.push({ name, text: text.slice(node.from, node.to) });
    },
  });
  if (matchers.length === 0) throw invalid();
  return matchers;
}

/** Sets `matchers` on every vector selector of `query`. */
export function scopeQuery(query: string, matchers: readonly LabelMatcher[]): string {
  const names = new Set(matchers.map((m) => m.name));
  const edits: { from: number; to: number; text: string }[] = [];
  const tree = parser.parse(query);
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node as unknown as SyntaxNodeLike;
      const parts = children(node);
      const list = parts.find((c) => c.name === 'LabelMatchers');
      if (!list) {
        edits.push({ from: node.to, to: node.to, text: `{${matchers.map((m) => m.text).join(', ')}}` });
        return false;
      }
      const kept = children(list)
        .filter((c) => c.name === 'UnquotedLabelMatcher' || c.name === 'QuotedLabelMatcher')
        .filter((c) => {
          const label = children(c).find((l) => l.name === 'LabelName' || l.name === 'QuotedLabelName');
          if (!label) return true;
          const raw = query.slice(label.from, label.to);
          const name = label.name === 'QuotedLabelName' ? (JSON.parse(raw) as string) : raw;
          return !names.has(name);
        })
        .map((c) => query.slice(c.from, c.to));
      edits.push({
        from: list.from,
        to: list.to,
        text: `{${[...kept, ...matchers.map((m) => m.text)].join(', ')}}`,
      });
      return false;
    },
  });
  let out = query;
  for (const edit of edits.sort((a, b) => b.from - a.from)) {
    out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  }
  return out;
}
