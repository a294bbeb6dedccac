/**
 * A small line diff for showing a pin before it is written (`--dry-run`): hunks of removed and added lines
 * with a little context, numbered as in the old and new file. Manifests are short, so a plain longest-common-
 * subsequence table is fast enough; beyond a size limit it falls back to one hunk around the changed middle.
 */

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  /** 1-based line in the old file (context and removed lines) or the new file (added lines). */
  line: number;
}

export interface DiffHunk {
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

const maxCells = 4_000_000;

export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** One step from `a` to `b`: keep a line, remove `a[oldIndex]` or add `b[newIndex]`. */
export type LineOp = { op: ' ' | '-' | '+'; oldIndex: number; newIndex: number };
type Op = LineOp;

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => table[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', oldIndex: i++, newIndex: j++ });
    else if (i < n && (j === m || at(i + 1, j) >= at(i, j + 1)))
      ops.push({ op: '-', oldIndex: i++, newIndex: j });
    else ops.push({ op: '+', oldIndex: i, newIndex: j++ });
  }
  return ops;
}

function middleOps(a: string[], b: string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const ops: Op[] = [];
  for (let i = 0; i < prefix; i++) ops.push({ op: ' ', oldIndex: i, newIndex: i });
  for (let i = prefix; i < a.length - suffix; i++) ops.push({ op: '-', oldIndex: i, newIndex: prefix });
  for (let j = prefix; j < b.length - suffix; j++)
    ops.push({ op: '+', oldIndex: a.length - suffix, newIndex: j });
  for (let k = suffix; k > 0; k--) {
    ops.push({ op: ' ', oldIndex: a.length - k, newIndex: b.length - k });
  }
  return ops;
}

/** The steps that turn lines `a` into lines `b` (exact for files of normal size). */
export function lineOps(a: string[], b: string[]): LineOp[] {
  return (a.length + 1) * (b.length + 1) <= maxCells ? lcsOps(a, b) : middleOps(a, b);
}

/** The hunks that turn `before` into `after`, each with `context` unchanged lines around it. */
export function diffLines(before: string, after: string, context = 2): DiffHunk[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lineOps(a, b);
  const hunks: DiffHunk[] = [];
  let current: { ops: Op[]; lastChange: number } | undefined;
  ops.forEach((op, index) => {
    if (op.op === ' ') return;
    if (current && index - current.lastChange <= context * 2 + 1) {
      for (let k = current.lastChange + 1; k <= index; k++) current.ops.push(ops[k] as Op);
      current.lastChange = index;
      return;
    }
    if (current) hunks.push(toHunk(current.ops, ops, current.lastChange, context, a, b));
    const start = Math.max(0, index - context);
    current = { ops: ops.slice(start, index + 1), lastChange: index };
  });
  if (current) hunks.push(toHunk(current.ops, ops, current.lastChange, context, a, b));
  return hunks;
}

function toHunk(
  hunkOps: Op[],
  all: Op[],
  lastChange: number,
  context: number,
  a: string[],
  b: string[],
): DiffHunk {
  const trailing = all.slice(lastChange + 1, lastChange + 1 + context).filter((op) => op.op === ' ');
  const lines = [...hunkOps, ...trailing].map((op): DiffLine => {
    if (op.op === '+') return { op: '+', text: b[op.newIndex] ?? '', line: op.newIndex + 1 };
    return { op: op.op, text: a[op.oldIndex] ?? '', line: op.oldIndex + 1 };
  });
  const first = hunkOps[0] as Op;
  return { oldStart: first.oldIndex + 1, newStart: first.newIndex + 1, lines };
}

/** `@@ -old +new @@` headers and `-`/`+`/` ` prefixed lines, as `diff -u` prints them. */
export function formatHunks(hunks: DiffHunk[]): string[] {
  const out: string[] = [];
  for (const hunk of hunks) {
    const oldCount = hunk.lines.filter((line) => line.op !== '+').length;
    const newCount = hunk.lines.filter((line) => line.op !== '-').length;
    out.push(`@@ -${hunk.oldStart},${oldCount} +${hunk.newStart},${newCount} @@`);
    for (const line of hunk.lines) out.push(`${line.op}${line.text}`);
  }
  return out;
}
