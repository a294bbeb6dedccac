/**
 * Events live for the API server's `--event-ttl` and then vanish, as on a real cluster: the event registry gives
 * every write of an Event (create and update alike) an etcd lease of that length, so an event is deleted one TTL
 * after it was last written (pkg/registry/core/event/storage/storage.go: TTLFunc returns the TTL whatever the
 * write; the default is one hour, cmd/kube-apiserver/app/options/options.go `EventTTL: 1 * time.Hour`). A counted
 * repeat (client-go bumps `count` with an update) therefore keeps its event alive for another hour.
 */
import type { Clock } from '../clock.js';
import type { Store, StoredEvent } from './store.js';

/** The kube-apiserver's default `--event-ttl`. */
export const defaultEventTtlMs = 60 * 60 * 1000;

const isEvent = (event: StoredEvent) =>
  event.resource.kind === 'Event' &&
  (event.resource.group === '' || event.resource.group === 'events.k8s.io');

/** Deletes each Event `ttlMs` after its last write, on `clock`; returns a function that stops (and forgets) it. */
export function expireEvents(store: Store, clock: Clock, ttlMs: number = defaultEventTtlMs): () => void {
  const leases = new Map<string, () => void>();
  const keyOf = (event: StoredEvent) =>
    `${event.resource.group}|${event.object.metadata?.namespace ?? ''}|${event.object.metadata?.name ?? ''}`;
  const stop = store.subscribe((event) => {
    if (!isEvent(event)) return;
    const key = keyOf(event);
    leases.get(key)?.();
    leases.delete(key);
    if (event.type === 'DELETED') return;
    const { resource } = event;
    const namespace = event.object.metadata?.namespace;
    const name = event.object.metadata?.name ?? '';
    leases.set(
      key,
      clock.setTimer(ttlMs, () => {
        leases.delete(key);
        if (store.get(resource, namespace, name)) store.delete(resource, namespace, name, { source: 'test' });
      }),
    );
  });
  return () => {
    stop();
    for (const cancel of leases.values()) cancel();
    leases.clear();
  };
}
