/** What to show when a step fails: the failing object, its conditions and recent events, and a hint. */
import type { KubeClient } from '../kube/client.js';
import { KubeApiError, WaitTimeoutError } from '../kube/errors.js';
import { appHealth, appSync, podProblem } from '../kube/status.js';
import {
  type Application,
  describeRef,
  Kinds,
  type KubeObject,
  type ObjectRef,
  type Pod,
} from '../kube/types.js';
import { ToolError, ToolMissingError } from '../tools/runner.js';

export interface Diagnosis {
  object?: string;
  conditions: string[];
  events: string[];
  /** The last lines of a crashing container's log, per pod (`kubectl logs --previous --tail 20`). */
  logs?: Array<{ pod: string; container: string; lines: string[] }>;
  hint: string;
}

type ContainerStatus = {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: { exitCode?: number } };
};

/** A container that exited and is being restarted (CrashLoopBackOff, or between restarts). */
function crashed(pod: Pod): ContainerStatus | undefined {
  const statuses = (pod.status?.containerStatuses ?? []) as ContainerStatus[];
  return statuses.find(
    (c) =>
      c.state?.waiting?.reason === 'CrashLoopBackOff' ||
      (c.lastState?.terminated && (c.restartCount ?? 0) > 0),
  );
}

const hints: Record<string, string> = {
  cluster:
    'Check `docker info` and `kind get clusters`; `kind delete cluster --name gitops-lab` then `gitops-lab up` starts over.',
  images: 'Check that `docker build` works here; the build output above shows the failing instruction.',
  'git-server': 'Check the pod with `kubectl -n lab-git describe pod -l app.kubernetes.io/name=git-server`.',
  'git-seed':
    'Check that the Git server answers: `git ls-remote <url>`; with --repo, that the token in the environment can push.',
  argo: 'The Argo CD and Rollouts images are pulled from quay.io the first time; check `kubectl -n argocd get pods`.',
  apps: 'Open the Argo CD UI or run `kubectl -n argocd get applications`; `gitops-lab status` shows each app.',
  access: 'Check `kubectl get svc -A -l app.kubernetes.io/part-of=gitops-lab`.',
};

function conditionsOf(obj: KubeObject | undefined): string[] {
  const status = obj?.status as
    | { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> }
    | undefined;
  return (status?.conditions ?? []).map(
    (c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`,
  );
}

export async function diagnose(
  step: string,
  error: unknown,
  kube: (() => KubeClient) | undefined,
): Promise<Diagnosis> {
  const diagnosis: Diagnosis = {
    conditions: [],
    events: [],
    hint: hints[step] ?? 'Run `gitops-lab status` and `gitops-lab doctor`.',
  };
  if (error instanceof ToolMissingError || error instanceof ToolError || error instanceof KubeApiError) {
    if (error.hint && error instanceof ToolMissingError) diagnosis.hint = error.hint;
    return diagnosis;
  }
  if (!(error instanceof WaitTimeoutError) || !kube) return diagnosis;
  let client: KubeClient;
  try {
    client = kube();
  } catch {
    return diagnosis;
  }
  try {
    if ('name' in error.ref) {
      const ref = error.ref as ObjectRef;
      diagnosis.object = describeRef(ref);
      const obj = (error.last as KubeObject | undefined) ?? (await client.get(ref));
      diagnosis.conditions = obj ? conditionsOf(obj) : ['the object does not exist'];
      diagnosis.events = (await client.eventsFor(ref, 5)).map((e) =>
        `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`.trim(),
      );
      if (ref.namespace) {
        const { items } = await client.list<Pod>(Kinds.Pod, { namespace: ref.namespace });
        for (const pod of items) {
          const problem = podProblem(pod);
          if (problem) diagnosis.conditions.push(`pod ${pod.metadata.name}: ${problem}`);
          const container = crashed(pod);
          if (!container) continue;
          const log = await client
            .podLogs(ref.namespace, pod.metadata.name, {
              container: container.name,
              previous: true,
              tailLines: 20,
            })
            .catch(() => '');
          const lines = log.split('\n').filter((l) => l.trim() !== '');
          diagnosis.logs = [
            ...(diagnosis.logs ?? []),
            { pod: pod.metadata.name, container: container.name, lines },
          ];
          const exit = container.lastState?.terminated?.exitCode;
          diagnosis.hint = `The ${container.name} container of pod ${pod.metadata.name} exits at start${exit === undefined ? '' : ` (exit code ${exit})`} and Kubernetes keeps restarting it: ${lines.length ? 'its log above says why' : 'it wrote no log'}. Fix what it reports (a file or port it cannot open as its non-root user, a missing setting), then run \`gitops-lab up\` again; \`kubectl -n ${ref.namespace} logs ${pod.metadata.name} --previous\` shows the whole log.`;
        }
      }
    } else if (error.ref.kind === 'Application') {
      // A list wait's last state is keyed by namespace/name.
      const last = error.last as Map<string, Application> | Application[] | undefined;
      const apps = last instanceof Map ? [...last.values()] : (last ?? []);
      diagnosis.object = `Applications in ${error.ref.namespace}`;
      for (const app of apps) {
        if (appSync(app) === 'Synced' && appHealth(app) === 'Healthy') continue;
        const message =
          app.status?.conditions?.map((c) => `${c.type}: ${c.message ?? ''}`).join('; ') ||
          app.status?.health?.message ||
          app.status?.operationState?.message ||
          '';
        diagnosis.conditions.push(
          `${app.metadata.name}: ${appSync(app)}/${appHealth(app)}${message ? ` — ${message}` : ''}`,
        );
        const events = await client.eventsFor(
          { ...Kinds.Application, name: app.metadata.name, namespace: app.metadata.namespace },
          2,
        );
        diagnosis.events.push(
          ...events.map((e) => `${app.metadata.name}: ${e.reason ?? ''} ${e.message ?? ''}`.trim()),
        );
      }
    }
  } catch {
    // Diagnostics are best effort: the original error is what the person sees first.
  }
  return diagnosis;
}
