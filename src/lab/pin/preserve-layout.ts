/**
 * `yaml` keeps comments, quoting and key order, but re-renders some details its own way (two spaces before
 * a comment become one, a comment after `key:` moves to its own line). To change only the lines the pin
 * touches, the edit is carried over as a patch: lines the edit did not touch are taken from the original
 * text, lines it changed come from `yaml`'s rendering.
 *
 *   original ──(yaml re-render, no edit)──▶ rendered ──(edit)──▶ edited
 *
 * The rendered→edited steps are replayed on the original through an alignment of original and rendered
 * lines: equal lines pair up, and where the renderer rewrote a run of lines, the run is one block.
 */
import { type LineOp, lineOps, splitLines } from './diff.js';

interface Block {
  /** Original lines [start, end) the renderer turned into this block's rendered lines. */
  start: number;
  end: number;
}

type Origin = { line: number } | { block: Block };

/** A line with runs of inner whitespace collapsed: how `yaml` re-renders a line it kept. */
function normalize(line: string): string {
  return line.replace(/(\S)\s+/g, '$1 ').trimEnd();
}

/** For each rendered line, where it came from in the original. */
function alignRendered(original: string[], rendered: string[]): Origin[] {
  const origins: Origin[] = new Array(rendered.length);
  /** Equal counts pair up line by line; otherwise the run is one block starting at original line `at`. */
  const assign = (removed: number[], added: number[], at: number) => {
    if (removed.length === added.length) {
      added.forEach((j, k) => {
        origins[j] = { line: removed[k] as number };
      });
      return;
    }
    const block: Block = { start: removed[0] ?? at, end: (removed.at(-1) ?? at - 1) + 1 };
    for (const j of added) origins[j] = { block };
  };
  /** Inside a rewritten run, lines equal but for spacing still pair up; the rest become blocks. */
  const assignRun = (removed: number[], added: number[], at: number) => {
    if (removed.length === added.length) return assign(removed, added, at);
    let subRemoved: number[] = [];
    let subAdded: number[] = [];
    let position = at;
    const flush = () => {
      assign(subRemoved, subAdded, position);
      subRemoved = [];
      subAdded = [];
    };
    const inner = lineOps(
      removed.map((i) => normalize(original[i] ?? '')),
      added.map((j) => normalize(rendered[j] ?? '')),
    );
    for (const op of inner) {
      if (op.op === ' ') {
        flush();
        const i = removed[op.oldIndex] as number;
        origins[added[op.newIndex] as number] = { line: i };
        position = i + 1;
      } else if (op.op === '-') subRemoved.push(removed[op.oldIndex] as number);
      else subAdded.push(added[op.newIndex] as number);
    }
    flush();
  };
  let removed: number[] = [];
  let added: number[] = [];
  let nextOriginal = 0;
  const flush = () => {
    assignRun(removed, added, nextOriginal);
    removed = [];
    added = [];
  };
  for (const op of lineOps(original, rendered)) {
    if (op.op === ' ') {
      flush();
      origins[op.newIndex] = { line: op.oldIndex };
      nextOriginal = op.oldIndex + 1;
    } else if (op.op === '-') removed.push(op.oldIndex);
    else added.push(op.newIndex);
  }
  flush();
  return origins;
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
  const origins = alignRendered(originalLines, renderedLines);
  const ops: LineOp[] = lineOps(renderedLines, editedLines);

  // A rewritten block whose rendered lines the edit removes is taken from the rendering as a whole.
  const touched = new Set<Block>();
  for (const op of ops) {
    const origin = op.op === '-' ? origins[op.oldIndex] : undefined;
    if (origin && 'block' in origin) touched.add(origin.block);
  }

  const out: string[] = [];
  let nextOriginal = 0;
  const emitted = new Set<Block>();
  /** Emits original lines the renderer dropped, up to `index`, and moves past it. */
  const reach = (index: number) => {
    while (nextOriginal < index) out.push(originalLines[nextOriginal++] ?? '');
  };
  for (const op of ops) {
    if (op.op === '+') {
      out.push(`${editedLines[op.newIndex] ?? ''}${crlf ? '\r' : ''}`);
      continue;
    }
    const origin = origins[op.oldIndex];
    if (origin && 'line' in origin) {
      reach(origin.line);
      if (op.op === ' ') out.push(originalLines[origin.line] ?? '');
      nextOriginal = Math.max(nextOriginal, origin.line + 1);
    } else if (origin && 'block' in origin) {
      const { block } = origin;
      if (!emitted.has(block)) {
        emitted.add(block);
        reach(block.start);
        if (!touched.has(block))
          for (let i = block.start; i < block.end; i++) out.push(originalLines[i] ?? '');
        nextOriginal = Math.max(nextOriginal, block.end);
      }
      if (touched.has(block) && op.op === ' ')
        out.push(`${renderedLines[op.oldIndex] ?? ''}${crlf ? '\r' : ''}`);
    }
  }
  reach(originalLines.length);
  return `${out.join('\n')}${original.endsWith('\n') ? '\n' : ''}`;
}
