/**
 * Custom resources' Table (src/lab/sim/printers/crd.ts) as apiextensions-apiserver's tableconvertor builds it
 * (Kubernetes v1.33): NAME then the printer columns; no columns means Age; a missing value is null; a string column
 * prints what client-go's jsonpath prints (maps and arrays as JSON); typed columns convert or give null.
 */
import { describe, expect, it } from 'vitest';
import { formatGoFloat as goFloat } from '../../../../src/lab/canary/expr/values.js';
import { crdPrinter } from '../../../../src/lab/sim/printers/crd.js';
import type { PrinterColumn } from '../../../../src/lab/sim/resources.js';

const now = Date.UTC(2026, 0, 10);

describe('crdPrinter', () => {
  it('NAME first, then the columns with their type, format and priority', () => {
    const columns: PrinterColumn[] = [
      { name: 'Sync Status', type: 'string', jsonPath: '.status.sync.status' },
      { name: 'Revision', type: 'string', priority: 10, jsonPath: '.status.sync.revision' },
    ];
    expect(crdPrinter(columns).columns).toEqual([
      { name: 'Name', type: 'string', format: 'name' },
      { name: 'Sync Status', type: 'string' },
      { name: 'Revision', type: 'string', priority: 10 },
    ]);
  });

  it('without printer columns: Age of .metadata.creationTimestamp', () => {
    const printer = crdPrinter([]);
    expect(printer.columns.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
    expect(
      printer.row({ metadata: { name: 'x', creationTimestamp: '2026-01-09T23:55:00Z' } }, now).cells,
    ).toEqual(['x', '5m']);
  });

  it('evaluates each JSONPath: missing is null, maps and arrays are JSON, numbers and booleans as Go prints them', () => {
    const columns: PrinterColumn[] = [
      { name: 'Missing', type: 'string', jsonPath: '.status.nothing' },
      { name: 'List', type: 'string', jsonPath: '.spec.list' },
      { name: 'Map', type: 'string', jsonPath: '.spec.map' },
      { name: 'Count', type: 'string', jsonPath: '.spec.count' },
      { name: 'Ratio', type: 'string', jsonPath: '.spec.ratio' },
      { name: 'On', type: 'string', jsonPath: '.spec.on' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'First', type: 'string', jsonPath: '.spec.list[*]' },
    ];
    const obj = {
      metadata: { name: 'x' },
      spec: { list: ['a', 'b'], map: { z: 1, a: '<b>' }, count: 3, ratio: 0.5, on: true },
      status: {
        conditions: [
          { type: 'Synced', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
      },
    };
    expect(crdPrinter(columns).row(obj, now).cells).toEqual([
      'x',
      null,
      '["a","b"]',
      '{"a":"\\u003cb\\u003e","z":1}',
      '3',
      '0.5',
      'true',
      'True',
      'a',
    ]);
  });

  it('typed columns: integer truncates, number, boolean, date as an age or <invalid>; a wrong JSON type is null', () => {
    const columns: PrinterColumn[] = [
      { name: 'I', type: 'integer', jsonPath: '.spec.f' },
      { name: 'N', type: 'number', jsonPath: '.spec.f' },
      { name: 'B', type: 'boolean', jsonPath: '.spec.b' },
      { name: 'D', type: 'date', jsonPath: '.spec.d' },
      { name: 'Bad', type: 'date', jsonPath: '.spec.bad' },
      { name: 'Wrong', type: 'integer', jsonPath: '.spec.b' },
    ];
    const obj = {
      metadata: { name: 'x' },
      spec: { f: 2.7, b: false, d: '2026-01-09T22:00:00Z', bad: 'yesterday' },
    };
    expect(crdPrinter(columns).row(obj, now).cells).toEqual(['x', 2, 2.7, false, '120m', '<invalid>', null]);
  });
});

describe('goFloat', () => {
  it.each([
    [0.5, '0.5'],
    [1.25, '1.25'],
    [123456.5, '123456.5'],
    [1234567.5, '1.2345675e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
  ])('%d prints %s', (n, text) => {
    expect(goFloat(n)).toBe(text);
  });
});
