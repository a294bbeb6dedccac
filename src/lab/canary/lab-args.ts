/**
 * Arguments of an AnalysisTemplate that neither `--arg` nor the template gives, read from the lab: from the
 * Rollout that runs the template, as Argo Rollouts would pass them to the AnalysisRun (rollout-args.ts). So
 * `gitops-lab canary check` with the lab up judges the canary that is running, with no hash to look up.
 */
import { PreconditionError, UsageError } from '../../errors.js';
import type { KubeClient } from '../kube/client.js';
import { Kinds, type Rollout } from '../kube/types.js';
import type { LabTarget } from '../simulate/connect.js';
import { analysisReferences, buildRolloutArgs, RolloutArgError } from './rollout-args.js';
import type { AnalysisTemplate } from './template.js';

export interface LabArgs {
  /** The values read, for the arguments that were missing only. */
  values: Record<string, string>;
  /** The Rollout, as namespace/name. */
  rollout: string;
  /** Where in the Rollout the analysis is (e.g. "steps[2].analysis"). */
  where: string;
  /** How each value was worked out ("podTemplateHashValue: Latest", "fieldRef: metadata.name", "value"). */
  sources: Record<string, string>;
  /** Set when the Rollout's newest ReplicaSet is its stable one: there is no canary to judge right now. */
  noCanary?: boolean;
}

export interface LabArgsOptions {
  /** --context (when `lab` is not given). */
  context?: string;
  /** The lab the command resolved (canary-shared.ts labOnce), so it is read once. */
  lab?: () => Promise<LabTarget>;
  /** --rollout NAMESPACE/NAME: which Rollout, when several run the template. */
  rollout?: string;
  /** A client to use instead of connecting (tests). */
  kube?: KubeClient;
}

/** The template's arguments with no value from `given` or the template itself. */
export function missingArgs(template: AnalysisTemplate, given: Readonly<Record<string, string>>): string[] {
  return template.args.filter((a) => given[a.name] === undefined && a.value === undefined).map((a) => a.name);
}

/** "No lab found: x" → "no lab found: x", inside a sentence; an acronym ("ENOENT: ...") is left as it is. */
const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
const plural = (names: string[]) => `argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
const passHint = (names: string[]) => `Pass ${names.map((n) => `--arg ${n}=VALUE`).join(' ')}`;

async function connect(options: LabArgsOptions): Promise<KubeClient> {
  const { connectToLab } = await import('../status/index.js');
  const resolve =
    options.lab ?? (async () => (await import('../simulate/connect.js')).resolveLab(options.context));
  return connectToLab((await resolve()).config);
}

/**
 * The one Rollout in the lab that runs `templateName` (--rollout picks among several). `need` says what it is
 * wanted for and `hint` what to pass instead, for the errors: none found, or several without --rollout.
 */
async function rolloutRunning(
  kube: KubeClient,
  templateName: string,
  options: { rollout?: string; need: string; hint: string },
): Promise<Rollout> {
  const rollouts = (await kube.list<Rollout>(Kinds.Rollout)).items;
  let running = rollouts.filter((r) => analysisReferences(r, templateName).length > 0);
  if (options.rollout) running = running.filter((r) => rolloutId(r) === options.rollout);
  if (running.length === 0) {
    const which = !options.rollout
      ? 'no Rollout runs'
      : rollouts.some((r) => rolloutId(r) === options.rollout)
        ? `the Rollout ${options.rollout} does not run`
        : `there is no Rollout ${options.rollout} to run`;
    throw new UsageError(
      `In context ${kube.context} ${which} the AnalysisTemplate ${templateName}, so ${options.need} cannot be read from the lab.`,
      { hint: `${options.hint}.` },
    );
  }
  if (running.length > 1)
    throw new UsageError(
      `${running.length} Rollouts run the AnalysisTemplate ${templateName} (${running.map(rolloutId).join(', ')}): say which one.`,
      { hint: `Pass --rollout ${rolloutId(running[0] as Rollout)}, or ${options.hint}.` },
    );
  return running[0] as Rollout;
}

const rolloutId = (r: Rollout) => `${r.metadata.namespace ?? ''}/${r.metadata.name}`;

async function labClient(
  options: LabArgsOptions,
  need: string,
  hint: string,
  them: 'it' | 'them',
): Promise<KubeClient> {
  try {
    return options.kube ?? (await connect(options));
  } catch (error) {
    // No lab (PreconditionError) is what this explains; a broken gitops-lab.yaml keeps its own message.
    if (!(error instanceof PreconditionError)) throw error;
    throw new UsageError(
      `${need}, and no lab was found to read ${them} from (${lowerFirst(error.message.replace(/\.$/, ''))}).`,
      { hint: `${hint}, or start the lab (\`gitops-lab up\`, or \`gitops-lab up --simulate\`).` },
    );
  }
}

/**
 * Reads the missing arguments from the lab, or returns undefined when none is missing. No reachable lab, no
 * Rollout running the template, or several of them without --rollout, is a UsageError that names the
 * arguments and says to pass them.
 */
export async function argsFromLab(
  template: AnalysisTemplate,
  given: Readonly<Record<string, string>>,
  options: LabArgsOptions = {},
): Promise<LabArgs | undefined> {
  const missing = missingArgs(template, given);
  if (missing.length === 0) return undefined;
  const hint = passHint(missing);
  const kube = await labClient(
    options,
    `The template ${template.name} needs the ${plural(missing)}, which ${missing.length === 1 ? 'has' : 'have'} no value`,
    hint,
    missing.length === 1 ? 'it' : 'them',
  );
  const rollout = await rolloutRunning(kube, template.name, {
    rollout: options.rollout,
    need: `its ${plural(missing)}`,
    hint,
  });
  const references = analysisReferences(rollout, template.name);
  // The analysis of the step the Rollout is at, when it names the template; else the first place that does.
  const reference =
    references.find((r) => r.step !== undefined && r.step === rollout.status?.currentStepIndex) ??
    (references[0] as (typeof references)[number]);
  const latest = rollout.status?.currentPodHash;
  const stable = rollout.status?.stableRS;
  let built: ReturnType<typeof buildRolloutArgs>;
  try {
    built = buildRolloutArgs(reference.args, { latest, stable }, rollout);
  } catch (error) {
    if (!(error instanceof RolloutArgError)) throw error;
    throw new UsageError(`Rollout ${rolloutId(rollout)}, ${reference.where}: ${error.message}.`, {
      hint: `${hint}.`,
    });
  }
  const values: Record<string, string> = {};
  const sources: Record<string, string> = {};
  for (const arg of built)
    if (missing.includes(arg.name)) {
      values[arg.name] = arg.value;
      sources[arg.name] = arg.source;
    }
  return {
    values,
    rollout: rolloutId(rollout),
    where: reference.where,
    sources,
    ...(latest !== undefined && latest === stable ? { noCanary: true } : {}),
  };
}

export interface CanaryPair {
  rollout: string;
  /** The newest ReplicaSet's pod-template hash (status.currentPodHash). */
  canary: string;
  /** The stable ReplicaSet's (status.stableRS). */
  baseline: string;
}

/**
 * For `canary compare` without --canary and --baseline: the pod-template hashes of the canary and of the stable
 * ReplicaSet of the Rollout that runs `templateName`. No canary in progress (the newest ReplicaSet is the stable
 * one) is a PreconditionError: there is nothing to compare.
 */
export async function canaryPairFromLab(
  templateName: string,
  options: LabArgsOptions = {},
): Promise<CanaryPair> {
  const hint = 'pass --canary HASH and --baseline HASH';
  const kube = await labClient(
    options,
    'gitops-lab canary compare needs --canary and --baseline selectors',
    'Pass them (pod-template hashes or label matchers)',
    'them',
  );
  const rollout = await rolloutRunning(kube, templateName, {
    rollout: options.rollout,
    need: 'the canary and stable hashes',
    hint: hint.charAt(0).toUpperCase() + hint.slice(1),
  });
  const canary = rollout.status?.currentPodHash;
  const baseline = rollout.status?.stableRS;
  if (!canary || !baseline || canary === baseline)
    throw new PreconditionError(
      `Rollout ${rolloutId(rollout)} has no canary in progress${canary && canary === baseline ? ` (its newest ReplicaSet, ${canary}, is the stable one)` : ''}: there is nothing to compare.`,
      {
        hint: `Start one by pushing a new doc-QA image to the lab's Git repository (or run \`gitops-lab drill bad-canary\`), or ${hint}.`,
      },
    );
  return { rollout: rolloutId(rollout), canary, baseline };
}
