/**
 * Rendering sources with the tools Argo CD's repo-server uses (argo-cd v3.1.12 reposerver/repository/
 * repository.go, GenerateManifests): `kustomize build` for a directory with a kustomization file
 * (util/kustomize/kustomize.go runs the kustomize binary; here the kustomize built into kubectl,
 * `kubectl kustomize`), and Jsonnet for *.jsonnet files of a directory source (findManifests evaluates each
 * .jsonnet file with go-jsonnet; here Debian's `jsonnet` binary, the C++ implementation of the same language).
 *
 * Each rendered object is traced back to the file it came from with kustomize's origin annotations
 * (`buildMetadata: [originAnnotations]`, kustomize api/types/kustomization.go: `config.kubernetes.io/origin`
 * holds `path:` for a resource file and `configuredIn:` for a generated object), through a wrapper
 * kustomization in a temporary folder so the user's files are never touched.
 */
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { execaSync } from 'execa';
import { parse, parseAllDocuments } from 'yaml';

export type Renderer = 'auto' | 'kubectl' | 'builtin';

/** Time limit of one `kubectl kustomize` or `jsonnet` run. */
const timeoutMs = 30_000;

const found = new Map<string, string | undefined>();

/** The executable's path on PATH, or undefined. */
export function findExecutable(name: string): string | undefined {
  if (found.has(name)) return found.get(name);
  let path: string | undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      path = join(dir, name);
      break;
    } catch {
      // not here
    }
  }
  found.set(name, path);
  return path;
}

export interface RenderedObject {
  object: Record<string, unknown>;
  /** File the object was read from, absolute (undefined for generated objects). */
  originFile?: string;
  /** Kustomization that generated it, absolute (ConfigMap/Secret generators). */
  configuredIn?: string;
}

export type RenderResult = { ok: true; objects: RenderedObject[] } | { ok: false; error: string };

const originAnnotation = 'config.kubernetes.io/origin';

/** `kubectl kustomize DIR` with origin annotations; the annotations are removed from the objects. */
export function kustomizeBuild(kubectl: string, absDir: string): RenderResult {
  const wrapper = mkdtempSync(join(tmpdir(), 'gitops-lab-kustomize-'));
  try {
    const target = relative(wrapper, absDir);
    writeFileSync(
      join(wrapper, 'kustomization.yaml'),
      `resources:\n  - ${JSON.stringify(target)}\nbuildMetadata: [originAnnotations]\n`,
    );
    const result = execaSync(kubectl, ['kustomize', wrapper], {
      timeout: timeoutMs,
      reject: false,
      maxBuffer: 512 * 1024 * 1024,
      env: { KUBECONFIG: '/dev/null' },
    });
    if (result.timedOut)
      return { ok: false, error: `kubectl kustomize took longer than ${timeoutMs / 1000}s` };
    if (result.exitCode !== 0) return { ok: false, error: kustomizeError(String(result.stderr)) };
    const objects: RenderedObject[] = [];
    for (const doc of parseAllDocuments(String(result.stdout))) {
      const object = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
      if (!object || typeof object !== 'object') continue;
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
      const origin = annotations[originAnnotation];
      delete annotations[originAnnotation];
      if (Object.keys(annotations).length === 0) delete metadata.annotations;
      const parsed = typeof origin === 'string' ? (parse(origin) as Record<string, unknown> | null) : null;
      const path = typeof parsed?.path === 'string' && !parsed.repo ? parsed.path : undefined;
      const configuredIn = typeof parsed?.configuredIn === 'string' ? parsed.configuredIn : undefined;
      objects.push({
        object,
        ...(path ? { originFile: resolve(wrapper, path) } : {}),
        ...(configuredIn ? { configuredIn: resolve(wrapper, configuredIn) } : {}),
      });
    }
    return { ok: true, objects };
  } finally {
    rmSync(wrapper, { recursive: true, force: true });
  }
}

/** kubectl's error without its log prefix (`E1202 09:36:20.074257 31885 run.go:72] "command failed" err=`). */
function kustomizeError(stderr: string): string {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('#')) ?? 'kubectl kustomize failed';
  const err = line.match(/err="(.*)"$/)?.[1];
  return (err ?? line).replaceAll('\\"', '"').replaceAll("\\'", "'");
}

/** `jsonnet [-J LIB] [--ext-str/--tla-str K=V] FILE`: the objects it evaluates to (an object, a list of objects, or a v1 List). */
export function jsonnetEval(
  jsonnet: string,
  absFile: string,
  args: string[] = [],
): { ok: true; objects: Array<Record<string, unknown>> } | { ok: false; error: string } {
  const result = execaSync(jsonnet, [...args, absFile], {
    timeout: timeoutMs,
    reject: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.timedOut) return { ok: false, error: `jsonnet took longer than ${timeoutMs / 1000}s` };
  if (result.exitCode !== 0)
    return { ok: false, error: String(result.stderr).split('\n')[0] ?? 'jsonnet failed' };
  let value: unknown;
  try {
    value = JSON.parse(String(result.stdout));
  } catch (error) {
    return { ok: false, error: `jsonnet printed no JSON: ${(error as Error).message}` };
  }
  // Argo CD (reposerver/repository/repository.go, findManifests): an array is a list of objects; an object
  // is one object, and a v1 List's items are flattened by kube.UnstructuredList handling.
  const list = Array.isArray(value) ? value : [value];
  const objects: Array<Record<string, unknown>> = [];
  for (const item of list) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
    const record = item as Record<string, unknown>;
    if (record.kind === 'List' && Array.isArray(record.items)) {
      for (const sub of record.items)
        if (sub && typeof sub === 'object') objects.push(sub as Record<string, unknown>);
    } else objects.push(record);
  }
  return { ok: true, objects };
}

/**
 * The objects of one YAML file as go-yaml reads them (kustomize's kyaml is go-yaml v3): the file is listed in
 * a wrapper kustomization and built with `kubectl kustomize --load-restrictor LoadRestrictionsNone`. Returns
 * the normalised YAML stream, or undefined when go-yaml rejects the file too (or it is not all objects).
 */
export function goYamlRead(kubectl: string, absFile: string): string | undefined {
  const wrapper = mkdtempSync(join(tmpdir(), 'gitops-lab-goyaml-'));
  try {
    writeFileSync(
      join(wrapper, 'kustomization.yaml'),
      `resources:\n  - ${JSON.stringify(relative(wrapper, absFile))}\n`,
    );
    const result = execaSync(kubectl, ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', wrapper], {
      timeout: timeoutMs,
      reject: false,
      maxBuffer: 512 * 1024 * 1024,
      env: { KUBECONFIG: '/dev/null' },
    });
    return result.exitCode === 0 && !result.timedOut ? String(result.stdout) : undefined;
  } finally {
    rmSync(wrapper, { recursive: true, force: true });
  }
}
