/** `--dry-run`: every step a drill would take, in order, without touching anything. */
import { describeAction } from './actions.js';
import { describeExpectation } from './expectations.js';
import type { DrillPhase } from './journal.js';
import type { Drill, ResolvedExpectation } from './load.js';
import { lockName } from './lock.js';
import { describeCondition, describeProbe } from './probes.js';

export interface PlanStep {
  phase: DrillPhase | 'lock';
  text: string;
}

export interface DrillPlan {
  drill: string;
  title: string;
  mode: 'run' | 'recover';
  steps: PlanStep[];
}

export function planDrill(
  drill: Drill,
  options: { recover?: boolean; lockNamespace?: string } = {},
): DrillPlan {
  const steps: PlanStep[] = [];
  const add = (phase: PlanStep['phase'], text: string) => steps.push({ phase, text });
  const lockRef = `ConfigMap ${options.lockNamespace ?? 'argocd'}/${lockName}`;
  add('lock', `take the drill lock (create ${lockRef}; refuse if another drill holds it)`);
  if (!options.recover) {
    for (const p of drill.preconditions) add('preconditions', `check ${describeProbe(p.probe)}`);
    add('steady-state', `hypothesis: ${drill.steady_state.hypothesis}`);
    for (const p of drill.steady_state.probes) add('steady-state', `check ${describeProbe(p.probe)}`);
    for (const a of drill.inject) add('inject', describeAction(a));
    add(
      'observe',
      `sample every ${drill.observe.interval} for ${drill.observe.window}${drill.observe.stop_when_met ? ' (or until every expectation is met)' : ''}`,
    );
    for (const e of drill.observe.expect) add('observe', expectationLine(e));
    for (const p of drill.observe.record) add('observe', `record ${describeProbe(p.probe)}`);
  }
  for (const a of drill.rollback) add('rollback', describeAction(a));
  for (const p of drill.verify.probes)
    add('verify', `check ${describeProbe(p.probe)} (retry for up to ${drill.verify.within})`);
  add('lock', `release the drill lock (delete ${lockRef})`);
  return { drill: drill.name, title: drill.title, mode: options.recover ? 'recover' : 'run', steps };
}

/**
 * One `expect` line. The verb comes from the probe: a pass/fail expectation (holds, eventually) states the probe's
 * condition ("the canary's AnalysisRun fails"), not the expectation's short description, which follows as a
 * label; a value expectation (reaches, changes, flaps) names the value the probe reads.
 */
export function expectationLine(e: ResolvedExpectation): string {
  const label = e.description ? ` — ${e.description}` : '';
  if (e.holds || e.eventually)
    return `expect ${describeExpectation(e)}: ${describeCondition(e.probe.probe)}${label}`;
  return `expect ${describeProbe(e.probe.probe)} ${describeExpectation(e)}${label}`;
}
