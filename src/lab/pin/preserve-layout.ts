/**
 * `yaml` keeps comments, quoting and key order, but re-renders some details of a line its own way (two
 * spaces before a comment become one, for instance). To change only the lines the pin touches, the edit is
 * carried over as a patch: lines the edit did not touch are taken from the original text, lines it changed
 * come from `yaml`'s rendering.
 *
 *   original ──(yaml re-render, no edit)──▶ rendered ──(edit)──▶ edited
 *
 * The rendered→edited steps are replayed on the original, using an alignment of original and rendered lines.
 */
import { type LineOp, lineOps, splitLines } from './diff.js';

/** For each rendered line, the original line it stands for (same line, or the same line re-rendered). */
function alignRendered(original: string[], rendered: string[]): (number | undefined)[] {
  const map: (number | undefined)[] = new Array(rendered.length).fill(undefined);
  const ops = lineOps(original, rendered);
  let removed: number[] = [];
  let added: number[] = [];
  const flush = () => {
    if (removed.length === added.length) {
      added.forEach((j, k) => {
        map[j] = removed[k];
      });
    }
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op.op === ' ') {
      flush();
      map[op.newIndex] = op.oldIndex;
    } else if (op.op === '-') removed.push(op.oldIndex);
    else added.push(op.newIndex);
  }
  flush();
  return map;
}

/**
 * Applies the change from `rendered` to `edited` to `original`. The caller checks the result's data (the
 * alignment is a heuristic) and falls back to `edited` if it is not what it should be.
 */
export function carryEditOver(original: string, rendered: string, edited: string): string {
  if (original === rendered) return edited;
  const originalLines = splitLines(original);
  const renderedLines = splitLines(rendered);
  const editedLines = splitLines(edited);
  const crlf = originalLines[0]?.endsWith('\r') ?? false;
  const map = alignRendered(originalLines, renderedLines);
  const out: string[] = [];
  let nextOriginal = 0;
  const reachOriginal = (index: number | undefined, keep: boolean, fallback: string) => {
    if (index === undefined) {
      if (keep) out.push(fallback);
      return;
    }
    // Original lines the renderer dropped (or merged) come along unchanged, in place.
    while (nextOriginal < index) out.push(originalLines[nextOriginal++] ?? '');
    if (keep) out.push(originalLines[index] ?? fallback);
    nextOriginal = index + 1;
  };
  const ops: LineOp[] = lineOps(renderedLines, editedLines);
  for (const op of ops) {
    if (op.op === ' ') reachOriginal(map[op.oldIndex], true, renderedLines[op.oldIndex] ?? '');
    else if (op.op === '-') reachOriginal(map[op.oldIndex], false, '');
    else out.push(`${editedLines[op.newIndex] ?? ''}${crlf ? '\r' : ''}`);
  }
  while (nextOriginal < originalLines.length) out.push(originalLines[nextOriginal++] ?? '');
  const endsWithNewline = original.endsWith('\n');
  return `${out.join('\n')}${endsWithNewline ? '\n' : ''}`;
}
