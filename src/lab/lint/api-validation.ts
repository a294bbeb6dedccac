/**
 * What the API server rejects that the OpenAPI schema does not say: name formats, label syntax, port
 * ranges and names, quantities and the enumerated values of core fields. Modelled on Kubernetes v1.33
 * (kind's node image):
 * - k8s.io/apimachinery/pkg/util/validation/validation.go: IsDNS1123Label, IsDNS1123Subdomain,
 *   IsDNS1035Label, IsQualifiedName, IsValidLabelValue, IsValidPortNum, IsValidPortName (IANA_SVC_NAME);
 * - k8s.io/apimachinery/pkg/api/validation/path/name.go: IsValidPathSegmentName (RBAC names);
 * - k8s.io/apimachinery/pkg/api/resource/quantity.go: ParseQuantity's grammar;
 * - pkg/apis/core/validation/validation.go: ValidateServiceName (DNS-1035), ValidateNamespaceName
 *   (DNS-1123 label), validateContainers (container names are DNS-1123 labels), validateContainerPorts,
 *   validatePullPolicy, validateRestartPolicy, validateDNSPolicy, ValidateService (type, ports, protocol,
 *   sessionAffinity, externalTrafficPolicy), ValidateResourceRequirements;
 * - pkg/apis/core/types.go for the enumerated values (PullPolicy, RestartPolicy, DNSPolicy, Protocol,
 *   ServiceType, ServiceAffinity, ServiceExternalTrafficPolicy).
 */
import { asArray, asRecord } from './context.js';
import { containersOf, podSpecsOf } from './pod-specs.js';
import type { SchemaProblem } from './schemas.js';
import type { Resource } from './types.js';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** resource.ParseQuantity: sign, digits, optional fraction, then a binary or decimal suffix or an exponent. */
const quantity = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

export function isDns1123Label(v: string): boolean {
  return v.length <= 63 && dns1123Label.test(v);
}
export function isDns1123Subdomain(v: string): boolean {
  return v.length <= 253 && dns1123Subdomain.test(v);
}
export function isDns1035Label(v: string): boolean {
  return v.length <= 63 && dns1035Label.test(v);
}
/** IsQualifiedName: an optional DNS-subdomain prefix and '/', then a name part of at most 63 characters. */
export function isQualifiedName(v: string): boolean {
  const parts = v.split('/');
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix === '' || !isDns1123Subdomain(prefix))) return false;
  return name !== undefined && name.length > 0 && name.length <= 63 && qualifiedNamePart.test(name);
}
export function isLabelValue(v: string): boolean {
  return v.length <= 63 && labelValue.test(v);
}
/** IsValidPortName (IANA_SVC_NAME): at most 15 lower-case letters, digits and '-', a letter among them. */
export function isPortName(v: string): boolean {
  return (
    v.length >= 1 &&
    v.length <= 15 &&
    /^[-a-z0-9]+$/.test(v) &&
    /[a-z]/.test(v) &&
    !v.startsWith('-') &&
    !v.endsWith('-') &&
    !v.includes('--')
  );
}
export function isPortNumber(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}
export function isQuantity(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && quantity.test(v));
}

const enums: Record<string, string[]> = {
  imagePullPolicy: ['Always', 'Never', 'IfNotPresent'],
  restartPolicy: ['Always', 'OnFailure', 'Never'],
  dnsPolicy: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
  protocol: ['TCP', 'UDP', 'SCTP'],
  serviceType: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
  sessionAffinity: ['None', 'ClientIP'],
  externalTrafficPolicy: ['Cluster', 'Local'],
  internalTrafficPolicy: ['Cluster', 'Local'],
};

/** Kinds whose names the API server checks with another rule than DNS-1123 subdomain. */
const rbacKinds = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

export function apiProblems(r: Resource): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (path: Array<string | number>, message: string, fix: string) =>
    problems.push({ path, message, fix });
  const builtIn =
    !r.apiVersion.includes('/') ||
    r.apiVersion.includes('.k8s.io/') ||
    /^(apps|batch|autoscaling|policy)\//.test(r.apiVersion);
  const metadata = asRecord(r.object.metadata) ?? {};

  // Names.
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    const name = metadata.name;
    if (r.kind === 'Service' && builtIn) {
      if (!isDns1035Label(name))
        add(
          ['metadata', 'name'],
          `Service name "${name}" is not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63)`,
          'Rename it, e.g. to lower case with dashes.',
        );
    } else if (r.kind === 'Namespace' && builtIn) {
      if (!isDns1123Label(name))
        add(
          ['metadata', 'name'],
          `Namespace name "${name}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63)`,
          'Rename it, e.g. to lower case with dashes.',
        );
    } else if (rbacKinds.has(r.kind) && builtIn) {
      if (name === '.' || name === '..' || /[/%]/.test(name))
        add(
          ['metadata', 'name'],
          `${r.kind} name "${name}" may not be "." or ".." or hold "/" or "%"`,
          'Rename it.',
        );
    } else if (!isDns1123Subdomain(name)) {
      add(
        ['metadata', 'name'],
        `name "${name}" is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253)`,
        'Rename it, e.g. to lower case with dashes.',
      );
    }
  }
  if (typeof metadata.namespace === 'string' && !isDns1123Label(metadata.namespace)) {
    add(
      ['metadata', 'namespace'],
      `namespace "${metadata.namespace}" is not a DNS-1123 label`,
      'Use a lower-case namespace name with dashes.',
    );
  }
  checkLabels(asRecord(metadata.labels), ['metadata', 'labels'], add);
  checkAnnotationKeys(asRecord(metadata.annotations), ['metadata', 'annotations'], add);

  // Pods.
  for (const pod of podSpecsOf(r)) {
    if (pod.path.length > 1) {
      const template = asRecord(asRecord(getIn(r.object, pod.path.slice(0, -1)))?.metadata);
      checkLabels(asRecord(template?.labels), [...pod.path.slice(0, -1), 'metadata', 'labels'], add);
    }
    checkEnum(pod.spec.restartPolicy, 'restartPolicy', [...pod.path, 'restartPolicy'], add);
    checkEnum(pod.spec.dnsPolicy, 'dnsPolicy', [...pod.path, 'dnsPolicy'], add);
    for (const { path, container } of containersOf(pod)) {
      if (typeof container.name === 'string' && !isDns1123Label(container.name))
        add(
          [...path, 'name'],
          `container name "${container.name}" is not a DNS-1123 label`,
          'Use lower-case letters, digits and dashes.',
        );
      checkEnum(container.imagePullPolicy, 'imagePullPolicy', [...path, 'imagePullPolicy'], add);
      const names = new Set<string>();
      asArray(container.ports).forEach((p, i) => {
        const port = asRecord(p);
        if (!port) return;
        const at = [...path, 'ports', i];
        if (port.containerPort !== undefined && !isPortNumber(port.containerPort))
          add(
            [...at, 'containerPort'],
            `containerPort ${JSON.stringify(port.containerPort)} is not a port number (1-65535)`,
            'Use a port between 1 and 65535.',
          );
        if (port.hostPort !== undefined && port.hostPort !== 0 && !isPortNumber(port.hostPort))
          add(
            [...at, 'hostPort'],
            `hostPort ${JSON.stringify(port.hostPort)} is not a port number (1-65535)`,
            'Use a port between 1 and 65535, or leave hostPort out.',
          );
        if (typeof port.name === 'string') {
          if (!isPortName(port.name))
            add(
              [...at, 'name'],
              `port name "${port.name}" is not an IANA service name (at most 15 lower-case letters, digits and '-', a letter among them)`,
              'Shorten or lower-case the name, e.g. http or metrics.',
            );
          else if (names.has(port.name))
            add(
              [...at, 'name'],
              `port name "${port.name}" is used twice in container ${String(container.name)}`,
              'Give each port its own name.',
            );
          names.add(port.name);
        }
        checkEnum(port.protocol, 'protocol', [...at, 'protocol'], add);
      });
      const resources = asRecord(container.resources);
      for (const field of ['requests', 'limits'] as const) {
        checkQuantities(asRecord(resources?.[field]), [...path, 'resources', field], add);
      }
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        const p = asRecord(container[probe]);
        for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
          const port = asRecord(p?.[handler])?.port;
          if (port !== undefined)
            checkIntOrPortName(port, [...path, probe, handler, 'port'], add, handler === 'grpc');
        }
      }
    }
  }

  if (!builtIn) return problems;
  // Services.
  if (r.kind === 'Service') {
    const spec = asRecord(r.object.spec) ?? {};
    checkEnum(spec.type, 'serviceType', ['spec', 'type'], add);
    checkEnum(spec.sessionAffinity, 'sessionAffinity', ['spec', 'sessionAffinity'], add);
    checkEnum(spec.externalTrafficPolicy, 'externalTrafficPolicy', ['spec', 'externalTrafficPolicy'], add);
    checkEnum(spec.internalTrafficPolicy, 'internalTrafficPolicy', ['spec', 'internalTrafficPolicy'], add);
    const ports = asArray(spec.ports);
    ports.forEach((p, i) => {
      const port = asRecord(p);
      if (!port) return;
      const at = ['spec', 'ports', i];
      if (port.port !== undefined && !isPortNumber(port.port))
        add(
          [...at, 'port'],
          `Service port ${JSON.stringify(port.port)} is not a port number (1-65535)`,
          'Use a port between 1 and 65535.',
        );
      if (port.nodePort !== undefined && port.nodePort !== 0 && !isPortNumber(port.nodePort))
        add(
          [...at, 'nodePort'],
          `nodePort ${JSON.stringify(port.nodePort)} is not a port number`,
          'Use a port in the node port range (30000-32767 by default).',
        );
      if (port.targetPort !== undefined)
        checkIntOrPortName(port.targetPort, [...at, 'targetPort'], add, false);
      if (typeof port.name === 'string' && port.name !== '' && !isDns1123Label(port.name))
        add(
          [...at, 'name'],
          `Service port name "${port.name}" is not a DNS-1123 label`,
          'Use lower-case letters, digits and dashes.',
        );
      if (ports.length > 1 && (typeof port.name !== 'string' || port.name === ''))
        add(
          at,
          `Service port ${i + 1} has no name, but a Service with several ports must name each one`,
          'Name every port (e.g. http, metrics).',
        );
      checkEnum(port.protocol, 'protocol', [...at, 'protocol'], add);
    });
  }
  // Quantities outside containers.
  if (r.kind === 'PersistentVolumeClaim') {
    const resources = asRecord(asRecord(r.object.spec)?.resources);
    for (const field of ['requests', 'limits'] as const)
      checkQuantities(asRecord(resources?.[field]), ['spec', 'resources', field], add);
  }
  if (r.kind === 'ResourceQuota')
    checkQuantities(asRecord(asRecord(r.object.spec)?.hard), ['spec', 'hard'], add);
  if (r.kind === 'LimitRange') {
    asArray(asRecord(r.object.spec)?.limits).forEach((l, i) => {
      for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const)
        checkQuantities(asRecord(asRecord(l)?.[field]), ['spec', 'limits', i, field], add);
    });
  }
  return problems;
}

function getIn(value: unknown, path: Array<string | number>): unknown {
  let node = value;
  for (const key of path) node = typeof key === 'number' ? asArray(node)[key] : asRecord(node)?.[key];
  return node;
}

type Add = (path: Array<string | number>, message: string, fix: string) => void;

function checkEnum(value: unknown, field: keyof typeof enums, path: Array<string | number>, add: Add): void {
  const allowed = enums[field] as string[];
  if (typeof value === 'string' && !allowed.includes(value))
    add(
      path,
      `${String(path.at(-1))} "${value}" is not one of ${allowed.join(', ')}`,
      `Use one of: ${allowed.join(', ')}.`,
    );
}

function checkLabels(
  labels: Record<string, unknown> | undefined,
  path: Array<string | number>,
  add: Add,
): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(key))
      add(
        [...path, key],
        `label key "${key}" is not a qualified name (optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')`,
        'Rename the label key.',
      );
    if (typeof value === 'string' && !isLabelValue(value))
      add(
        [...path, key],
        `label value "${value}" of ${key} is not a valid label value (at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends)`,
        'Shorten the value or move it to an annotation.',
      );
  }
}

function checkAnnotationKeys(
  annotations: Record<string, unknown> | undefined,
  path: Array<string | number>,
  add: Add,
): void {
  for (const key of Object.keys(annotations ?? {})) {
    if (!isQualifiedName(key))
      add(
        [...path, key],
        `annotation key "${key}" is not a qualified name`,
        'Rename the annotation key (e.g. example.com/my-key).',
      );
  }
}

function checkQuantities(
  map: Record<string, unknown> | undefined,
  path: Array<string | number>,
  add: Add,
): void {
  for (const [key, value] of Object.entries(map ?? {})) {
    if (!isQuantity(value))
      add(
        [...path, key],
        `${key} ${JSON.stringify(value)} is not a quantity (e.g. 250m, 0.5, 128Mi, 1Gi)`,
        'Write a number with an optional suffix: m, k, M, G or Ki, Mi, Gi.',
      );
  }
}

function checkIntOrPortName(
  value: unknown,
  path: Array<string | number>,
  add: Add,
  numberOnly: boolean,
): void {
  if (typeof value === 'number') {
    if (!isPortNumber(value))
      add(path, `port ${value} is not a port number (1-65535)`, 'Use a port between 1 and 65535.');
  } else if (typeof value === 'string' && !numberOnly) {
    if (!isPortName(value))
      add(
        path,
        `port "${value}" is neither a number nor an IANA port name`,
        'Use the port number or the name of a container port.',
      );
  }
}
