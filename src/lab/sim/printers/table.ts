/**
 * Server-side printing's envelope: the meta.k8s.io Table a real API server answers when the request's Accept asks
 * for one (kubectl get sends `application/json;as=Table;v=v1;g=meta.k8s.io`, then the v1beta1 form, then plain
 * `application/json`), built from a printer's columns and rows. The rules, from Kubernetes v1.33:
 * - apiserver pkg/endpoints/handlers/response.go (asTable): the row's `object` follows `?includeObject=`: `Metadata`
 *   (the default) a PartialObjectMetadata of the Table's group version, `Object` the whole object, `None` nothing;
 *   any other value is a 400. kubectl asks for `Object` only with `--sort-by`.
 * - pkg/printers/storage (TableConvertor): built-in printers always run wide; the client hides the columns of
 *   priority above 0 unless `-o wide`.
 * - apiserver pkg/endpoints/handlers/watch.go: on a watch each event's object is a Table of one row, and only the
 *   first carries the column definitions.
 * - Anything else in Accept (or none): plain JSON, as before.
 */
import type { KubeObject } from '../store.js';

export interface TableColumn {
  name: string;
  /** integer, number, string, boolean or date (a hint for the client). */
  type: string;
  /** `name` for the column that holds the object's name. */
  format?: string;
  description?: string;
  /** Above 0: shown by `kubectl get -o wide` only. */
  priority?: number;
}

export type Cell = string | number | boolean | null;

export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PrintedRow {
  cells: Cell[];
  conditions?: RowCondition[];
}

/** A kind's printer: its columns and the row of one object, at the server's `now`. */
export interface Printer {
  columns: TableColumn[];
  row(obj: KubeObject, now: number): PrintedRow;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRequest {
  /** meta.k8s.io version asked for. */
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
}

/** A request's Table options that no server accepts (an unknown includeObject): a 400. */
export class TableRequestError extends Error {}

/** The Content-Type of a Table answer. */
export function tableContentType(request: TableRequest): string {
  return `application/json;as=Table;v=${request.version};g=meta.k8s.io`;
}

/**
 * What the request asks for: a Table (the first acceptable media range of Accept asks for one) or plain JSON
 * (undefined: the first acceptable range is JSON without `as`, or nothing in Accept asks for a Table the server
 * can give).
 */
export function tableRequest(
  accept: string | undefined,
  query: Record<string, string | undefined>,
): TableRequest | undefined {
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim());
    if (!['application/json', 'application/*', '*/*'].includes(type.toLowerCase())) continue;
    const p = Object.fromEntries(
      params.map((kv) => {
        const at = kv.indexOf('=');
        return at < 0 ? [kv, ''] : [kv.slice(0, at).trim(), kv.slice(at + 1).trim()];
      }),
    );
    if (p.as === undefined) return undefined;
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) {
      const includeObject = query.includeObject || 'Metadata';
      if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object')
        throw new TableRequestError(`unrecognized includeObject value: "${includeObject}"`);
      return { version: p.v, includeObject };
    }
  }
  return undefined;
}

function rowObject(obj: KubeObject, request: TableRequest): unknown {
  switch (request.includeObject) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    default:
      return {
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${request.version}`,
        metadata: obj.metadata ?? {},
      };
  }
}

export interface TableOptions {
  /** The list's resourceVersion, or the object's for a single object. */
  resourceVersion: string;
  now: number;
  /** Leave the column definitions out (watch events after the first). */
  noHeaders?: boolean;
}

/** The meta.k8s.io Table of `objects` printed by `printer`. */
export function printTable(
  printer: Printer,
  objects: KubeObject[],
  request: TableRequest,
  options: TableOptions,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${request.version}`,
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: options.noHeaders
      ? []
      : printer.columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: c.description ?? '',
          priority: c.priority ?? 0,
        })),
    rows: objects.map((obj) => {
      const row = printer.row(obj, options.now);
      return {
        cells: row.cells,
        ...(row.conditions ? { conditions: row.conditions } : {}),
        object: rowObject(obj, request),
      };
    }),
  };
}

/** The NAME column every printer starts with. */
export const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name' };
/** The AGE column: the time since creation (duration.ts). */
export const ageColumn: TableColumn = { name: 'Age', type: 'string' };

/** A column of `type` (default string), shown by `-o wide` only when `wide`. */
export function column(name: string, type = 'string', wide = false): TableColumn {
  return wide ? { name, type, priority: 1 } : { name, type };
}
