/**
 * Random hostile directory trees for property tests of the corpus loader and the linter: folders, regular
 * files of odd sizes (empty, tiny, over a cap, binary), links to files and folders inside the tree, links
 * out of it (to a folder of secrets holding a marker), links to themselves or their parent (loops), broken
 * links and FIFOs. `build` writes one under a fresh temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';

/** Text no legitimate file in a generated tree holds: finding it in a result means a read outside the root. */
export const OUTSIDE_MARKER = 'OUTSIDE-SECRET-7f3a';

export type HostileEntry =
  | { kind: 'dir'; name: string; children: HostileEntry[] }
  | { kind: 'file'; name: string; size: 'empty' | 'small' | 'large' | 'binary' }
  | {
      kind: 'link';
      name: string;
      target: 'parent' | 'self' | 'sibling' | 'outside-file' | 'outside-dir' | 'broken';
    }
  | { kind: 'fifo'; name: string };

const name = fc.constantFrom('a.md', 'b.md', 'c.yaml', 'd.yml', 'kustomization.yaml', 'e', 'x', 'y', 'sub');

const leaf: fc.Arbitrary<HostileEntry> = fc.oneof(
  fc.record({
    kind: fc.constant('file' as const),
    name,
    size: fc.constantFrom('empty', 'small', 'large', 'binary'),
  }),
  fc.record({
    kind: fc.constant('link' as const),
    name,
    target: fc.constantFrom('parent', 'self', 'sibling', 'outside-file', 'outside-dir', 'broken'),
  }),
  fc.record({ kind: fc.constant('fifo' as const), name }),
);

export const hostileTree: fc.Arbitrary<HostileEntry[]> = fc.letrec<{
  entries: HostileEntry[];
  entry: HostileEntry;
}>((tie) => ({
  entry: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constant('dir' as const), name, children: tie('entries') }),
  ),
  entries: fc.array(tie('entry'), { maxLength: 5 }),
})).entries;

/** Bytes of a file of each size; `large` is over the small caps the property tests set (4 KiB). */
function content(size: 'empty' | 'small' | 'large' | 'binary', extension: string): Buffer {
  const text =
    extension === 'md'
      ? '# Title\n\nSome words about Argo CD sync waves.\n'
      : 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n';
  switch (size) {
    case 'empty':
      return Buffer.alloc(0);
    case 'small':
      return Buffer.from(text);
    case 'large':
      return Buffer.from(text + '# padding\n'.repeat(600));
    case 'binary':
      return Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0xfe, 0, 0x80, 0x81]);
  }
}

/** Writes `entries` into `<temp>/root`, and `<temp>/outside` with the marker; returns both paths. */
export function buildHostileTree(entries: HostileEntry[]): { root: string; outside: string; temp: string } {
  const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-hostile-'));
  const root = join(temp, 'root');
  const outside = join(temp, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.md'), `# Secret\n\n${OUTSIDE_MARKER} root:x:0:0\n`);
  writeFileSync(
    join(outside, 'secret.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${OUTSIDE_MARKER.toLowerCase()}\n  namespace: n\n`,
  );
  const write = (dir: string, list: HostileEntry[]) => {
    const used = new Set<string>();
    for (const entry of list) {
      if (used.has(entry.name)) continue;
      used.add(entry.name);
      const path = join(dir, entry.name);
      switch (entry.kind) {
        case 'dir':
          mkdirSync(path);
          write(path, entry.children);
          break;
        case 'file':
          writeFileSync(path, content(entry.size, entry.name.split('.').pop() ?? ''));
          break;
        case 'fifo':
          execFileSync('mkfifo', [path]);
          break;
        case 'link': {
          const target = {
            parent: '..',
            self: '.',
            sibling: list.find((e) => e !== entry)?.name ?? 'missing',
            'outside-file': join(outside, entry.name.endsWith('.md') ? 'secret.md' : 'secret.yaml'),
            'outside-dir': outside,
            broken: 'does-not-exist',
          }[entry.target];
          symlinkSync(target, path);
          break;
        }
      }
    }
  };
  write(root, entries);
  return { root, outside, temp };
}
