/**
 * Fake `kind`, `kubectl` and `docker` executables for tests. They record their arguments and emulate the outputs the
 * lab reads (`kind get clusters`, `docker info`, `docker image inspect`, `kubectl kustomize` ...).
 *
 *   const bin = installFakeBin({ tools: ['kind', 'kubectl', 'docker'] });
 *   runCli(['up'], { env: { PATH: bin.path, FAKE_BIN_DIR: bin.dir } });   // nothing else is on PATH
 *   bin.calls()                      // [{ program: 'kind', args: ['create', 'cluster', ...], cwd }]
 *   bin.configure({ dockerDown: true, failures: [{ program: 'kind', match: 'create cluster', times: 1 }] });
 *   bin.state()                      // { clusters: ['gitops-lab'], images: [...], loaded: { 'gitops-lab': [...] } }
 *
 * The executables start with the absolute path of the running node (no `node` needed on PATH), so a test controls
 * PATH completely: tools not installed are simply absent. The real `git` can be added with `extra: ['git']`.
 */
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { which } from '../../../src/lab/tools/runner.js';

export type FakeTool = 'kind' | 'kubectl' | 'docker';

export interface FakeBinConfig {
  dockerDown?: boolean;
  dockerVersion?: string;
  kindVersion?: string;
  kubectlVersion?: string;
  /** Docker memory in bytes (default 8 GiB). */
  memTotal?: number;
  /** `docker info` reports Docker's containerd image store (driver-type io.containerd.snapshotter.v1). */
  containerdImageStore?: boolean;
  /** Printed by `kind get kubeconfig`. */
  kubeconfig?: string;
  /** The next `times` calls of `program` whose command line contains `match` fail. */
  failures?: Array<{ program: FakeTool; match?: string; exitCode?: number; stderr?: string; times?: number }>;
}

export interface FakeCall {
  program: string;
  args: string[];
  cwd: string;
  stdin?: string;
}

export interface FakeBin {
  /** Folder with the executables: use as PATH. */
  path: string;
  /** Folder with calls.log, config.json, state.json: pass as FAKE_BIN_DIR. */
  dir: string;
  env: Record<string, string>;
  calls(): FakeCall[];
  configure(config: FakeBinConfig): void;
  state(): { clusters: string[]; images: string[]; loaded: Record<string, string[]> };
  setState(state: Partial<{ clusters: string[]; images: string[]; loaded: Record<string, string[]> }>): void;
}

const implementation = fileURLToPath(new URL('./fake-tool.mjs', import.meta.url));

export async function installFakeBin(
  options: { tools?: FakeTool[]; extra?: string[]; config?: FakeBinConfig } = {},
): Promise<FakeBin> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-fake-bin-'));
  const bin = join(dir, 'bin');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bin);
  for (const tool of options.tools ?? ['kind', 'kubectl', 'docker']) {
    const file = join(bin, tool);
    writeFileSync(
      file,
      `#!${process.execPath}\nprocess.argv.splice(2, 0, ${JSON.stringify(tool)});\nimport(${JSON.stringify(implementation)});\n`,
    );
    chmodSync(file, 0o755);
  }
  for (const program of options.extra ?? []) {
    const real = await which(program);
    if (real) symlinkSync(real, join(bin, program));
  }
  writeFileSync(join(dir, 'calls.log'), '');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(options.config ?? {}));
  const read = <T>(file: string, fallback: T): T => {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    } catch {
      return fallback;
    }
  };
  return {
    path: bin,
    dir,
    env: { PATH: bin, FAKE_BIN_DIR: dir },
    calls: () =>
      readFileSync(join(dir, 'calls.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FakeCall),
    configure: (config) => writeFileSync(join(dir, 'config.json'), JSON.stringify(config)),
    state: () => ({ clusters: [], images: [], loaded: {}, ...read('state.json', {}) }),
    setState: (state) =>
      writeFileSync(
        join(dir, 'state.json'),
        JSON.stringify({ clusters: [], images: [], loaded: {}, ...state }),
      ),
  };
}
