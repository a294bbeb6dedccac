/**
 * Loads a GitOps repository the way Argo CD and kustomize would see it, without running either: every YAML
 * document under the root becomes a Resource; kustomization.yaml files are followed (their `resources`,
 * generators, `namespace` and `images`); remote bases and Helm charts are noted, never fetched or rendered.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  findExecutable,
  goYamlRead,
  jsonnetEval,
  kustomizeBuild,
  type RenderedObject,
  type Renderer,
} from './render.js';
import { createSafeFs, kustomizeFileRestriction, type SafeFsOptions, UnsafeFileError } from './safe-fs.js';
import type { Finding, ImageOverride, KubeObject, Resource } from './types.js';
import { lineAt, type ParsedFile, parseYamlText } from './yaml-files.js';

export const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface Kustomization {
  /** Path relative to the root. */
  file: string;
  /** Directory relative to the root ('' for the root itself). */
  dir: string;
  object: Record<string, unknown>;
  parsed: ParsedFile;
}

/** A YAML document that is not a Kubernetes object (no apiVersion or kind). */
export interface NonObject {
  file: string;
  line: number;
  docIndex: number;
  /** Top-level keys of the document, when it is a map. */
  keys?: string[];
}

/** What Argo CD would apply from one source directory. */
export interface SourceSet {
  dir: string;
  exists: boolean;
  /** A kustomization.yaml decides what is in it (otherwise: plain YAML files of the directory). */
  kustomized: boolean;
  /** A Helm chart (Chart.yaml): not rendered by lint. */
  helmChart: boolean;
  resources: Resource[];
  nonObjects: NonObject[];
  /** Manifest files in it (YAML/JSON), whether or not they held objects. */
  manifestFiles: string[];
  /** Why some of it was not rendered (Jsonnet without a jsonnet binary). */
  notRendered?: string;
  /** Rendering it failed (reported as its own finding). */
  renderFailed?: boolean;
}

/** An Application's directory options (spec.source.directory). */
export interface SourceOptions {
  recurse?: boolean;
  include?: string;
  exclude?: string;
  jsonnetLibs?: string[];
  jsonnetVars?: Array<{ kind: 'ext' | 'tla'; name?: unknown; value?: unknown; code?: unknown }>;
}

export interface Repository {
  /** What rendered the kustomizations: `kubectl kustomize` or lint's built-in reader. */
  renderedWith: 'kubectl kustomize' | 'built-in reader';
  /** Absolute path of the repository root (Application paths resolve against it). */
  root: string;
  files: string[];
  resources: Resource[];
  nonObjects: NonObject[];
  kustomizations: Kustomization[];
  findings: Finding[];
  /** What Argo CD applies from `dir` with these directory options (without: a probe, Jsonnet not evaluated). */
  sourceSet(dir: string, options?: SourceOptions): SourceSet;
}

export function isRemoteReference(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    /^git@/.test(entry) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) ||
    entry.includes('?ref=')
  );
}

const skipDirs = new Set(['node_modules', '.git']);

export function toPosix(path: string): string {
  return path.split(sep).join('/');
}

export interface LoadOptions {
  /** Folder to scan for manifests. */
  dir: string;
  /** Repository root that Application paths resolve against (default: dir). */
  repoRoot?: string;
  /** File-size cap, time budget and clock of the file-system layer (safe-fs.ts). */
  fs?: Omit<SafeFsOptions, 'root'>;
  /** How kustomizations are rendered: kubectl kustomize when kubectl is on PATH (auto), or the built-in reader. */
  renderer?: Renderer;
}

export function loadRepository(options: LoadOptions): Repository {
  const scanDir = resolve(options.dir);
  const root = resolve(options.repoRoot ?? options.dir);
  const safeFs = createSafeFs({ root, ...options.fs });
  const findings: Finding[] = [];
  const parsedFiles = new Map<string, ParsedFile>();
  const resourcesByFile = new Map<string, Resource[]>();
  const nonObjectsByFile = new Map<string, NonObject[]>();
  const resources: Resource[] = [];
  const nonObjects: NonObject[] = [];
  const kustomizations: Kustomization[] = [];
  const kustomizationByDir = new Map<string, Kustomization>();
  /** Files that kustomizations use as patches or generator input: not manifests. */
  const auxiliaryFiles = new Set<string>();
  let nextId = 1;

  const kubectl = options.renderer === 'builtin' ? undefined : findExecutable('kubectl');
  const rel = (abs: string) => toPosix(relative(root, abs)) || '.';
  /** Key of a directory in kustomizationByDir: '' for the root. */
  const dirKey = (abs: string) => toPosix(relative(root, abs));

  const loadFile = (abs: string): void => {
    const file = rel(abs);
    if (parsedFiles.has(file)) return;
    let parsed: ParsedFile;
    try {
      parsed = parseYamlText(safeFs.readText(abs));
    } catch (error) {
      if (!(error instanceof UnsafeFileError)) throw error;
      findings.push({
        rule: 'yaml-parse',
        severity: 'error',
        file,
        message: `cannot read ${file}: ${(error as Error).message}`,
        fix: 'Make the file readable UTF-8 YAML.',
      });
      return;
    }
    // Argo CD reads YAML with go-yaml, which accepts some indentation the YAML 1.2 parser rejects (quoted and
    // flow scalars continued at their key's indentation, common in generated CRDs): when go-yaml, through
    // kubectl kustomize, reads the file, its objects are used and the difference is a warning.
    let goYaml = false;
    if (parsed.errors.length > 0 && kubectl && !kustomizationNames.includes(basename(abs))) {
      const go = goYamlRead(kubectl, abs);
      if (go) {
        findings.push({
          rule: 'yaml-parse',
          severity: 'warning',
          file,
          line: parsed.errors[0]?.line,
          message: `go-yaml (which Argo CD and kubectl use) reads this file, but a strict YAML 1.2 parser does not: ${parsed.errors[0]?.message ?? ''}; lines of its findings are not known`,
          fix: 'Indent continuation lines of quoted and flow values deeper than their key, so every YAML tool reads the file.',
        });
        parsed = parseYamlText(go);
        goYaml = true;
      }
    }
    parsedFiles.set(file, parsed);
    const reportedLines = new Set<number | undefined>();
    for (const error of parsed.errors) {
      if (reportedLines.has(error.line)) continue;
      reportedLines.add(error.line);
      findings.push({
        rule: 'yaml-parse',
        severity: 'error',
        file,
        line: error.line,
        message: `YAML does not parse: ${error.message}`,
        fix: 'Fix the YAML syntax at that line (indentation, a missing colon, an unclosed quote or a duplicate key).',
      });
    }
    if (kustomizationNames.includes(basename(abs))) {
      const first = parsed.documents[0];
      const object = (first?.value ?? {}) as Record<string, unknown>;
      const k: Kustomization = { file, dir: toPosix(relative(root, dirname(abs))), object, parsed };
      kustomizations.push(k);
      kustomizationByDir.set(k.dir, k);
      return;
    }
    const fileResources: Resource[] = [];
    const fileNonObjects: NonObject[] = [];
    for (const d of parsed.documents) {
      const value = d.value;
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        fileNonObjects.push({ file, line: d.line, docIndex: d.index });
        continue;
      }
      const object = value as KubeObject;
      if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
        fileNonObjects.push({ file, line: d.line, docIndex: d.index, keys: Object.keys(object) });
        continue;
      }
      if (object.kind === 'List' && Array.isArray((object as { items?: unknown }).items)) {
        // A v1 List: each item is an object of its own.
        for (const item of (object as { items: unknown[] }).items) {
          if (item && typeof item === 'object')
            fileResources.push(makeResource(item as KubeObject, file, d.index));
        }
        continue;
      }
      const resource = makeResource(object, file, d.index);
      if (!goYaml) {
        resource.doc = d.doc;
        resource.lineCounter = parsed.lineCounter;
      }
      fileResources.push(resource);
    }
    resourcesByFile.set(file, fileResources);
    nonObjectsByFile.set(file, fileNonObjects);
    resources.push(...fileResources);
    nonObjects.push(...fileNonObjects);
  };

  const makeResource = (object: KubeObject, file: string, docIndex: number): Resource => {
    const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    return {
      id: nextId++,
      file,
      docIndex,
      apiVersion: String(object.apiVersion),
      kind: String(object.kind),
      name: typeof metadata.name === 'string' ? metadata.name : '',
      namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
      object,
      imageOverrides: [],
    };
  };

  /** A generator's input file, or '' when it cannot be read safely (not regular, too large). */
  const readGeneratorInput = (abs: string): string => {
    try {
      return safeFs.readText(abs);
    } catch (error) {
      if (!(error instanceof UnsafeFileError)) throw error;
      findings.push({
        rule: 'yaml-parse',
        severity: 'error',
        file: rel(abs),
        message: `cannot read ${rel(abs)}: ${error.message}`,
        fix: 'Make it a regular file inside the kustomization folder.',
      });
      return '';
    }
  };

  const helmChartDirs: string[] = [];
  const walk = (absDir: string): void => {
    const entries = safeFs.enterDir(absDir);
    if (!entries) return;
    if (entries.includes('Chart.yaml')) {
      helmChartDirs.push(rel(absDir));
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.') || skipDirs.has(entry)) continue;
      const abs = join(absDir, entry);
      const kind = safeFs.kind(abs);
      if (kind === 'dir') walk(abs);
      else if (kind === 'file' && (/\.(ya?ml|json)$/i.test(entry) || entry === 'Kustomization'))
        loadFile(abs);
      else if (kind === 'outside' || (kind === 'other' && /\.ya?ml$/i.test(entry))) {
        findings.push({
          rule: 'yaml-parse',
          severity: 'warning',
          file: rel(abs),
          message:
            kind === 'outside'
              ? `${rel(abs)} is a link to ${safeFs.real(abs)}, outside the repository: not read`
              : `${rel(abs)} is not a regular file (a FIFO, device or socket): not read`,
          fix: 'Replace it with a regular file inside the repository, or remove it.',
        });
      }
    }
  };
  walk(scanDir);
  for (const chartDir of helmChartDirs) {
    findings.push({
      rule: 'helm-not-rendered',
      severity: 'info',
      file: `${chartDir}/Chart.yaml`,
      message: `${chartDir} is a Helm chart: lint does not render Helm templates, so its objects are not checked`,
      fix: 'Render it (helm template) into a folder and lint that, if you want its objects checked.',
    });
  }

  // Kustomizations: follow resources and generators, apply namespace and images.
  const memberships = new Map<string, string[]>(); // kustomization dir → files it includes (transitively)
  const directFiles = new Map<string, string[]>(); // kustomization dir → files it lists itself
  const generated = new Map<string, Resource[]>(); // kustomization dir → generated objects
  const buildKustomization = (k: Kustomization, stack: string[]): void => {
    if (memberships.has(k.dir)) return;
    memberships.set(k.dir, []);
    const included: string[] = [];
    const direct: string[] = [];
    const dirAbs = join(root, k.dir);
    const entryLine = (field: string, index: number) =>
      lineAt(k.parsed.documents[0]?.doc, k.parsed.lineCounter, [field, index]);
    const list = (field: string): string[] => {
      const v = k.object[field];
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    };
    for (const field of ['resources', 'bases', 'components']) {
      list(field).forEach((entry, index) => {
        if (isRemoteReference(entry)) {
          const pinned = /[?&]ref=/.test(entry) || /\/download\/v?\d/.test(entry);
          findings.push({
            rule: 'kustomize-remote-base',
            severity: pinned ? 'info' : 'warning',
            file: k.file,
            line: entryLine(field, index),
            message: pinned
              ? `remote base ${entry} is not fetched: its objects are not checked`
              : `remote base ${entry} is not pinned: whatever its default branch holds is deployed, without a commit here`,
            fix: pinned
              ? 'Nothing to do; it is pinned. Run `kubectl kustomize` with network access to see it rendered.'
              : 'Pin it to a tag or commit (append ?ref=vX.Y.Z).',
          });
          return;
        }
        const abs = isAbsolute(entry) ? entry : join(dirAbs, entry);
        if (!existsSync(abs)) {
          findings.push({
            rule: 'kustomize-missing-resource',
            severity: 'error',
            file: k.file,
            line: entryLine(field, index),
            message: `${field} entry "${entry}" does not exist (looked for ${rel(abs)})`,
            fix: `Correct the path in ${k.file} or add the missing file; \`kubectl kustomize\` fails on it.`,
          });
          return;
        }
        const kind = safeFs.kind(abs);
        const refused =
          kind === 'outside' && statSync(abs).isDirectory()
            ? `security; folder '${abs}' is outside the repository root '${safeFs.realRoot}': lint does not read it`
            : kind !== 'dir'
              ? kustomizeFileRestriction(safeFs, abs, dirAbs)
              : undefined;
        if (refused) {
          findings.push({
            rule: 'kustomize-missing-resource',
            severity: 'error',
            file: k.file,
            line: entryLine(field, index),
            message: `${field} entry "${entry}": ${refused}`,
            fix: 'Move the file into the kustomization folder, or make its folder a base with its own kustomization.yaml; `kubectl kustomize` refuses it.',
          });
          return;
        }
        if (kind === 'dir') {
          const childDir = dirKey(abs);
          let child = kustomizationByDir.get(childDir);
          if (!child) {
            const name = kustomizationNames.find((n) => existsSync(join(abs, n)));
            if (name) {
              loadFile(join(abs, name));
              child = kustomizationByDir.get(childDir);
            }
          }
          if (!child) {
            findings.push({
              rule: 'kustomize-missing-resource',
              severity: 'error',
              file: k.file,
              line: entryLine(field, index),
              message: `${field} entry "${entry}" is a directory without a kustomization.yaml`,
              fix: `Add a kustomization.yaml to ${rel(abs)} or list its files one by one.`,
            });
            return;
          }
          if (stack.includes(child.dir)) {
            findings.push({
              rule: 'kustomize-missing-resource',
              severity: 'error',
              file: k.file,
              line: entryLine(field, index),
              message: `${field} entry "${entry}" includes itself (cycle: ${[...stack, child.dir].join(' → ')})`,
              fix: 'Remove the cycle between these kustomizations.',
            });
            return;
          }
          buildKustomization(child, [...stack, child.dir]);
          included.push(...(memberships.get(child.dir) ?? []));
          return;
        }
        loadFile(abs);
        included.push(rel(abs));
        direct.push(rel(abs));
      });
    }
    // Patches and generator inputs are not manifests of their own.
    const patches = Array.isArray(k.object.patches) ? k.object.patches : [];
    for (const p of [
      ...patches,
      ...(Array.isArray(k.object.patchesJson6902) ? k.object.patchesJson6902 : []),
    ]) {
      if (p && typeof p === 'object' && typeof (p as { path?: unknown }).path === 'string') {
        auxiliaryFiles.add(rel(join(dirAbs, (p as { path: string }).path)));
      }
    }
    for (const p of list('patchesStrategicMerge')) auxiliaryFiles.add(rel(join(dirAbs, p)));
    const gen: Resource[] = [];
    for (const [field, kind] of [
      ['configMapGenerator', 'ConfigMap'],
      ['secretGenerator', 'Secret'],
    ] as const) {
      const generators = Array.isArray(k.object[field]) ? (k.object[field] as unknown[]) : [];
      generators.forEach((g, index) => {
        if (!g || typeof g !== 'object') return;
        const spec = g as {
          name?: unknown;
          namespace?: unknown;
          files?: unknown;
          literals?: unknown;
          envs?: unknown;
        };
        const data: Record<string, string> = {};
        const files = Array.isArray(spec.files) ? spec.files.filter((f) => typeof f === 'string') : [];
        for (const entry of files as string[]) {
          const [key, path] = entry.includes('=')
            ? (entry.split('=', 2) as [string, string])
            : [basename(entry), entry];
          const abs = join(dirAbs, path);
          auxiliaryFiles.add(rel(abs));
          if (!existsSync(abs)) {
            findings.push({
              rule: 'kustomize-missing-resource',
              severity: 'error',
              file: k.file,
              line: lineAt(k.parsed.documents[0]?.doc, k.parsed.lineCounter, [field, index, 'files']),
              message: `${field} "${String(spec.name)}" reads ${path}, which does not exist`,
              fix: `Correct the file path in ${k.file} or add the file.`,
            });
            continue;
          }
          const refused = kustomizeFileRestriction(safeFs, abs, dirAbs);
          if (refused) {
            findings.push({
              rule: 'kustomize-missing-resource',
              severity: 'error',
              file: k.file,
              line: lineAt(k.parsed.documents[0]?.doc, k.parsed.lineCounter, [field, index, 'files']),
              message: `${field} "${String(spec.name)}" reads ${path}: ${refused}`,
              fix: `Move the file into ${k.dir || '.'}; \`kubectl kustomize\` refuses it.`,
            });
            continue;
          }
          data[key] = readGeneratorInput(abs);
        }
        const literals = Array.isArray(spec.literals)
          ? spec.literals.filter((l) => typeof l === 'string')
          : [];
        for (const literal of literals as string[]) {
          const eq = literal.indexOf('=');
          if (eq > 0) data[literal.slice(0, eq)] = literal.slice(eq + 1);
        }
        const envs = Array.isArray(spec.envs) ? spec.envs.filter((e) => typeof e === 'string') : [];
        for (const env of envs as string[]) {
          const abs = join(dirAbs, env);
          auxiliaryFiles.add(rel(abs));
          if (!existsSync(abs) || kustomizeFileRestriction(safeFs, abs, dirAbs)) continue;
          for (const line of readGeneratorInput(abs).split('\n')) {
            const eq = line.indexOf('=');
            if (eq > 0 && !line.trimStart().startsWith('#'))
              data[line.slice(0, eq).trim()] = line.slice(eq + 1);
          }
        }
        const object: KubeObject = {
          apiVersion: 'v1',
          kind,
          metadata: {
            name: spec.name,
            ...(typeof spec.namespace === 'string' ? { namespace: spec.namespace } : {}),
          },
          data,
        };
        const resource = makeResource(object, k.file, -1);
        resource.generatedBy = k.file;
        gen.push(resource);
        resources.push(resource);
      });
    }
    generated.set(k.dir, gen);
    memberships.set(k.dir, included);
    directFiles.set(k.dir, direct);
  };

  const includedDirs = new Set<string>();
  for (const k of kustomizations) {
    for (const field of ['resources', 'bases', 'components']) {
      const v = k.object[field];
      if (!Array.isArray(v)) continue;
      for (const entry of v) {
        if (typeof entry !== 'string' || isRemoteReference(entry)) continue;
        includedDirs.add(dirKey(join(root, k.dir, entry)));
      }
    }
  }
  // Outermost kustomizations first, so an overlay's namespace and images win over its bases'.
  const ordered = [...kustomizations].sort(
    (a, b) => Number(includedDirs.has(a.dir)) - Number(includedDirs.has(b.dir)),
  );
  const assigned = new Set<number>();
  const applyOverrides = (k: Kustomization, inherited: { namespace?: string; images: ImageOverride[] }) => {
    const namespace =
      inherited.namespace ?? (typeof k.object.namespace === 'string' ? k.object.namespace : undefined);
    const own = (Array.isArray(k.object.images) ? k.object.images : []).filter(
      (i): i is ImageOverride =>
        !!i && typeof i === 'object' && typeof (i as { name?: unknown }).name === 'string',
    );
    const images = [
      ...inherited.images,
      ...own.filter((o) => !inherited.images.some((i) => i.name === o.name)),
    ];
    for (const file of directFiles.get(k.dir) ?? []) {
      for (const r of resourcesByFile.get(file) ?? []) {
        if (assigned.has(r.id)) continue;
        assigned.add(r.id);
        if (namespace !== undefined && !clusterScopedKinds.has(r.kind)) r.namespace = namespace;
        r.imageOverrides = images;
      }
    }
    for (const r of generated.get(k.dir) ?? []) {
      if (assigned.has(r.id)) continue;
      assigned.add(r.id);
      if (namespace !== undefined) r.namespace = namespace;
    }
    return { namespace, images };
  };
  const visitOverrides = (
    k: Kustomization,
    inherited: { namespace?: string; images: ImageOverride[] },
    seen: Set<string>,
  ) => {
    if (seen.has(k.dir)) return;
    seen.add(k.dir);
    const next = applyOverrides(k, inherited);
    for (const field of ['resources', 'bases', 'components']) {
      const v = k.object[field];
      if (!Array.isArray(v)) continue;
      for (const entry of v) {
        if (typeof entry !== 'string' || isRemoteReference(entry)) continue;
        const child = kustomizationByDir.get(dirKey(join(root, k.dir, entry)));
        if (child) visitOverrides(child, next, seen);
      }
    }
  };
  for (const k of ordered) {
    buildKustomization(k, [k.dir]);
  }
  for (const k of ordered) visitOverrides(k, { images: [] }, new Set());

  // Documents of patch and generator files are not objects of their own.
  const isAux = (file: string) => auxiliaryFiles.has(file);
  const kept = resources.filter((r) => r.generatedBy !== undefined || !isAux(r.file));
  resources.length = 0;
  resources.push(...kept);
  const keptNon = nonObjects.filter((n) => !isAux(n.file));
  nonObjects.length = 0;
  nonObjects.push(...keptNon);

  // Rendering with kubectl kustomize, as Argo CD's repo-server does: each outermost kustomization is built
  // and its objects replace what the built-in reader made of its files (namePrefix, commonLabels, patches,
  // components and replacements then apply exactly as kustomize applies them).
  const rendered = new Map<string, Resource[]>();
  const treeOf = (dir: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(dir)) return seen;
    seen.add(dir);
    const object = kustomizationByDir.get(dir)?.object ?? {};
    for (const field of ['resources', 'bases', 'components']) {
      for (const entry of Array.isArray(object[field]) ? (object[field] as unknown[]) : []) {
        if (typeof entry !== 'string' || isRemoteReference(entry)) continue;
        const child = dirKey(join(root, dir, entry));
        if (kustomizationByDir.has(child)) treeOf(child, seen);
      }
    }
    return seen;
  };
  /** Why kubectl kustomize cannot build this kustomization here (remote bases, Helm charts), if so. */
  const unrenderable = (dir: string): string | undefined => {
    for (const d of treeOf(dir)) {
      const k = kustomizationByDir.get(d);
      if (!k) continue;
      if (k.object.kind === 'Component' && d === dir) return 'it is a Component';
      if (Array.isArray(k.object.helmCharts) && k.object.helmCharts.length > 0)
        return `${k.file} inflates Helm charts`;
      const entries = ['resources', 'bases', 'components'].flatMap((f) =>
        Array.isArray(k.object[f]) ? (k.object[f] as unknown[]) : [],
      );
      if (entries.some((e) => typeof e === 'string' && isRemoteReference(e)))
        return `${k.file} has remote bases`;
    }
    return undefined;
  };
  const renderFailures: Finding[] = [];
  const render = (k: Kustomization): Resource[] | undefined => {
    if (rendered.has(k.dir)) return rendered.get(k.dir);
    if (!kubectl || unrenderable(k.dir)) return undefined;
    const result = kustomizeBuild(kubectl, join(root, k.dir));
    if (!result.ok) {
      renderFailures.push({
        rule: 'kustomize-build',
        severity: 'error',
        file: k.file,
        message: `kubectl kustomize ${k.dir || '.'} fails: ${result.error}`,
        fix: 'Fix the kustomization until `kubectl kustomize` builds it: Argo CD runs kustomize build and fails the same way.',
      });
      rendered.set(k.dir, []);
      return undefined;
    }
    const out = result.objects.map((o) => renderedResource(o));
    rendered.set(k.dir, out);
    return out;
  };
  const renderedResource = (o: RenderedObject): Resource => {
    const object = o.object as KubeObject;
    const originFile = o.originFile ? rel(o.originFile) : undefined;
    const kind = String(object.kind);
    const name = String((object.metadata as { name?: unknown } | undefined)?.name ?? '');
    const candidates = (originFile ? (resourcesByFile.get(originFile) ?? []) : []).filter(
      (r) => r.kind === kind,
    );
    // The document it came from: same kind, its name contained in the rendered one (namePrefix/Suffix).
    const source =
      candidates.find((r) => r.name === name) ??
      candidates
        .filter((r) => r.name && name.includes(r.name))
        .sort((a, b) => b.name.length - a.name.length)[0] ??
      candidates[0];
    const resource = makeResource(
      object,
      originFile ?? (o.configuredIn ? rel(o.configuredIn) : '.'),
      source?.docIndex ?? -1,
    );
    if (source?.doc) {
      resource.doc = source.doc;
      resource.lineCounter = source.lineCounter;
    }
    // kustomize has applied `images:` already; keeping the overrides lets rules say where a tag came from
    // (applying one again to its own output changes nothing).
    if (source) resource.imageOverrides = source.imageOverrides;
    if (!originFile && o.configuredIn) resource.generatedBy = rel(o.configuredIn);
    return resource;
  };
  if (kubectl) {
    const superseded = new Set<number>();
    for (const k of ordered) {
      if (includedDirs.has(k.dir)) continue;
      const out = render(k);
      if (!out) continue;
      const tree = treeOf(k.dir);
      for (const d of tree) {
        for (const file of memberships.get(d) ?? [])
          for (const r of resourcesByFile.get(file) ?? []) superseded.add(r.id);
        for (const r of generated.get(d) ?? []) superseded.add(r.id);
      }
      resources.push(...out);
    }
    const left = resources.filter((r) => !superseded.has(r.id));
    resources.length = 0;
    resources.push(...left);
  }

  /** Argo CD evaluates each *.jsonnet file of a directory source (not *.libsonnet) and applies the result. */
  const jsonnet = findExecutable('jsonnet');
  const jsonnetCache = new Map<string, Resource[]>();
  const renderJsonnet = (set: SourceSet, files: string[], opts: SourceOptions): void => {
    if (!jsonnet) {
      set.notRendered = `${files.map(rel).join(', ')}; jsonnet is not on PATH`;
      return;
    }
    const args = [
      ...(opts.jsonnetLibs ?? []).flatMap((l) => ['-J', join(root, l)]),
      ...(opts.jsonnetVars ?? []).flatMap((v) => {
        if (typeof v.name !== 'string' || typeof v.value !== 'string') return [];
        const flag = `--${v.kind}-${v.code === true ? 'code' : 'str'}`;
        return [flag, `${v.name}=${v.value}`];
      }),
    ];
    for (const abs of files) {
      const file = rel(abs);
      const key = `${file}|${args.join(' ')}`;
      let out = jsonnetCache.get(key);
      if (!out) {
        const result = jsonnetEval(jsonnet, abs, args);
        if (!result.ok) {
          findings.push({
            rule: 'jsonnet',
            severity: 'error',
            file,
            message: `jsonnet ${file} fails: ${result.error}`,
            fix: 'Fix the Jsonnet until `jsonnet FILE` evaluates it: Argo CD fails the same way.',
          });
          out = [];
        } else {
          out = result.objects
            .filter((o) => typeof o.apiVersion === 'string' && typeof o.kind === 'string')
            .map((o) => makeResource(o as KubeObject, file, -1));
          resources.push(...out);
        }
        jsonnetCache.set(key, out);
      }
      set.manifestFiles.push(file);
      set.resources.push(...out);
    }
  };

  const sourceSet: Repository['sourceSet'] = (dir, given) => {
    // Without options the call only probes the folder (exists, Helm chart, kustomized): Jsonnet, whose
    // evaluation needs the Application's libs and variables, is evaluated only for an Application's source.
    const opts = given ?? {};
    const normalized = toPosix(dir)
      .replace(/^\.\/?/, '')
      .replace(/^\/+/, '')
      .replace(/\/+$/, '');
    const abs = join(root, normalized);
    const set: SourceSet = {
      dir: normalized,
      exists: existsSync(abs) && statSync(abs).isDirectory(),
      kustomized: false,
      helmChart: false,
      resources: [],
      nonObjects: [],
      manifestFiles: [],
    };
    if (!set.exists) return set;
    if (existsSync(join(abs, 'Chart.yaml'))) {
      set.helmChart = true;
      return set;
    }
    const kName = kustomizationNames.find((n) => existsSync(join(abs, n)));
    if (kName) {
      set.kustomized = true;
      let k = kustomizationByDir.get(normalized);
      if (!k) {
        loadFile(join(abs, kName));
        k = kustomizationByDir.get(normalized);
        if (k) {
          buildKustomization(k, [k.dir]);
          visitOverrides(k, { images: [] }, new Set());
        }
      }
      if (!k) return set;
      const files = memberships.get(k.dir) ?? [];
      set.manifestFiles = [k.file, ...files];
      const known = rendered.has(k.dir);
      const out = render(k);
      if (rendered.get(k.dir)?.length === 0 && renderFailures.some((f) => f.file === k.file)) {
        set.renderFailed = true;
        return set;
      }
      if (out) {
        if (!known) resources.push(...out);
        set.resources.push(...out);
        return set;
      }
      const collectGenerated = (dirKeyOf: string, seen: Set<string>) => {
        if (seen.has(dirKeyOf)) return;
        seen.add(dirKeyOf);
        set.resources.push(...(generated.get(dirKeyOf) ?? []));
        const kk = kustomizationByDir.get(dirKeyOf);
        for (const field of ['resources', 'bases', 'components']) {
          const v = kk?.object[field];
          if (!Array.isArray(v)) continue;
          for (const entry of v) {
            if (typeof entry === 'string' && !isRemoteReference(entry)) {
              const childDir = toPosix(relative(root, join(root, dirKeyOf, entry)));
              if (kustomizationByDir.has(childDir)) collectGenerated(childDir, seen);
            }
          }
        }
      };
      for (const file of files) {
        set.resources.push(...(resourcesByFile.get(file) ?? []).filter((r) => kept.includes(r)));
        set.nonObjects.push(...(nonObjectsByFile.get(file) ?? []));
      }
      collectGenerated(k.dir, new Set());
      return set;
    }
    const include = opts.include ? globToRegExp(opts.include) : undefined;
    const exclude = opts.exclude ? globToRegExp(opts.exclude) : undefined;
    const seen = new Set<string>();
    const visit = (absDir: string) => {
      for (const entry of safeFs.enterDir(absDir, seen) ?? []) {
        if (entry.startsWith('.')) continue;
        const p = join(absDir, entry);
        const kind = safeFs.kind(p);
        if (kind === 'dir') {
          if (opts.recurse) visit(p);
          continue;
        }
        if (kind === 'file' && /\.jsonnet$/i.test(entry)) {
          jsonnetFiles.push(p);
          continue;
        }
        if (kind !== 'file' || !/\.(ya?ml|json)$/i.test(entry)) continue;
        const file = rel(p);
        const name = toPosix(relative(abs, p));
        if (include && !include.test(name)) continue;
        if (exclude?.test(name)) continue;
        set.manifestFiles.push(file);
        loadFile(p);
        set.resources.push(...(resourcesByFile.get(file) ?? []));
        set.nonObjects.push(...(nonObjectsByFile.get(file) ?? []));
      }
    };
    const jsonnetFiles: string[] = [];
    visit(abs);
    if (jsonnetFiles.length > 0 && given) renderJsonnet(set, jsonnetFiles, opts);
    return set;
  };

  findings.push(...renderFailures);
  if (kustomizations.length > 0) {
    findings.push({
      rule: 'kustomize-render',
      severity: 'info',
      file: kustomizations[0]?.file ?? '.',
      message: kubectl
        ? `kustomizations rendered with kubectl kustomize (${kubectl}), as Argo CD renders them; those with remote bases or Helm charts with the built-in reader`
        : `${options.renderer === 'builtin' ? 'as asked (--renderer builtin)' : 'kubectl is not on PATH'}: kustomizations read with the built-in reader (resources, generators, namespace and images only; patches, components, namePrefix and commonLabels are not applied)`,
      fix: 'Install kubectl to lint what Argo CD would apply.',
    });
  }
  return {
    renderedWith: kubectl ? 'kubectl kustomize' : 'built-in reader',
    root,
    get files() {
      return [...parsedFiles.keys()].sort();
    },
    resources,
    nonObjects,
    kustomizations,
    findings,
    sourceSet,
  };
}

/** Argo CD's directory include/exclude globs ('*.yaml', '{a.yaml,b.yaml}'). */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') source += glob[i + 1] === '*' ? '.*' : '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') source += '(?:';
    else if (c === '}') source += ')';
    else if (c === ',') source += '|';
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
    if (c === '*' && glob[i + 1] === '*') i++;
  }
  return new RegExp(`^${source}$`);
}

export const clusterScopedKinds = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'IngressClass',
  'RuntimeClass',
  'ClusterAnalysisTemplate',
  'ClusterIssuer',
  'CSIDriver',
  'VolumeAttachment',
]);
