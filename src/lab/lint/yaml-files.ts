/** Reading YAML files with line numbers: parse errors become findings, nodes map back to lines. */
import { readFileSync } from 'node:fs';
import { type Document, isMap, isPair, isScalar, LineCounter, parseAllDocuments } from 'yaml';

export interface ParsedDocument {
  index: number;
  doc: Document.Parsed;
  value: unknown;
  line: number;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  lineCounter: LineCounter;
  errors: Array<{ line?: number; message: string }>;
}

export function parseYamlFile(absPath: string): ParsedFile {
  const text = readFileSync(absPath, 'utf8');
  return parseYamlText(text);
}

export function parseYamlText(text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const errors: ParsedFile['errors'] = [];
  const documents: ParsedDocument[] = [];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      const line = error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line;
      errors.push({ line, message: firstLine(error.message) });
    }
    if (doc.errors.length > 0) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      errors.push({ line: lineOfOffset(lineCounter, doc.range[0]), message: (error as Error).message });
      return;
    }
    if (value === null || value === undefined) return;
    documents.push({
      index,
      doc,
      value,
      line: lineOfOffset(lineCounter, doc.contents?.range?.[0] ?? doc.range[0]),
    });
  });
  return { documents, lineCounter, errors };
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

export function lineOfOffset(lineCounter: LineCounter, offset: number): number {
  return lineCounter.linePos(offset).line;
}

/**
 * The line of the node at `path` in a document; for a key that is not in its parent map (an unknown field),
 * `keyLine` finds the key itself. Falls back to the nearest existing ancestor.
 */
export function lineAt(
  doc: Document.Parsed | undefined,
  lineCounter: LineCounter | undefined,
  path: Array<string | number>,
): number | undefined {
  if (!doc || !lineCounter) return undefined;
  for (let depth = path.length; depth >= 0; depth--) {
    const parentPath = path.slice(0, Math.max(0, depth - 1));
    const key = path[depth - 1];
    if (depth === 0) {
      const range = doc.contents?.range;
      return range ? lineOfOffset(lineCounter, range[0]) : undefined;
    }
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return lineOfOffset(lineCounter, range[0]);
    } else {
      const node = doc.getIn([...parentPath, key as string | number], true) as {
        range?: [number, number, number];
      };
      if (node?.range) return lineOfOffset(lineCounter, node.range[0]);
    }
  }
  return undefined;
}
