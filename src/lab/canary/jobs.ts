/**
 * Runs a `job` metric's container command on this machine (`canary check --run-jobs --target URL`), as the
 * Job would run in the cluster: exit code 0 is Successful, any other exit is Failed (Argo Rollouts' job
 * provider), a command that cannot start is Error. The doc-QA image's entrypoint is `gitops-lab`, so a
 * container with only `args` (or a command naming gitops-lab) runs this package's own CLI; the value of its
 * `--target` flag is replaced by the --target URL (added when absent).
 */
import { basename } from 'node:path';
import { execa } from 'execa';
import { packagePath } from '../../paths.js';
import type { MeasurementPhase } from './conditions.js';
import type { ResolvedMetric } from './template.js';

export interface JobMeasurement {
  command: string[];
  exitCode?: number;
  reason: string;
  /** Last lines of the command's output, for the report. */
  outputTail: string;
}

interface Container {
  command?: unknown;
  args?: unknown;
  env?: { name?: unknown; value?: unknown }[];
}

/** The argv to run locally for a job metric, or a reason why it cannot be run. */
export function localJobCommand(
  metric: ResolvedMetric,
  target: string,
): { argv: string[]; env: Record<string, string> } | { error: string } {
  const spec = metric.provider.spec as
    | { activeDeadlineSeconds?: number; template?: { spec?: { containers?: Container[] } } }
    | undefined;
  const containers = spec?.template?.spec?.containers ?? [];
  if (containers.length !== 1)
    return { error: `the job has ${containers.length} containers; only one can be run locally` };
  const container = containers[0] as Container;
  const strings = (value: unknown): string[] | undefined =>
    Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  const command = strings(container.command);
  const args = strings(container.args) ?? [];
  let argv = [...(command ?? ['gitops-lab']), ...args];
  const program = argv[0] ?? '';
  const isOurs =
    basename(program) === 'gitops-lab' ||
    (basename(program) === 'node' && /gitops-lab(\.js)?$|dist\/cli\//.test(argv[1] ?? ''));
  if (isOurs) {
    const rest = basename(program) === 'node' ? argv.slice(2) : argv.slice(1);
    argv = [process.execPath, packagePath('bin', 'gitops-lab.js'), ...withTarget(rest, target)];
  }
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (typeof entry.name === 'string' && typeof entry.value === 'string') env[entry.name] = entry.value;
  }
  return { argv, env };
}

function withTarget(args: string[], target: string): string[] {
  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--target') {
      out.push('--target', target);
      i++;
      replaced = true;
    } else if (arg.startsWith('--target=')) {
      out.push(`--target=${target}`);
      replaced = true;
    } else {
      out.push(arg);
    }
  }
  if (!replaced && out[0] === 'eval') out.push('--target', target);
  return out;
}

export async function runJobLocally(
  metric: ResolvedMetric,
  target: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ phase: MeasurementPhase; detail: JobMeasurement }> {
  const planned = localJobCommand(metric, target);
  if ('error' in planned)
    return { phase: 'Error', detail: { command: [], reason: planned.error, outputTail: '' } };
  const spec = metric.provider.spec as { activeDeadlineSeconds?: number } | undefined;
  const timeoutMs = options.timeoutMs ?? (spec?.activeDeadlineSeconds ?? 600) * 1000;
  const [file, ...rest] = planned.argv as [string, ...string[]];
  const result = await execa(file, rest, {
    env: { ...planned.env, NO_COLOR: '1' },
    reject: false,
    all: true,
    timeout: timeoutMs,
    cancelSignal: options.signal,
    stdin: 'ignore',
  });
  const outputTail = String(result.all ?? '')
    .trim()
    .split('\n')
    .slice(-5)
    .join('\n');
  if (result.failed && result.exitCode === undefined) {
    const why = result.timedOut
      ? `timed out after ${timeoutMs} ms`
      : (result.shortMessage ?? 'could not start');
    return { phase: 'Error', detail: { command: planned.argv, reason: why, outputTail } };
  }
  const exitCode = result.exitCode ?? 1;
  return {
    phase: exitCode === 0 ? 'Successful' : 'Failed',
    detail: {
      command: planned.argv,
      exitCode,
      reason: `the job's command exited with ${exitCode}`,
      outputTail,
    },
  };
}
