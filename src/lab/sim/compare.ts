/**
 * Go's ordering of strings (`a < b` on the bytes), as the sort.Slice/sort.Strings comparators of the Kubernetes,
 * Argo CD and Prometheus code the simulation models use it. JavaScript compares UTF-16 code units, which orders ASCII
 * text the same way; the names, keys and label values compared here are ASCII.
 */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts `[key, value]` entries by key (Go's sorted map keys). */
export const byKey = <T>([a]: [string, T], [b]: [string, T]): number => compareStrings(a, b);
