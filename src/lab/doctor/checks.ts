/**
 * The checks `up` needs before it touches anything, shared by `gitops-lab doctor` and `up`'s preflight:
 * tools and their versions, the Docker daemon, memory, Docker's image store, the host's inotify limits, free
 * ports. Each finding says how to fix it.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { LabConfig } from '../config.js';
import { installHint, type Runner } from '../tools/runner.js';

export interface Finding {
  id: string;
  /** What was checked, e.g. "kind". */
  name: string;
  ok: boolean;
  /** A failed required check stops `up` (exit 3); an optional one is a warning. */
  required: boolean;
  version?: string;
  /** What was found, one short sentence. */
  detail: string;
  /** How to fix it (when not ok). */
  fix?: string;
}

export interface CheckOptions {
  /** Docker and kind are needed (a kind cluster); false with --context on a non-kind cluster. */
  needKind: boolean;
  /** The lab's kind cluster already exists, so its ports are expected to be in use. */
  clusterExists?: boolean;
  /** Skip the free-port checks (e.g. --context without port mappings). */
  checkPorts?: boolean;
  /** Facts about the host (injected by tests; default: this machine). */
  host?: HostProbe;
}

/** What the checks read from the host itself rather than from a program. */
export interface HostProbe {
  platform: NodeJS.Platform;
  /** The value of a kernel setting under /proc/sys (e.g. `fs/inotify/max_user_watches`), or undefined. */
  readProcSys(path: string): Promise<string | undefined>;
}

export const thisHost: HostProbe = {
  platform: process.platform,
  readProcSys: (path) =>
    readFile(join('/proc/sys', path), 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    ),
};

/**
 * kind's known issue "Pod errors due to too many open files" (kind.sigs.k8s.io/docs/user/known-issues): every
 * node container and its pods share the host's inotify limits; kind recommends at least these.
 */
export const INOTIFY_MINIMUMS = { max_user_watches: 524_288, max_user_instances: 512 } as const;

/** A warning (not a preflight failure) when the host's inotify limits are below kind's recommendation. */
export async function inotifyFinding(host: HostProbe): Promise<Finding | undefined> {
  // On macOS and Windows Docker runs in a VM whose kernel settings cannot be read from here.
  if (host.platform !== 'linux') return undefined;
  const low: string[] = [];
  const found: string[] = [];
  for (const [name, min] of Object.entries(INOTIFY_MINIMUMS)) {
    const raw = (await host.readProcSys(`fs/inotify/${name}`))?.trim();
    // A kernel setting is a decimal integer; anything else (empty, garbage) counts as unreadable.
    if (raw === undefined || !/^\d+$/.test(raw)) continue;
    const value = Number(raw);
    found.push(`${name}=${value}`);
    if (value < min) low.push(`fs.inotify.${name}=${min}`);
  }
  if (found.length === 0)
    return {
      id: 'inotify',
      name: 'inotify limits',
      ok: true,
      required: false,
      detail: 'the inotify limits could not be read from /proc/sys/fs/inotify',
    };
  if (low.length === 0)
    return { id: 'inotify', name: 'inotify limits', ok: true, required: false, detail: found.join(', ') };
  return {
    id: 'inotify',
    name: 'inotify limits',
    ok: false,
    required: false,
    detail: `inotify limits are low (${found.join(', ')}): pods in kind may fail with "too many open files".`,
    fix: `sudo sysctl ${low.join(' ')} (persist it in /etc/sysctl.d/99-kind.conf); see kind's known issues.`,
  };
}

/** The parts of `docker info --format '{{json .}}'` the checks read. */
export interface DockerInfo {
  ServerVersion?: string;
  MemTotal?: number;
  NCPU?: number;
  Architecture?: string;
  Driver?: string;
  DriverStatus?: Array<[string, string]>;
}

/**
 * Docker's containerd image store (the default from Docker 29; `features.containerd-snapshotter`): `docker info`
 * reports the driver type io.containerd.snapshotter.v1. With it `kind load docker-image` can fail with
 * "ctr: content digest ... not found" (kubernetes-sigs/kind#3795); `docker save` + `kind load image-archive` works.
 */
export function usesContainerdImageStore(info: DockerInfo): boolean {
  return (info.DriverStatus ?? []).some(
    (entry) =>
      Array.isArray(entry) && entry[0] === 'driver-type' && entry[1] === 'io.containerd.snapshotter.v1',
  );
}

/** `docker info` as JSON, or why it failed. */
export async function dockerInfo(runner: Runner): Promise<{ info?: DockerInfo; error?: string }> {
  try {
    const result = await runner.run({
      program: 'docker',
      args: ['info', '--format', '{{json .}}'],
      readOnly: true,
      allowFailure: true,
      timeoutMs: 20_000,
    });
    if (result.exitCode === 0) return { info: JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') };
    return { error: (result.stderr || result.stdout).trim().split('\n').pop() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** `1.2.3` from text like `kind v0.29.0 go1.24` or `v1.33.1`. */
export function parseVersion(text: string): string | undefined {
  return /v?(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
}

/** a >= b for dotted versions. */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

async function versionOf(
  runner: Runner,
  program: string,
  args: string[],
): Promise<{ found: boolean; output?: string; error?: string }> {
  if (!(await runner.which(program))) return { found: false };
  try {
    const result = await runner.run({ program, args, readOnly: true, allowFailure: true, timeoutMs: 15_000 });
    if (result.exitCode !== 0)
      return { found: true, error: (result.stderr || result.stdout).trim().split('\n')[0] };
    return { found: true, output: result.stdout.trim() };
  } catch (error) {
    return { found: true, error: (error as Error).message };
  }
}

function toolFinding(
  id: string,
  program: string,
  probe: { found: boolean; output?: string; error?: string },
  min: string,
  required: boolean,
  extract: (out: string) => string | undefined = parseVersion,
): Finding {
  if (!probe.found)
    return {
      id,
      name: program,
      ok: false,
      required,
      detail: `${program} is not installed (not on PATH).`,
      fix: installHint(program),
    };
  const version = probe.output ? extract(probe.output) : undefined;
  if (!version)
    return {
      id,
      name: program,
      ok: false,
      required,
      detail: `${program} is installed but \`${program}\` did not report a version${probe.error ? `: ${probe.error}` : ''}.`,
      fix: installHint(program),
    };
  if (!versionAtLeast(version, min))
    return {
      id,
      name: program,
      ok: false,
      required,
      version,
      detail: `${program} ${version} is older than ${min}.`,
      fix: `Upgrade ${program} to ${min} or newer. ${installHint(program)}`,
    };
  return { id, name: program, ok: true, required, version, detail: `${program} ${version}` };
}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function dockerFindings(runner: Runner, config: LabConfig): Promise<Finding[]> {
  // `docker --version` answers without a daemon (`docker version` fails when the daemon is down).
  const client = await versionOf(runner, 'docker', ['--version']);
  const findings = [toolFinding('docker', 'docker', client, config.versions.minDocker, true)];
  if (!client.found) {
    findings.push({
      id: 'docker-daemon',
      name: 'Docker daemon',
      ok: false,
      required: true,
      detail: 'No Docker daemon: Docker is not installed.',
      fix: installHint('docker'),
    });
    return findings;
  }
  const { info, error } = await dockerInfo(runner);
  if (!info) {
    findings.push({
      id: 'docker-daemon',
      name: 'Docker daemon',
      ok: false,
      required: true,
      detail: error
        ? `The Docker daemon is not reachable: ${/[.?!]$/.test(error) ? error : `${error}.`}`
        : 'The Docker daemon is not reachable.',
      fix: 'Start Docker (Docker Desktop, or `sudo systemctl start docker` on Linux) and check `docker info` works for your user.',
    });
    return findings;
  }
  findings.push({
    id: 'docker-daemon',
    name: 'Docker daemon',
    ok: true,
    required: true,
    version: info.ServerVersion,
    detail: `Docker daemon ${info.ServerVersion ?? ''} reachable`.trim(),
  });
  const gib = (info.MemTotal ?? 0) / 1024 ** 3;
  findings.push(
    gib >= config.minMemoryGiB
      ? {
          id: 'memory',
          name: 'memory',
          ok: true,
          required: true,
          detail: `${gib.toFixed(1)} GiB available to Docker (${info.NCPU ?? '?'} CPUs)`,
        }
      : {
          id: 'memory',
          name: 'memory',
          ok: false,
          required: true,
          detail: `Docker has ${gib.toFixed(1)} GiB of memory; the lab needs at least ${config.minMemoryGiB} GiB.`,
          fix: 'Give Docker more memory (Docker Desktop: Settings → Resources → Memory), or lower minMemoryGiB in gitops-lab.yaml at your own risk.',
        },
  );
  findings.push({
    id: 'docker-image-store',
    name: 'Docker image store',
    ok: true,
    required: false,
    detail: usesContainerdImageStore(info)
      ? 'containerd image store: up loads images into kind with docker save + kind load image-archive (kind#3795)'
      : `classic image store (${info.Driver ?? 'unknown driver'}): up loads images with kind load docker-image`,
  });
  return findings;
}

async function portFindings(config: LabConfig, clusterExists: boolean): Promise<Finding[]> {
  return Promise.all(
    (Object.entries(config.ports) as Array<[string, number]>).map(async ([name, port]) => {
      if (clusterExists)
        return {
          id: `port-${name}`,
          name: `port ${port} (${name})`,
          ok: true,
          required: true,
          detail: `port ${port} belongs to the existing lab cluster`,
        };
      const free = await portFree(port);
      return free
        ? {
            id: `port-${name}`,
            name: `port ${port} (${name})`,
            ok: true,
            required: true,
            detail: `port ${port} is free`,
          }
        : {
            id: `port-${name}`,
            name: `port ${port} (${name})`,
            ok: false,
            required: true,
            detail: `port ${port} on 127.0.0.1 (for ${name}) is in use.`,
            fix: `Stop what listens on ${port} (\`lsof -i :${port}\`), or choose another port in gitops-lab.yaml: ports: { ${name}: <port> }.`,
          };
    }),
  );
}

/** Runs every check in parallel; read-only, so it is safe in --dry-run. */
export async function runChecks(
  runner: Runner,
  config: LabConfig,
  options: CheckOptions,
): Promise<Finding[]> {
  const [docker, kind, kubectl, git] = await Promise.all([
    options.needKind ? dockerFindings(runner, config) : Promise.resolve([] as Finding[]),
    options.needKind ? versionOf(runner, 'kind', ['version']) : Promise.resolve(undefined),
    versionOf(runner, 'kubectl', ['version', '--client', '-o', 'json']),
    versionOf(runner, 'git', ['--version']),
  ]);
  const findings: Finding[] = [...docker];
  if (options.needKind) {
    const inotify = await inotifyFinding(options.host ?? thisHost);
    if (inotify) findings.push(inotify);
  }
  if (kind) findings.push(toolFinding('kind', 'kind', kind, config.versions.minKind, true));
  findings.push(
    toolFinding('kubectl', 'kubectl', kubectl, config.versions.minKubectl, true, (out) => {
      try {
        return parseVersion(
          (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? '',
        );
      } catch {
        return parseVersion(out);
      }
    }),
  );
  findings.push(toolFinding('git', 'git', git, '2.28.0', true));
  if (options.checkPorts ?? options.needKind)
    findings.push(...(await portFindings(config, options.clusterExists ?? false)));
  return findings;
}

/** The kind clusters that exist (empty when kind or Docker is missing). */
export async function kindClusters(runner: Runner): Promise<string[]> {
  if (!(await runner.which('kind'))) return [];
  try {
    const result = await runner.run({
      program: 'kind',
      args: ['get', 'clusters'],
      readOnly: true,
      allowFailure: true,
      timeoutMs: 20_000,
    });
    if (result.exitCode !== 0) return [];
    return result.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}
