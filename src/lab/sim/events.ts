/**
 * Events the simulated controllers record about an object, as client-go's event recorder writes them
 * (k8s.io/client-go/tools/record: event.go, events_cache.go, read at kubernetes commit 00080d4): a core/v1 Event
 * named `<object>.<hex nanoseconds>` from the controller's component. Each recorder has its own correlator, as
 * each controller process (or each controller of kube-controller-manager) starts its own broadcaster; it keeps
 * what it wrote in memory, not on the server:
 * - a repeat (same source, object, type, reason and message) is counted in the first event's `count` and
 *   `lastTimestamp` (eventLogger), and when that event has expired from the server it is created again under
 *   its old name with the remembered count (event.go recordEvent: a patch that finds no event creates it);
 * - the 10th different message of one reason about one object within 10 minutes of the previous one becomes one
 *   "(combined from similar events): ..." event, counted from then on (EventAggregator);
 * - a source may write 25 events about one object at once, then one every 5 minutes (the spam filter's token
 *   bucket); a filtered repeat is still counted, so the next write carries the whole count.
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

// events_cache.go: the correlator's caches hold 4096 entries; 10 messages in 600 s aggregate; bursts of 25,
// refilled at one event per 300 s.
const CACHE_ENTRIES = 4096;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const SPAM_BURST = 25;
const SPAM_REFILL_PER_MS = 1 / 300_000;

/** A Map that forgets its least recently used entry past `max` (events_cache.go keeps groupcache LRUs). */
class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }
}

interface Observation {
  name: string;
  count: number;
  firstTimestamp: string;
}

/** One recorder's correlator state (events_cache.go EventCorrelator): aggregation, counts, spam buckets. */
class Correlator {
  readonly #aggregates = new Lru<{ messages: Set<string>; last: number }>(CACHE_ENTRIES);
  readonly #observed = new Lru<Observation>(CACHE_ENTRIES);
  readonly #buckets = new Lru<{ tokens: number; at: number }>(CACHE_ENTRIES);

  /**
   * EventAggregate: the message to write and the key the count is kept under. `group` is the source, object,
   * type, reason and reporting controller/instance; a group that saw nothing for 10 minutes starts afresh.
   */
  aggregate(
    group: string,
    message: string,
    now: number,
  ): { message: string; key: string; combined: boolean } {
    let record = this.#aggregates.get(group);
    if (!record || now - record.last > AGGREGATE_INTERVAL_MS) record = { messages: new Set(), last: now };
    record.messages.add(message);
    record.last = now;
    this.#aggregates.set(group, record);
    if (record.messages.size < AGGREGATE_MAX_EVENTS)
      return { message, key: `${group}\u0000${message}`, combined: false };
    // The set is kept below the limit by dropping one member (sets.String PopAny: an arbitrary one upstream; the
    // oldest here, so runs repeat).
    record.messages.delete(record.messages.values().next().value as string);
    return { message: `(combined from similar events): ${message}`, key: group, combined: true };
  }

  /** eventObserve: the name, count and first time this write carries; remembered whether or not it is written. */
  observe(key: string, fresh: Observation): Observation {
    const last = this.#observed.get(key);
    const observation = last ? { ...last, count: last.count + 1 } : fresh;
    this.#observed.set(key, observation);
    return observation;
  }

  /** The spam filter (EventSourceObjectSpamFilter.Filter): true when the source has no token left for the object. */
  throttled(object: string, now: number): boolean {
    const bucket = this.#buckets.get(object) ?? { tokens: SPAM_BURST, at: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + (now - bucket.at) * SPAM_REFILL_PER_MS);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(object, bucket);
    return !allowed;
  }
}

export function eventRecorder(
  cluster: SimCluster,
  clock: Clock,
  component: string,
  options: EventRecorderOptions = {},
): EventRecorder {
  const correlator = options.aggregate === false ? undefined : new Correlator();
  const source = { component, ...(options.host ? { host: options.host } : {}) };
  return {
    record(object, type, reason, recorded) {
      const now = clock.now();
      const ns = object.metadata?.namespace ?? 'default';
      const involvedObject = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: ns,
        name: object.metadata?.name,
        uid: object.metadata?.uid,
      };
      // Nanoseconds in hex, 16 digits as for any time since 1970 (so names sort by time); a scaled clock reads
      // fractions of a millisecond.
      const id = (BigInt(Math.floor(now)) * 1_000_000n + BigInt(seq++)).toString(16).padStart(16, '0');
      const objectKey = [
        component,
        options.host,
        object.kind,
        ns,
        involvedObject.name,
        involvedObject.uid,
        object.apiVersion,
      ].join('\u0000');
      let message = recorded;
      let observation: Observation = {
        name: `${involvedObject.name}.${id}`,
        count: 1,
        firstTimestamp: kubeTime(now),
      };
      let combined = false;
      if (correlator) {
        const reporting = [component, options.host ?? ''].join('\u0000');
        const grouped = correlator.aggregate(
          `${objectKey}\u0000${type}\u0000${reason}\u0000${reporting}`,
          recorded,
          now,
        );
        message = grouped.message;
        combined = grouped.combined;
        observation = correlator.observe(grouped.key, observation);
        if (correlator.throttled(objectKey, now)) return;
      }
      const existing = observation.count > 1 ? cluster.get('v1', 'Event', observation.name, ns) : undefined;
      if (existing) {
        cluster.update('v1', 'Event', observation.name, ns, (e) => {
          e.count = observation.count;
          e.lastTimestamp = kubeTime(now);
          e.message = message;
        });
        return;
      }
      const annotations = options.annotations?.(object);
      cluster.seed({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: observation.name,
          namespace: ns,
          ...(annotations ? { annotations } : {}),
        },
        involvedObject,
        reason,
        message,
        type,
        count: observation.count,
        firstTimestamp: observation.firstTimestamp,
        lastTimestamp: kubeTime(now),
        source,
        // client-go's recorder names itself the reporting controller (an aggregate event is built without it);
        // Argo CD's audit logger leaves it empty.
        ...(correlator && !combined ? { reportingComponent: component } : {}),
        ...(options.host && !combined ? { reportingInstance: options.host } : {}),
      });
    },
  };
}
