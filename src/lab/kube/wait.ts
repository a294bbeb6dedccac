/**
 * Waiting by watch: list once for the current state and a resourceVersion, then watch from there and re-check on
 * every event. A dropped watch is resumed from the last resourceVersion seen; a timeout or abort ends the wait.
 */
import { type Clock, sleep, systemClock, timeoutSignal } from '../clock.js';
import type { KubeClient, ListOptions } from './client.js';
import { AbortedError, WaitTimeoutError } from './errors.js';
import type { KindRef, KubeObject, ObjectRef } from './types.js';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** What is awaited, for the timeout message: e.g. 'Available', 'Synced and Healthy'. */
  describe?: string;
  /** Called with each new state (for live views). */
  onUpdate?: (state: unknown) => void;
  /** The deadline and the pauses between watches run on it (default: the wall clock). */
  clock?: Clock;
}

interface Loop<S> {
  initial(): Promise<{ state: S; resourceVersion: string }>;
  apply(state: S, event: { type: string; object: KubeObject }): S;
  done(state: S): boolean;
  watchKind: KindRef;
  watchOptions: ListOptions;
  timeoutRef: ObjectRef | (KindRef & { namespace?: string });
}

async function waitLoop<S>(client: KubeClient, loop: Loop<S>, options: WaitOptions): Promise<S> {
  if (options.signal?.aborted) throw new AbortedError('wait');
  const clock = options.clock ?? systemClock;
  const { signal: deadline, cancel } = timeoutSignal(clock, options.timeoutMs);
  try {
    return await waitUntil(client, loop, options, clock, deadline);
  } finally {
    cancel();
  }
}

async function waitUntil<S>(
  client: KubeClient,
  loop: Loop<S>,
  options: WaitOptions,
  clock: Clock,
  deadline: AbortSignal,
): Promise<S> {
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let { state, resourceVersion } = await loop.initial();
  options.onUpdate?.(state);
  let attempts = 0;
  while (!loop.done(state)) {
    if (signal.aborted) break;
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const result = await client.watch(
      loop.watchKind,
      { ...loop.watchOptions, resourceVersion, signal: both, bookmarks: true, timeoutSeconds: 60 },
      (event) => {
        if (event.type === 'BOOKMARK') return;
        state = loop.apply(state, event);
        options.onUpdate?.(state);
        if (loop.done(state)) stop.abort();
      },
    );
    if (loop.done(state) || signal.aborted) break;
    resourceVersion = result.resourceVersion ?? resourceVersion;
    attempts++;
    // The watch ended on its own (server timeout, dropped connection, 410 Gone): start again from a fresh list
    // after a short, growing pause, bounded by the deadline.
    if (result.error || attempts > 3) {
      await sleep(clock, Math.min(2000, 100 * attempts));
      ({ state, resourceVersion } = await loop.initial());
      options.onUpdate?.(state);
    }
  }
  if (loop.done(state)) return state;
  if (options.signal?.aborted) throw new AbortedError('wait');
  throw new WaitTimeoutError(loop.timeoutRef, options.describe ?? 'ready', options.timeoutMs, state);
}

export async function waitForObject<T extends KubeObject>(
  client: KubeClient,
  ref: ObjectRef,
  ready: (obj: T | undefined) => boolean,
  options: WaitOptions,
): Promise<T | undefined> {
  return waitLoop<T | undefined>(
    client,
    {
      async initial() {
        const { items, resourceVersion } = await client.list<T>(ref, {
          namespace: ref.namespace,
          fieldSelector: `metadata.name=${ref.name}`,
        });
        return { state: items[0], resourceVersion };
      },
      apply: (_state, event) => (event.type === 'DELETED' ? undefined : (event.object as T)),
      done: (state) => ready(state),
      watchKind: ref,
      watchOptions: { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` },
      timeoutRef: ref,
    },
    options,
  );
}

export async function waitForList<T extends KubeObject>(
  client: KubeClient,
  kind: KindRef,
  list: ListOptions,
  ready: (items: T[]) => boolean,
  options: WaitOptions,
): Promise<T[]> {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const state = await waitLoop<Map<string, T>>(
    client,
    {
      async initial() {
        const { items, resourceVersion } = await client.list<T>(kind, list);
        return { state: new Map(items.map((i) => [key(i), i])), resourceVersion };
      },
      apply(current, event) {
        const next = new Map(current);
        if (event.type === 'DELETED') next.delete(key(event.object));
        else next.set(key(event.object), event.object as T);
        return next;
      },
      done: (current) => ready([...current.values()]),
      watchKind: kind,
      watchOptions: list,
      timeoutRef: { ...kind, namespace: list.namespace },
    },
    {
      ...options,
      onUpdate: options.onUpdate ? (s) => options.onUpdate?.([...(s as Map<string, T>).values()]) : undefined,
    },
  );
  return [...state.values()];
}
