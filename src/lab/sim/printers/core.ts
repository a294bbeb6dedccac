/**
 * Core and networking kinds as a Kubernetes v1.33 API server prints them: pkg/printers/internalversion/printers.go
 * printService (getServiceExternalIP, makePortString), printConfigMap, printSecret, printNamespace, printNode
 * (findNodeRoles), printEvent (formatEventSource), printEndpoints (formatEndpoints), printServiceAccount,
 * printIngress, printNetworkPolicy, printPersistentVolumeClaim (helper GetAccessModesAsString,
 * GetPersistentVolumeClaimClass). Fields the API server defaults on create (a Service's type ClusterIP, a port's
 * protocol TCP, a Secret's type Opaque, a Namespace's phase Active, a claim's phase Pending and volumeMode Filesystem) read as defaulted when the sim's object lacks them.
 */
import { formatLabelSelector, type LabelSelector } from '../selectors.js';
import { isDefaultStorageClass } from '../storage-classes.js';
import type { KubeObject } from '../store.js';
import { since } from './duration.js';
import { ageOf, formatLabels, int, nameOf, quantity, specOf, statusOf, withMore } from './format.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

const count = (value: unknown) => (value && typeof value === 'object' ? Object.keys(value).length : 0);

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  externalName?: string;
  selector?: Record<string, string>;
  ports?: Array<{ port?: number; nodePort?: number; protocol?: string }>;
}

interface LoadBalancerStatus {
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> };
}

/** The load balancer's addresses, sorted and unique (loadBalancerStatusStringer; the server prints wide: no clipping). */
function loadBalancerAddresses(status: LoadBalancerStatus): string[] {
  const set = new Set<string>();
  for (const i of status.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort();
}

function externalIP(spec: ServiceSpec, status: LoadBalancerStatus): string {
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...loadBalancerAddresses(status), ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    column('Type'),
    column('Cluster-IP'),
    column('External-IP'),
    column('Port(s)'),
    ageColumn,
    column('Selector', 'string', true),
  ],
  row(svc, now) {
    const spec = specOf<ServiceSpec>(svc);
    const ports = (spec.ports ?? [])
      .map((p) => {
        const protocol = p.protocol ?? 'TCP';
        return p.nodePort ? `${int(p.port)}:${p.nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
      })
      .join(',');
    return {
      cells: [
        nameOf(svc),
        spec.type ?? 'ClusterIP',
        spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
        externalIP(spec, statusOf<LoadBalancerStatus>(svc)),
        ports || '<none>',
        ageOf(svc, now),
        formatLabels(spec.selector),
      ],
    };
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn, column('Data', 'string'), ageColumn],
  row: (cm, now) => ({ cells: [nameOf(cm), count(cm.data) + count(cm.binaryData), ageOf(cm, now)] }),
};

export const secretPrinter: Printer = {
  columns: [nameColumn, column('Type'), column('Data'), ageColumn],
  row: (s, now) => ({
    cells: [nameOf(s), typeof s.type === 'string' ? s.type : 'Opaque', count(s.data), ageOf(s, now)],
  }),
};

export const namespacePrinter: Printer = {
  columns: [nameColumn, column('Status'), ageColumn],
  row: (ns, now) => ({
    cells: [nameOf(ns), statusOf<{ phase?: string }>(ns).phase ?? 'Active', ageOf(ns, now)],
  }),
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, column('Secrets'), ageColumn],
  row: (sa, now) => ({
    cells: [nameOf(sa), Array.isArray(sa.secrets) ? sa.secrets.length : 0, ageOf(sa, now)],
  }),
};

interface NodeStatus {
  conditions?: Array<{ type?: string; status?: string }>;
  addresses?: Array<{ type?: string; address?: string }>;
  nodeInfo?: {
    kubeletVersion?: string;
    osImage?: string;
    kernelVersion?: string;
    containerRuntimeVersion?: string;
  };
}

/** ROLES: `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label's value, sorted (findNodeRoles). */
function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn,
    column('Status'),
    column('Roles'),
    ageColumn,
    column('Version'),
    column('Internal-IP', 'string', true),
    column('External-IP', 'string', true),
    column('OS-Image', 'string', true),
    column('Kernel-Version', 'string', true),
    column('Container-Runtime', 'string', true),
  ],
  row(node, now) {
    const status = statusOf<NodeStatus>(node);
    // Only the Ready condition counts (the last of that type, as a map keyed by type keeps it).
    const ready = (status.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
    const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (specOf<{ unschedulable?: boolean }>(node).unschedulable) states.push('SchedulingDisabled');
    const address = (type: string) => status.addresses?.find((a) => a.type === type)?.address ?? '<none>';
    const info = status.nodeInfo ?? {};
    return {
      cells: [
        nameOf(node),
        states.join(','),
        nodeRoles(node.metadata?.labels),
        ageOf(node, now),
        info.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};

interface EventFields {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen'),
    column('Type'),
    column('Reason'),
    column('Object'),
    column('Subobject', 'string', true),
    column('Source', 'string', true),
    column('Message'),
    column('First Seen', 'string', true),
    column('Count', 'string', true),
    { ...nameColumn, priority: 1 },
  ],
  row(obj, now) {
    const e = obj as EventFields;
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let times = int(e.count);
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      times = int(e.series.count);
    } else if (times === 0) times = 1;
    const kind = (e.involvedObject?.kind ?? '').toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    const component = e.source?.component || e.reportingComponent || '';
    const instance = e.source?.host || e.reportingInstance || '';
    return {
      cells: [
        last,
        e.type ?? '',
        e.reason ?? '',
        target,
        e.involvedObject?.fieldPath ?? '',
        instance ? `${component}, ${instance}` : component,
        (e.message ?? '').trim(),
        first,
        times,
        nameOf(obj),
      ],
    };
  },
};

interface Subset {
  addresses?: Array<{ ip?: string }>;
  ports?: Array<{ port?: number }>;
}

/** ENDPOINTS: `ip:port` of every address and port, three at most then "+ N more..." (formatEndpoints). */
export function formatEndpoints(subsets: Subset[] | undefined): string {
  if (!subsets || subsets.length === 0) return '<none>';
  const list: string[] = [];
  let total = 0;
  for (const ss of subsets) {
    const addresses = (ss.addresses ?? []).map((a) => a.ip ?? '');
    // A headless service may have no ports: its addresses alone.
    const ports = ss.ports && ss.ports.length > 0 ? ss.ports : [undefined];
    for (const port of ports) {
      total += addresses.length;
      for (const ip of addresses) {
        if (port === undefined) list.push(ip);
        else list.push(ip.includes(':') ? `[${ip}]:${int(port.port)}` : `${ip}:${int(port.port)}`);
      }
    }
  }
  return withMore(list, total, 3);
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn, column('Endpoints'), ageColumn],
  row: (ep, now) => ({
    cells: [nameOf(ep), formatEndpoints(ep.subsets as Subset[] | undefined), ageOf(ep, now)],
  }),
};

/** listWithMoreString: three at most then "+ N more...", `<unset>` for none. */
const listOrUnset = (list: string[]) => (list.length === 0 ? '<unset>' : withMore(list, list.length, 3));

interface SliceFields {
  addressType?: string;
  ports?: Array<{ name?: string; port?: number }> | null;
  endpoints?: Array<{ addresses?: string[] }> | null;
}

/** ADDRESSTYPE, PORTS (each port's number, or its name without one, `*` with neither), ENDPOINTS (the addresses). */
export const endpointSlicePrinter: Printer = {
  columns: [nameColumn, column('AddressType'), column('Ports'), column('Endpoints'), ageColumn],
  row(obj, now) {
    const { addressType = '', ports, endpoints } = obj as SliceFields;
    const portList = (ports ?? []).map((p) =>
      typeof p.port === 'number' ? String(p.port) : p.name !== undefined ? p.name : '*',
    );
    const addresses = (endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return {
      cells: [nameOf(obj), addressType, listOrUnset(portList), listOrUnset(addresses), ageOf(obj, now)],
    };
  },
};

interface IngressFields {
  spec?: { ingressClassName?: string; rules?: Array<{ host?: string }>; tls?: unknown[] };
  status?: LoadBalancerStatus;
}

export const ingressPrinter: Printer = {
  columns: [nameColumn, column('Class'), column('Hosts'), column('Address'), column('Ports'), ageColumn],
  row(obj, now) {
    const { spec = {}, status = {} } = obj as IngressFields;
    const rules = spec.rules ?? [];
    // formatHosts: the rules' hosts (a rule without one adds none) up to three, then "+ N more..." of all rules.
    const hosts: string[] = [];
    let more = false;
    for (const rule of rules) {
      if (hosts.length === 3) more = true;
      if (!more && rule.host) hosts.push(rule.host);
    }
    let hostText = hosts.join(',') || '*';
    if (more) hostText = `${hostText} + ${rules.length - 3} more...`;
    return {
      cells: [
        nameOf(obj),
        spec.ingressClassName ?? '<none>',
        hostText,
        loadBalancerAddresses(status).join(','),
        (spec.tls ?? []).length > 0 ? '80, 443' : '80',
        ageOf(obj, now),
      ],
    };
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn, column('Pod-Selector'), ageColumn],
  row: (np, now) => ({
    cells: [
      nameOf(np),
      formatLabelSelector(specOf<{ podSelector?: LabelSelector }>(np).podSelector),
      ageOf(np, now),
    ],
  }),
};

interface ClaimFields {
  metadata?: KubeObject['metadata'];
  spec?: {
    volumeName?: string;
    storageClassName?: string;
    volumeAttributesClassName?: string;
    volumeMode?: string;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: { storage?: unknown } };
}

/** ACCESS MODES: RWO, ROX, RWX, RWOP in that order, each once (GetAccessModesAsString). */
function accessModes(modes: string[] | undefined): string {
  const short: Array<[string, string]> = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([mode]) => (modes ?? []).includes(mode))
    .map(([, text]) => text)
    .join(',');
}

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status'),
    column('Volume'),
    column('Capacity'),
    column('Access Modes'),
    column('StorageClass'),
    column('VolumeAttributesClass'),
    ageColumn,
    column('VolumeMode', 'string', true),
  ],
  row(obj, now) {
    const { metadata, spec = {}, status = {} } = obj as ClaimFields;
    const bound = Boolean(spec.volumeName);
    // The beta annotation wins over spec.storageClassName (GetPersistentVolumeClaimClass).
    const storageClass =
      metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? '';
    return {
      cells: [
        nameOf(obj),
        metadata?.deletionTimestamp ? 'Terminating' : (status.phase ?? 'Pending'),
        spec.volumeName ?? '',
        // A bound claim without a capacity reads Go's zero Quantity.
        bound ? (status.capacity?.storage == null ? '0' : quantity(status.capacity.storage)) : '',
        bound ? accessModes(status.accessModes) : '',
        storageClass,
        spec.volumeAttributesClassName ?? '<unset>',
        ageOf(obj, now),
        spec.volumeMode ?? 'Filesystem',
      ],
    };
  },
};

interface VolumeFields {
  metadata?: KubeObject['metadata'];
  spec?: {
    capacity?: { storage?: unknown };
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string };
    storageClassName?: string;
    volumeAttributesClassName?: string;
    volumeMode?: string;
  };
  status?: { phase?: string; reason?: string };
}

/**
 * printPersistentVolume: CAPACITY, ACCESS MODES, RECLAIM POLICY, STATUS (Terminating while being deleted), CLAIM as
 * `<namespace>/<name>`, STORAGECLASS (the beta annotation winning, GetPersistentVolumeClass), VOLUMEATTRIBUTESCLASS
 * (`<unset>`), REASON, AGE and, wide, VOLUMEMODE (`<unset>` when the spec names none).
 */
export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn,
    column('Capacity'),
    column('Access Modes'),
    column('Reclaim Policy'),
    column('Status'),
    column('Claim'),
    column('StorageClass'),
    column('VolumeAttributesClass'),
    column('Reason'),
    ageColumn,
    column('VolumeMode', 'string', true),
  ],
  row(obj, now) {
    const { metadata, spec = {}, status = {} } = obj as VolumeFields;
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    return {
      cells: [
        nameOf(obj),
        spec.capacity?.storage == null ? '0' : quantity(spec.capacity.storage),
        accessModes(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? '',
        metadata?.deletionTimestamp ? 'Terminating' : (status.phase ?? ''),
        claim,
        metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? '',
        spec.volumeAttributesClassName ?? '<unset>',
        status.reason ?? '',
        ageOf(obj, now),
        spec.volumeMode ?? '<unset>',
      ],
    };
  },
};

/**
 * printStorageClass: NAME with ` (default)` for a default class, PROVISIONER, RECLAIMPOLICY (Delete when unset),
 * VOLUMEBINDINGMODE (Immediate when unset), ALLOWVOLUMEEXPANSION (false when unset), AGE.
 */
export const storageClassPrinter: Printer = {
  columns: [
    nameColumn,
    column('Provisioner'),
    column('ReclaimPolicy'),
    column('VolumeBindingMode'),
    column('AllowVolumeExpansion'),
    ageColumn,
  ],
  row(obj, now) {
    const sc = obj as KubeObject & {
      provisioner?: string;
      reclaimPolicy?: string;
      volumeBindingMode?: string;
      allowVolumeExpansion?: boolean;
    };
    return {
      cells: [
        `${nameOf(obj)}${isDefaultStorageClass(obj) ? ' (default)' : ''}`,
        sc.provisioner ?? '',
        sc.reclaimPolicy ?? 'Delete',
        sc.volumeBindingMode ?? 'Immediate',
        sc.allowVolumeExpansion ?? false,
        ageOf(obj, now),
      ],
    };
  },
};

/** printPriorityClass: VALUE, GLOBAL-DEFAULT, AGE, PREEMPTIONPOLICY (empty when unset). */
export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn,
    column('Value', 'integer'),
    column('Global-Default', 'boolean'),
    ageColumn,
    column('PreemptionPolicy'),
  ],
  row(obj, now) {
    const pc = obj as KubeObject & { value?: number; globalDefault?: boolean; preemptionPolicy?: string };
    return {
      cells: [
        nameOf(obj),
        pc.value ?? 0,
        pc.globalDefault ?? false,
        ageOf(obj, now),
        pc.preemptionPolicy ?? '',
      ],
    };
  },
};

/** printLease: HOLDER (empty when unset), AGE. */
export const leasePrinter: Printer = {
  columns: [nameColumn, column('Holder'), ageColumn],
  row: (lease, now) => ({
    cells: [
      nameOf(lease),
      (lease.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '',
      ageOf(lease, now),
    ],
  }),
};
