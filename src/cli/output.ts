/**
 * How the CLI talks: JSON with --json, a richer view on a TTY, plain lines otherwise. NO_COLOR is honoured.
 * Domain code never prints; handlers render what the domain returns through these helpers.
 */
import type { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';

export interface OutputStreams {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export const defaultStreams: OutputStreams = { stdout: process.stdout, stderr: process.stderr };

/** Whether a CI system runs us: CI or CONTINUOUS_INTEGRATION set to anything but 0 or false (as ink's is-in-ci reads it). */
function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (key: string) => key in env && env[key] !== '0' && env[key] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** A terminal a person watches: a TTY, not dumb, and not CI (where ink would draw nothing until the end). */
export function isInteractive(stream: { isTTY?: boolean } = process.stdout): boolean {
  return Boolean(stream.isTTY) && !inCi() && process.env.TERM !== 'dumb';
}

export function colorEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1, dim: 2 };
export type Color = keyof typeof codes;

/** Wraps text in an ANSI colour when colours are enabled for stdout. */
export function paint(color: Color, text: string, stream: { isTTY?: boolean } = process.stdout): string {
  return colorEnabled(stream) ? `\u001b[${codes[color]}m${text}\u001b[0m` : text;
}

export function writeLine(text = '', stream: Writable = process.stdout): void {
  stream.write(`${text}\n`);
}

export function writeJson(value: unknown, stream: Writable = process.stdout): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The width a cell takes on screen: colour codes take none. */
export function visibleWidth(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** Splits text into lines of at most `width` visible characters, at spaces where it can. */
export function wrapText(text: string, width: number): string[] {
  if (width < 1 || visibleWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (visibleWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (visibleWidth(rest) > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

/** The width to wrap output to: the terminal's, or 100 columns when stdout is not a terminal. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : 100;
}

/**
 * A plain-text table with columns padded to their widest cell (as seen on screen, colour codes excluded). With
 * `width`, a last cell that would run past it wraps onto lines indented to the start of its column.
 */
export function formatTable(headers: string[], rows: string[][], options: { width?: number } = {}): string {
  const widths = headers.map((h, i) =>
    Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))),
  );
  const pad = (c: string, width: number) => c + ' '.repeat(Math.max(0, width - visibleWidth(c)));
  const indent = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  const last = (c: string) => {
    if (!options.width || options.width - indent < 20) return c;
    return wrapText(c, options.width - indent).join(`\n${' '.repeat(indent)}`);
  };
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? last(c) : pad(c, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
