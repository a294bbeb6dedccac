/**
 * One LabConfig: the lab's defaults and pinned versions, overridable by a `gitops-lab.yaml` in the working
 * directory (validated; errors name the file and the field) and then by command-line flags.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileProblem, UsageError } from '../errors.js';

export interface LabPorts {
  /** Argo CD UI on the host (http://127.0.0.1:PORT). */
  argocd: number;
  grafana: number;
  /** The in-cluster Git server, for `git clone` / `git push` from the host. */
  git: number;
  /** Prometheus, for `gitops-lab status` quality figures and `gitops-lab canary`. */
  prometheus: number;
}

export interface LabConfig {
  clusterName: string;
  /** kind node image, pinned by digest (matches the pinned kind release). */
  kindNodeImage: string;
  versions: {
    /** The kind release the node image belongs to, and the oldest kind/kubectl `up` accepts. */
    kind: string;
    minKind: string;
    minKubectl: string;
    minDocker: string;
    argoCd: string;
    argoRollouts: string;
  };
  ports: LabPorts;
  /** NodePorts inside the cluster that the host ports map to (kind extraPortMappings). */
  nodePorts: LabPorts;
  namespaces: { argocd: string; rollouts: string; git: string; docqa: string; observability: string };
  images: { docqa: string; gitServer: string };
  git: {
    /** The URL Argo CD uses for the lab repository inside the cluster (what manifests/ says). */
    inClusterUrl: string;
    branch: string;
    /** `--repo`: the person's own repository instead of the in-cluster Git server. */
    repo?: string;
    /** Environment variable holding the token for `repo`. */
    tokenEnv: string;
    /** How the host reaches the in-cluster Git server; default http://127.0.0.1:<ports.git>/lab.git. */
    pushUrl?: string;
  };
  /** An existing kube context to use instead of creating a kind cluster. */
  context?: string;
  /** The kubeconfig file; default $KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
  timeouts: { clusterSeconds: number; installSeconds: number; appsSeconds: number };
  /** Docker memory below this fails preflight. */
  minMemoryGiB: number;
  /** Where `up` keeps its state (see docs/lifecycle.md). */
  stateDir: string;
  /** The file the config came from, when there was one. */
  source?: string;
}

export const CONFIG_FILE = 'gitops-lab.yaml';

/** The state folder: $GITOPS_LAB_STATE_DIR, else $XDG_STATE_HOME/gitops-lab, else ~/.local/state/gitops-lab. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITOPS_LAB_STATE_DIR) return resolve(env.GITOPS_LAB_STATE_DIR);
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'gitops-lab');
}

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  return {
    clusterName: 'gitops-lab',
    kindNodeImage:
      'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f',
    versions: {
      kind: '0.29.0',
      minKind: '0.20.0',
      minKubectl: '1.28.0',
      minDocker: '20.10.0',
      argoCd: 'v3.1.12',
      argoRollouts: 'v1.8.3',
    },
    // Argo CD's host port is not 8080: that is `gitops-lab serve`'s (the doc-QA contract), and a person who tried the
    // service first would otherwise find the lab's preflight failing on a port the lab itself told them to use.
    ports: { argocd: 8090, grafana: 3000, git: 3080, prometheus: 9090 },
    nodePorts: { argocd: 30080, grafana: 30300, git: 30090, prometheus: 30909 },
    namespaces: {
      argocd: 'argocd',
      rollouts: 'argo-rollouts',
      git: 'lab-git',
      docqa: 'docqa',
      observability: 'observability',
    },
    images: { docqa: 'ghcr.io/gitops-lab/docqa', gitServer: 'gitops-lab/git-server' },
    git: {
      inClusterUrl: 'http://git-server.lab-git.svc.cluster.local/lab.git',
      branch: 'main',
      tokenEnv: 'GITOPS_LAB_GIT_TOKEN',
    },
    timeouts: { clusterSeconds: 300, installSeconds: 600, appsSeconds: 900 },
    minMemoryGiB: 6,
    stateDir: defaultStateDir(env),
  };
}

/** Overrides from flags; undefined fields keep the file's or the default's value. */
export interface ConfigOverrides {
  context?: string;
  repo?: string;
  kubeconfig?: string;
}

async function fileSchema() {
  const { z } = await import('zod');
  const port = z.number().int().min(1).max(65535);
  const seconds = z.number().int().min(1).max(86_400);
  return z
    .object({
      cluster: z
        .object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/), nodeImage: z.string().min(1) })
        .partial()
        .strict(),
      ports: z.object({ argocd: port, grafana: port, git: port, prometheus: port }).partial().strict(),
      git: z
        .object({
          repo: z.string().url(),
          tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
          pushUrl: z.string().min(1),
          branch: z.string().min(1),
        })
        .partial()
        .strict(),
      context: z.string().min(1),
      kubeconfig: z.string().min(1),
      timeouts: z
        .object({ clusterSeconds: seconds, installSeconds: seconds, appsSeconds: seconds })
        .partial()
        .strict(),
      minMemoryGiB: z.number().min(0).max(1024),
      stateDir: z.string().min(1),
    })
    .partial()
    .strict();
}

/**
 * Loads the config: defaults, then `gitops-lab.yaml` in `cwd` when present, then `overrides`.
 * A bad file is a UsageError naming the file and the field.
 */
export async function loadConfig(
  overrides: ConfigOverrides = {},
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<LabConfig> {
  const cwd = options.cwd ?? process.cwd();
  const config = defaultConfig(options.env);
  const file = join(cwd, CONFIG_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UsageError(`Cannot read the lab config ${file}: ${fileProblem(error)}.`, {
        hint: `Make ${CONFIG_FILE} a readable YAML file, or move it away to use the defaults.`,
        cause: error,
      });
    }
  }
  if (text !== undefined) {
    const { parse, YAMLParseError } = await import('yaml');
    let raw: unknown;
    try {
      raw = parse(text, { logLevel: 'error' }) ?? {};
    } catch (error) {
      const where =
        error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
      throw new UsageError(`${file}${where} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'Fix the YAML syntax, or delete the file to use the defaults.',
      });
    }
    const schema = await fileSchema();
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.map(String).join('.') || '(top level)';
      const unknown =
        issue?.code === 'unrecognized_keys'
          ? `: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}${await didYouMean(issue.keys[0] ?? '', knownFields(schema, issue.path))}`
          : `: ${issue?.message}`;
      throw new UsageError(`${file}: field ${field}${unknown}.`, {
        hint: 'See docs/lifecycle.md for the fields gitops-lab.yaml accepts.',
      });
    }
    const f = result.data;
    config.source = file;
    if (f.cluster?.name) config.clusterName = f.cluster.name;
    if (f.cluster?.nodeImage) config.kindNodeImage = f.cluster.nodeImage;
    config.ports = { ...config.ports, ...f.ports };
    config.git = { ...config.git, ...f.git };
    config.timeouts = { ...config.timeouts, ...f.timeouts };
    if (f.context) config.context = f.context;
    if (f.kubeconfig) config.kubeconfig = resolve(cwd, expandHome(f.kubeconfig));
    if (f.minMemoryGiB !== undefined) config.minMemoryGiB = f.minMemoryGiB;
    if (f.stateDir) config.stateDir = resolve(cwd, expandHome(f.stateDir));
  }
  if (overrides.context) config.context = overrides.context;
  if (overrides.repo) config.git.repo = overrides.repo;
  if (overrides.kubeconfig) config.kubeconfig = overrides.kubeconfig;
  return config;
}

/** The field names the config schema accepts at `path` (the object holding an unknown field). */
function knownFields(schema: unknown, path: PropertyKey[]): string[] {
  let node = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown };
  for (const key of path) {
    let child = node.shape?.[String(key)] as typeof node | undefined;
    while (child && !child.shape && child.unwrap) child = child.unwrap() as typeof node;
    if (!child) return [];
    node = child;
  }
  return Object.keys(node.shape ?? {});
}

/** ` (did you mean "ports"?)` for a misspelt field, or nothing. Loaded only on this error path. */
async function didYouMean(field: string, known: string[]): Promise<string> {
  const { closest } = await import('./lint/schemas.js');
  const suggestion = closest(field, known);
  return suggestion ? ` (did you mean "${suggestion}"?)` : '';
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** The kube context the lab uses: --context, or the one kind creates for the lab cluster. */
export function labContext(config: LabConfig): string {
  return config.context ?? `kind-${config.clusterName}`;
}

/** Where the host pushes the lab repository. */
export function gitPushUrl(config: LabConfig): string {
  return config.git.repo ?? config.git.pushUrl ?? `http://127.0.0.1:${config.ports.git}/lab.git`;
}

/** The repository URL Argo CD reads. */
export function gitRepoUrl(config: LabConfig): string {
  return config.git.repo ?? config.git.inClusterUrl;
}
