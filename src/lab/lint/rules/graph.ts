/**
 * Rule family `app-*`: the app-of-apps graph. Every Application's source must resolve (a path that exists
 * under the root and holds manifests), be allowed by its AppProject, be pinned when it is remote, deploy to
 * a namespace that will exist, and no object may be owned by two Applications.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AppInfo,
  asArray,
  asRecord,
  asString,
  findingAt,
  type LintContext,
  sameRepo,
} from '../context.js';
import { closest } from '../schemas.js';
import type { Finding, Resource } from '../types.js';

const builtinNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

const knownSyncOptions: Record<string, RegExp> = {
  Validate: /^(true|false)$/,
  CreateNamespace: /^(true|false)$/,
  PrunePropagationPolicy: /^(foreground|background|orphan)$/,
  PruneLast: /^(true|false)$/,
  ApplyOutOfSyncOnly: /^(true|false)$/,
  RespectIgnoreDifferences: /^(true|false)$/,
  ServerSideApply: /^(true|false)$/,
  Replace: /^(true|false)$/,
  FailOnSharedResource: /^(true|false)$/,
  SkipDryRunOnMissingResource: /^(true|false)$/,
  ClientSideApplyMigration: /^(true|false)$/,
  Prune: /^(true|false|confirm)$/,
  Delete: /^(true|false|confirm)$/,
  Force: /^(true|false)$/,
};

function globMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(value);
}

function allowedBy(patterns: string[], value: string): boolean {
  const negated = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  if (negated.some((p) => globMatch(p, value) || sameRepo(p, value))) return false;
  return patterns
    .filter((p) => !p.startsWith('!'))
    .some((p) => p === '*' || globMatch(p, value) || sameRepo(p, value));
}

export function hasSyncOption(app: AppInfo, name: string): boolean {
  return app.syncOptions.some((o) => o.replace(/\s/g, '') === `${name}=true`);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

function subdirectories(root: string, rel: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (depth > 4) return;
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir));
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const p = dir ? `${dir}/${e}` : e;
      try {
        if (statSync(join(root, p)).isDirectory()) {
          out.push(p);
          visit(p, depth + 1);
        }
      } catch {}
    }
  };
  visit('', 0);
  return out.filter((d) => d !== rel);
}

export function graphRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  const projects = new Map<string, Resource>();
  for (const r of ctx.repo.resources) {
    if (r.kind === 'AppProject' && r.apiVersion.startsWith('argoproj.io/')) projects.set(r.name, r);
  }

  // Namespaces that will exist: built-ins, where Applications live (Argo CD's own), Namespace objects,
  // and destinations of Applications that create theirs.
  const existing = new Set(builtinNamespaces);
  for (const r of ctx.repo.resources) {
    if (r.kind === 'Namespace') existing.add(r.name);
  }
  for (const app of ctx.apps) {
    if (app.resource.namespace) existing.add(app.resource.namespace);
    if (hasSyncOption(app, 'CreateNamespace') && app.destinationNamespace)
      existing.add(app.destinationNamespace);
  }

  // The repoURLs of this repository, as the Applications spell them.
  const localURLs = [
    ...new Set(ctx.apps.flatMap((a) => a.sources.filter((x) => x.local).map((x) => x.repoURL))),
  ];
  for (const app of ctx.apps) {
    const r = app.resource;
    // Sources.
    for (const s of app.sources) {
      if (s.chart) {
        findings.push(
          findingAt(ctx, r, [...s.path, 'chart'], {
            rule: 'helm-not-rendered',
            severity: 'info',
            message: `Helm chart ${s.chart}@${s.targetRevision ?? '(no version)'} from ${s.repoURL} is not rendered: its objects are not checked`,
            fix: 'Nothing to do; render it with `helm template` in CI if you want its objects linted too.',
          }),
        );
        if (!s.targetRevision || /[*^~<>|]|latest|^\s*$/i.test(s.targetRevision)) {
          findings.push(
            findingAt(ctx, r, [...s.path, 'targetRevision'], {
              rule: 'app-unpinned',
              severity: 'warning',
              message: `Helm chart ${s.chart} is not pinned (targetRevision "${s.targetRevision ?? ''}"): a new chart release changes the cluster without a commit`,
              fix: 'Set targetRevision to an exact chart version, e.g. 1.2.3.',
            }),
          );
        }
        continue;
      }
      if (!s.local) {
        if (
          s.dirPath !== undefined &&
          ctx.repo.sourceSet(s.dirPath).exists &&
          !ctx.repo.sourceSet(s.dirPath).helmChart
        ) {
          findings.push(
            findingAt(ctx, r, [...s.path, 'repoURL'], {
              rule: 'app-repo-url',
              severity: 'error',
              message: `path ${s.dirPath} exists in this repository, but repoURL ${s.repoURL} is not the one the other Applications use (${localURLs.join(', ')}): Argo CD fetches it from that other URL, or fails to`,
              fix: `Set repoURL to ${localURLs[0] ?? 'the URL of this repository'}, or confirm that this source is meant to come from elsewhere.`,
            }),
          );
        } else {
          findings.push(
            findingAt(ctx, r, [...s.path, 'repoURL'], {
              rule: 'app-remote-source',
              severity: 'info',
              message: `source ${s.repoURL}${s.dirPath !== undefined ? ` (path ${s.dirPath})` : ''} is another repository: not fetched, its objects are not checked`,
              fix: 'Nothing to do.',
            }),
          );
        }
        const rev = s.targetRevision ?? '';
        const looksLocal = s.dirPath !== undefined && ctx.repo.sourceSet(s.dirPath).exists;
        if (!looksLocal && (!rev || /^(HEAD|main|master|trunk)$/i.test(rev))) {
          findings.push(
            findingAt(ctx, r, [...s.path, 'targetRevision'], {
              rule: 'app-unpinned',
              severity: 'warning',
              message: `source ${s.repoURL} follows "${rev || 'HEAD'}": whatever is pushed there is deployed without a commit here`,
              fix: 'Pin targetRevision to a tag or a commit SHA.',
            }),
          );
        }
        continue;
      }
      if (s.plugin) {
        findings.push(
          findingAt(ctx, r, [...s.path, 'plugin'], {
            rule: 'plugin-not-rendered',
            severity: 'info',
            message: `source ${s.dirPath ?? s.repoURL} is rendered by a config management plugin: lint does not run plugins, so its objects are not checked`,
            fix: 'Nothing to do; lint the plugin output (e.g. `my-plugin generate | gitops-lab lint -`) if you want it checked.',
          }),
        );
        continue;
      }
      const set = s.set;
      if (set?.notRendered) {
        findings.push(
          findingAt(ctx, r, [...s.path, 'path'], {
            rule: 'jsonnet-not-rendered',
            severity: 'info',
            message: `path ${s.dirPath} holds Jsonnet (${set.notRendered}): its objects are not checked`,
            fix: 'Install jsonnet (Debian: apt-get install jsonnet) to lint what Argo CD would render.',
          }),
        );
        if (set.resources.length === 0) continue;
      }
      if (set?.renderFailed) continue;
      if (!set?.exists) {
        const candidates = subdirectories(ctx.repo.root, s.dirPath ?? '');
        const suggestion = closest(s.dirPath ?? '', candidates);
        findings.push(
          findingAt(ctx, r, [...s.path, 'path'], {
            rule: 'app-path',
            severity: 'error',
            message: `Application ${app.name} points at path "${s.dirPath}", which does not exist under the repository root`,
            fix: suggestion
              ? `Set ${s.path.join('.')}.path to "${suggestion}" (the closest existing folder), or create the folder.`
              : 'Correct the path (relative to the repository root, no leading slash) or create the folder.',
          }),
        );
        continue;
      }
      if (set.helmChart) {
        findings.push(
          findingAt(ctx, r, [...s.path, 'path'], {
            rule: 'helm-not-rendered',
            severity: 'info',
            message: `path ${s.dirPath} is a Helm chart: lint does not render it`,
            fix: 'Nothing to do.',
          }),
        );
        continue;
      }
      if (set.resources.length === 0 && !hasRemoteBase(ctx, set.dir)) {
        findings.push(
          findingAt(ctx, r, [...s.path, 'path'], {
            rule: 'app-path',
            severity: 'error',
            message: `Application ${app.name} points at "${s.dirPath}", which holds no Kubernetes manifests${set.manifestFiles.length === 0 && !s.recurse && hasSubdirectories(ctx.repo.root, set.dir) ? ' (its manifests are in subfolders, and directory.recurse is not set)' : ''}`,
            fix:
              set.manifestFiles.length === 0 && !s.recurse && hasSubdirectories(ctx.repo.root, set.dir)
                ? 'Point the path at the subfolder, add a kustomization.yaml, or set spec.source.directory.recurse: true.'
                : 'Point the path at the folder with the manifests, or add them.',
          }),
        );
      }
    }

    // Project.
    if (app.project && app.project !== 'default') {
      const project = projects.get(app.project);
      if (!project) {
        findings.push(
          findingAt(ctx, r, ['spec', 'project'], {
            rule: 'app-project',
            severity: 'error',
            message: `Application ${app.name} is in project "${app.project}", which is not defined in this repository`,
            fix: `Add an AppProject named ${app.project} or use an existing project (${[...projects.keys(), 'default'].join(', ')}).`,
          }),
        );
      } else {
        const pspec = asRecord(project.object.spec) ?? {};
        const sourceRepos = asArray(pspec.sourceRepos).filter((x): x is string => typeof x === 'string');
        for (const s of app.sources) {
          if (s.repoURL && !allowedBy(sourceRepos, s.repoURL)) {
            findings.push(
              findingAt(ctx, r, [...s.path, 'repoURL'], {
                rule: 'app-project',
                severity: 'error',
                message: `repoURL ${s.repoURL} is not in AppProject ${app.project}'s sourceRepos, so Argo CD refuses to sync ${app.name}`,
                fix: `Add ${s.repoURL} to spec.sourceRepos of AppProject ${app.project} (${project.file}) or correct the repoURL.`,
              }),
            );
          }
        }
        const destinations = asArray(pspec.destinations).map((d) => asRecord(d) ?? {});
        const ns = app.destinationNamespace ?? '';
        // Argo CD's local cluster answers to both names.
        const inCluster = 'https://kubernetes.default.svc';
        const appServer =
          app.destinationServer ?? (app.destinationName === 'in-cluster' ? inCluster : undefined);
        const appName =
          app.destinationName ?? (app.destinationServer === inCluster ? 'in-cluster' : undefined);
        const ok = destinations.some((d) => {
          const server = asString(d.server);
          const name = asString(d.name);
          const serverOk =
            (server !== undefined && appServer !== undefined && globMatch(server, appServer)) ||
            (name !== undefined && appName !== undefined && globMatch(name, appName)) ||
            server === '*' ||
            name === '*';
          const nsPattern = asString(d.namespace) ?? '';
          const nsOk = nsPattern.startsWith('!')
            ? !globMatch(nsPattern.slice(1), ns)
            : globMatch(nsPattern, ns);
          return serverOk && nsOk;
        });
        if (destinations.length > 0 && !ok) {
          findings.push(
            findingAt(ctx, r, ['spec', 'destination'], {
              rule: 'app-project',
              severity: 'error',
              message: `destination ${app.destinationServer ?? app.destinationName ?? '?'} namespace "${ns}" is not allowed by AppProject ${app.project}`,
              fix: `Add {server: ${app.destinationServer ?? '…'}, namespace: ${ns}} to spec.destinations of AppProject ${app.project} (${project.file}) or change the destination.`,
            }),
          );
        }
      }
    }

    // Sync options.
    app.syncOptions.forEach((option, index) => {
      const [key, value] = option.split('=', 2);
      const pattern = knownSyncOptions[(key ?? '').trim()];
      if (!pattern) {
        const suggestion = closest((key ?? '').trim(), Object.keys(knownSyncOptions));
        findings.push(
          findingAt(ctx, r, ['spec', 'syncPolicy', 'syncOptions', index], {
            rule: 'app-sync-option',
            severity: 'error',
            message: `unknown sync option "${option}": Argo CD ignores it silently`,
            fix: suggestion
              ? `Did you mean ${suggestion}=${value ?? 'true'}?`
              : `Use one of ${Object.keys(knownSyncOptions).join(', ')}.`,
          }),
        );
      } else if (!pattern.test((value ?? '').trim())) {
        findings.push(
          findingAt(ctx, r, ['spec', 'syncPolicy', 'syncOptions', index], {
            rule: 'app-sync-option',
            severity: 'error',
            message: `sync option "${option}" has an invalid value: Argo CD ignores it silently`,
            fix: `Write it as ${key}=true (or false).`,
          }),
        );
      }
    });

    // Destination namespaces.
    const needed = new Set<string>();
    if (app.sources.some((s) => !s.local) && app.destinationNamespace) needed.add(app.destinationNamespace);
    for (const m of app.members) {
      const ns = ctx.namespaceOf(m);
      if (ns) needed.add(ns);
    }
    for (const ns of needed) {
      if (existing.has(ns)) continue;
      findings.push(
        findingAt(ctx, r, ['spec', 'destination', 'namespace'], {
          rule: 'app-namespace',
          severity: 'error',
          message: `Application ${app.name} deploys into namespace "${ns}", which nothing creates (no CreateNamespace=true, no Namespace object): the sync fails with "namespace not found"`,
          fix: 'Add CreateNamespace=true to spec.syncPolicy.syncOptions, or add a Namespace object.',
        }),
      );
    }

    // Sync wave annotation: gitops-engine's syncwaves.Wave reads it with strconv.Atoi (an optional sign, then
    // digits); anything else is silently wave 0 (or the helm.sh/hook-weight).
    const annotations = asRecord(asRecord(r.object.metadata)?.annotations) ?? {};
    const wave = annotations['argocd.argoproj.io/sync-wave'];
    if (wave !== undefined && !/^[+-]?\d+$/.test(String(wave))) {
      findings.push(
        findingAt(ctx, r, ['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'], {
          rule: 'app-sync-wave',
          severity: 'error',
          message: `sync-wave annotation "${String(wave)}" is not an integer: Argo CD ignores it and syncs the app in wave 0`,
          fix: 'Use a quoted integer, e.g. argocd.argoproj.io/sync-wave: "1".',
        }),
      );
    }
  }

  // Two Applications (or one twice) deploying the same object.
  const owners = new Map<string, Array<{ app: AppInfo; resource: Resource }>>();
  for (const app of ctx.apps) {
    const seenInApp = new Set<number>();
    for (const m of app.members) {
      if (seenInApp.has(m.id)) continue;
      seenInApp.add(m.id);
      // Each Application applies its objects in its own destination namespace (argo-cd v3.1.12
      // controller/sync.go sets the namespace of namespaced objects that have none), so one path deployed by
      // two Applications into two namespaces makes two sets of objects.
      const namespace =
        ctx.namespaceOf(m) === undefined ? '' : (m.namespace ?? app.destinationNamespace ?? 'default');
      const key = `${groupOf(m.apiVersion)}/${m.kind}/${namespace}/${m.name}`;
      const list = owners.get(key) ?? [];
      list.push({ app, resource: m });
      owners.set(key, list);
    }
  }
  const pairs = new Map<
    string,
    { first: AppInfo; other: AppInfo; objects: Resource[]; files: Set<string> }
  >();
  for (const list of owners.values()) {
    if (list.length < 2) continue;
    const [first, ...rest] = list as [
      { app: AppInfo; resource: Resource },
      ...Array<{ app: AppInfo; resource: Resource }>,
    ];
    for (const other of rest) {
      const key = `${first.app.resource.id}|${other.app.resource.id}`;
      const pair = pairs.get(key) ?? {
        first: first.app,
        other: other.app,
        objects: [],
        files: new Set<string>(),
      };
      pair.objects.push(other.resource);
      pair.files.add(first.resource.file);
      pair.files.add(other.resource.file);
      pairs.set(key, pair);
    }
  }
  for (const { first, other, objects, files } of pairs.values()) {
    const sameApp = first === other;
    const shown = objects.slice(0, 4).map((o) => ctx.describe(o));
    const list = `${shown.join(', ')}${objects.length > shown.length ? ` and ${objects.length - shown.length} more` : ''}`;
    const sourcePath = other.sources.find((s) => s.local)?.path ?? ['spec', 'source'];
    findings.push(
      findingAt(ctx, other.resource, [...sourcePath, 'path'], {
        rule: 'app-duplicate-resource',
        severity: 'error',
        message: sameApp
          ? `Application ${first.name} defines ${list} twice (in ${[...files].join(', ')})`
          : `Applications ${first.name} (${first.resource.file}) and ${other.name} (${other.resource.file}) both deploy ${list}: they will fight over ${objects.length === 1 ? 'it' : 'them'}`,
        fix: sameApp
          ? 'Keep one definition of each object.'
          : `Give each Application its own path (or its own objects); remove them from ${other.name} or from ${first.name}.`,
      }),
    );
  }

  // Applications that no Application deploys and that deploy no Application: outside the tree.
  const memberIds = new Set(ctx.apps.flatMap((a) => a.members.map((m) => m.id)));
  const parents = new Set(
    ctx.apps.filter((a) => a.members.some((m) => m.kind === 'Application')).map((a) => a.resource.id),
  );
  if (parents.size > 0) {
    for (const app of ctx.apps) {
      if (memberIds.has(app.resource.id) || parents.has(app.resource.id)) continue;
      findings.push(
        findingAt(ctx, app.resource, [], {
          rule: 'app-orphan',
          severity: 'warning',
          message: `Application ${app.name} is not part of the app-of-apps tree: no Application deploys ${app.resource.file}, so Argo CD never sees it`,
          fix: "Move the file into the folder of the root Application (apps/), or reference it from that folder's kustomization.",
        }),
      );
    }
  }
  return findings;
}

function hasRemoteBase(ctx: LintContext, dir: string): boolean {
  const k = ctx.repo.kustomizations.find((x) => x.dir === dir);
  const resources = asArray(k?.object.resources);
  // Kustomize's Helm inflation renders objects lint does not see either.
  if (asArray(k?.object.helmCharts).length > 0) return true;
  return resources.some(
    (e) => typeof e === 'string' && (/:\/\//.test(e) || e.includes('?ref=') || /^github\.com\//.test(e)),
  );
}

function hasSubdirectories(root: string, dir: string): boolean {
  const abs = join(root, dir);
  if (!existsSync(abs)) return false;
  return readdirSync(abs).some((e) => {
    try {
      return !e.startsWith('.') && statSync(join(abs, e)).isDirectory();
    } catch {
      return false;
    }
  });
}
