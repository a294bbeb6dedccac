/**
 * The workload kinds as a Kubernetes v1.33 API server prints them: pkg/printers/internalversion/printers.go
 * printReplicaSet, printDeployment, printStatefulSet, printDaemonSet, printJob, printCronJob,
 * printHorizontalPodAutoscaler (formatHPAMetrics), printPodDisruptionBudget. Fields the API server defaults on
 * create (replicas 1, a CronJob's suspend false, an HPA's minReplicas 1) read as defaulted when the sim's object
 * lacks them.
 */
import { formatLabelSelector, type LabelSelector, labelSelectorString } from '../selectors.js';
import { humanDuration, since, timeOf } from './duration.js';
import {
  ageOf,
  type Container,
  containerCells,
  formatLabels,
  int,
  intOrString,
  nameOf,
  quantity,
  specOf,
  statusOf,
} from './format.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

interface PodTemplate {
  spec?: { containers?: Container[]; nodeSelector?: Record<string, string> };
}

interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
}

const replicas = (spec: WorkloadSpec) => (typeof spec.replicas === 'number' ? spec.replicas : 1);

const wideTemplateColumns = [column('Containers', 'string', true), column('Images', 'string', true)];
const selectorColumn = column('Selector', 'string', true);

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Desired', 'integer'),
    column('Current', 'integer'),
    column('Ready', 'integer'),
    ageColumn,
    ...wideTemplateColumns,
    selectorColumn,
  ],
  row(rs, now) {
    const spec = specOf<WorkloadSpec>(rs);
    const status = statusOf(rs);
    return {
      cells: [
        nameOf(rs),
        replicas(spec),
        int(status.replicas),
        int(status.readyReplicas),
        ageOf(rs, now),
        ...containerCells(spec.template?.spec?.containers),
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready'),
    column('Up-to-date'),
    column('Available'),
    ageColumn,
    ...wideTemplateColumns,
    selectorColumn,
  ],
  row(d, now) {
    const spec = specOf<WorkloadSpec>(d);
    const status = statusOf(d);
    return {
      cells: [
        nameOf(d),
        `${int(status.readyReplicas)}/${replicas(spec)}`,
        int(status.updatedReplicas),
        int(status.availableReplicas),
        ageOf(d, now),
        ...containerCells(spec.template?.spec?.containers),
        // The selector's string form, empty (not <none>) for an empty selector.
        labelSelectorString(spec.selector),
      ],
    };
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn, column('Ready'), ageColumn, ...wideTemplateColumns],
  row(sts, now) {
    const spec = specOf<WorkloadSpec>(sts);
    return {
      cells: [
        nameOf(sts),
        `${int(statusOf(sts).readyReplicas)}/${replicas(spec)}`,
        ageOf(sts, now),
        ...containerCells(spec.template?.spec?.containers),
      ],
    };
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Desired', 'integer'),
    column('Current', 'integer'),
    column('Ready', 'integer'),
    column('Up-to-date', 'integer'),
    column('Available', 'integer'),
    column('Node Selector'),
    ageColumn,
    ...wideTemplateColumns,
    selectorColumn,
  ],
  row(ds, now) {
    const spec = specOf<WorkloadSpec>(ds);
    const status = statusOf(ds);
    return {
      cells: [
        nameOf(ds),
        int(status.desiredNumberScheduled),
        int(status.currentNumberScheduled),
        int(status.numberReady),
        int(status.updatedNumberScheduled),
        int(status.numberAvailable),
        formatLabels(spec.template?.spec?.nodeSelector),
        ageOf(ds, now),
        ...containerCells(spec.template?.spec?.containers),
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

interface Condition {
  type?: string;
  status?: string;
}

/** hasJobCondition: the first condition of the type decides. */
const jobCondition = (conditions: unknown, type: string) =>
  ((conditions ?? []) as Condition[]).find((c) => c.type === type)?.status === 'True';

interface JobSpec extends WorkloadSpec {
  completions?: number;
  parallelism?: number;
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status'),
    column('Completions'),
    column('Duration'),
    ageColumn,
    ...wideTemplateColumns,
    selectorColumn,
  ],
  row(job, now) {
    const spec = specOf<JobSpec>(job);
    const status = statusOf(job);
    const succeeded = int(status.succeeded);
    // batch/v1 defaulting: with neither set, completions and parallelism are 1; parallelism alone defaults to 1.
    const both = spec.completions === undefined && spec.parallelism === undefined;
    const completions = both ? 1 : spec.completions;
    const parallelism = spec.parallelism ?? 1;
    let completionsText: string;
    if (completions !== undefined) completionsText = `${succeeded}/${completions}`;
    else if (parallelism > 1) completionsText = `${succeeded}/1 of ${parallelism}`;
    else completionsText = `${succeeded}/1`;
    const start = timeOf(status.startTime);
    const end = timeOf(status.completionTime);
    let duration = '';
    if (start !== undefined) duration = humanDuration((end ?? now) - start);
    let state = 'Running';
    if (jobCondition(status.conditions, 'Complete')) state = 'Complete';
    else if (jobCondition(status.conditions, 'Failed')) state = 'Failed';
    else if (job.metadata?.deletionTimestamp) state = 'Terminating';
    else if (jobCondition(status.conditions, 'Suspended')) state = 'Suspended';
    else if (jobCondition(status.conditions, 'FailureTarget')) state = 'FailureTarget';
    return {
      cells: [
        nameOf(job),
        state,
        completionsText,
        duration,
        ageOf(job, now),
        ...containerCells(spec.template?.spec?.containers),
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  suspend?: boolean;
  jobTemplate?: { spec?: WorkloadSpec };
}

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn,
    column('Schedule'),
    column('Timezone'),
    column('Suspend', 'boolean'),
    column('Active', 'integer'),
    column('Last Schedule'),
    ageColumn,
    ...wideTemplateColumns,
    selectorColumn,
  ],
  row(cj, now) {
    const spec = specOf<CronJobSpec>(cj);
    const status = statusOf(cj);
    const last = status.lastScheduleTime;
    return {
      cells: [
        nameOf(cj),
        spec.schedule ?? '',
        spec.timeZone ?? '<none>',
        (spec.suspend ?? false) ? 'True' : 'False',
        Array.isArray(status.active) ? status.active.length : 0,
        last ? since(last, now) : '<none>',
        ageOf(cj, now),
        ...containerCells(spec.jobTemplate?.spec?.template?.spec?.containers),
        formatLabelSelector(spec.jobTemplate?.spec?.selector),
      ],
    };
  },
};

interface MetricTarget {
  averageValue?: unknown;
  value?: unknown;
  averageUtilization?: number;
}

interface MetricSpec {
  type?: string;
  resource?: { name?: string; target?: MetricTarget };
  containerResource?: { name?: string; target?: MetricTarget };
  pods?: { target?: MetricTarget };
  object?: { target?: MetricTarget };
  external?: { target?: MetricTarget };
}

type MetricStatus = Partial<
  Record<'resource' | 'containerResource' | 'pods' | 'object' | 'external', { current?: MetricTarget }>
>;

/** One metric of TARGETS: `current/target`, `<unknown>` for a current value not yet measured. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  const sources: Record<string, keyof MetricStatus> = {
    External: 'external',
    Pods: 'pods',
    Object: 'object',
    Resource: 'resource',
    ContainerResource: 'containerResource',
  };
  const source = sources[spec.type ?? ''];
  if (!source) return '<unknown type>';
  const target = spec[source]?.target ?? {};
  const current = status?.[source]?.current;
  const measured = status?.[source] !== undefined;
  if (source === 'pods')
    return `${measured ? quantity(current?.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
  if (source === 'external' || source === 'object') {
    if (target.averageValue !== undefined && target.averageValue !== null)
      return `${current?.averageValue != null ? quantity(current.averageValue) : '<unknown>'}/${quantity(target.averageValue)} (avg)`;
    return `${measured ? quantity(current?.value) : '<unknown>'}/${quantity(target.value)}`;
  }
  const name = (source === 'resource' || source === 'containerResource' ? spec[source]?.name : '') ?? '';
  if (target.averageValue !== undefined && target.averageValue !== null)
    return `${name}: ${measured ? quantity(current?.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
  const now =
    typeof current?.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
  const want = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
  return `${name}: ${now}/${want}`;
}

/** TARGETS: each metric against its status of the same index, two at most then "+ N more...". */
export function formatHpaMetrics(
  specs: MetricSpec[] | undefined,
  statuses: MetricStatus[] | undefined,
): string {
  if (!specs || specs.length === 0) return '<none>';
  const list = specs.map((s, i) => formatMetric(s, statuses?.[i]));
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

interface HpaSpec {
  scaleTargetRef?: { kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: MetricSpec[];
}

export const hpaPrinter: Printer = {
  columns: [
    nameColumn,
    column('Reference'),
    column('Targets'),
    column('MinPods'),
    column('MaxPods'),
    column('Replicas'),
    ageColumn,
  ],
  row(hpa, now) {
    const spec = specOf<HpaSpec>(hpa);
    const status = statusOf(hpa);
    return {
      cells: [
        nameOf(hpa),
        `${spec.scaleTargetRef?.kind ?? ''}/${spec.scaleTargetRef?.name ?? ''}`,
        formatHpaMetrics(spec.metrics, status.currentMetrics as MetricStatus[] | undefined),
        String(spec.minReplicas ?? 1),
        int(spec.maxReplicas),
        int(status.currentReplicas),
        ageOf(hpa, now),
      ],
    };
  },
};

export const pdbPrinter: Printer = {
  columns: [
    nameColumn,
    column('Min Available'),
    column('Max Unavailable'),
    column('Allowed Disruptions', 'integer'),
    ageColumn,
  ],
  row(pdb, now) {
    const spec = specOf<{ minAvailable?: unknown; maxUnavailable?: unknown }>(pdb);
    const set = (v: unknown) => (v === undefined || v === null ? 'N/A' : intOrString(v));
    return {
      cells: [
        nameOf(pdb),
        set(spec.minAvailable),
        set(spec.maxUnavailable),
        int(statusOf(pdb).disruptionsAllowed),
        ageOf(pdb, now),
      ],
    };
  },
};
