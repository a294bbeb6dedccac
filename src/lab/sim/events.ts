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

/** Shared by every recorder: two components recording about one object at one instant get distinct names. */
let seq = 0;

export function eventRecorder(cluster: SimCluster, clock: Clock, component: string): EventRecorder {
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
      const same = cluster.list('v1', 'Event', ns).find((e) => {
        const about = e.involvedObject as { name?: string; kind?: string } | undefined;
        return (
          about?.name === involvedObject.name &&
          about?.kind === involvedObject.kind &&
          e.reason === reason &&
          e.message === message &&
          e.type === type &&
          (e.source as { component?: string } | undefined)?.component === component
        );
      });
      if (same) {
        cluster.update('v1', 'Event', same.metadata?.name ?? '', ns, (e) => {
          e.count = ((e.count as number | undefined) ?? 1) + 1;
          e.lastTimestamp = kubeTime(now);
        });
        return;
      }
      // Nanoseconds in hex, 16 digits as for any time since 1970 (so names sort by time).
      const id = (BigInt(now) * 1_000_000n + BigInt(seq++)).toString(16).padStart(16, '0');
      cluster.seed({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${involvedObject.name}.${id}`, namespace: ns },
        involvedObject,
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: kubeTime(now),
        lastTimestamp: kubeTime(now),
        source: { component },
        reportingComponent: component,
      });
    },
  };
}
