/**
 * `gitops-lab up`: validates flags, loads the config, runs the lab's `up` (src/lab/bootstrap) and renders its events:
 * JSON lines with --json, a live task list on a TTY, plain lines otherwise. Ctrl-C aborts cleanly.
 */
import { z } from 'zod';
import { LabError } from '../../errors.js';
import { runUp, type UpEvent, type UpResult } from '../../lab/bootstrap/up.js';
import { loadConfig } from '../../lab/config.js';
import { contextOption } from '../option-schemas.js';
import { defaultStreams, isInteractive, type OutputStreams, paint, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';
import { findingLine } from '../views/up-findings.js';

const UpOptionsSchema = z.object({
  context: contextOption,
  repo: z
    .string()
    .trim()
    .regex(/^(https?:\/\/|file:\/\/|\/)/, { error: 'expected an http(s) URL of a Git repository' })
    .optional(),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
  showCredentials: z.boolean().default(false),
});

export interface UpRenderer {
  event(event: UpEvent): void;
  finish(result: UpResult): Promise<void> | void;
}

function plainRenderer(streams: OutputStreams, dryRun: boolean, showCredentials: boolean): UpRenderer {
  const out = streams.stdout;
  let lastProgress = '';
  return {
    event(e) {
      if (e.type === 'preflight') {
        // A failed preflight outside --dry-run ends in one error that lists every missing piece.
        if (!e.ok && !dryRun) return;
        writeLine(paint('bold', 'Preflight', out), out);
        for (const f of e.findings) writeLine(`  ${findingLine(f, out)}`, out);
        if (dryRun && !e.ok)
          writeLine(paint('yellow', '  (the plan below assumes these are fixed)', out), out);
        return;
      }
      if (e.type === 'plan') {
        writeLine(paint('bold', dryRun ? '\nPlan (nothing will be changed)' : '\nSteps', out), out);
        return;
      }
      if (e.progress) {
        const text = e.progress.join(', ');
        if (text !== lastProgress) writeLine(`    ${text}`, out);
        lastProgress = text;
        return;
      }
      const title = `${e.step}: ${e.title}`;
      switch (e.status) {
        case 'skipped':
          writeLine(
            `${paint('gray', dryRun ? '- would skip' : '- skipped', out)} ${title} (${e.reason ?? 'already done'})`,
            out,
          );
          break;
        case 'planned':
          writeLine(`${paint('cyan', '+ would run', out)} ${title}${e.reason ? ` (${e.reason})` : ''}`, out);
          for (const a of e.actions ?? []) writeLine(`    $ ${a}`, out);
          break;
        case 'running':
          writeLine(`${paint('cyan', '▶', out)} ${title}${e.reason ? ` (${e.reason})` : ''}`, out);
          break;
        case 'waiting':
          writeLine(`  … waiting: ${e.reason}`, out);
          break;
        case 'done':
          writeLine(
            `${paint('green', '✓', out)} ${title} (${((e.durationMs ?? 0) / 1000).toFixed(1)}s)`,
            out,
          );
          break;
        case 'failed':
          writeLine(`${paint('red', '✗', out)} ${title}: ${e.reason}`, out);
          break;
        default:
          break;
      }
    },
    finish(result) {
      printOutcome(result, streams, showCredentials || isInteractive(streams.stdout));
    },
  };
}

/** Where a password that is not printed lives (stdout is a log, not a person). */
const passwordSources = {
  argocd: 'in Secret argocd-initial-admin-secret (not shown: add --show-credentials)',
  grafana: 'in Secret kube-prometheus-stack-grafana (not shown: add --show-credentials)',
} as const;

/**
 * The outcome of `up`. Passwords are printed only when `showPasswords` (a terminal, or --show-credentials):
 * redirected output ends up in CI logs and artifacts.
 */
export function printOutcome(
  result: UpResult,
  streams: OutputStreams,
  showPasswords = isInteractive(streams.stdout),
): void {
  const out = streams.stdout;
  if (result.dryRun) {
    writeLine(`\nDry run: nothing was changed. Run \`gitops-lab up\` to do it.`, out);
    return;
  }
  if (result.interrupted) {
    writeLine(`\nInterrupted. Progress is saved; run \`gitops-lab up\` again to resume.`, out);
    return;
  }
  if (!result.ok) {
    const d = result.diagnosis;
    if (d?.object) writeLine(`\n${paint('bold', 'Failing object:', out)} ${d.object}`, out);
    if (d?.conditions.length) {
      writeLine(paint('bold', 'Conditions:', out), out);
      for (const c of d.conditions) writeLine(`  ${c}`, out);
    }
    if (d?.events.length) {
      writeLine(paint('bold', 'Recent events:', out), out);
      for (const ev of d.events) writeLine(`  ${ev}`, out);
    }
    for (const log of d?.logs ?? []) {
      writeLine(paint('bold', `Log of ${log.pod} (${log.container}, last run):`, out), out);
      for (const line of log.lines) writeLine(`  ${line}`, out);
    }
    return;
  }
  const a = result.access;
  writeLine(
    `\n${paint('green', 'The lab is ready', out)} (${(result.durationMs / 1000).toFixed(1)}s, context ${result.context}).`,
    out,
  );
  if (!a) return;
  const password = (value: string | undefined, source: string) =>
    value === undefined ? '' : showPasswords ? `, password ${value}` : `, password: ${source}`;
  writeLine(
    `  Argo CD   ${a.argocd.url}   user ${a.argocd.username}${password(a.argocd.password, passwordSources.argocd)}`,
    out,
  );
  writeLine(
    `  Grafana   ${a.grafana.url}   user ${a.grafana.username}${password(a.grafana.password, passwordSources.grafana)}`,
    out,
  );
  writeLine(`  Git       ${a.git.url}   (git clone / git push; Argo CD deploys what lands on main)`, out);
  for (const pf of a.portForwards) writeLine(`  run: ${pf}`, out);
  writeLine(
    '\nNext: `gitops-lab status` to see every app, `gitops-lab drill` to break something on purpose.',
    out,
  );
}

/** The result without passwords (they stay in the cluster's Secrets), unless asked for. */
export function redactCredentials(result: UpResult, show: boolean): UpResult {
  if (show || !result.access) return result;
  const { argocd, grafana } = result.access;
  const hide = <T extends { password?: string }>({ password: _, ...rest }: T) => rest;
  return { ...result, access: { ...result.access, argocd: hide(argocd), grafana: hide(grafana) } };
}

function jsonRenderer(streams: OutputStreams, showCredentials: boolean): UpRenderer {
  return {
    event(e) {
      streams.stdout.write(`${JSON.stringify(e)}\n`);
    },
    finish(result) {
      const { error, ...rest } = redactCredentials(result, showCredentials);
      streams.stdout.write(
        `${JSON.stringify({ type: 'result', ...rest, ...(error ? { error: error instanceof Error ? error.message : String(error) } : {}) })}\n`,
      );
    },
  };
}

export async function run(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  if (rawOptions.simulate || rawOptions.speed !== undefined) {
    const { checkSpeedWithoutSimulate, runSimulatedUp } = await import('./up-simulate.js');
    checkSpeedWithoutSimulate(rawOptions);
    await runSimulatedUp(rawOptions, streams);
    return;
  }
  const options = parseOptions(UpOptionsSchema, rawOptions, 'up');
  const config = await loadConfig({ context: options.context, repo: options.repo });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // A closed terminal or a dropped SSH session (SIGHUP) stops up as Ctrl-C does: cleanly, temp folders removed.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  let renderer: UpRenderer;
  if (options.json) renderer = jsonRenderer(streams, options.showCredentials);
  else if (isInteractive(streams.stdout) && !options.dryRun) {
    const { inkUpRenderer } = await import('../views/up.js');
    renderer = await inkUpRenderer(streams);
  } else renderer = plainRenderer(streams, options.dryRun, options.showCredentials);
  try {
    const result = await runUp({
      config,
      dryRun: options.dryRun,
      signal: controller.signal,
      onEvent: (e) => renderer.event(e),
    });
    await renderer.finish(result);
    if (result.interrupted) {
      process.exitCode = 130;
      return;
    }
    if (!result.ok) {
      const error = result.error;
      const message = error instanceof Error ? error.message : String(error);
      throw new LabError(`Step ${result.failedStep} failed: ${message.replace(/\.$/, '')}.`, 1, {
        hint: result.diagnosis?.hint ?? (error instanceof LabError ? error.hint : undefined),
      });
    }
  } finally {
    for (const signal of signals) process.removeListener(signal, onSignal);
  }
}
