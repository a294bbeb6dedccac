/**
 * What the rules share: the loaded repository, the Applications found in it (with the objects each one
 * deploys from this repository), each object's effective namespace, and the schema validator.
 */
import { clusterScopedKinds, isRemoteReference, type Repository, type SourceSet } from './repository.js';
import type { SchemaProblem, SchemaValidator } from './schemas.js';
import type { Finding, Resource } from './types.js';
import { lineAt } from './yaml-files.js';

export interface AppSource {
  index: number;
  /** Field path of this source inside the Application (['spec','source'] or ['spec','sources',i]). */
  path: Array<string | number>;
  repoURL: string;
  targetRevision?: string;
  /** Directory inside the repository, for Git sources. */
  dirPath?: string;
  chart?: string;
  /** A Git source of this repository (its path resolves under the root). */
  local: boolean;
  set?: SourceSet;
  recurse: boolean;
  /** A config management plugin renders this source (spec.source.plugin): lint cannot. */
  plugin: boolean;
}

export interface AppInfo {
  resource: Resource;
  name: string;
  project: string;
  sources: AppSource[];
  destinationNamespace?: string;
  destinationServer?: string;
  destinationName?: string;
  automated: boolean;
  selfHeal: boolean;
  prune: boolean;
  syncOptions: string[];
  ignoreDifferences: Array<Record<string, unknown>>;
  /** Objects this Application deploys from this repository. */
  members: Resource[];
}

export interface LintContext {
  repo: Repository;
  validator: SchemaValidator;
  /** Validators of the kinds defined by CustomResourceDefinitions in the repository itself. */
  repositoryKinds: Map<string, (object: unknown) => SchemaProblem[]>;
  apps: AppInfo[];
  /** Repository URLs that mean "this repository". */
  localRepoURLs: Set<string>;
  /** Application owning each object (first one, by id). */
  ownerOf: Map<number, AppInfo>;
  namespaceOf(resource: Resource): string | undefined;
  describe(resource: Resource): string;
  /** Namespaces into which a non-rendered source (Helm chart, remote Git) deploys. */
  opaqueNamespaces: Set<string>;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function isApplication(r: Resource): boolean {
  return r.kind === 'Application' && r.apiVersion.startsWith('argoproj.io/');
}

function normalizeRepoURL(url: string): string {
  return url
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function normalizeDir(dir: string): string {
  return dir
    .replace(/^\.\/?/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

export function sameRepo(a: string, b: string): boolean {
  return normalizeRepoURL(a) === normalizeRepoURL(b);
}

export function buildContext(repo: Repository, validator: SchemaValidator): LintContext {
  const applications = repo.resources.filter(isApplication);
  // "This repository": the repoURL most Git sources with a path use, among those whose path exists here.
  const counts = new Map<string, number>();
  for (const app of applications) {
    for (const { source } of sourcesOf(app)) {
      const url = asString(source.repoURL);
      const path = asString(source.path);
      if (!url || path === undefined || asString(source.chart)) continue;
      if (!repo.sourceSet(path).exists) continue;
      counts.set(normalizeRepoURL(url), (counts.get(normalizeRepoURL(url)) ?? 0) + 1);
    }
  }
  const max = Math.max(0, ...counts.values());
  const localRepoURLs = new Set([...counts.entries()].filter(([, n]) => n === max && n > 0).map(([u]) => u));
  if (localRepoURLs.size === 0) {
    // No path resolves (every local Application broken, or a sub-folder linted): take the Git sources that
    // are not on a public forge as this repository, so that their paths are still checked.
    for (const app of applications) {
      for (const { source } of sourcesOf(app)) {
        const url = asString(source.repoURL);
        if (!url || asString(source.chart) || asString(source.path) === undefined) continue;
        if (!/^(https?:\/\/|git@)(www\.)?(github\.com|gitlab\.com|bitbucket\.org)[/:]/i.test(url)) {
          localRepoURLs.add(normalizeRepoURL(url));
        }
      }
    }
  }

  const apps: AppInfo[] = applications.map((resource) => {
    const spec = asRecord(resource.object.spec) ?? {};
    const destination = asRecord(spec.destination) ?? {};
    const syncPolicy = asRecord(spec.syncPolicy) ?? {};
    const automatedRaw = asRecord(syncPolicy.automated);
    const automated = automatedRaw !== undefined && automatedRaw.enabled !== false;
    const sources: AppSource[] = sourcesOf(resource).map(({ source, path }, index) => {
      const repoURL = asString(source.repoURL) ?? '';
      const dirPath = asString(source.path);
      const chart = asString(source.chart);
      const local = !chart && dirPath !== undefined && localRepoURLs.has(normalizeRepoURL(repoURL));
      const directory = asRecord(source.directory) ?? {};
      const recurse = directory.recurse === true;
      const plugin = asRecord(source.plugin) !== undefined;
      const jsonnet = asRecord(directory.jsonnet) ?? {};
      const s: AppSource = {
        index,
        path,
        repoURL,
        targetRevision: asString(source.targetRevision),
        dirPath,
        chart,
        local,
        recurse,
        plugin,
      };
      if (local && !plugin && dirPath !== undefined) {
        s.set = repo.sourceSet(dirPath, {
          recurse,
          include: asString(directory.include),
          exclude: asString(directory.exclude),
          jsonnetLibs: asArray(jsonnet.libs).filter((l): l is string => typeof l === 'string'),
          jsonnetVars: [
            ...asArray(jsonnet.extVars).map((v) => ({ ...asRecord(v), kind: 'ext' as const })),
            ...asArray(jsonnet.tlas).map((v) => ({ ...asRecord(v), kind: 'tla' as const })),
          ],
        });
      }
      return s;
    });
    const members = sources.flatMap((s) => s.set?.resources ?? []);
    return {
      resource,
      name: resource.name,
      project: asString(spec.project) ?? '',
      sources,
      destinationNamespace: asString(destination.namespace),
      destinationServer: asString(destination.server),
      destinationName: asString(destination.name),
      automated,
      selfHeal: automated && automatedRaw?.selfHeal === true,
      prune: automated && automatedRaw?.prune === true,
      syncOptions: asArray(syncPolicy.syncOptions).filter((o): o is string => typeof o === 'string'),
      ignoreDifferences: asArray(spec.ignoreDifferences).filter(
        (d): d is Record<string, unknown> => asRecord(d) !== undefined,
      ),
      members,
    };
  });

  // Files under a plugin source's path are the plugin's input, not what Argo CD applies: no rule reads them.
  const pluginDirs = apps.flatMap((a) =>
    a.sources
      .filter((s) => s.plugin && s.dirPath !== undefined)
      .map((s) => normalizeDir(s.dirPath as string)),
  );
  if (pluginDirs.length > 0) {
    const applied = repo.resources.filter(
      (r) => isApplication(r) || !pluginDirs.some((d) => d === '' || r.file.startsWith(`${d}/`)),
    );
    repo.resources.length = 0;
    repo.resources.push(...applied);
  }

  const ownerOf = new Map<number, AppInfo>();
  for (const app of apps) for (const m of app.members) if (!ownerOf.has(m.id)) ownerOf.set(m.id, app);

  const opaqueNamespaces = new Set<string>();
  for (const app of apps) {
    const opaque = app.sources.some(
      (s) =>
        !s.local ||
        s.plugin ||
        s.set?.helmChart ||
        s.set?.notRendered !== undefined ||
        (s.set !== undefined && includesRemoteBase(repo, s.set.dir)),
    );
    if (opaque && app.destinationNamespace) opaqueNamespaces.add(app.destinationNamespace);
  }

  const namespaceOf = (r: Resource): string | undefined => {
    if (clusterScopedKinds.has(r.kind)) return undefined;
    return r.namespace ?? ownerOf.get(r.id)?.destinationNamespace ?? 'default';
  };
  const describe = (r: Resource): string => {
    const ns = namespaceOf(r);
    return [r.kind, ns, r.name || '(unnamed)'].filter(Boolean).join('/');
  };
  const crds = repo.resources
    .filter((r) => r.kind === 'CustomResourceDefinition' && r.apiVersion === 'apiextensions.k8s.io/v1')
    .map((r) => r.object as Record<string, unknown>);
  const repositoryKinds = validator.repositoryKinds(crds);
  return {
    repo,
    validator,
    repositoryKinds,
    apps,
    localRepoURLs,
    ownerOf,
    namespaceOf,
    describe,
    opaqueNamespaces,
  };
}

function includesRemoteBase(repo: Repository, dir: string): boolean {
  const k = repo.kustomizations.find((x) => x.dir === dir);
  return asArray(k?.object.resources).some((e) => typeof e === 'string' && isRemoteReference(e));
}

export function sourcesOf(
  app: Resource,
): Array<{ source: Record<string, unknown>; path: Array<string | number> }> {
  const spec = asRecord(app.object.spec) ?? {};
  const single = asRecord(spec.source);
  if (single) return [{ source: single, path: ['spec', 'source'] }];
  return asArray(spec.sources)
    .map((s, i) => ({ source: asRecord(s), path: ['spec', 'sources', i] as Array<string | number> }))
    .filter(
      (s): s is { source: Record<string, unknown>; path: Array<string | number> } => s.source !== undefined,
    );
}

export type Rule = (ctx: LintContext) => Finding[];

/** A finding about `resource`, located at `path` inside it (line from the YAML source). */
export function findingAt(
  ctx: LintContext,
  resource: Resource,
  path: Array<string | number>,
  finding: Pick<Finding, 'rule' | 'severity' | 'message' | 'fix'>,
): Finding {
  return {
    ...finding,
    file: resource.file,
    line: lineAt(resource.doc, resource.lineCounter, path),
    resource: ctx.describe(resource),
  };
}
