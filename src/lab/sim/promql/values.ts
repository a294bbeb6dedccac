/** PromQL values as the engine passes them (prometheus/promql/value.go) and the label helpers the evaluator shares. */
import { byKey } from '../compare.js';
export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}
/**
 * A sample [ms, value], or a staleness marker [ms, NaN, 'stale'] (prometheus/model/value StaleNaN: the series ended
 * there; the evaluator never returns it as a value).
 */
export type Point = [number, number] | [number, number, 'stale'];

export interface Series {
  labels: Labels;
  /** Oldest first. */
  points: Point[];
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

/** The label set's (name, value) pairs, sorted by name. */
function sortedPairs(labels: Labels): Array<[string, string]> {
  return Object.entries(labels).sort(byKey);
}

/**
 * model/labels/labels.go Compare (v2.42.0; the same order in v3.x): pair by pair in name order, name then value; a set
 * that is a prefix of the other first. The order of a query's matrix result (engine.go sorts it).
 */
export function compareLabels(a: Labels, b: Labels): number {
  const [x, y] = [sortedPairs(a), sortedPairs(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [[an, av], [bn, bv]] = [item(x, i), item(y, i)];
    if (an !== bn) return an < bn ? -1 : 1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return x.length - y.length;
}

export function signature(labels: Labels): string {
  return JSON.stringify(sortedPairs(labels));
}

/** `list[i]`, for an index the caller has checked. */
export function item<T>(list: readonly T[], i: number): T {
  const value = list[i];
  if (value === undefined) throw new Error(`index ${i} out of range`);
  return value;
}
