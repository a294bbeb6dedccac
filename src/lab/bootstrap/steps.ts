/**
 * The steps of `gitops-lab up`, in order. Each is idempotent: `check` says whether it is already done (cheaply,
 * read-only), `apply` does it, `wait` waits (by watch) until it is ready, with a timeout.
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PreconditionError } from '../../errors.js';
import { packagePath } from '../../paths.js';
import { gitPushUrl, gitRepoUrl, type LabConfig } from '../config.js';
import { dockerInfo, kindClusters, usesContainerdImageStore, versionAtLeast } from '../doctor/checks.js';
import {
  appHealth,
  appSync,
  isAppSyncedHealthy,
  isCrdEstablished,
  isWorkloadAvailable,
} from '../kube/status.js';
import { type Application, type Deployment, Kinds, type KubeObject } from '../kube/types.js';
import { gitAuthEnv } from '../tools/git.js';
import type { Command } from '../tools/runner.js';
import { kindClusterConfig } from './kind-config.js';
import { digestOf, digestPaths, installOrder, parseManifests, readManifestFile } from './manifests.js';
import { stateFile } from './state.js';
import type { Step, StepContext } from './types.js';

const NODE = { apiVersion: 'v1', kind: 'Node' };
const SEED_DATE = '2026-01-01T00:00:00Z';

/** The kind cluster the lab loads images into: the lab's own, or the one behind a `kind-NAME` context. */
export function kindClusterName(config: LabConfig): string | undefined {
  if (!config.context) return config.clusterName;
  return config.context.startsWith('kind-') ? config.context.slice('kind-'.length) : undefined;
}

function secs(n: number): number {
  return n * 1000;
}

// ---------------------------------------------------------------- cluster

const clusterStep: Step = {
  id: 'cluster',
  title: 'Kubernetes cluster',
  async check(ctx) {
    if (ctx.config.context) {
      const version = await ctx.kube().serverVersion();
      return { done: true, reason: `using context ${ctx.config.context} (Kubernetes ${version})` };
    }
    const clusters = await kindClusters(ctx.runner);
    if (!clusters.includes(ctx.config.clusterName))
      return { done: false, reason: `no kind cluster named ${ctx.config.clusterName}` };
    return { done: true, reason: `kind cluster ${ctx.config.clusterName} exists` };
  },
  async apply(ctx) {
    if (ctx.config.context)
      throw new PreconditionError(`The context ${ctx.config.context} is not reachable.`, {
        hint: 'Check `kubectl --context ... cluster-info`.',
      });
    const file = join(dirname(stateFile(ctx.config)), 'kind-config.yaml');
    ctx.note(
      `write the kind config (node image ${ctx.config.kindNodeImage}, host ports ${Object.values(ctx.config.ports).join(', ')}) to ${file}`,
    );
    if (!ctx.dryRun) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, kindClusterConfig(ctx.config));
    }
    const args = ['create', 'cluster', '--name', ctx.config.clusterName, '--config', file, '--wait', '0s'];
    if (ctx.config.kubeconfig) args.push('--kubeconfig', ctx.config.kubeconfig);
    await ctx.runner.run(
      { program: 'kind', args, timeoutMs: secs(ctx.config.timeouts.clusterSeconds) },
      { signal: ctx.signal },
    );
    // A new cluster: nothing recorded about the old one holds any more.
    ctx.state.steps = {};
    ctx.state.installed = [];
    ctx.state.images = {};
    delete ctx.state.git;
    ctx.state.kindCluster = ctx.config.clusterName;
  },
  async wait(ctx) {
    await ctx
      .kube()
      .waitForAll<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(
        NODE,
        {},
        (nodes) =>
          nodes.length > 0 &&
          nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
        {
          timeoutMs: secs(ctx.config.timeouts.clusterSeconds),
          signal: ctx.signal,
          clock: ctx.clock,
          describe: 'Ready',
        },
      );
  },
};

// ---------------------------------------------------------------- images

interface ImagePlan {
  name: 'docqa' | 'gitServer';
  tag: string;
  build: Command;
}

async function imagePlans(ctx: StepContext): Promise<ImagePlan[]> {
  const root = packagePath();
  const plans: ImagePlan[] = [];
  if (existsSync(join(root, 'Dockerfile'))) {
    // What the Dockerfile copies (see .dockerignore): a change to any of it is a new content tag.
    const digest = await digestPaths(root, [
      'Dockerfile',
      '.dockerignore',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
      'bin',
      'handbook',
      'evals',
    ]);
    const tag = `${ctx.config.images.docqa}:${digest}`;
    plans.push({
      name: 'docqa',
      tag,
      build: { program: 'docker', args: ['build', '-t', tag, '-f', join(root, 'Dockerfile'), root] },
    });
  }
  if (!ctx.config.git.repo) {
    const dir = packagePath('manifests', 'bootstrap', 'git-server', 'image');
    const digest = await digestPaths(dir, ['.']);
    const tag = `${ctx.config.images.gitServer}:${digest}`;
    plans.push({ name: 'gitServer', tag, build: { program: 'docker', args: ['build', '-t', tag, dir] } });
  }
  for (const p of plans) ctx.facts[`${p.name}Image`] = p.tag;
  return plans;
}

async function imagePresent(ctx: StepContext, tag: string): Promise<boolean> {
  const result = await ctx.runner.run({
    program: 'docker',
    args: ['image', 'inspect', '--format', '{{.Id}}', tag],
    readOnly: true,
    allowFailure: true,
  });
  return result.exitCode === 0;
}

/** `docker info`'s architecture (uname -m) as an OCI platform architecture. */
function ociArch(arch: string | undefined): string | undefined {
  const map: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };
  return arch ? map[arch] : undefined;
}

/**
 * Loads built images into the kind nodes. With Docker's containerd image store `kind load docker-image` can fail
 * ("ctr: content digest ... not found", kubernetes-sigs/kind#3795): then the images go through an archive,
 * `docker save` (for the host's platform only, where Docker supports `save --platform`, 28.0 and later) and
 * `kind load image-archive`, the workaround kind documents.
 */
async function loadIntoKind(ctx: StepContext, cluster: string, tags: string[]): Promise<void> {
  const timeoutMs = secs(ctx.config.timeouts.installSeconds);
  const { info } = await dockerInfo(ctx.runner);
  if (!info || !usesContainerdImageStore(info)) {
    await ctx.runner.run(
      { program: 'kind', args: ['load', 'docker-image', ...tags, '--name', cluster], timeoutMs },
      { signal: ctx.signal },
    );
    return;
  }
  ctx.note('Docker uses the containerd image store: images go through docker save + kind load image-archive');
  const dir = ctx.dryRun
    ? join(tmpdir(), 'gitops-lab-images-XXXXXX')
    : await mkdtemp(join(tmpdir(), 'gitops-lab-images-'));
  const archive = join(dir, 'images.tar');
  const arch = ociArch(info.Architecture);
  const platform =
    arch && info.ServerVersion && versionAtLeast(info.ServerVersion.replace(/^v/, ''), '28.0.0')
      ? ['--platform', `linux/${arch}`]
      : [];
  try {
    await ctx.runner.run(
      { program: 'docker', args: ['save', ...platform, '--output', archive, ...tags], timeoutMs },
      { signal: ctx.signal },
    );
    await ctx.runner.run(
      { program: 'kind', args: ['load', 'image-archive', archive, '--name', cluster], timeoutMs },
      { signal: ctx.signal },
    );
  } finally {
    if (!ctx.dryRun) await rm(dir, { recursive: true, force: true });
  }
}

const imagesStep: Step = {
  id: 'images',
  title: 'Images (doc-QA, Git server) built and loaded into kind',
  async digest(ctx) {
    return digestOf(
      (await imagePlans(ctx)).map((p) => p.tag),
      kindClusterName(ctx.config),
    );
  },
  async check(ctx) {
    const plans = await imagePlans(ctx);
    if (!kindClusterName(ctx.config))
      return { done: true, reason: 'not a kind cluster: the published doc-QA image is used' };
    if (plans.length === 0) return { done: true, reason: 'nothing to build' };
    const recorded = ctx.state.steps.images?.digest === (await this.digest?.(ctx));
    if (!recorded) return { done: false, reason: `to build and load: ${plans.map((p) => p.tag).join(', ')}` };
    for (const p of plans)
      if (!(await imagePresent(ctx, p.tag))) return { done: false, reason: `${p.tag} is not in Docker` };
    return { done: true, reason: `unchanged: ${plans.map((p) => p.tag).join(', ')}` };
  },
  async apply(ctx) {
    const plans = await imagePlans(ctx);
    if (!plans.some((p) => p.name === 'docqa'))
      ctx.note('no Dockerfile in the package: the doc-QA image tag from manifests/ is used');
    // Builds run in parallel; each is skipped when an image with that content tag exists.
    await Promise.all(
      plans.map(async (p) => {
        if (!ctx.dryRun && (await imagePresent(ctx, p.tag))) return;
        await ctx.runner.run(
          { ...p.build, timeoutMs: secs(ctx.config.timeouts.installSeconds) },
          { signal: ctx.signal },
        );
      }),
    );
    const cluster = kindClusterName(ctx.config);
    if (cluster && plans.length)
      await loadIntoKind(
        ctx,
        cluster,
        plans.map((p) => p.tag),
      );
    ctx.state.images = Object.fromEntries(plans.map((p) => [p.name, p.tag]));
  },
};

// ---------------------------------------------------------------- git server

/** The user name of the push credential (the same as for a token-authenticated --repo, see authenticatedUrl). */
export const PUSH_USER = 'x-access-token';

/**
 * The in-cluster Git server's push credential: generated once per lab (kept in the state file, mode 0600), so
 * re-runs apply the same Secret. A lost state file means a new credential, and the Secret and pod follow it.
 */
export function pushCredential(ctx: Pick<StepContext, 'state'>): string {
  ctx.state.gitPush ??= { password: randomBytes(24).toString('base64url') };
  return ctx.state.gitPush.password;
}

async function gitServerObjects(ctx: StepContext): Promise<KubeObject[]> {
  const file = packagePath('manifests', 'bootstrap', 'git-server', 'git-server.yaml');
  const objects = await readManifestFile(file);
  const image = ctx.facts.gitServerImage ?? ctx.state.images?.gitServer;
  const password = pushCredential(ctx);
  for (const o of objects) {
    if (o.kind === 'Service' && (o.spec as { type?: string })?.type === 'NodePort') {
      for (const port of (o.spec as { ports?: Array<{ nodePort?: number }> }).ports ?? [])
        port.nodePort = ctx.config.nodePorts.git;
    }
    if (o.kind !== 'Deployment') continue;
    const template = (
      o.spec as {
        template?: {
          metadata?: { annotations?: Record<string, string> };
          spec?: { containers?: Array<{ image?: string }> };
        };
      }
    )?.template;
    // A new credential rolls the pod, so the server never runs with a user file older than the Secret.
    if (template)
      template.metadata = {
        ...template.metadata,
        annotations: { ...template.metadata?.annotations, 'gitops-lab/push-credential': digestOf(password) },
      };
    if (!image) continue;
    for (const c of template?.spec?.containers ?? []) c.image = image;
  }
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'git-server-push',
      namespace: ctx.config.namespaces.git,
      labels: { 'app.kubernetes.io/name': 'git-server', 'app.kubernetes.io/part-of': 'gitops-lab' },
    },
    type: 'Opaque',
    // lighttpd's plain user file (mod_authn_file): one "user:password" line.
    data: { users: Buffer.from(`${PUSH_USER}:${password}\n`).toString('base64') },
  };
  // After the Namespace, before the Deployment that mounts it.
  const at = objects.findIndex((o) => o.kind !== 'Namespace');
  objects.splice(at < 0 ? objects.length : at, 0, secret);
  return objects;
}

const gitServerRef = (config: LabConfig) => ({
  ...Kinds.Deployment,
  name: 'git-server',
  namespace: config.namespaces.git,
});

const gitServerStep: Step = {
  id: 'git-server',
  title: 'In-cluster Git server (namespace lab-git)',
  async digest(ctx) {
    return digestOf(await gitServerObjects(ctx));
  },
  async check(ctx) {
    const deployment = await ctx.kube().get<Deployment>(gitServerRef(ctx.config));
    if (!deployment) return { done: false, reason: 'not installed' };
    if (ctx.state.steps['git-server']?.digest !== (await this.digest?.(ctx)))
      return { done: false, reason: 'manifests or image changed' };
    if (!isWorkloadAvailable(deployment)) return { done: false, reason: 'installed but not available yet' };
    return { done: true, reason: 'running' };
  },
  async apply(ctx) {
    const objects = await gitServerObjects(ctx);
    await ctx.applyObjects(objects, 'manifests/bootstrap/git-server/git-server.yaml');
  },
  async wait(ctx) {
    await ctx.kube().waitFor<Deployment>(gitServerRef(ctx.config), isWorkloadAvailable, {
      timeoutMs: secs(ctx.config.timeouts.installSeconds),
      signal: ctx.signal,
      clock: ctx.clock,
      describe: 'Available',
    });
  },
};

// ---------------------------------------------------------------- seed the lab repository

function tokenOf(ctx: StepContext): string | undefined {
  return ctx.config.git.repo ? ctx.env[ctx.config.git.tokenEnv] || undefined : undefined;
}

/**
 * The push URL and the environment that carries the credential: the token for --repo, or the in-cluster Git
 * server's push credential from the state (both as the user x-access-token). Never in argv or .git/config.
 */
function authenticatedUrl(ctx: StepContext): {
  url: string;
  secrets: string[];
  auth: Record<string, string>;
} {
  const url = gitPushUrl(ctx.config);
  const token = ctx.config.git.repo ? tokenOf(ctx) : ctx.state.gitPush?.password;
  return { url, secrets: token ? [token] : [], auth: gitAuthEnv(url, token) };
}

async function remoteMain(ctx: StepContext): Promise<string | undefined> {
  const { url, secrets, auth } = authenticatedUrl(ctx);
  const result = await ctx.runner.run({
    program: 'git',
    args: ['ls-remote', url, `refs/heads/${ctx.config.git.branch}`],
    readOnly: true,
    allowFailure: true,
    secrets,
    timeoutMs: 30_000,
    env: { GIT_TERMINAL_PROMPT: '0', ...auth },
  });
  if (result.exitCode !== 0) return undefined;
  return result.stdout.trim().split(/\s+/)[0] || undefined;
}

/** Bumped whenever prepareContent changes what it writes, so labs seeded by an older version are re-seeded. */
const SEED_FORMAT = 2;

/**
 * Copies manifests/ (or `source`) to `dir` and makes it the lab's content: the image tag loaded into kind (any
 * `digest` pinned by `gitops-lab pin` is dropped, or it would win over the tag), and repoURLs for --repo.
 */
export async function prepareContent(
  ctx: Pick<StepContext, 'config' | 'facts' | 'state'>,
  dir: string,
  { source = packagePath('manifests') }: { source?: string } = {},
): Promise<void> {
  await cp(source, dir, { recursive: true });
  const repoUrl = gitRepoUrl(ctx.config);
  const { isMap, isScalar, isSeq, parseDocument } = await import('yaml');
  const { readdir } = await import('node:fs/promises');
  async function walk(folder: string): Promise<void> {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.ya?ml$/.test(entry.name) && repoUrl !== ctx.config.git.inClusterUrl) {
        const text = await readFile(path, 'utf8');
        if (text.includes(ctx.config.git.inClusterUrl))
          await writeFile(path, text.split(ctx.config.git.inClusterUrl).join(repoUrl));
      }
    }
  }
  await walk(dir);
  const tag = ctx.facts.docqaImage ?? ctx.state.images?.docqa;
  if (tag) {
    const file = join(dir, 'workloads', 'docqa', 'kustomization.yaml');
    const doc = parseDocument(await readFile(file, 'utf8'));
    const images = doc.get('images');
    const entry = isSeq(images)
      ? images.items.find((i) => isMap(i) && i.get('name') === ctx.config.images.docqa)
      : undefined;
    if (isMap(entry)) {
      const newTag = tag.slice(tag.lastIndexOf(':') + 1);
      const digest = entry.items.find((pair) => isScalar(pair.key) && pair.key.value === 'digest');
      if (!entry.has('newTag') && digest && isScalar(digest.key) && isScalar(digest.value)) {
        // Undo `gitops-lab pin` on the same line: `digest: sha256:…` becomes `newTag: <content tag>`.
        digest.key.value = 'newTag';
        digest.value.value = newTag;
      } else {
        entry.set('newTag', newTag);
        entry.delete('digest');
      }
      await writeFile(file, doc.toString());
    }
  }
}

const seedStep: Step = {
  id: 'git-seed',
  title: 'Lab repository seeded with manifests/',
  async digest(ctx) {
    const content = await digestPaths(packagePath('manifests'), ['.']);
    return digestOf(
      SEED_FORMAT,
      content,
      gitRepoUrl(ctx.config),
      ctx.facts.docqaImage ?? ctx.state.images?.docqa ?? null,
    );
  },
  async check(ctx) {
    const head = await remoteMain(ctx);
    if (!head)
      return { done: false, reason: `${gitPushUrl(ctx.config)} has no ${ctx.config.git.branch} branch yet` };
    // Your own repository is yours: once it has a main branch, `up` never pushes to it.
    if (ctx.config.git.repo)
      return {
        done: true,
        reason: `${ctx.config.git.repo} already has ${ctx.config.git.branch}; your repository is left as it is`,
      };
    // Seeded with this content before: commits pushed since (yours, or a drill's) are left alone.
    if (ctx.state.git && ctx.state.steps['git-seed']?.digest === (await this.digest?.(ctx))) {
      const since =
        ctx.state.git.commit === head
          ? ''
          : `; it has commits since up seeded ${ctx.state.git.commit.slice(0, 7)}`;
      return { done: true, reason: `${ctx.config.git.branch} is at ${head.slice(0, 7)}${since}` };
    }
    return {
      done: false,
      reason: 'the package manifests or the image tag changed: up adds a commit with them',
    };
  },
  async apply(ctx) {
    const { url, secrets, auth } = authenticatedUrl(ctx);
    const dir = ctx.dryRun
      ? join(tmpdir(), 'gitops-lab-seed-XXXXXX')
      : await mkdtemp(join(tmpdir(), 'gitops-lab-seed-'));
    ctx.note(
      `copy manifests/ to ${dir}${ctx.facts.docqaImage ? `, set the doc-QA image tag to ${ctx.facts.docqaImage}` : ''}${ctx.config.git.repo ? `, point repoURLs at ${ctx.config.git.repo}` : ''}`,
    );
    const env = {
      GIT_AUTHOR_NAME: 'gitops-lab',
      GIT_AUTHOR_EMAIL: 'gitops-lab@localhost',
      GIT_COMMITTER_NAME: 'gitops-lab',
      GIT_COMMITTER_EMAIL: 'gitops-lab@localhost',
      GIT_AUTHOR_DATE: SEED_DATE,
      GIT_COMMITTER_DATE: SEED_DATE,
      GIT_TERMINAL_PROMPT: '0',
      ...auth,
    };
    const git = (args: string[], extra: Partial<Command> = {}) =>
      ctx.runner.run(
        { program: 'git', args: ['-C', dir, ...args], env, secrets, timeoutMs: 60_000, ...extra },
        { signal: ctx.signal },
      );
    try {
      if (!ctx.dryRun) await prepareContent(ctx, dir);
      const existing = ctx.dryRun ? undefined : await remoteMain(ctx);
      await git(['init', '-q', '-b', ctx.config.git.branch]);
      await git(['add', '-A']);
      if (existing) {
        await git(['fetch', '-q', url, ctx.config.git.branch]);
        await git(['reset', '-q', '--soft', 'FETCH_HEAD']);
        const same = await git(['diff', '--cached', '--quiet', 'FETCH_HEAD'], { allowFailure: true });
        if (same.exitCode === 0) {
          ctx.state.git = { url: gitPushUrl(ctx.config), commit: existing };
          return;
        }
      }
      await git([
        'commit',
        '-q',
        '-m',
        existing ? 'gitops-lab up: update the lab content' : 'gitops-lab up: seed the lab repository',
      ]);
      // The Git server can take a moment to accept connections through the port mapping after it reports ready.
      for (let attempt = 1; ; attempt++) {
        const push = await git(['push', '-q', url, `HEAD:refs/heads/${ctx.config.git.branch}`], {
          allowFailure: attempt < 5,
        });
        if (push.exitCode === 0 || ctx.dryRun) break;
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
      if (!ctx.dryRun) {
        const head = await git(['rev-parse', 'HEAD'], { readOnly: true });
        ctx.state.git = { url: gitPushUrl(ctx.config), commit: head.stdout.trim() };
      }
    } finally {
      if (!ctx.dryRun) await rm(dir, { recursive: true, force: true });
    }
  },
};

// ---------------------------------------------------------------- Argo CD and Argo Rollouts

const argoWorkloads = (config: LabConfig) => [
  { ...Kinds.Deployment, name: 'argocd-server', namespace: config.namespaces.argocd },
  { ...Kinds.Deployment, name: 'argocd-repo-server', namespace: config.namespaces.argocd },
  { ...Kinds.StatefulSet, name: 'argocd-application-controller', namespace: config.namespaces.argocd },
  { ...Kinds.Deployment, name: 'argo-rollouts', namespace: config.namespaces.rollouts },
];

const namespace = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'app.kubernetes.io/part-of': 'gitops-lab' } },
});

const argoStep: Step = {
  id: 'argo',
  title: 'Argo CD and Argo Rollouts (server-side apply)',
  async digest() {
    return digestPaths(packagePath('manifests', 'bootstrap'), ['argo-cd', 'argo-rollouts']);
  },
  async check(ctx) {
    if (ctx.state.steps.argo?.digest !== (await this.digest?.(ctx)))
      return { done: false, reason: 'not installed by this version of gitops-lab' };
    for (const ref of argoWorkloads(ctx.config)) {
      const obj = await ctx.kube().get<Deployment>(ref);
      if (!isWorkloadAvailable(obj))
        return { done: false, reason: `${ref.kind} ${ref.namespace}/${ref.name} is not available` };
    }
    return {
      done: true,
      reason: `installed (Argo CD ${ctx.config.versions.argoCd}, Rollouts ${ctx.config.versions.argoRollouts})`,
    };
  },
  async apply(ctx) {
    await ctx.applyObjects([
      namespace(ctx.config.namespaces.argocd),
      namespace(ctx.config.namespaces.rollouts),
    ]);
    const dirs = ['argo-cd', 'argo-rollouts'].map((d) => packagePath('manifests', 'bootstrap', d));
    // Both renders run in parallel; they read the vendored install manifests (no network).
    const rendered = await Promise.all(
      dirs.map((dir) =>
        ctx.runner.run(
          { program: 'kubectl', args: ['kustomize', dir], timeoutMs: 180_000 },
          { signal: ctx.signal },
        ),
      ),
    );
    const objects = (
      await Promise.all(rendered.map((r, i) => parseManifests(r.stdout, dirs[i] ?? '')))
    ).flat();
    const { namespaces, crds, rest } = installOrder(objects);
    await ctx.applyObjects(namespaces, 'the rendered Namespaces, if any');
    await ctx.applyObjects(crds, 'CustomResourceDefinitions (then wait until Established)');
    if (!ctx.dryRun)
      await Promise.all(
        crds.map((crd) =>
          ctx
            .kube()
            .waitFor({ ...Kinds.CustomResourceDefinition, name: crd.metadata.name }, isCrdEstablished, {
              timeoutMs: 60_000,
              signal: ctx.signal,
              clock: ctx.clock,
              describe: 'Established',
            }),
        ),
      );
    await ctx.applyObjects(rest, 'the rendered Argo CD and Argo Rollouts objects');
  },
  async wait(ctx) {
    await Promise.all(
      argoWorkloads(ctx.config).map((ref) =>
        ctx.kube().waitFor<Deployment>(ref, isWorkloadAvailable, {
          timeoutMs: secs(ctx.config.timeouts.installSeconds),
          signal: ctx.signal,
          clock: ctx.clock,
          describe: 'Available',
        }),
      ),
    );
  },
};

// ---------------------------------------------------------------- root app and secrets

async function expectedApps(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const dir = packagePath('manifests', 'apps');
  const names = ['lab-root'];
  for (const file of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const o of await readManifestFile(join(dir, file)))
      if (o.kind === 'Application') names.push(o.metadata.name);
  }
  return names;
}

async function rootObjects(ctx: StepContext): Promise<KubeObject[]> {
  const [root] = (await readManifestFile(packagePath('manifests', 'bootstrap', 'root-app.yaml'))).filter(
    (o) => o.kind === 'Application',
  );
  if (!root)
    throw new PreconditionError('manifests/bootstrap/root-app.yaml has no Application.', {
      hint: 'Reinstall the package.',
    });
  const source = (root.spec as { source?: { repoURL?: string; targetRevision?: string } }).source;
  if (source) {
    source.repoURL = gitRepoUrl(ctx.config);
    source.targetRevision = ctx.config.git.branch;
  }
  const objects: KubeObject[] = [namespace(ctx.config.namespaces.docqa)];
  const key = ctx.env.GEMINI_API_KEY;
  if (key)
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'docqa-gemini',
        namespace: ctx.config.namespaces.docqa,
        labels: { 'app.kubernetes.io/part-of': 'gitops-lab' },
      },
      type: 'Opaque',
      data: { GEMINI_API_KEY: Buffer.from(key).toString('base64') },
    });
  const token = tokenOf(ctx);
  if (ctx.config.git.repo && token)
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'lab-repo',
        namespace: ctx.config.namespaces.argocd,
        labels: { 'argocd.argoproj.io/secret-type': 'repository' },
      },
      type: 'Opaque',
      data: Object.fromEntries(
        Object.entries({
          type: 'git',
          url: ctx.config.git.repo,
          username: 'x-access-token',
          password: token,
        }).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    });
  objects.push(root);
  return objects;
}

function appLine(app: Application): string {
  const rev = app.status?.sync?.revision ? ` @ ${app.status.sync.revision.slice(0, 7)}` : '';
  return `${app.metadata.name}: ${appSync(app)}/${appHealth(app)}${rev}`;
}

const rootStep: Step = {
  id: 'apps',
  title: 'Root Application lab-root and every app Synced/Healthy',
  async digest(ctx) {
    return digestOf(await rootObjects(ctx));
  },
  async check(ctx) {
    if (ctx.state.steps.apps?.digest !== (await this.digest?.(ctx)))
      return { done: false, reason: "root app or secrets not applied by this run's inputs" };
    const { items } = await ctx
      .kube()
      .list<Application>(Kinds.Application, { namespace: ctx.config.namespaces.argocd });
    const want = await expectedApps();
    const missing = want.filter((n) => !items.some((a) => a.metadata.name === n));
    if (missing.length) return { done: false, reason: `missing Applications: ${missing.join(', ')}` };
    // The digest is recorded only after a run saw every app Synced and Healthy with these inputs. A re-run does
    // not judge live health again: an app is Progressing or OutOfSync for a moment whenever Argo CD syncs, the
    // HPA scales or a drill runs, and re-applying the same root app would change nothing. `status` reports it.
    return {
      done: true,
      reason: `applied with these inputs; all ${want.length} Applications exist (live health: gitops-lab status)`,
    };
  },
  async apply(ctx) {
    const objects = await rootObjects(ctx);
    if (ctx.env.GEMINI_API_KEY) ctx.note('Secret docqa/docqa-gemini from GEMINI_API_KEY');
    await ctx.applyObjects(
      objects,
      'namespace docqa, secrets from the environment, Application argocd/lab-root',
    );
  },
  async wait(ctx) {
    const want = await expectedApps();
    await ctx
      .kube()
      .waitForAll<Application>(
        Kinds.Application,
        { namespace: ctx.config.namespaces.argocd },
        (apps) =>
          want.every((n) => apps.some((a) => a.metadata.name === n)) && apps.every(isAppSyncedHealthy),
        {
          timeoutMs: secs(ctx.config.timeouts.appsSeconds),
          signal: ctx.signal,
          clock: ctx.clock,
          describe: 'Synced and Healthy',
          onUpdate: (state) => {
            const apps = state as Application[];
            ctx.progress(
              want
                .map((n) => apps.find((a) => a.metadata.name === n))
                .map((a, i) => (a ? appLine(a) : `${want[i]}: not created yet`)),
            );
          },
        },
      );
  },
};

// ---------------------------------------------------------------- access from the host

function nodePortService(
  name: string,
  ns: string,
  selector: Record<string, string>,
  targetPort: number,
  nodePort: number,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      labels: { 'app.kubernetes.io/part-of': 'gitops-lab', 'app.kubernetes.io/managed-by': 'gitops-lab-up' },
    },
    spec: {
      type: 'NodePort',
      selector,
      ports: [{ name: 'http', port: targetPort, targetPort, nodePort, protocol: 'TCP' }],
    },
  };
}

export function accessServices(config: LabConfig): KubeObject[] {
  return [
    nodePortService(
      'gitops-lab-argocd',
      config.namespaces.argocd,
      { 'app.kubernetes.io/name': 'argocd-server' },
      8080,
      config.nodePorts.argocd,
    ),
    nodePortService(
      'gitops-lab-grafana',
      config.namespaces.observability,
      { 'app.kubernetes.io/name': 'grafana' },
      3000,
      config.nodePorts.grafana,
    ),
    nodePortService(
      'gitops-lab-prometheus',
      config.namespaces.observability,
      { 'app.kubernetes.io/name': 'prometheus' },
      9090,
      config.nodePorts.prometheus,
    ),
  ];
}

const accessStep: Step = {
  id: 'access',
  title: 'Host access (Argo CD UI, Grafana, Prometheus)',
  async digest(ctx) {
    return digestOf(accessServices(ctx.config));
  },
  async check(ctx) {
    if (!kindClusterName(ctx.config))
      return { done: true, reason: 'not a kind cluster: use kubectl port-forward (printed at the end)' };
    if (ctx.state.steps.access?.digest !== (await this.digest?.(ctx)))
      return { done: false, reason: 'NodePort services not created' };
    for (const svc of accessServices(ctx.config)) {
      if (
        !(await ctx
          .kube()
          .get({ ...Kinds.Service, name: svc.metadata.name, namespace: svc.metadata.namespace }))
      )
        return { done: false, reason: `Service ${svc.metadata.namespace}/${svc.metadata.name} is missing` };
    }
    return { done: true, reason: 'NodePort services exist' };
  },
  async apply(ctx) {
    await ctx.applyObjects(accessServices(ctx.config), 'NodePort services mapped to host ports by kind');
  },
};

/** The steps of `up` for this config, in order. */
export function upSteps(config: LabConfig): Step[] {
  const steps = [clusterStep, imagesStep];
  if (!config.git.repo) steps.push(gitServerStep);
  steps.push(seedStep, argoStep, rootStep, accessStep);
  return steps;
}
