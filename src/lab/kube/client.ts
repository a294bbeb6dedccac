/**
 * The lab's one way to talk to the Kubernetes API: @kubernetes/client-node underneath (kubeconfig, auth, TLS,
 * discovery, watch), plain JSON objects on top, so CRDs (Applications, Rollouts, AnalysisRuns) and built-in kinds
 * are handled alike and nothing is lost to typed (de)serialisation.
 *
 *   const kube = await createKubeClient({ context: 'kind-gitops-lab' });
 *   const app = await kube.get<Application>({ ...Kinds.Application, name: 'lab-root', namespace: 'argocd' });
 *   await kube.apply(manifest);                                   // server-side apply, fieldManager gitops-lab
 *   await kube.mergePatch(ref, { spec: { replicas: 3 } });
 *   await kube.jsonPatch(ref, [{ op: 'replace', path: '/spec/replicas', value: 3 }]);
 *   await kube.waitFor(ref, (o) => isAvailable(o), { timeoutMs: 120_000, signal, describe: 'Available' });
 */
import {
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  type RequestContext,
  type ResponseContext,
  Watch,
} from '@kubernetes/client-node';
import { KubeApiError } from './errors.js';
import type { JsonPatchOperation, KindRef, KubeEvent, KubeObject, ObjectRef, WatchEvent } from './types.js';
import { describeRef, Kinds } from './types.js';
import { type WaitOptions, waitForList, waitForObject } from './wait.js';

export interface KubeClientOptions {
  /** Path of a kubeconfig file; default: $KUBECONFIG or ~/.kube/config, as kubectl does. */
  kubeconfig?: string;
  /** Context to use; default: the kubeconfig's current context. */
  context?: string;
  /** Field manager for server-side apply and writes. */
  fieldManager?: string;
}

/** Per request: `signal` cancels the HTTP request under way (the connection is closed, the call rejects). */
export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends RequestOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  /** Ask for BOOKMARK events (delivered to the callback like the others). */
  bookmarks?: boolean;
  /** Server-side timeout of one watch connection. */
  timeoutSeconds?: number;
}

/** Raw access through client-node's configured HTTP layer (auth, TLS, proxy), with discovery of resource paths. */
class RawObjectApi extends KubernetesObjectApi {
  async pathFor(
    ref: { apiVersion: string; kind: string; name?: string; namespace?: string },
    collection: boolean,
  ): Promise<string> {
    const spec = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    };
    return this.specUriPath(spec, collection ? 'list' : 'read');
  }

  async isNamespaced(ref: KindRef): Promise<boolean> {
    const resource = await this.resource(ref.apiVersion, ref.kind);
    if (!resource)
      throw new KubeApiError(`The cluster does not serve ${ref.kind} (${ref.apiVersion}).`, 404, 'NotFound', {
        hint: 'Is the CRD installed? `gitops-lab up` installs Argo CD and Argo Rollouts.',
      });
    return resource.namespaced;
  }

  adoptContextNamespace(config: KubeConfig): void {
    this.setDefaultNamespace(config);
  }

  get namespaceDefault(): string {
    return this.defaultNamespace;
  }

  async send(
    method: HttpMethod,
    path: string,
    init: {
      query?: Record<string, string | undefined>;
      body?: unknown;
      contentType?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<unknown> {
    const { signal } = init;
    signal?.throwIfAborted();
    const ctx: RequestContext = this.configuration.baseServer.makeRequestContext(path, method);
    // client-node's fetch (node-fetch) closes the connection when the signal aborts.
    if (signal) ctx.setSignal(signal);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, v);
    if (init.body !== undefined) {
      ctx.setHeaderParam('Content-Type', init.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(init.body));
    }
    const auth = this.configuration.authMethods.default;
    if (auth?.applySecurityAuthentication) await auth.applySecurityAuthentication(ctx);
    let response: ResponseContext;
    try {
      response = await this.configuration.httpApi.send(ctx).toPromise();
    } catch (error) {
      // Given up by the caller (a time limit, an interrupt): its reason, not "cannot reach".
      signal?.throwIfAborted();
      const server = this.configuration.baseServer.makeRequestContext('', method).getUrl();
      throw new KubeApiError(
        `Cannot reach the Kubernetes API at ${server}: ${(error as Error).message}.`,
        0,
        'Unreachable',
        {
          hint: 'Is the cluster running? `gitops-lab status` and `kubectl cluster-info` show what the kubeconfig points at.',
          cause: error,
        },
      );
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      signal?.throwIfAborted(); // given up while the body was still arriving
      throw error;
    }
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) return data;
    const statusBody = (data ?? {}) as { message?: string; reason?: string };
    throw new KubeApiError(
      `${method} ${path} failed: ${statusBody.message ?? `HTTP ${response.httpStatusCode}`}.`,
      response.httpStatusCode,
      statusBody.reason,
    );
  }
}

export class KubeClient {
  readonly fieldManager: string;
  private readonly api: RawObjectApi;
  private readonly watcher: Watch;

  constructor(
    readonly config: KubeConfig,
    options: { fieldManager?: string } = {},
  ) {
    this.fieldManager = options.fieldManager ?? 'gitops-lab';
    this.api = config.makeApiClient(RawObjectApi);
    this.api.adoptContextNamespace(config);
    this.watcher = new Watch(config);
  }

  /** The context in use. */
  get context(): string {
    return this.config.getCurrentContext();
  }

  /** The API server URL of the current context. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /** The server's version string (e.g. v1.33.1); throws KubeApiError(status 0) when it cannot be reached. */
  async serverVersion(): Promise<string> {
    const v = (await this.api.send(HttpMethod.GET, '/version')) as { gitVersion?: string };
    return v?.gitVersion ?? 'unknown';
  }

  private async namespaced<T extends { namespace?: string }>(ref: KindRef & T): Promise<T['namespace']> {
    if (!(await this.api.isNamespaced(ref))) return undefined;
    return ref.namespace ?? this.api.namespaceDefault;
  }

  /** Reads one object; undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    options: RequestOptions = {},
  ): Promise<T | undefined> {
    try {
      return (await this.api.send(HttpMethod.GET, await this.path(ref), { signal: options.signal })) as T;
    } catch (error) {
      if (error instanceof KubeApiError && error.notFound) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject = KubeObject>(
    kind: KindRef,
    options: ListOptions = {},
  ): Promise<ListResult<T>> {
    const namespace = options.namespace
      ? await this.namespaced({ ...kind, namespace: options.namespace })
      : undefined;
    const path = await this.api.pathFor({ ...kind, namespace }, true);
    const list = (await this.api.send(HttpMethod.GET, path, {
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      signal: options.signal,
    })) as { items?: T[]; metadata?: { resourceVersion?: string } };
    // List items come without apiVersion/kind; put them back so every object is self-describing.
    const items = (list.items ?? []).map((item) => ({
      ...item,
      apiVersion: kind.apiVersion,
      kind: kind.kind,
    }));
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubeObject = KubeObject>(obj: KubeObject, options: RequestOptions = {}): Promise<T> {
    const namespace = await this.namespaced({ ...obj, namespace: obj.metadata.namespace });
    const path = await this.api.pathFor({ ...obj, namespace }, true);
    return (await this.api.send(HttpMethod.POST, path, {
      body: obj,
      query: { fieldManager: this.fieldManager },
      signal: options.signal,
    })) as T;
  }

  /** Server-side apply (create or update the fields this manager owns); `force` takes over conflicting fields. */
  async apply<T extends KubeObject = KubeObject>(
    obj: KubeObject,
    options: { force?: boolean } = {},
  ): Promise<T> {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
    };
    const namespace = await this.namespaced(ref);
    const body = { ...obj, metadata: { ...obj.metadata, ...(namespace ? { namespace } : {}) } };
    return (await this.api.send(HttpMethod.PATCH, await this.path(ref), {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: this.fieldManager, force: String(options.force ?? true) },
    })) as T;
  }

  /** JSON merge patch (RFC 7386). `subresource` e.g. 'status' or 'scale'. */
  async mergePatch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    subresource?: string,
    options: RequestOptions = {},
  ): Promise<T> {
    return (await this.api.send(HttpMethod.PATCH, await this.path(ref, subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: this.fieldManager },
      signal: options.signal,
    })) as T;
  }

  /** JSON patch (RFC 6902); a `test` op makes it a compare-and-swap. */
  async jsonPatch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    operations: JsonPatchOperation[],
    subresource?: string,
    options: RequestOptions = {},
  ): Promise<T> {
    return (await this.api.send(HttpMethod.PATCH, await this.path(ref, subresource), {
      body: operations,
      contentType: 'application/json-patch+json',
      query: { fieldManager: this.fieldManager },
      signal: options.signal,
    })) as T;
  }

  /** Replaces an object (PUT); a stale metadata.resourceVersion gives a 409 KubeApiError. */
  async replace<T extends KubeObject = KubeObject>(obj: KubeObject): Promise<T> {
    return (await this.api.send(HttpMethod.PUT, await this.path(objRef(obj)), {
      body: obj,
      query: { fieldManager: this.fieldManager },
    })) as T;
  }

  /** Deletes an object; false when it was already gone. */
  async delete(
    ref: ObjectRef,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } & RequestOptions = {},
  ): Promise<boolean> {
    try {
      await this.api.send(HttpMethod.DELETE, await this.path(ref), {
        query: { propagationPolicy: options.propagationPolicy ?? 'Background' },
        signal: options.signal,
      });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.notFound) return false;
      throw error;
    }
  }

  /** Whether the cluster serves this kind (e.g. whether the Argo CD CRDs are installed). */
  async serves(kind: KindRef): Promise<boolean> {
    try {
      await this.api.isNamespaced(kind);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      if (error instanceof Error && /Failed to fetch resource metadata/.test(error.message)) return false;
      throw error;
    }
  }

  /**
   * Watches a kind; calls `onEvent` for each ADDED/MODIFIED/DELETED (and BOOKMARK when asked). Resolves when the
   * connection ends (server timeout, close, abort) with the last resourceVersion seen, so callers can resume.
   */
  async watch<T extends KubeObject = KubeObject>(
    kind: KindRef,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<{ resourceVersion?: string; error?: unknown }> {
    const namespace = options.namespace
      ? await this.namespaced({ ...kind, namespace: options.namespace })
      : undefined;
    const path = await this.api.pathFor({ ...kind, namespace }, true);
    let resourceVersion = options.resourceVersion;
    return new Promise((resolve) => {
      let controller: AbortController | undefined;
      const onAbort = () => controller?.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (error?: unknown) => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ resourceVersion, ...(error ? { error } : {}) });
      };
      this.watcher
        .watch(
          path,
          {
            resourceVersion,
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
            allowWatchBookmarks: options.bookmarks ? true : undefined,
            timeoutSeconds: options.timeoutSeconds,
          },
          (type, object: T) => {
            if (type === 'ERROR') return;
            resourceVersion = object?.metadata?.resourceVersion ?? resourceVersion;
            if (type === 'BOOKMARK' && !options.bookmarks) return;
            onEvent({
              type: type as WatchEvent['type'],
              object: { ...object, apiVersion: kind.apiVersion, kind: kind.kind },
            });
          },
          (error) => finish(error ?? undefined),
        )
        .then((c) => {
          controller = c;
          if (options.signal?.aborted) c.abort();
        })
        .catch(finish);
    });
  }

  /** Waits (by watch) until `ready(obj)` holds for one object; see wait.ts. */
  waitFor<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    ready: (obj: T | undefined) => boolean,
    options: WaitOptions,
  ): Promise<T | undefined> {
    return waitForObject(this, ref, ready, options);
  }

  /** Waits (by watch) until `ready(items)` holds for a list of objects; see wait.ts. */
  waitForAll<T extends KubeObject = KubeObject>(
    kind: KindRef,
    list: ListOptions,
    ready: (items: T[]) => boolean,
    options: WaitOptions,
  ): Promise<T[]> {
    return waitForList(this, kind, list, ready, options);
  }

  /**
   * What a pod's container wrote (`kubectl logs --tail N`); with `previous`, its last terminated run (a container in
   * CrashLoopBackOff has no current run to show).
   */
  async podLogs(
    namespace: string,
    name: string,
    options: { container?: string; tailLines?: number; previous?: boolean } = {},
  ): Promise<string> {
    const data = await this.api.send(HttpMethod.GET, `/api/v1/namespaces/${namespace}/pods/${name}/log`, {
      query: {
        container: options.container,
        tailLines: options.tailLines === undefined ? undefined : String(options.tailLines),
        previous: options.previous ? 'true' : undefined,
      },
    });
    return typeof data === 'string' ? data : JSON.stringify(data);
  }

  /** Recent events about an object, newest last. */
  async eventsFor(ref: ObjectRef, limit = 10): Promise<KubeEvent[]> {
    const { items } = await this.list<KubeEvent>(Kinds.Event, {
      namespace: ref.namespace ?? 'default',
      fieldSelector: `involvedObject.name=${ref.name},involvedObject.kind=${ref.kind}`,
    });
    const when = (e: KubeEvent) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
    return items.sort((a, b) => when(a).localeCompare(when(b))).slice(-limit);
  }

  private async path(ref: ObjectRef, subresource?: string): Promise<string> {
    const namespace = await this.namespaced(ref);
    const base = await this.api.pathFor({ ...ref, namespace }, false);
    return subresource ? `${base}/${subresource}` : base;
  }

  describe(ref: ObjectRef): string {
    return describeRef(ref);
  }
}

function objRef(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
  };
}

/** Loads the kubeconfig (file, $KUBECONFIG or ~/.kube/config) and selects the context. */
export function loadKubeConfig(options: Pick<KubeClientOptions, 'kubeconfig' | 'context'> = {}): KubeConfig {
  const config = new KubeConfig();
  if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
  else config.loadFromDefault();
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new KubeApiError(`The kubeconfig has no context named "${options.context}".`, 0, 'NoContext', {
        hint: `Run \`kubectl config get-contexts\` to see the contexts available.`,
      });
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) {
    throw new KubeApiError('The kubeconfig has no current cluster.', 0, 'NoContext', {
      hint: 'Run `gitops-lab up` to create the lab, or pass --context NAME.',
    });
  }
  return config;
}

export function createKubeClient(options: KubeClientOptions = {}): KubeClient {
  return new KubeClient(loadKubeConfig(options), { fieldManager: options.fieldManager });
}
