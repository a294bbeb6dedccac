/**
 * The object types the lab reads and writes, as plain JSON shapes (what the API server returns, dates as strings).
 * Only the fields the lab uses are typed; everything else is still there at run time.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid?: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identifies a type: `{ apiVersion: 'apps/v1', kind: 'Deployment' }`. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** Identifies one object. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef extends KindRef {
  name: string;
  namespace?: string;
}

export const Kinds = {
  Application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' },
  AppProject: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject' },
  Rollout: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
  AnalysisRun: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' },
  AnalysisTemplate: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate' },
  HorizontalPodAutoscaler: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  Pod: { apiVersion: 'v1', kind: 'Pod' },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap' },
  Secret: { apiVersion: 'v1', kind: 'Secret' },
  Service: { apiVersion: 'v1', kind: 'Service' },
  Namespace: { apiVersion: 'v1', kind: 'Namespace' },
  Event: { apiVersion: 'v1', kind: 'Event' },
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
} as const satisfies Record<string, KindRef>;

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Application extends KubeObject {
  spec?: {
    project?: string;
    source?: { repoURL?: string; path?: string; targetRevision?: string; [k: string]: unknown };
    sources?: Array<{ repoURL?: string; path?: string; targetRevision?: string; [k: string]: unknown }>;
    destination?: { server?: string; namespace?: string; name?: string };
    syncPolicy?: Record<string, unknown>;
    [k: string]: unknown;
  };
  status?: {
    sync?: { status?: 'Synced' | 'OutOfSync' | 'Unknown' | string; revision?: string };
    health?: {
      status?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown' | string;
      message?: string;
    };
    operationState?: { phase?: string; message?: string; finishedAt?: string; startedAt?: string };
    conditions?: Array<{ type: string; message?: string; lastTransitionTime?: string }>;
    reconciledAt?: string;
    resources?: Array<{
      kind?: string;
      name?: string;
      namespace?: string;
      status?: string;
      /** Only when the controller runs with --persist-resource-health (off by default in Argo CD v3). */
      health?: { status?: string };
    }>;
  };
}

export interface Rollout extends KubeObject {
  spec?: {
    replicas?: number;
    strategy?: {
      canary?: { steps?: Array<Record<string, unknown>>; [k: string]: unknown };
      [k: string]: unknown;
    };
    [k: string]: unknown;
  };
  status?: {
    phase?: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded' | string;
    message?: string;
    currentStepIndex?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    stableRS?: string;
    currentPodHash?: string;
    abort?: boolean;
    canary?: {
      weights?: { canary?: { weight?: number }; stable?: { weight?: number } };
      currentStepAnalysisRunStatus?: { name?: string; status?: string };
    };
    conditions?: Condition[];
    [k: string]: unknown;
  };
}

export interface AnalysisRun extends KubeObject {
  status?: {
    phase?: 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive' | string;
    message?: string;
    metricResults?: Array<{
      name: string;
      phase?: string;
      successful?: number;
      failed?: number;
      inconclusive?: number;
      count?: number;
      measurements?: Array<{ value?: string; phase?: string }>;
    }>;
    startedAt?: string;
  };
}

/** An HPA metric's target or current value (autoscaling/v2 MetricTarget, MetricValueStatus). */
export interface MetricValue {
  type?: string;
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}

/** One entry of an HPA's spec.metrics or status.currentMetrics (the source named by `type`). */
export interface HpaMetric {
  type: string;
  resource?: { name: string; target?: MetricValue; current?: MetricValue };
  containerResource?: { name: string; container: string; target?: MetricValue; current?: MetricValue };
  pods?: { metric: { name: string }; target?: MetricValue; current?: MetricValue };
  object?: { metric: { name: string }; target?: MetricValue; current?: MetricValue };
  external?: { metric: { name: string }; target?: MetricValue; current?: MetricValue };
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec?: {
    minReplicas?: number;
    maxReplicas?: number;
    scaleTargetRef?: { apiVersion?: string; kind: string; name: string };
    metrics?: HpaMetric[];
  };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: HpaMetric[];
    conditions?: Condition[];
    lastScaleTime?: string;
  };
}

export interface Deployment extends KubeObject {
  spec?: { replicas?: number; [k: string]: unknown };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: Condition[];
  };
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' | string;
    conditions?: Condition[];
    reason?: string;
    message?: string;
    containerStatuses?: Array<{
      name: string;
      ready?: boolean;
      restartCount?: number;
      state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { reason?: string; exitCode?: number };
      };
    }>;
  };
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface KubeEvent extends KubeObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: 'Normal' | 'Warning' | string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** A JSON patch (RFC 6902) operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
  };
}

/** `Deployment argocd/argocd-server` */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
