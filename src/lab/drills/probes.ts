/**
 * Probes: read one fact about the lab and judge it. Each returns a value (shown in the timeline, charted when
 * numeric) and whether it is within tolerance. A probe that cannot be evaluated at all (the API server is
 * unreachable, a Prometheus query is malformed) throws a ProbeError; an HTTP check that gets no answer is a
 * failed check, not an error, because "the service does not answer" is what it measures.
 */
import { type Clock, systemClock } from '../clock.js';
import type { DrillEnvironment, KubeObject } from './access.js';
import { formatDuration, parseDuration } from './duration.js';
import { readPath } from './jsonpath.js';
import type { NamedProbe } from './load.js';
import type { Probe } from './schema.js';
import { describeTolerance, toNumber, withinTolerance } from './tolerance.js';

export interface ProbeResult {
  ok: boolean;
  /** The value read: a number, a string such as "Synced/Healthy", or undefined when absent. */
  value: unknown;
  /** One line for people: what was read and how it was judged. */
  detail: string;
}

export class ProbeError extends Error {
  constructor(
    readonly probeId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`probe ${probeId}: ${message}`, options);
  }
}

const asList = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** A one-line description of what a probe checks, for dry runs, reports and the live view. */
export function describeProbe(probe: Probe): string {
  if (probe.description) return probe.description;
  switch (probe.type) {
    case 'k8s':
      return `${probe.target.kind} ${probe.target.namespace ? `${probe.target.namespace}/` : ''}${probe.target.name ?? `[${probe.target.selector}]`} ${probe.path} ${describeTolerance(probe)}`;
    case 'argo-app': {
      const want = [asList(probe.sync)?.join('|'), asList(probe.health)?.join('|')]
        .filter(Boolean)
        .join(', ');
      const at = probe.revision === 'head' ? " at the lab repository's newest commit" : '';
      return `Argo CD Application ${probe.namespace}/${probe.name}${want ? ` is ${want}` : ' exists'}${at}`;
    }
    case 'rollout': {
      const want = [
        asList(probe.phase)?.join('|'),
        probe.analysis ? `analysis ${asList(probe.analysis)?.join('|')}` : undefined,
      ]
        .filter(Boolean)
        .join(', ');
      return `Rollout ${probe.namespace}/${probe.name}${want ? ` is ${want}` : ' exists'}`;
    }
    case 'prometheus':
      return `Prometheus \`${probe.query}\` ${describeTolerance(probe)}`;
    case 'http':
      return `${probe.method} ${probe.url} answers ${asList(probe.status)?.join('|')}${probe.body_contains ? ` containing "${probe.body_contains}"` : ''}${probe.json_path ? ` with ${probe.json_path} ${describeTolerance(probe)}` : ''}`;
    case 'eval':
      return `eval suite against ${probe.target} passes${probe.min_pass_rate !== undefined ? ` (≥ ${probe.min_pass_rate * 100}%)` : ''}`;
  }
}

function shortValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

async function kubeRead<T>(id: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new ProbeError(id, `cannot read from the cluster: ${(error as Error).message}`, { cause: error });
  }
}

/** Newest first: by the Rollout revision Argo Rollouts writes on each AnalysisRun, then by creation time. */
function newestFirst(a: KubeObject, b: KubeObject): number {
  const revision = (o: KubeObject) =>
    Number(o.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? 0) || 0;
  const created = (o: KubeObject) => {
    const t = o.metadata?.creationTimestamp;
    return t ? new Date(t).getTime() : 0;
  };
  return revision(b) - revision(a) || created(b) - created(a);
}

/** The newest AnalysisRun owned by the rollout, or undefined. */
async function latestAnalysisRun(
  env: DrillEnvironment,
  namespace: string,
  rollout: string,
  signal: AbortSignal,
): Promise<KubeObject | undefined> {
  const runs = await env.kube.list('argoproj.io/v1alpha1', 'AnalysisRun', namespace, undefined, { signal });
  const owned = runs.filter((run) =>
    run.metadata?.ownerReferences?.some((o) => o.kind === 'Rollout' && o.name === rollout),
  );
  return owned.sort(newestFirst)[0];
}

/** The lab repository's newest commit, for a probe with `revision: head`; a probe error without a repository. */
async function newestCommit(env: DrillEnvironment, id: string, signal: AbortSignal): Promise<string> {
  if (!env.repo?.newest)
    throw new ProbeError(
      id,
      'revision: head needs the lab repository (--repo, or the lab the drill runs against)',
    );
  try {
    return await env.repo.newest({ signal });
  } catch (error) {
    throw new ProbeError(id, (error as Error).message, { cause: error });
  }
}

/** How long a probe may take before it counts as an error; `timeout` on the probe overrides it. */
export const defaultProbeTimeoutMs = 30_000;

/**
 * Evaluates a probe, bounded by its timeout and cut short by `signal`, so a hung API server or Prometheus can
 * neither stall the drill nor keep Ctrl-C from reaching the rollback. Either way the read under way is
 * cancelled too (its request closed), not left open.
 */
export async function evaluateProbe(
  named: NamedProbe,
  env: DrillEnvironment,
  signal?: AbortSignal,
  clock: Clock = systemClock,
): Promise<ProbeResult> {
  signal?.throwIfAborted();
  const limitMs = named.probe.timeout ? parseDuration(named.probe.timeout) : defaultProbeTimeoutMs;
  let cancelLimit: (() => void) | undefined;
  let onAbort: (() => void) | undefined;
  // Stops the read itself: at the probe's limit or when `signal` aborts.
  const stop = new AbortController();
  const bounded = new Promise<never>((_, reject) => {
    const give = (reason: Error) => {
      stop.abort(reason);
      reject(reason);
    };
    cancelLimit = clock.setTimer(limitMs + (named.probe.type === 'http' ? 1000 : 0), () =>
      give(new ProbeError(named.id, `no answer within ${formatDuration(limitMs)}`)),
    );
    onAbort = () => give(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([readProbe(named, env, stop.signal), bounded]);
  } finally {
    cancelLimit?.();
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

type K8sProbe = Extract<NamedProbe['probe'], { type: 'k8s' }>;

/** A `k8s` probe's result for one object as read (undefined: it does not exist). */
export function k8sObjectResult(probe: K8sProbe, object: KubeObject | undefined): ProbeResult {
  return k8sResult(probe, object === undefined ? undefined : readPath(object, probe.path));
}

/** A `k8s` probe's result for the value its path read. */
function k8sResult(probe: K8sProbe, value: unknown): ProbeResult {
  const ok = withinTolerance(value, probe);
  return { ok, value, detail: `${probe.path} = ${shortValue(value)} (want ${describeTolerance(probe)})` };
}

async function readProbe(
  named: NamedProbe,
  env: DrillEnvironment,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const { id, probe } = named;
  switch (probe.type) {
    case 'k8s': {
      const { target } = probe;
      if (target.name !== undefined) {
        const object = await kubeRead(id, () =>
          env.kube.get({ ...target, name: target.name as string }, { signal }),
        );
        return k8sObjectResult(probe, object);
      }
      const objects = await kubeRead(id, () =>
        env.kube.list(target.apiVersion, target.kind, target.namespace, target.selector, { signal }),
      );
      const values = objects.flatMap((o) => {
        const v = readPath(o, probe.path);
        return v === undefined ? [] : Array.isArray(v) ? v : [v];
      });
      return k8sResult(probe, values.length === 0 ? undefined : values);
    }
    case 'argo-app': {
      const app = await kubeRead(id, () =>
        env.kube.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...probe }, { signal }),
      );
      if (!app)
        return {
          ok: false,
          value: undefined,
          detail: `Application ${probe.namespace}/${probe.name} not found`,
        };
      const sync = String(readPath(app, '.status.sync.status') ?? 'Unknown');
      const health = String(readPath(app, '.status.health.status') ?? 'Unknown');
      const syncs = asList(probe.sync);
      const healths = asList(probe.health);
      let ok =
        (syncs === undefined || syncs.includes(sync as never)) &&
        (healths === undefined || healths.includes(health as never));
      let detail = `sync ${sync}, health ${health}`;
      if (probe.revision === 'head') {
        // Argo CD writes the revision it compared into status.sync.revision (controller/state.go
        // CompareAppState); until it has compared the newest commit, its sync and health speak of an older one.
        const newest = await newestCommit(env, id, signal);
        const compared = String(readPath(app, '.status.sync.revision') ?? '');
        const atHead = compared === newest;
        ok &&= atHead;
        detail += atHead
          ? `, at ${newest.slice(0, 7)} (the newest commit)`
          : `, compared ${compared ? compared.slice(0, 7) : 'no revision'}, not the newest commit ${newest.slice(0, 7)}`;
      }
      return { ok, value: `${sync}/${health}`, detail };
    }
    case 'rollout': {
      const rollout = await kubeRead(id, () =>
        env.kube.get(
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: probe.name,
            namespace: probe.namespace,
          },
          { signal },
        ),
      );
      if (!rollout)
        return { ok: false, value: undefined, detail: `Rollout ${probe.namespace}/${probe.name} not found` };
      const phase = String(readPath(rollout, '.status.phase') ?? 'Progressing');
      const phases = asList(probe.phase);
      const analyses = asList(probe.analysis);
      let analysis: string | undefined;
      if (analyses !== undefined) {
        const run = await kubeRead(id, () => latestAnalysisRun(env, probe.namespace, probe.name, signal));
        analysis = run ? String(readPath(run, '.status.phase') ?? 'Pending') : 'None';
      }
      const ok =
        (phases === undefined || phases.includes(phase as never)) &&
        (analyses === undefined || analyses.includes(analysis as never));
      const value = analysis === undefined ? phase : `${phase}/${analysis}`;
      return { ok, value, detail: `phase ${phase}${analysis === undefined ? '' : `, analysis ${analysis}`}` };
    }
    case 'prometheus': {
      const url = probe.url ?? env.prometheusUrl;
      if (!env.prometheus || !url) {
        throw new ProbeError(
          id,
          'no Prometheus is configured (pass --prometheus URL or set `url` on the probe)',
        );
      }
      let value: number | undefined;
      try {
        value = await env.prometheus.query(url, probe.query, signal);
      } catch (error) {
        throw new ProbeError(id, `Prometheus query failed: ${(error as Error).message}`, { cause: error });
      }
      return {
        ok: withinTolerance(value, probe),
        value,
        detail: `${shortValue(value)} (want ${describeTolerance(probe)})`,
      };
    }
    case 'http': {
      const doFetch = env.fetch ?? fetch;
      const timeoutMs = parseDuration(probe.timeout ?? '5s');
      const started = Date.now();
      const statuses = asList(probe.status) ?? [200];
      try {
        const response = await doFetch(probe.url, {
          method: probe.method,
          headers: {
            ...(probe.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...probe.headers,
          },
          body: probe.body === undefined ? undefined : JSON.stringify(probe.body),
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
            : AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        const elapsed = Date.now() - started;
        const statusOk = statuses.includes(response.status);
        const bodyOk = probe.body_contains === undefined || text.includes(probe.body_contains);
        const head = `HTTP ${response.status} in ${formatDuration(elapsed)}${bodyOk ? '' : `, body lacks "${probe.body_contains}"`}`;
        if (probe.json_path === undefined) {
          return { ok: statusOk && bodyOk, value: response.status, detail: head };
        }
        let field: unknown;
        try {
          field = readPath(JSON.parse(text), probe.json_path);
        } catch {
          field = undefined;
        }
        return {
          ok: statusOk && bodyOk && withinTolerance(field, probe),
          value: field,
          detail: `${head}, ${probe.json_path} = ${shortValue(field)} (want ${describeTolerance(probe)})`,
        };
      } catch (error) {
        return { ok: false, value: undefined, detail: `no answer: ${(error as Error).message}` };
      }
    }
    case 'eval': {
      if (!env.evals) throw new ProbeError(id, 'the eval runner is not available');
      let outcome: Awaited<ReturnType<NonNullable<DrillEnvironment['evals']>['run']>>;
      try {
        outcome = await env.evals.run({ target: probe.target, cases: probe.cases, signal });
      } catch (error) {
        throw new ProbeError(id, `eval suite failed to run: ${(error as Error).message}`, { cause: error });
      }
      const ok = probe.min_pass_rate === undefined ? outcome.passed : outcome.passRate >= probe.min_pass_rate;
      return { ok, value: outcome.passRate, detail: outcome.summary };
    }
  }
}

/** Numeric value of a result, for sparklines; undefined when not numeric. */
export function numericValue(result: Pick<ProbeResult, 'value'>): number | undefined {
  return toNumber(result.value);
}

/**
 * What a probe checks, as a condition a person can read: its description when it has one, followed by the rule
 * it applies (`(ConfigMap docqa/docqa-config .data.DOCQA_FAULTS = "")`), so a description that names only a
 * value ("DOCQA_FAULTS in the live docqa-config ConfigMap") still says what must be true of it.
 */
export function describeCondition(probe: Probe): string {
  if (!probe.description) return describeProbe(probe);
  return `${probe.description} (${describeProbe({ ...probe, description: undefined })})`;
}
