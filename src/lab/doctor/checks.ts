/**
 * The checks `up` needs before it touches anything, shared by `gitops-lab doctor` and `up`'s preflight:
 * tools and their versions, the Docker daemon, memory, free ports. Each finding says how to fix it.
 */
import { createServer } from 'node:net';
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
  let info: { ServerVersion?: string; MemTotal?: number; NCPU?: number } | undefined;
  let error: string | undefined;
  try {
    const result = await runner.run({
      program: 'docker',
      args: ['info', '--format', '{{json .}}'],
      readOnly: true,
      allowFailure: true,
      timeoutMs: 20_000,
    });
    if (result.exitCode === 0) info = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
    else error = (result.stderr || result.stdout).trim().split('\n').pop();
  } catch (e) {
    error = (e as Error).message;
  }
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
