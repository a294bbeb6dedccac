// `npm run prepare`: builds dist/ only when it is older than what it is built from.
// npm runs `prepare` after `npm ci` (a build is needed), and again on the first `npx gitops-lab` in a clone: npm
// runs a project's own bin by installing the project into its npx cache (a link) and that install runs `prepare`.
// A second TypeScript build there cost 25-90 s for nothing; with this check it costs milliseconds. `npm run build`
// always builds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'node_modules', '.cache', 'gitops-lab', 'built-at');

/** The newest modification time of a file or of any file under a folder. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) =>
  newest(join(root, p)),
);
const upToDate =
  existsSync(stamp) &&
  existsSync(join(root, 'dist', 'cli', 'main.js')) &&
  statSync(stamp).mtimeMs >= Math.max(...inputs);
if (upToDate) {
  process.stdout.write(
    'prepare: dist/ is up to date with src/, not rebuilding (npm run build forces a build).\n',
  );
} else {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
