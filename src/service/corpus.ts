/**
 * Loads a folder of Markdown documents and splits them into passages for the doc-QA engine.
 * Pure parsing lives in `splitMarkdown`; `loadCorpus` only reads files.
 */
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
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

/** Size caps of the corpus loader. */
export interface CorpusLimits {
  /** Largest Markdown file read, in bytes (default 2 MiB). */
  maxFileBytes?: number;
  /** Largest sum of the files read, in bytes (default 32 MiB). */
  maxTotalBytes?: number;
}

export const DEFAULT_CORPUS_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const DEFAULT_CORPUS_MAX_TOTAL_BYTES = 32 * 1024 * 1024;

/** A file the loader left out, and why. */
export interface CorpusSkip {
  file: string;
  reason: 'outside_root' | 'not_regular' | 'binary';
  detail: string;
}

export interface LoadCorpusOptions extends SplitOptions, CorpusLimits {
  /** Called for every file left out (default: none; the service logs and counts them). */
  onSkip?: (skip: CorpusSkip) => void;
}

/** A file (or the folder as a whole) is over a size cap. */
export class CorpusTooLargeError extends CorpusError {
  constructor(
    dir: string,
    readonly file: string,
    message: string,
  ) {
    super(message, dir);
    this.name = 'CorpusTooLargeError';
  }
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MiB`;

/** The share of characters in a text sample that a text file would not hold, above which a file is binary. */
const BINARY_RATIO = 0.05;
const SNIFF_BYTES = 64 * 1024;

/**
 * Binary sniffing, the way Git and file(1) tell text from data: any NUL byte, or more than 5% of the first
 * 64 KiB being invalid UTF-8 or control characters other than tab, newline, form feed and carriage return.
 */
export function looksBinary(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return 'holds NUL bytes';
  const sample = new TextDecoder('utf-8').decode(bytes.subarray(0, SNIFF_BYTES));
  if (sample.length === 0) return undefined;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0x7f) odd++;
  }
  const ratio = odd / sample.length;
  return ratio > BINARY_RATIO
    ? `${Math.round(ratio * 100)}% of its text is invalid UTF-8 or control characters`
    : undefined;
}

const isInside = (root: string, path: string) =>
  path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);

/** Lets timers, sockets (health probes) and signals in between two files. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads every `*.md` file of `dir` (sorted by name, not recursive) and splits them into passages, one file
 * per event-loop turn. A hostile folder cannot make it leave the folder (every path is resolved to its real
 * path; a link pointing outside is skipped), open a FIFO or device (only regular files are opened, with
 * O_NONBLOCK and O_NOFOLLOW, and checked again once open), read past a size cap (CorpusTooLargeError names
 * the file) or index binary junk (skipped). Throws CorpusNotFoundError or EmptyCorpusError naming the folder.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<Corpus> {
  const maxFile = options.maxFileBytes ?? DEFAULT_CORPUS_MAX_FILE_BYTES;
  const maxTotal = options.maxTotalBytes ?? DEFAULT_CORPUS_MAX_TOTAL_BYTES;
  const skip = (file: string, reason: CorpusSkip['reason'], detail: string) =>
    options.onSkip?.({ file, reason, detail });
  let entries: string[];
  let root: string;
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new CorpusNotFoundError(dir, 'is not a folder');
    root = await realpath(dir);
    entries = await readdir(root);
  } catch (error) {
    if (error instanceof CorpusError) throw error;
    throw new CorpusNotFoundError(dir, 'does not exist or cannot be read');
  }
  const files = entries.filter((name) => name.toLowerCase().endsWith('.md')).sort();
  if (files.length === 0) throw new EmptyCorpusError(dir, 'holds no Markdown (*.md) files');

  const documents: CorpusDocument[] = [];
  const passages: Passage[] = [];
  let total = 0;
  for (const file of files) {
    await yieldToLoop();
    let real: string;
    try {
      real = await realpath(join(root, file));
    } catch {
      skip(file, 'not_regular', 'a link to nothing, or unreadable');
      continue;
    }
    if (!isInside(root, real)) {
      skip(file, 'outside_root', `resolves to ${real}, outside the corpus folder`);
      continue;
    }
    const info = await stat(real);
    if (!info.isFile()) {
      skip(file, 'not_regular', 'not a regular file (a FIFO, device, socket or folder)');
      continue;
    }
    checkSize(dir, file, info.size, total, maxFile, maxTotal);
    const bytes = await readRegularFile(real, info, maxFile);
    if (bytes === undefined) {
      skip(file, 'not_regular', 'changed into something other than a regular file while loading');
      continue;
    }
    checkSize(dir, file, bytes.length, total, maxFile, maxTotal);
    const binary = looksBinary(bytes);
    if (binary) {
      skip(file, 'binary', `not text: ${binary}`);
      continue;
    }
    total += bytes.length;
    const split = splitMarkdown(bytes.toString('utf8'), file, options);
    split.passages.forEach((p, n) => {
      passages.push({ doc_id: file, passage_id: `${file}#${n}`, heading: p.heading, text: p.text });
    });
    documents.push({ doc_id: file, title: split.title, passages: split.passages.length });
  }
  if (passages.length === 0) throw new EmptyCorpusError(dir, 'holds Markdown files but no text in them');
  return { dir, documents, passages };
}

function checkSize(
  dir: string,
  file: string,
  size: number,
  total: number,
  maxFile: number,
  maxTotal: number,
) {
  if (size > maxFile) {
    throw new CorpusTooLargeError(
      dir,
      file,
      `Corpus file ${join(dir, file)} is ${size} bytes, over the ${mib(maxFile)} per-file cap; split it or raise DOCQA_CORPUS_MAX_FILE_BYTES.`,
    );
  }
  if (total + size > maxTotal) {
    throw new CorpusTooLargeError(
      dir,
      file,
      `Corpus folder ${dir} is over the ${mib(maxTotal)} total cap at ${file}; remove files or raise DOCQA_CORPUS_MAX_TOTAL_BYTES.`,
    );
  }
}

/**
 * Reads at most maxBytes + 1 bytes of a regular file (a file growing after the stat is still capped). Opened
 * with O_NOFOLLOW and O_NONBLOCK, so a link or FIFO swapped in since the stat neither escapes nor blocks;
 * undefined if what was opened is not the regular file that was checked.
 */
async function readRegularFile(
  path: string,
  checked: { dev: number; ino: number },
  maxBytes: number,
): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.dev !== checked.dev || info.ino !== checked.ino) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
