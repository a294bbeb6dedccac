/**
 * The defaults a Kubernetes v1.33 API server writes into the built-in objects it stores: the scheme's defaulting,
 * which runs on every object decoded from a create, update or patch (so a field a client leaves out is stored,
 * and shown by `kubectl get -o yaml`, with its default). Functions of pkg/apis/core/v1/defaults.go and
 * pkg/apis/apps/v1/defaults.go, each named where it is applied; read in untagged copies of the v1.2x/v1.3x line:
 *
 * - a PodSpec, in a Pod or in any workload's pod template (SetDefaults_PodSpec): dnsPolicy ClusterFirst,
 *   restartPolicy Always, securityContext {}, terminationGracePeriodSeconds 30, schedulerName default-scheduler;
 *   the deprecated `serviceAccount` mirrors serviceAccountName both ways (the v1 conversion of PodSpec);
 * - each container, init and ephemeral container (SetDefaults_Container): imagePullPolicy Always for an image
 *   tagged `latest` or not tagged at all (a digest is not a tag), else IfNotPresent; terminationMessagePath
 *   /dev/termination-log and terminationMessagePolicy File; its ports' protocol TCP (the API types' declared
 *   default); its probes (SetDefaults_Probe: timeoutSeconds 1, periodSeconds 10, successThreshold 1,
 *   failureThreshold 3) and their httpGet (SetDefaults_HTTPGetAction: path `/`, scheme HTTP); an env var's
 *   fieldRef apiVersion v1 (SetDefaults_ObjectFieldSelector);
 * - each volume (SetDefaults_Volume): emptyDir {} when it names no source; secret, configMap, downwardAPI and
 *   projected sources defaultMode 420 (0644); a projected service account token expirationSeconds 3600
 *   (SetDefaults_ServiceAccountTokenProjection); hostPath type "" (SetDefaults_HostPathVolumeSource);
 * - a Pod only (SetDefaults_Pod, which is not run on templates): each container's and init container's requests
 *   taken from its limits where it sets none; enableServiceLinks true; with hostNetwork, each container port's
 *   hostPort its containerPort;
 * - Deployment (SetDefaults_Deployment): replicas 1, strategy RollingUpdate with maxUnavailable and maxSurge 25%,
 *   revisionHistoryLimit 10, progressDeadlineSeconds 600; ReplicaSet (SetDefaults_ReplicaSet): replicas 1;
 *   StatefulSet (SetDefaults_StatefulSet): podManagementPolicy OrderedReady, updateStrategy RollingUpdate (with a
 *   rollingUpdate of partition 0 when no type was given; a given rollingUpdate gets partition 0),
 *   persistentVolumeClaimRetentionPolicy Retain when deleted and when scaled (StatefulSetAutoDeletePVC, on by
 *   default), replicas 1, revisionHistoryLimit 10; DaemonSet (SetDefaults_DaemonSet): updateStrategy RollingUpdate
 *   with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10;
 * - Secret type Opaque (SetDefaults_Secret); a PersistentVolumeClaim's and PersistentVolume's volumeMode
 *   Filesystem, a PersistentVolume's persistentVolumeReclaimPolicy Retain.
 * Job (pkg/apis/batch/v1/defaults.go SetDefaults_Job): completions and parallelism 1 when neither is set (else
 * parallelism 1), backoffLimit 6 (the int32 maximum with backoffLimitPerIndex), the template's labels as its own when
 * it has none, completionMode NonIndexed, suspend false, a podFailurePolicy condition pattern's status True,
 * podReplacementPolicy TerminatingOrFailed (Failed with a podFailurePolicy), manualSelector false; CronJob
 * (SetDefaults_CronJob): concurrencyPolicy Allow, suspend false, 3 successful and 1 failed jobs kept.
 * ReplicationController (SetDefaults_ReplicationController): selector and labels from its template's labels when
 * it has none, replicas 1. Service defaults are service-ips.ts's, Namespace ones the store's. Not modelled: the resizePolicy of
 * InPlacePodVerticalScaling (whether v1.33 still stores it by default was not settled from the copies read), Job
 * and CronJob defaults, the StatefulSet maxUnavailable of its alpha gate (off).
 */
import { isObject } from './patch.js';
import type { KubeObject } from './store.js';

type Json = Record<string, unknown>;

const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
/** The object at `key` of `parent`, made (and stored) when it is missing. */
const child = (parent: Json, key: string): Json => {
  if (!isObject(parent[key])) parent[key] = {};
  return parent[key] as Json;
};

/**
 * parsers.ParseImageName's tag: the part after the last `:` of the name (not of a registry's host:port), none when
 * the image has a digest and no tag, `latest` when it has neither.
 */
export function imageTag(image: string): string {
  const [name = '', digest] = image.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return digest ? '' : 'latest';
}

function probeDefaults(probe: unknown): void {
  if (!isObject(probe)) return;
  // SetDefaults_Probe: a 0 is unset (the fields are plain int32s).
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  httpGetDefaults(probe.httpGet);
}

function httpGetDefaults(action: unknown): void {
  if (!isObject(action)) return;
  if (!action.path) action.path = '/';
  if (!action.scheme) action.scheme = 'HTTP';
}

function fieldRefDefaults(ref: unknown): void {
  if (isObject(ref) && !ref.apiVersion) ref.apiVersion = 'v1';
}

function containerDefaults(container: Json): void {
  if (!container.imagePullPolicy)
    container.imagePullPolicy =
      imageTag(String(container.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!container.terminationMessagePath) container.terminationMessagePath = '/dev/termination-log';
  if (!container.terminationMessagePolicy) container.terminationMessagePolicy = 'File';
  for (const port of objects(container.ports)) if (!port.protocol) port.protocol = 'TCP';
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) probeDefaults(container[kind]);
  for (const env of objects(container.env))
    if (isObject(env.valueFrom)) fieldRefDefaults(env.valueFrom.fieldRef);
  if (isObject(container.lifecycle))
    for (const hook of [container.lifecycle.postStart, container.lifecycle.preStop])
      if (isObject(hook)) httpGetDefaults(hook.httpGet);
}

const DEFAULT_MODE = 0o644;
const volumeSources = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function volumeDefaults(volume: Json): void {
  if (!volumeSources.some((source) => volume[source] !== undefined && volume[source] !== null))
    volume.emptyDir = {};
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = volume[source];
    if (isObject(s) && s.defaultMode === undefined) s.defaultMode = DEFAULT_MODE;
  }
  if (isObject(volume.hostPath) && volume.hostPath.type === undefined) volume.hostPath.type = '';
  if (isObject(volume.downwardAPI))
    for (const item of objects(volume.downwardAPI.items)) fieldRefDefaults(item.fieldRef);
  if (isObject(volume.projected))
    for (const source of objects(volume.projected.sources)) {
      if (isObject(source.serviceAccountToken) && source.serviceAccountToken.expirationSeconds === undefined)
        source.serviceAccountToken.expirationSeconds = 3600;
      if (isObject(source.downwardAPI))
        for (const item of objects(source.downwardAPI.items)) fieldRefDefaults(item.fieldRef);
    }
}

/** SetDefaults_PodSpec and what it reaches (containers, volumes), for a Pod's spec or a pod template's. */
export function podSpecDefaults(spec: Json): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null)
    spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // pkg/apis/core/v1/conversion.go: the internal PodSpec has one field; v1 writes it to both and reads the
  // deprecated one only when serviceAccountName is empty.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'])
    for (const container of objects(spec[list])) containerDefaults(container);
  for (const volume of objects(spec.volumes)) volumeDefaults(volume);
}

/** SetDefaults_Pod: what only a Pod gets, after its spec's defaults. */
function podDefaults(pod: KubeObject): void {
  const spec = child(pod as Json, 'spec');
  podSpecDefaults(spec);
  for (const container of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const resources = isObject(container.resources) ? container.resources : undefined;
    if (!resources || !isObject(resources.limits)) continue;
    const requests = child(resources, 'requests');
    for (const [name, value] of Object.entries(resources.limits))
      if (requests[name] === undefined) requests[name] = value;
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null)
    spec.enableServiceLinks = true;
  if (spec.hostNetwork === true)
    for (const container of [...objects(spec.containers), ...objects(spec.initContainers)])
      for (const port of objects(container.ports)) if (!port.hostPort) port.hostPort = port.containerPort;
}

function templateDefaults(spec: Json): void {
  if (!isObject(spec.template)) return;
  podSpecDefaults(child(spec.template, 'spec'));
}

const percent25 = '25%';

function deploymentDefaults(spec: Json): void {
  spec.replicas ??= 1;
  const strategy = child(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    rolling.maxUnavailable ??= percent25;
    rolling.maxSurge ??= percent25;
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  templateDefaults(spec);
}

function statefulSetDefaults(spec: Json): void {
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    child(strategy, 'rollingUpdate');
  }
  if (strategy.type === 'RollingUpdate' && isObject(strategy.rollingUpdate))
    strategy.rollingUpdate.partition ??= 0;
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  templateDefaults(spec);
  for (const claim of objects(spec.volumeClaimTemplates)) claimSpecDefaults(child(claim, 'spec'));
}

function daemonSetDefaults(spec: Json): void {
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  templateDefaults(spec);
}

/** SetDefaults_Job (pkg/apis/batch/v1/defaults.go), with JobPodReplacementPolicy (beta, on by default). */
function jobDefaults(job: Json): void {
  const spec = child(job, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex == null ? 6 : 2_147_483_647;
  const template = isObject(spec.template) ? spec.template : undefined;
  const templateLabels = isObject(template?.metadata) ? template.metadata.labels : undefined;
  const meta = child(job, 'metadata');
  if (isObject(templateLabels) && (!isObject(meta.labels) || Object.keys(meta.labels).length === 0))
    meta.labels = { ...templateLabels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const failurePolicy = isObject(spec.podFailurePolicy) ? spec.podFailurePolicy : undefined;
  for (const rule of objects(failurePolicy?.rules))
    for (const pattern of objects(rule.onPodConditions)) if (!pattern.status) pattern.status = 'True';
  spec.podReplacementPolicy ??= failurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  templateDefaults(spec);
}

/** SetDefaults_CronJob, and the pod template of its job template. */
function cronJobDefaults(spec: Json): void {
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  if (isObject(spec.jobTemplate)) templateDefaults(child(spec.jobTemplate, 'spec'));
}

/**
 * The Job strategy's generateSelector (pkg/registry/batch/job/strategy.go PrepareForCreate), unless the Job asks for
 * a manual selector: its template labelled with the job's name and uid, under the legacy and the
 * `batch.kubernetes.io/` keys (a label the client set is kept), and the selector matching
 * `batch.kubernetes.io/controller-uid`. Needs the uid the API server has just given the Job.
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = child(job as Json, 'spec');
  if (spec.manualSelector === true) return;
  const { name = '', uid = '' } = job.metadata ?? {};
  const labels = child(child(child(spec, 'template'), 'metadata'), 'labels');
  for (const key of ['job-name', 'batch.kubernetes.io/job-name']) labels[key] ??= name;
  for (const key of ['controller-uid', 'batch.kubernetes.io/controller-uid']) labels[key] ??= uid;
  const matchLabels = child(child(spec, 'selector'), 'matchLabels');
  matchLabels['batch.kubernetes.io/controller-uid'] ??= uid;
}

function claimSpecDefaults(spec: Json): void {
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
}

/**
 * Writes the API server's defaults into `obj`, a built-in object of `group`/`kind` about to be stored (in place;
 * custom resources and kinds without defaults are left as they are).
 */
export function applyApiDefaults(group: string, kind: string, obj: KubeObject): void {
  const o = obj as Json;
  if (group === '') {
    if (kind === 'Pod') podDefaults(obj);
    else if (kind === 'PodTemplate' && isObject(o.template)) podSpecDefaults(child(o.template, 'spec'));
    else if (kind === 'ReplicationController') {
      // SetDefaults_ReplicationController: the selector and the object's labels from the template's labels.
      const spec = child(o, 'spec');
      const labels =
        isObject(spec.template) && isObject(spec.template.metadata)
          ? spec.template.metadata.labels
          : undefined;
      if (isObject(labels)) {
        if (!isObject(spec.selector) || Object.keys(spec.selector).length === 0)
          spec.selector = { ...labels };
        const meta = child(o, 'metadata');
        if (!isObject(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
      }
      spec.replicas ??= 1;
      templateDefaults(spec);
    } else if (kind === 'Secret') {
      if (!o.type) o.type = 'Opaque';
    } else if (kind === 'PersistentVolumeClaim') claimSpecDefaults(child(o, 'spec'));
    else if (kind === 'PersistentVolume') {
      const spec = child(o, 'spec');
      if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
      if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
    }
    return;
  }
  if (group === 'batch') {
    if (kind === 'Job') jobDefaults(o);
    else if (kind === 'CronJob') cronJobDefaults(child(o, 'spec'));
    return;
  }
  if (group !== 'apps') return;
  const spec = child(o, 'spec');
  if (kind === 'Deployment') deploymentDefaults(spec);
  else if (kind === 'ReplicaSet') {
    spec.replicas ??= 1;
    templateDefaults(spec);
  } else if (kind === 'StatefulSet') statefulSetDefaults(spec);
  else if (kind === 'DaemonSet') daemonSetDefaults(spec);
}
