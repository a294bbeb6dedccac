/**
 * The protobuf field numbers of the Kubernetes objects that kubectl's typed commands (`kubectl create namespace`,
 * `create configmap|secret|deployment|job|cronjob|service|role|...`) send, and how each field maps to JSON.
 * Facts from k8s.io/api v0.33.1 (core/v1, apps/v1, batch/v1, rbac/v1, policy/v1, networking/v1, authentication/v1
 * generated.proto, with types.go for the JSON side) and k8s.io/apimachinery v0.33.1 (pkg/apis/meta/v1, pkg/util/intstr,
 * pkg/api/resource).
 *
 * A field is `[jsonName, type, ...flags]`. Types: a scalar, a message of this table (`core.Container`), `time`
 * (meta/v1 Time: seconds, nanos), `quantity` (resource.Quantity: string), `intOrString` (intstr: type, intVal,
 * strVal), or `map:<value type>` (repeated key/value entries). Flags:
 * - LIST: a repeated field (a JSON array);
 * - KEEP: a scalar written to JSON even when zero: a Go pointer (on the wire only when set) or a field without
 *   `omitempty`. Without it a zero scalar is left out, as Go's JSON encoder does with `omitempty`, since the gogo
 *   marshaller writes every non-pointer field, zero or not (k8s.io/api v0.33.1 core/v1 generated.pb.go, e.g.
 *   Container.MarshalToSizedBuffer writes TerminationMessagePath and Stdin unconditionally);
 * - INLINE: an embedded Go struct (`json:",inline"`) whose fields sit in the parent's JSON object.
 * Pointer fields to messages this table leaves out (affinity, securityContext, lifecycle, most volume sources,
 * status conditions...) are absent: a body that sets one is refused, naming the field (protobuf-body.ts).
 */

export const LIST = 'list';
export const KEEP = 'keep';
export const INLINE = 'inline';
type Flag = typeof LIST | typeof KEEP | typeof INLINE;

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';
export type SpecialType = 'time' | 'quantity' | 'intOrString';
export type ValueType = ScalarType | SpecialType | MessageName;
export type FieldType = ValueType | `map:${ValueType}`;
export type Field = readonly [json: string, type: FieldType, ...flags: Flag[]];
export type MessageName =
  `${'core' | 'apps' | 'batch' | 'rbac' | 'policy' | 'networking' | 'authentication' | 'meta'}.${string}`;

export const messages: Record<MessageName, Record<number, Field>> = {
  // authentication/v1: what `kubectl create token` sends (token-request.ts).
  'authentication.TokenRequest': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'authentication.TokenRequestSpec'],
    3: ['status', 'authentication.TokenRequestStatus'],
  },
  'authentication.TokenRequestSpec': {
    1: ['audiences', 'string', LIST],
    4: ['expirationSeconds', 'int64', KEEP],
    3: ['boundObjectRef', 'authentication.BoundObjectReference'],
  },
  'authentication.TokenRequestStatus': {
    1: ['token', 'string', KEEP],
    2: ['expirationTimestamp', 'time', KEEP],
  },
  'authentication.BoundObjectReference': {
    1: ['kind', 'string'],
    2: ['apiVersion', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
  },
  'apps.Deployment': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'apps.DeploymentSpec'],
    3: ['status', 'apps.DeploymentStatus'],
  },
  'apps.DeploymentSpec': {
    1: ['replicas', 'int32', KEEP],
    2: ['selector', 'meta.LabelSelector', KEEP],
    3: ['template', 'core.PodTemplateSpec', KEEP],
    4: ['strategy', 'apps.DeploymentStrategy'],
    5: ['minReadySeconds', 'int32'],
    6: ['revisionHistoryLimit', 'int32', KEEP],
    7: ['paused', 'bool'],
    9: ['progressDeadlineSeconds', 'int32', KEEP],
  },
  'apps.DeploymentStatus': {
    1: ['observedGeneration', 'int64'],
    2: ['replicas', 'int32'],
    3: ['updatedReplicas', 'int32'],
    7: ['readyReplicas', 'int32'],
    4: ['availableReplicas', 'int32'],
    5: ['unavailableReplicas', 'int32'],
    9: ['terminatingReplicas', 'int32', KEEP],
    8: ['collisionCount', 'int32', KEEP],
  },
  'apps.DeploymentStrategy': {
    1: ['type', 'string'],
    2: ['rollingUpdate', 'apps.RollingUpdateDeployment', KEEP],
  },
  'apps.RollingUpdateDeployment': {
    1: ['maxUnavailable', 'intOrString', KEEP],
    2: ['maxSurge', 'intOrString', KEEP],
  },
  'batch.CronJob': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'batch.CronJobSpec'],
    3: ['status', 'batch.CronJobStatus'],
  },
  'batch.CronJobSpec': {
    1: ['schedule', 'string', KEEP],
    8: ['timeZone', 'string', KEEP],
    2: ['startingDeadlineSeconds', 'int64', KEEP],
    3: ['concurrencyPolicy', 'string'],
    4: ['suspend', 'bool', KEEP],
    5: ['jobTemplate', 'batch.JobTemplateSpec', KEEP],
    6: ['successfulJobsHistoryLimit', 'int32', KEEP],
    7: ['failedJobsHistoryLimit', 'int32', KEEP],
  },
  'batch.CronJobStatus': {
    1: ['active', 'core.ObjectReference', LIST],
    4: ['lastScheduleTime', 'time', KEEP],
    5: ['lastSuccessfulTime', 'time', KEEP],
  },
  'batch.Job': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'batch.JobSpec'],
    3: ['status', 'batch.JobStatus'],
  },
  'batch.JobSpec': {
    1: ['parallelism', 'int32', KEEP],
    2: ['completions', 'int32', KEEP],
    3: ['activeDeadlineSeconds', 'int64', KEEP],
    7: ['backoffLimit', 'int32', KEEP],
    12: ['backoffLimitPerIndex', 'int32', KEEP],
    13: ['maxFailedIndexes', 'int32', KEEP],
    4: ['selector', 'meta.LabelSelector', KEEP],
    5: ['manualSelector', 'bool', KEEP],
    6: ['template', 'core.PodTemplateSpec', KEEP],
    8: ['ttlSecondsAfterFinished', 'int32', KEEP],
    9: ['completionMode', 'string', KEEP],
    10: ['suspend', 'bool', KEEP],
    14: ['podReplacementPolicy', 'string', KEEP],
    15: ['managedBy', 'string', KEEP],
  },
  'batch.JobStatus': {
    2: ['startTime', 'time', KEEP],
    3: ['completionTime', 'time', KEEP],
    4: ['active', 'int32'],
    5: ['succeeded', 'int32'],
    6: ['failed', 'int32'],
    11: ['terminating', 'int32', KEEP],
    7: ['completedIndexes', 'string'],
    10: ['failedIndexes', 'string', KEEP],
    9: ['ready', 'int32', KEEP],
  },
  'batch.JobTemplateSpec': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'batch.JobSpec'],
  },
  'core.ClientIPConfig': {
    1: ['timeoutSeconds', 'int32', KEEP],
  },
  'core.ConfigMap': {
    1: ['metadata', 'meta.ObjectMeta'],
    4: ['immutable', 'bool', KEEP],
    2: ['data', 'map:string'],
    3: ['binaryData', 'map:bytes'],
  },
  'core.ConfigMapEnvSource': {
    1: ['localObjectReference', 'core.LocalObjectReference', INLINE],
    2: ['optional', 'bool', KEEP],
  },
  'core.ConfigMapKeySelector': {
    1: ['localObjectReference', 'core.LocalObjectReference', INLINE],
    2: ['key', 'string', KEEP],
    3: ['optional', 'bool', KEEP],
  },
  'core.ConfigMapVolumeSource': {
    1: ['localObjectReference', 'core.LocalObjectReference', INLINE],
    2: ['items', 'core.KeyToPath', LIST],
    3: ['defaultMode', 'int32', KEEP],
    4: ['optional', 'bool', KEEP],
  },
  'core.Container': {
    1: ['name', 'string', KEEP],
    2: ['image', 'string'],
    3: ['command', 'string', LIST],
    4: ['args', 'string', LIST],
    5: ['workingDir', 'string'],
    6: ['ports', 'core.ContainerPort', LIST],
    19: ['envFrom', 'core.EnvFromSource', LIST],
    7: ['env', 'core.EnvVar', LIST],
    8: ['resources', 'core.ResourceRequirements'],
    24: ['restartPolicy', 'string', KEEP],
    9: ['volumeMounts', 'core.VolumeMount', LIST],
    10: ['livenessProbe', 'core.Probe', KEEP],
    11: ['readinessProbe', 'core.Probe', KEEP],
    22: ['startupProbe', 'core.Probe', KEEP],
    13: ['terminationMessagePath', 'string'],
    20: ['terminationMessagePolicy', 'string'],
    14: ['imagePullPolicy', 'string'],
    16: ['stdin', 'bool'],
    17: ['stdinOnce', 'bool'],
    18: ['tty', 'bool'],
  },
  'core.ContainerPort': {
    1: ['name', 'string'],
    2: ['hostPort', 'int32'],
    3: ['containerPort', 'int32', KEEP],
    4: ['protocol', 'string'],
    5: ['hostIP', 'string'],
  },
  'core.EmptyDirVolumeSource': {
    1: ['medium', 'string'],
    2: ['sizeLimit', 'quantity', KEEP],
  },
  'core.EnvFromSource': {
    1: ['prefix', 'string'],
    2: ['configMapRef', 'core.ConfigMapEnvSource', KEEP],
    3: ['secretRef', 'core.SecretEnvSource', KEEP],
  },
  'core.EnvVar': {
    1: ['name', 'string', KEEP],
    2: ['value', 'string'],
    3: ['valueFrom', 'core.EnvVarSource', KEEP],
  },
  'core.EnvVarSource': {
    1: ['fieldRef', 'core.ObjectFieldSelector', KEEP],
    2: ['resourceFieldRef', 'core.ResourceFieldSelector', KEEP],
    3: ['configMapKeyRef', 'core.ConfigMapKeySelector', KEEP],
    4: ['secretKeyRef', 'core.SecretKeySelector', KEEP],
  },
  'core.ExecAction': {
    1: ['command', 'string', LIST],
  },
  'core.GRPCAction': {
    1: ['port', 'int32', KEEP],
    2: ['service', 'string', KEEP],
  },
  'core.HTTPGetAction': {
    1: ['path', 'string'],
    2: ['port', 'intOrString', KEEP],
    3: ['host', 'string'],
    4: ['scheme', 'string'],
    5: ['httpHeaders', 'core.HTTPHeader', LIST],
  },
  'core.HTTPHeader': {
    1: ['name', 'string', KEEP],
    2: ['value', 'string', KEEP],
  },
  'core.HostPathVolumeSource': {
    1: ['path', 'string', KEEP],
    2: ['type', 'string', KEEP],
  },
  'core.KeyToPath': {
    1: ['key', 'string', KEEP],
    2: ['path', 'string', KEEP],
    3: ['mode', 'int32', KEEP],
  },
  'core.LoadBalancerStatus': {},
  'core.LocalObjectReference': {
    1: ['name', 'string'],
  },
  'core.Namespace': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'core.NamespaceSpec'],
    3: ['status', 'core.NamespaceStatus'],
  },
  'core.NamespaceSpec': {
    1: ['finalizers', 'string', LIST],
  },
  'core.NamespaceStatus': {
    1: ['phase', 'string'],
  },
  'core.ObjectFieldSelector': {
    1: ['apiVersion', 'string'],
    2: ['fieldPath', 'string', KEEP],
  },
  'core.ObjectReference': {
    1: ['kind', 'string'],
    2: ['namespace', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
    5: ['apiVersion', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['fieldPath', 'string'],
  },
  'core.PersistentVolumeClaimVolumeSource': {
    1: ['claimName', 'string', KEEP],
    2: ['readOnly', 'bool'],
  },
  'core.Pod': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'core.PodSpec'],
    3: ['status', 'core.PodStatus'],
  },
  'core.PodSpec': {
    1: ['volumes', 'core.Volume', LIST],
    20: ['initContainers', 'core.Container', LIST],
    2: ['containers', 'core.Container', LIST],
    3: ['restartPolicy', 'string'],
    4: ['terminationGracePeriodSeconds', 'int64', KEEP],
    5: ['activeDeadlineSeconds', 'int64', KEEP],
    6: ['dnsPolicy', 'string'],
    7: ['nodeSelector', 'map:string'],
    8: ['serviceAccountName', 'string'],
    9: ['serviceAccount', 'string'],
    21: ['automountServiceAccountToken', 'bool', KEEP],
    10: ['nodeName', 'string'],
    11: ['hostNetwork', 'bool'],
    12: ['hostPID', 'bool'],
    13: ['hostIPC', 'bool'],
    27: ['shareProcessNamespace', 'bool', KEEP],
    15: ['imagePullSecrets', 'core.LocalObjectReference', LIST],
    16: ['hostname', 'string'],
    17: ['subdomain', 'string'],
    19: ['schedulerName', 'string'],
    22: ['tolerations', 'core.Toleration', LIST],
    24: ['priorityClassName', 'string'],
    25: ['priority', 'int32', KEEP],
    29: ['runtimeClassName', 'string', KEEP],
    30: ['enableServiceLinks', 'bool', KEEP],
    31: ['preemptionPolicy', 'string', KEEP],
    32: ['overhead', 'map:quantity'],
    35: ['setHostnameAsFQDN', 'bool', KEEP],
    37: ['hostUsers', 'bool', KEEP],
    40: ['resources', 'core.ResourceRequirements', KEEP],
  },
  'core.PodStatus': {
    17: ['observedGeneration', 'int64'],
    1: ['phase', 'string'],
    3: ['message', 'string'],
    4: ['reason', 'string'],
    11: ['nominatedNodeName', 'string'],
    5: ['hostIP', 'string'],
    6: ['podIP', 'string'],
    7: ['startTime', 'time', KEEP],
    9: ['qosClass', 'string'],
    14: ['resize', 'string'],
  },
  'core.PodTemplateSpec': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'core.PodSpec'],
  },
  'core.Probe': {
    1: ['handler', 'core.ProbeHandler', INLINE],
    2: ['initialDelaySeconds', 'int32'],
    3: ['timeoutSeconds', 'int32'],
    4: ['periodSeconds', 'int32'],
    5: ['successThreshold', 'int32'],
    6: ['failureThreshold', 'int32'],
    7: ['terminationGracePeriodSeconds', 'int64', KEEP],
  },
  'core.ProbeHandler': {
    1: ['exec', 'core.ExecAction', KEEP],
    2: ['httpGet', 'core.HTTPGetAction', KEEP],
    3: ['tcpSocket', 'core.TCPSocketAction', KEEP],
    4: ['grpc', 'core.GRPCAction', KEEP],
  },
  'core.ResourceFieldSelector': {
    1: ['containerName', 'string'],
    2: ['resource', 'string', KEEP],
    3: ['divisor', 'quantity'],
  },
  'core.ResourceRequirements': {
    1: ['limits', 'map:quantity'],
    2: ['requests', 'map:quantity'],
  },
  'core.Secret': {
    1: ['metadata', 'meta.ObjectMeta'],
    5: ['immutable', 'bool', KEEP],
    2: ['data', 'map:bytes'],
    4: ['stringData', 'map:string'],
    3: ['type', 'string'],
  },
  'core.SecretEnvSource': {
    1: ['localObjectReference', 'core.LocalObjectReference', INLINE],
    2: ['optional', 'bool', KEEP],
  },
  'core.SecretKeySelector': {
    1: ['localObjectReference', 'core.LocalObjectReference', INLINE],
    2: ['key', 'string', KEEP],
    3: ['optional', 'bool', KEEP],
  },
  'core.SecretVolumeSource': {
    1: ['secretName', 'string'],
    2: ['items', 'core.KeyToPath', LIST],
    3: ['defaultMode', 'int32', KEEP],
    4: ['optional', 'bool', KEEP],
  },
  'core.Service': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'core.ServiceSpec'],
    3: ['status', 'core.ServiceStatus'],
  },
  'core.ServiceAccount': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['secrets', 'core.ObjectReference', LIST],
    3: ['imagePullSecrets', 'core.LocalObjectReference', LIST],
    4: ['automountServiceAccountToken', 'bool', KEEP],
  },
  'core.ServicePort': {
    1: ['name', 'string'],
    2: ['protocol', 'string'],
    6: ['appProtocol', 'string', KEEP],
    3: ['port', 'int32', KEEP],
    4: ['targetPort', 'intOrString'],
    5: ['nodePort', 'int32'],
  },
  'core.ServiceSpec': {
    1: ['ports', 'core.ServicePort', LIST],
    2: ['selector', 'map:string'],
    3: ['clusterIP', 'string'],
    18: ['clusterIPs', 'string', LIST],
    4: ['type', 'string'],
    5: ['externalIPs', 'string', LIST],
    7: ['sessionAffinity', 'string'],
    8: ['loadBalancerIP', 'string'],
    9: ['loadBalancerSourceRanges', 'string', LIST],
    10: ['externalName', 'string'],
    11: ['externalTrafficPolicy', 'string'],
    12: ['healthCheckNodePort', 'int32'],
    13: ['publishNotReadyAddresses', 'bool'],
    14: ['sessionAffinityConfig', 'core.SessionAffinityConfig', KEEP],
    19: ['ipFamilies', 'string', LIST],
    17: ['ipFamilyPolicy', 'string', KEEP],
    20: ['allocateLoadBalancerNodePorts', 'bool', KEEP],
    21: ['loadBalancerClass', 'string', KEEP],
    22: ['internalTrafficPolicy', 'string', KEEP],
    23: ['trafficDistribution', 'string', KEEP],
  },
  'core.ServiceStatus': {
    1: ['loadBalancer', 'core.LoadBalancerStatus'],
  },
  'core.SessionAffinityConfig': {
    1: ['clientIP', 'core.ClientIPConfig', KEEP],
  },
  'core.TCPSocketAction': {
    1: ['port', 'intOrString', KEEP],
    2: ['host', 'string'],
  },
  'core.Toleration': {
    1: ['key', 'string'],
    2: ['operator', 'string'],
    3: ['value', 'string'],
    4: ['effect', 'string'],
    5: ['tolerationSeconds', 'int64', KEEP],
  },
  'core.TypedLocalObjectReference': {
    1: ['apiGroup', 'string', KEEP],
    2: ['kind', 'string', KEEP],
    3: ['name', 'string', KEEP],
  },
  'core.Volume': {
    1: ['name', 'string', KEEP],
    2: ['volumeSource', 'core.VolumeSource', INLINE],
  },
  'core.VolumeMount': {
    1: ['name', 'string', KEEP],
    2: ['readOnly', 'bool'],
    7: ['recursiveReadOnly', 'string', KEEP],
    3: ['mountPath', 'string', KEEP],
    4: ['subPath', 'string'],
    5: ['mountPropagation', 'string', KEEP],
    6: ['subPathExpr', 'string'],
  },
  'core.VolumeSource': {
    1: ['hostPath', 'core.HostPathVolumeSource', KEEP],
    2: ['emptyDir', 'core.EmptyDirVolumeSource', KEEP],
    6: ['secret', 'core.SecretVolumeSource', KEEP],
    10: ['persistentVolumeClaim', 'core.PersistentVolumeClaimVolumeSource', KEEP],
    19: ['configMap', 'core.ConfigMapVolumeSource', KEEP],
  },
  'meta.DeleteOptions': {
    1: ['gracePeriodSeconds', 'int64', KEEP],
    2: ['preconditions', 'meta.Preconditions', KEEP],
    3: ['orphanDependents', 'bool', KEEP],
    4: ['propagationPolicy', 'string', KEEP],
    5: ['dryRun', 'string', LIST],
    6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', KEEP],
  },
  'meta.LabelSelector': {
    1: ['matchLabels', 'map:string'],
    2: ['matchExpressions', 'meta.LabelSelectorRequirement', LIST],
  },
  'meta.LabelSelectorRequirement': {
    1: ['key', 'string', KEEP],
    2: ['operator', 'string', KEEP],
    3: ['values', 'string', LIST],
  },
  'meta.ObjectMeta': {
    1: ['name', 'string'],
    2: ['generateName', 'string'],
    3: ['namespace', 'string'],
    4: ['selfLink', 'string'],
    5: ['uid', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['generation', 'int64'],
    8: ['creationTimestamp', 'time'],
    9: ['deletionTimestamp', 'time', KEEP],
    10: ['deletionGracePeriodSeconds', 'int64', KEEP],
    11: ['labels', 'map:string'],
    12: ['annotations', 'map:string'],
    13: ['ownerReferences', 'meta.OwnerReference', LIST],
    14: ['finalizers', 'string', LIST],
  },
  'meta.OwnerReference': {
    5: ['apiVersion', 'string', KEEP],
    1: ['kind', 'string', KEEP],
    3: ['name', 'string', KEEP],
    4: ['uid', 'string', KEEP],
    6: ['controller', 'bool', KEEP],
    7: ['blockOwnerDeletion', 'bool', KEEP],
  },
  'meta.Preconditions': {
    1: ['uid', 'string', KEEP],
    2: ['resourceVersion', 'string', KEEP],
  },
  'networking.HTTPIngressPath': {
    1: ['path', 'string'],
    3: ['pathType', 'string', KEEP],
    2: ['backend', 'networking.IngressBackend', KEEP],
  },
  'networking.HTTPIngressRuleValue': {
    1: ['paths', 'networking.HTTPIngressPath', LIST],
  },
  'networking.Ingress': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'networking.IngressSpec'],
    3: ['status', 'networking.IngressStatus'],
  },
  'networking.IngressBackend': {
    4: ['service', 'networking.IngressServiceBackend', KEEP],
    3: ['resource', 'core.TypedLocalObjectReference', KEEP],
  },
  'networking.IngressLoadBalancerStatus': {},
  'networking.IngressRule': {
    1: ['host', 'string'],
    2: ['ingressRuleValue', 'networking.IngressRuleValue', INLINE],
  },
  'networking.IngressRuleValue': {
    1: ['http', 'networking.HTTPIngressRuleValue', KEEP],
  },
  'networking.IngressServiceBackend': {
    1: ['name', 'string', KEEP],
    2: ['port', 'networking.ServiceBackendPort'],
  },
  'networking.IngressSpec': {
    4: ['ingressClassName', 'string', KEEP],
    1: ['defaultBackend', 'networking.IngressBackend', KEEP],
    2: ['tls', 'networking.IngressTLS', LIST],
    3: ['rules', 'networking.IngressRule', LIST],
  },
  'networking.IngressStatus': {
    1: ['loadBalancer', 'networking.IngressLoadBalancerStatus'],
  },
  'networking.IngressTLS': {
    1: ['hosts', 'string', LIST],
    2: ['secretName', 'string'],
  },
  'networking.ServiceBackendPort': {
    1: ['name', 'string'],
    2: ['number', 'int32'],
  },
  'policy.PodDisruptionBudget': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['spec', 'policy.PodDisruptionBudgetSpec'],
    3: ['status', 'policy.PodDisruptionBudgetStatus'],
  },
  'policy.PodDisruptionBudgetSpec': {
    1: ['minAvailable', 'intOrString', KEEP],
    2: ['selector', 'meta.LabelSelector', KEEP],
    3: ['maxUnavailable', 'intOrString', KEEP],
    4: ['unhealthyPodEvictionPolicy', 'string', KEEP],
  },
  'policy.PodDisruptionBudgetStatus': {
    1: ['observedGeneration', 'int64'],
    2: ['disruptedPods', 'map:time'],
    3: ['disruptionsAllowed', 'int32', KEEP],
    4: ['currentHealthy', 'int32', KEEP],
    5: ['desiredHealthy', 'int32', KEEP],
    6: ['expectedPods', 'int32', KEEP],
  },
  'rbac.AggregationRule': {
    1: ['clusterRoleSelectors', 'meta.LabelSelector', LIST],
  },
  'rbac.ClusterRole': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['rules', 'rbac.PolicyRule', LIST],
    3: ['aggregationRule', 'rbac.AggregationRule', KEEP],
  },
  'rbac.ClusterRoleBinding': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['subjects', 'rbac.Subject', LIST],
    3: ['roleRef', 'rbac.RoleRef', KEEP],
  },
  'rbac.PolicyRule': {
    1: ['verbs', 'string', LIST],
    2: ['apiGroups', 'string', LIST],
    3: ['resources', 'string', LIST],
    4: ['resourceNames', 'string', LIST],
    5: ['nonResourceURLs', 'string', LIST],
  },
  'rbac.Role': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['rules', 'rbac.PolicyRule', LIST],
  },
  'rbac.RoleBinding': {
    1: ['metadata', 'meta.ObjectMeta'],
    2: ['subjects', 'rbac.Subject', LIST],
    3: ['roleRef', 'rbac.RoleRef', KEEP],
  },
  'rbac.RoleRef': {
    1: ['apiGroup', 'string', KEEP],
    2: ['kind', 'string', KEEP],
    3: ['name', 'string', KEEP],
  },
  'rbac.Subject': {
    1: ['kind', 'string', KEEP],
    2: ['apiGroup', 'string'],
    3: ['name', 'string', KEEP],
    4: ['namespace', 'string'],
  },
};

/** The message of each kind a protobuf body may carry, by apiVersion and kind (runtime.Unknown's typeMeta). */
export const kindMessages: Record<string, MessageName> = {
  'v1/Namespace': 'core.Namespace',
  'v1/ConfigMap': 'core.ConfigMap',
  'v1/Secret': 'core.Secret',
  'v1/ServiceAccount': 'core.ServiceAccount',
  'authentication.k8s.io/v1/TokenRequest': 'authentication.TokenRequest',
  'v1/Service': 'core.Service',
  'v1/Pod': 'core.Pod',
  'apps/v1/Deployment': 'apps.Deployment',
  'batch/v1/Job': 'batch.Job',
  'batch/v1/CronJob': 'batch.CronJob',
  'rbac.authorization.k8s.io/v1/Role': 'rbac.Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac.ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac.ClusterRoleBinding',
  'policy/v1/PodDisruptionBudget': 'policy.PodDisruptionBudget',
  'networking.k8s.io/v1/Ingress': 'networking.Ingress',
  'meta.k8s.io/v1/DeleteOptions': 'meta.DeleteOptions',
  'v1/DeleteOptions': 'meta.DeleteOptions',
};

const packages: Record<string, string> = {
  core: 'io.k8s.api.core.v1',
  apps: 'io.k8s.api.apps.v1',
  batch: 'io.k8s.api.batch.v1',
  rbac: 'io.k8s.api.rbac.v1',
  policy: 'io.k8s.api.policy.v1',
  networking: 'io.k8s.api.networking.v1',
  authentication: 'io.k8s.api.authentication.v1',
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1',
};

/** The OpenAPI name of a message (`io.k8s.api.core.v1.Container`), for error messages. */
export function qualifiedName(message: MessageName): string {
  const [pkg, name] = message.split('.') as [string, string];
  return `${packages[pkg]}.${name}`;
}
