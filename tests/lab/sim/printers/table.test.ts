/**
 * Content negotiation and the Table envelope (src/lab/sim/printers/table.ts), as Kubernetes v1.33's apiserver
 * (pkg/endpoints/handlers/response.go asTable) answers: a Table when Accept asks for one, includeObject.
 */
import { describe, expect, it } from 'vitest';
import { configMapPrinter } from '../../../../src/lab/sim/printers/core.js';
import { printTable, TableRequestError, tableRequest } from '../../../../src/lab/sim/printers/table.js';

const kubectlAccept =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('tableRequest', () => {
  it("takes kubectl get's Accept as a v1 Table with metadata for the rows", () => {
    expect(tableRequest(kubectlAccept, {})).toEqual({ version: 'v1', includeObject: 'Metadata' });
    expect(
      tableRequest('application/json;as=Table;v=v1beta1;g=meta.k8s.io', { includeObject: 'Object' }),
    ).toEqual({
      version: 'v1beta1',
      includeObject: 'Object',
    });
  });

  it('is plain JSON for JSON first, for no Accept, or for a Table it cannot give', () => {
    expect(tableRequest(undefined, {})).toBeUndefined();
    expect(tableRequest('application/json, */*', {})).toBeUndefined();
    expect(tableRequest('application/json;as=Table;v=v2;g=meta.k8s.io,application/json', {})).toBeUndefined();
    expect(tableRequest('application/yaml', {})).toBeUndefined();
  });

  it('rejects an includeObject it does not know', () => {
    expect(() => tableRequest(kubectlAccept, { includeObject: 'Everything' })).toThrow(TableRequestError);
  });
});

describe('printTable', () => {
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'n', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' },
    data: { a: 'b' },
  };
  const now = Date.UTC(2026, 0, 1, 0, 0, 45);

  it('a meta.k8s.io Table: column definitions, cells, and the object as PartialObjectMetadata', () => {
    const table = printTable(
      configMapPrinter,
      [cm],
      { version: 'v1', includeObject: 'Metadata' },
      { resourceVersion: '9', now },
    );
    expect(table).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '9' },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: '', priority: 0 },
        { name: 'Data', type: 'string', format: '', description: '', priority: 0 },
        { name: 'Age', type: 'string', format: '', description: '', priority: 0 },
      ],
      rows: [
        {
          cells: ['c', 1, '45s'],
          object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata },
        },
      ],
    });
  });

  it('includeObject Object carries the object, None nothing; noHeaders drops the columns', () => {
    const whole = printTable(
      configMapPrinter,
      [cm],
      { version: 'v1', includeObject: 'Object' },
      { resourceVersion: '9', now },
    );
    expect((whole.rows as Array<{ object: unknown }>)[0]?.object).toEqual(cm);
    const none = printTable(
      configMapPrinter,
      [cm],
      { version: 'v1', includeObject: 'None' },
      { resourceVersion: '9', now, noHeaders: true },
    );
    expect((none.rows as Array<{ object: unknown }>)[0]?.object).toBeNull();
    expect(none.columnDefinitions).toEqual([]);
  });
});
