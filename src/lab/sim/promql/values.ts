/** PromQL values as the engine passes them (prometheus/promql/value.go) and the label helpers the evaluator shares. */
export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}
export interface Series {
  labels: Labels;
  /** [ms, value], oldest first. */
  points: Array<[number, number]>;
}
export type Value =
  | { kind: 'scalar'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'vector'; samples: Sample[] }
  | { kind: 'matrix'; series: Series[] };

export function withoutName(labels: Labels): Labels {
  const { __name__: _, ...rest } = labels;
  return rest;
}

/** The labels `keep` names (by) or all but `drop` names and __name__ (without). */
export function grouped(labels: Labels, names: string[], by: boolean): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) {
    if (by ? names.includes(k) : !names.includes(k) && k !== '__name__') out[k] = v;
  }
  return out;
}

export function signature(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `list[i]`, for an index the caller has checked. */
export function item<T>(list: readonly T[], i: number): T {
  const value = list[i];
  if (value === undefined) throw new Error(`index ${i} out of range`);
  return value;
}
