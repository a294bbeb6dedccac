/** Cell formats the built-in printers share (Kubernetes v1.33 pkg/printers/internalversion/printers.go). */

import { labelSelectorString } from '../selectors.js';
import type { KubeObject } from '../store.js';
import { since } from './duration.js';

/** An object's spec or status as the printer reads it (fields it lacks are absent, as in Go's zero values). */
export const specOf = <T = Record<string, unknown>>(obj: KubeObject) => (obj.spec ?? {}) as T;
export const statusOf = <T = Record<string, unknown>>(obj: KubeObject) => (obj.status ?? {}) as T;

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

/** AGE: since metadata.creationTimestamp (translateTimestampSince). */
export function ageOf(obj: KubeObject, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

/**
 * A map of labels as `k=v` pairs sorted by key, `<none>` when empty (apimachinery labels.FormatLabels): the
 * selector string of the same labels (selectors.ts).
 */
export function formatLabels(labels: Record<string, string> | undefined): string {
  return labelSelectorString({ matchLabels: labels }) || '<none>';
}

export interface Container {
  name?: string;
  image?: string;
}

/** CONTAINERS and IMAGES of `-o wide`: each joined with commas (layoutContainerCells). */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** An IntOrString as Go's String() prints it: the number, or the text (`25%`). */
export function intOrString(value: unknown): string {
  return typeof value === 'number' ? String(Math.trunc(value)) : String(value ?? '');
}

/** A Quantity as JSON carries it. The API server would print it canonically (`0.5` as `500m`); the sim keeps its text. */
export function quantity(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : String(value);
}

/** An int32/int64 field: Go's zero value when absent. */
export function int(value: unknown): number {
  return typeof value === 'number' ? Math.trunc(value) : 0;
}

/** "a + 2 more..." after `max` items (listWithMoreString and its neighbours). */
export function withMore(list: string[], total: number, max: number): string {
  const shown = list.slice(0, max).join(',');
  return total > max ? `${shown} + ${total - max} more...` : shown;
}
