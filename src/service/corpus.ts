/**
 * Loads a folder of Markdown documents and splits them into passages for the doc-QA engine.
 * Pure parsing lives in `splitMarkdown`; `loadCorpus` only reads files.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Corpus, CorpusDocument, Passage } from './qa/types.js';

/** Base class of the corpus loader's errors (the service stands alone: no shared error module). */
export class CorpusError extends Error {
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
    this.name = 'CorpusError';
  }
}

/** The corpus folder does not exist or is not a folder. */
export class CorpusNotFoundError extends CorpusError {
  constructor(dir: string, reason: string) {
    super(`Corpus folder ${dir} ${reason}; pass a folder of Markdown (*.md) files.`, dir);
    this.name = 'CorpusNotFoundError';
  }
}

/** The corpus folder holds no Markdown file with text in it. */
export class EmptyCorpusError extends CorpusError {
  constructor(dir: string, reason: string) {
    super(`Corpus folder ${dir} ${reason}; add at least one Markdown (*.md) file with text.`, dir);
    this.name = 'EmptyCorpusError';
  }
}

/** One block of a document: a paragraph, a list, a code block or a table, as plain text. */
interface Block {
  kind: 'paragraph' | 'list' | 'code' | 'table';
  text: string;
}

interface Section {
  /** Heading path below the document title. */
  path: string[];
  blocks: Block[];
}

export interface SplitDocument {
  title: string;
  passages: Array<Pick<Passage, 'heading' | 'text'>>;
}

export interface SplitOptions {
  /** Paragraphs of one section are merged into one passage up to about this many characters. */
  maxPassageChars?: number;
}

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** Markdown inline syntax to plain text: links and images, emphasis, inline code (its text kept), HTML. */
export function stripInline(text: string): string {
  // Inline code is kept verbatim (`<service>`, `**` inside code are text), so it is set aside first.
  const code: string[] = [];
  const protectedText = text.replace(
    /(`+)([^`]|[^`].*?[^`])\1(?!`)/g,
    (_m, _ticks: string, inner: string) => {
      code.push(inner.trim());
      return `\uE000${code.length - 1}\uE000`;
    },
  );
  return protectedText
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<\/?[A-Za-z][^>]*>/g, ' ')
    .replace(/(\*\*|__)(?=\S)([^*_]*?\S)\1/g, '$2')
    .replace(/(^|[\s(])[*_](?=\S)([^*_]*?\S)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/~~(.*?)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>])/g, '$1')
    .replace(/`/g, '')
    .replace(/\uE000(\d+)\uE000/g, (_m, i: string) => code[Number(i)] ?? '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function fileTitle(docId: string): string {
  const base = docId.replace(/\.md$/i, '').replace(/[-_]+/g, ' ').trim();
  return base.length > 0 ? base.charAt(0).toUpperCase() + base.slice(1) : docId;
}

/** Splits a Markdown string into passages. Never throws; returns no passages for a document without text. */
export function splitMarkdown(markdown: string, docId: string, options: SplitOptions = {}): SplitDocument {
  const maxChars = options.maxPassageChars ?? 700;
  const lines = markdown.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let title = '';
  const sections: Section[] = [];
  const headingStack: Array<{ level: number; text: string }> = [];
  let current: Section = { path: [], blocks: [] };
  sections.push(current);

  let para: string[] = [];
  let list: string[] = [];
  let table: string[] = [];
  const flush = (): void => {
    if (para.length > 0) {
      const text = stripInline(para.join(' '));
      if (text) current.blocks.push({ kind: 'paragraph', text });
      para = [];
    }
    if (list.length > 0) {
      const items = list.map(stripInline).filter((item) => item.length > 0);
      if (items.length > 0) current.blocks.push({ kind: 'list', text: items.join('\n') });
      list = [];
    }
    if (table.length > 0) {
      const rows = table
        .filter((row) => !TABLE_RULE.test(row))
        .map((row) =>
          row
            .replace(/^\s*\|/, '')
            .replace(/\|\s*$/, '')
            .split('|')
            .map((cell) => stripInline(cell))
            .filter((cell) => cell.length > 0)
            .join(', '),
        )
        .filter((row) => row.length > 0);
      if (rows.length > 0) current.blocks.push({ kind: 'table', text: rows.join('\n') });
      table = [];
    }
  };

  let fence: string | null = null;
  let code: string[] = [];
  let inFrontMatter = lines[0]?.trim() === '---';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (inFrontMatter) {
      if (i > 0 && line.trim() === '---') inFrontMatter = false;
      continue;
    }
    if (fence !== null) {
      if (line.trimStart().startsWith(fence)) {
        // Code keeps its relative indentation (YAML means nothing without it); blank lines go.
        const kept = code.map((l) => l.trimEnd()).filter((l) => l.length > 0);
        const indent = Math.min(...kept.map((l) => l.length - l.trimStart().length));
        const text = kept.map((l) => l.slice(indent)).join('\n');
        if (text) current.blocks.push({ kind: 'code', text });
        fence = null;
        code = [];
      } else {
        code.push(line);
      }
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      flush();
      fence = fenceMatch[1] ?? '```';
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1]?.length ?? 1;
      const text = stripInline(heading[2] ?? '');
      if (level === 1 && !title && text) {
        title = text;
        headingStack.length = 0;
        current = { path: [], blocks: [] };
        sections.push(current);
        continue;
      }
      while (headingStack.length > 0 && (headingStack[headingStack.length - 1]?.level ?? 0) >= level) {
        headingStack.pop();
      }
      if (text) headingStack.push({ level, text });
      current = { path: headingStack.map((h) => h.text), blocks: [] };
      sections.push(current);
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (/^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
      flush();
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      // A paragraph directly followed by a list ends; the passage builder keeps a lead-in ("To recover:")
      // together with its list.
      if (para.length > 0 || table.length > 0) flush();
      list.push(item[1] ?? '');
      continue;
    }
    if (list.length > 0 && /^\s{2,}\S/.test(line)) {
      list[list.length - 1] = `${list[list.length - 1] ?? ''} ${line.trim()}`;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      if (para.length > 0 || list.length > 0) flush();
      table.push(line);
      continue;
    }
    if (list.length > 0 || table.length > 0) flush();
    para.push(line.replace(/^\s*>\s?/, '').trim());
  }
  if (fence !== null) {
    const text = code
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .join('\n');
    if (text) current.blocks.push({ kind: 'code', text });
  }
  flush();

  if (!title) title = fileTitle(docId);
  const passages: SplitDocument['passages'] = [];
  for (const section of sections) {
    const heading = [title, ...section.path].join(' > ');
    let buffer: string[] = [];
    let size = 0;
    const emit = (): void => {
      if (buffer.length > 0) passages.push({ heading, text: buffer.join('\n') });
      buffer = [];
      size = 0;
    };
    for (const block of section.blocks) {
      const leadsIn = buffer.length > 0 && /:\s*$/.test(buffer[buffer.length - 1] ?? '');
      if (buffer.length > 0 && !leadsIn && size + block.text.length > maxChars) emit();
      buffer.push(block.text);
      size += block.text.length;
    }
    emit();
  }
  return { title, passages };
}

/**
 * Reads every `*.md` file of `dir` (sorted by name, not recursive) and splits them into passages.
 * Throws CorpusNotFoundError or EmptyCorpusError naming the folder.
 */
export async function loadCorpus(dir: string, options: SplitOptions = {}): Promise<Corpus> {
  let entries: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new CorpusNotFoundError(dir, 'is not a folder');
    entries = await readdir(dir);
  } catch (error) {
    if (error instanceof CorpusError) throw error;
    throw new CorpusNotFoundError(dir, 'does not exist or cannot be read');
  }
  const files = entries.filter((name) => name.toLowerCase().endsWith('.md')).sort();
  if (files.length === 0) throw new EmptyCorpusError(dir, 'holds no Markdown (*.md) files');

  const documents: CorpusDocument[] = [];
  const passages: Passage[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const info = await stat(path);
    if (!info.isFile()) continue;
    const markdown = await readFile(path, 'utf8');
    const split = splitMarkdown(markdown, file, options);
    split.passages.forEach((p, n) => {
      passages.push({ doc_id: file, passage_id: `${file}#${n}`, heading: p.heading, text: p.text });
    });
    documents.push({ doc_id: file, title: split.title, passages: split.passages.length });
  }
  if (passages.length === 0) throw new EmptyCorpusError(dir, 'holds Markdown files but no text in them');
  return { dir, documents, passages };
}
