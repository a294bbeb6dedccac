/**
 * Events the simulated controllers record about an object, as client-go's event recorder writes them
 * (k8s.io/client-go/tools/record: event.go, events_cache.go): a core/v1 Event named `<object>.<hex nanoseconds>`
 * from the controller's component; a repeat of the same reason and message about the same object within the
 * correlator's memory is counted in the first event (count, lastTimestamp) instead of written again.
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { type KubeObject, kubeTime } from './store.js';

export interface EventRecorder {
  record(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface EventRecorderOptions {
  /**
   * Count a repeat in the first event, as client-go's correlator does (default). Argo CD's audit logger
   * (util/argo/audit_logger.go logEvent) creates a new event every time instead.
   */
  aggregate?: boolean;
  /** Annotations every event carries (Argo CD's audit logger puts the Application's destination there). */
  annotations?: (object: KubeObject) => Record<string, string> | undefined;
  /** The node a node-local component (the kubelet) runs on: `source.host` and `reportingInstance`. */
  host?: string;
}

/** Shared by every recorder: two components recording about one object at one instant get distinct names. */
let seq = 0;

export function eventRecorder(
  cluster: SimCluster,
  clock: Clock,
  component: string,
  options: EventRecorderOptions = {},
): EventRecorder {
  return {
    record(object, type, reason, message) {
      const now = clock.now();
      const ns = object.metadata?.namespace ?? 'default';
      const involvedObject = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: ns,
        name: object.metadata?.name,
        uid: object.metadata?.uid,
      };
      const same =
        options.aggregate !== false &&
        cluster.list('v1', 'Event', ns).find((e) => {
          const about = e.involvedObject as { name?: string; kind?: string } | undefined;
          return (
            about?.name === involvedObject.name &&
            about?.kind === involvedObject.kind &&
            e.reason === reason &&
            e.message === message &&
            e.type === type &&
            (e.source as { component?: string } | undefined)?.component === component &&
            (e.source as { host?: string } | undefined)?.host === options.host
          );
        });
      if (same) {
        cluster.update('v1', 'Event', same.metadata?.name ?? '', ns, (e) => {
          e.count = ((e.count as number | undefined) ?? 1) + 1;
          e.lastTimestamp = kubeTime(now);
        });
        return;
      }
      // Nanoseconds in hex, 16 digits as for any time since 1970 (so names sort by time); a scaled clock reads
      // fractions of a millisecond.
      const id = (BigInt(Math.floor(now)) * 1_000_000n + BigInt(seq++)).toString(16).padStart(16, '0');
      const annotations = options.annotations?.(object);
      cluster.seed({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: `${involvedObject.name}.${id}`,
          namespace: ns,
          ...(annotations ? { annotations } : {}),
        },
        involvedObject,
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: kubeTime(now),
        lastTimestamp: kubeTime(now),
        source: { component, ...(options.host ? { host: options.host } : {}) },
        // client-go's recorder names itself the reporting controller; Argo CD's audit logger leaves it empty.
        ...(options.aggregate === false ? {} : { reportingComponent: component }),
        ...(options.host ? { reportingInstance: options.host } : {}),
      });
    },
  };
}
