/** Judging a probe value against the tolerance written in a drill: equals, in, range, matches or exists. */
import type { Scalar } from './schema.js';

export interface Tolerance {
  equals?: Scalar;
  in?: Scalar[];
  range?: [number, number] | { min?: number; max?: number };
  matches?: string;
  exists?: boolean;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
}

/** A number when the value is one, or a string holding one (Kubernetes often stores numbers as strings). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function describeTolerance(t: Tolerance): string {
  if (t.equals !== undefined) return `= ${JSON.stringify(t.equals)}`;
  if (t.in !== undefined) return `in ${JSON.stringify(t.in)}`;
  if (t.range !== undefined) {
    const [min, max] = Array.isArray(t.range) ? t.range : [t.range.min, t.range.max];
    if (min !== undefined && max !== undefined) return `in [${min}, ${max}]`;
    if (min !== undefined) return `≥ ${min}`;
    if (max !== undefined) return `≤ ${max}`;
  }
  if (t.matches !== undefined) return `matches /${t.matches}/`;
  if (t.exists === false) return 'absent';
  return 'present';
}

export function withinTolerance(value: unknown, t: Tolerance): boolean {
  if (t.equals !== undefined) return sameValue(value, t.equals);
  if (t.in !== undefined) return t.in.some((v) => sameValue(value, v));
  if (t.range !== undefined) {
    const n = toNumber(value);
    if (n === undefined) return false;
    const [min, max] = Array.isArray(t.range) ? t.range : [t.range.min, t.range.max];
    return (min === undefined || n >= min) && (max === undefined || n <= max);
  }
  if (t.matches !== undefined) return value !== undefined && new RegExp(t.matches).test(String(value));
  if (t.exists === false) return value === undefined;
  return value !== undefined;
}
