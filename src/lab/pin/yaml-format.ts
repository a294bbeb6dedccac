/**
 * Reads a YAML file as documents that keep comments, quoting and key order, and writes them back in the
 * layout the file already uses (indent width, whether sequences are indented under their key, spaces inside
 * flow collections), so an edit changes the lines it touches and, as far as `yaml` allows, no others.
 */
import { type Document, parseAllDocuments, type ToStringOptions } from 'yaml';

export interface YamlLayout {
  indent: number;
  indentSeq: boolean;
  flowCollectionPadding: boolean;
}

function meaningful(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !trimmed.startsWith('#') && trimmed !== '---' && trimmed !== '...';
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

/** Guesses the layout from the text; the defaults are those of `kubectl` and most hand-written manifests. */
export function detectLayout(text: string): YamlLayout {
  const lines = text.split(/\r?\n/).filter(meaningful);
  let indent = 0;
  let indentSeq: boolean | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const spaces = leadingSpaces(line);
    if (spaces > 0 && (indent === 0 || spaces < indent)) indent = spaces;
    const next = lines[i + 1];
    const content = line.replace(/\s+#.*$/, '').trimEnd();
    if (indentSeq === undefined && next !== undefined && content.endsWith(':') && !content.includes(': ')) {
      const nextSpaces = leadingSpaces(next);
      if (next.trimStart().startsWith('- ') || next.trim() === '-') {
        // A key that opens a block sequence: is the first item indented under it?
        const keyColumn = spaces + (line.trimStart().startsWith('- ') ? 2 : 0);
        indentSeq = nextSpaces > keyColumn;
      }
    }
  }
  const flow = /[:-]\s*[{[](.)/.exec(text);
  return {
    indent: indent === 0 ? 2 : Math.min(indent, 8),
    indentSeq: indentSeq ?? true,
    flowCollectionPadding: flow ? flow[1] === ' ' : true,
  };
}

export function stringifyOptions(layout: YamlLayout): ToStringOptions {
  return {
    indent: layout.indent,
    indentSeq: layout.indentSeq,
    flowCollectionPadding: layout.flowCollectionPadding,
    lineWidth: 0,
    minContentWidth: 0,
  };
}

export interface ParsedYamlFile {
  documents: Document.Parsed[];
  layout: YamlLayout;
}

export interface YamlProblem {
  message: string;
  line?: number;
}

/** Parses every document of a file; the first syntax error is returned instead of documents. */
export function parseYamlFile(text: string): ParsedYamlFile | YamlProblem {
  const documents = [...parseAllDocuments(text)];
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      return { message: error.message.split('\n')[0] ?? error.message, line: error.linePos?.[0]?.line };
    }
  }
  return { documents, layout: detectLayout(text) };
}

export function isYamlProblem(value: ParsedYamlFile | YamlProblem): value is YamlProblem {
  return 'message' in value;
}

export function stringifyYamlFile(file: ParsedYamlFile): string {
  const options = stringifyOptions(file.layout);
  return file.documents.map((document) => document.toString(options)).join('');
}
