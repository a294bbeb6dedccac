/**
 * Custom resources as apiextensions-apiserver prints them (Kubernetes v1.33
 * staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor/tableconvertor.go, and
 * pkg/apiserver/customresource_handler.go serveDefaultColumnsIfEmpty):
 * - NAME first, then the served version's additionalPrinterColumns in order, each with its type, format,
 *   description and priority; a version without any gets one column, Age (type date) of .metadata.creationTimestamp.
 * - A column's JSONPath is evaluated on the object (client-go jsonpath, missing keys allowed); only the first result
 *   counts. No result: a null cell (kubectl prints `<none>`).
 * - A string column prints the value as client-go's jsonpath prints one result: text as is, numbers and booleans in
 *   Go's formatting, a map or an array as compact JSON.
 * - Other types convert the JSON value: integer (a float truncated), number, boolean; date takes an RFC 3339 string
 *   and prints its age at the server's clock ("<invalid>" when it does not parse); a value of another JSON type is
 *   null.
 *
 * The JSONPath is evaluated with jsonpath-plus (already a dependency, pinned): CRD validation only requires a path
 * to start with "." (apiextensions validation validateSimpleJSONPath), so a column may use any JSONPath client-go
 * reads, filters included (`.status.conditions[?(@.type=="Ready")].status`); a hand-written subset would not cover
 * them. "$" is put before the path, which is how jsonpath-plus spells client-go's implicit root.
 */
import { JSONPath } from 'jsonpath-plus';
import { formatGoFloat } from '../../canary/expr/values.js';
import type { PrinterColumn } from '../resources.js';
import type { KubeObject } from '../store.js';
import { since } from './duration.js';
import { nameOf } from './format.js';
import { type Cell, nameColumn, type Printer, type TableColumn } from './table.js';

const defaultColumns: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The first value at `path` (client-go form, `.a.b`), or undefined when there is none. */
function firstResult(obj: KubeObject, path: string): unknown {
  try {
    const results = JSONPath({ path: `$${path}`, json: obj, wrap: true }) as unknown[];
    return Array.isArray(results) && results.length > 0 ? results[0] : undefined;
  } catch {
    return undefined;
  }
}

/** JSON as Go's encoding/json writes a decoded value: map keys sorted, <, > and & escaped. */
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value))
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026');
}

/** A string column's cell: the value as client-go's jsonpath prints a single result. */
function text(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  // The API server decodes a whole JSON number as an int64, anything else as a float64.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : formatGoFloat(value);
  return goJson(value);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** cellForJSONValue: a non-string column's cell. */
function typed(type: string, value: unknown, now: number): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      return RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? since(value, now) : '<invalid>';
    default:
      return null;
  }
}

/** The printer of a custom resource whose served version has `printerColumns`. */
export function crdPrinter(printerColumns: PrinterColumn[]): Printer {
  const columns = printerColumns.length > 0 ? printerColumns : defaultColumns;
  return {
    columns: [
      nameColumn,
      ...columns.map(
        (c): TableColumn => ({
          name: c.name,
          type: c.type,
          ...(c.format ? { format: c.format } : {}),
          ...(c.description ? { description: c.description } : {}),
          ...(c.priority ? { priority: c.priority } : {}),
        }),
      ),
    ],
    row(obj, now) {
      return {
        cells: [
          nameOf(obj),
          ...columns.map((c) => {
            const value = firstResult(obj, c.jsonPath);
            return c.type === 'string' ? text(value) : typed(c.type, value, now);
          }),
        ],
      };
    },
  };
}
