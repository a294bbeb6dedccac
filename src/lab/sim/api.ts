/**
 * The simulation's in-memory Kubernetes API server over HTTP, reached by the real @kubernetes/client-node through a
 * kubeconfig. No Docker or cluster needed. Tests use it (tests/support/fake-kube re-exports it), and so will
 * `up --simulate`. With a `clock` (src/lab/sim/clock.ts) the server holds virtual time still while it serves a
 * request, and watch bookmarks and timeouts run on that clock.
 *
 * API note (for the drill engine and anyone else):
 *
 *   const fake = await startSimCluster();          // listens on 127.0.0.1:<random>; writes a kubeconfig
 *   process.env.KUBECONFIG = fake.kubeconfigPath;  // or pass { kubeconfig: fake.kubeconfigPath } to createKubeClient
 *   fake.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'docqa', namespace: 'docqa' }, spec: {...} });
 *   fake.get('apps/v1', 'Deployment', 'docqa', 'docqa');             // read what the code under test wrote
 *   fake.update('apps/v1', 'Deployment', 'docqa', 'docqa', (o) => { o.status = { readyReplicas: 2 }; });
 *   fake.addController(workloadsAvailable());       // simulate controllers (see controllers.ts), run after each change
 *   fake.onChange((e) => ...)                       // every ADDED/MODIFIED/DELETED, synchronously
 *   fake.clientMutations()                          // writes made over HTTP (create/update/patch/apply/delete), in order
 *   fake.failOn({ method: 'PATCH', plural: 'deployments', status: 500, times: 1 });   // inject an error
 *   fake.requests                                   // every HTTP request served
 *   await fake.close();                             // in afterAll/finally
 *
 * Served: /version, /api, /apis, /api/v1, /apis/<group>/<version> discovery (core v1 pods, services, configmaps, secrets,
 * namespaces, events, serviceaccounts...; apps/v1; autoscaling/v2; batch/v1; rbac; networking; apiextensions CRDs;
 * argoproj.io/v1alpha1 applications, appprojects, applicationsets, rollouts, analysisruns, analysistemplates, experiments);
 * get, list (labelSelector, fieldSelector on any dotted path; on pods only their selectable fields, pod-fields.ts), watch (?watch=true, resourceVersion, allowWatchBookmarks,
 * timeoutSeconds), create (namespace must exist: default, kube-system, kube-public, kube-node-lease are there), PUT with
 * resourceVersion conflict check, PATCH as JSON merge patch (merge-patch+json), strategic merge patch on built-in kinds
 * (strategic-merge-patch+json, strategic-merge.ts; custom resources refuse it with 415 as kube-apiserver does), JSON patch
 * (json-patch+json), server-side apply (apply-patch+yaml, needs fieldManager; create-or-merge), dry runs (dryRun=All), delete (a pod
 * is deleted gracefully, pod-deletion.ts: Terminating until the kubelet has stopped it; finalizers keep any object
 * marked, object-deletion.ts; a namespace is Terminating until a NamespaceController empties it, and `remove` of one
 * takes its objects with it at once), status and scale subresources, pods/binding (binding.ts), 404/409/422 Status errors, resourceVersion and generation bookkeeping;
 * Events expire one `--event-ttl` after their last write (event-ttl.ts). Discovery lists short names and categories
 * (`kubectl get po`, `get all`); a request whose Accept asks for a meta.k8s.io Table (kubectl get) gets one, printed
 * on the server's clock (printers/).
 * Writes to the main resource ignore `status` for kinds with a status subresource, like a real server; the programmatic
 * API (seed/update) writes anything. A created CRD makes its kind servable.
 */
import { type Clock, systemClock } from '../clock.js';
import { VirtualClock } from './clock.js';
import type { Controller } from './controllers.js';
import { expireEvents } from './event-ttl.js';
import { writeKubeconfig } from './kubeconfig.js';
import type { ResourceType } from './resources.js';
import { type FailureRule, type RequestRecord, SimApiServer } from './server.js';
import { type KubeObject, type Mutation, Store, type StoredEvent } from './store.js';

export type { Controller } from './controllers.js';
export { applicationsSynced, crdsEstablished, workloadsAvailable } from './controllers.js';
export type { ResourceType } from './resources.js';
export type { FailureRule, RequestRecord } from './server.js';
export type { KubeObject, Mutation, StoredEvent } from './store.js';

export interface SimClusterOptions {
  /** The simulation's clock (default: the wall clock). A VirtualClock stands still while a request is served. */
  clock?: Clock | VirtualClock;
  /** Context name written into the kubeconfig (default `kind-gitops-lab`). */
  context?: string;
  /** Folder for the kubeconfig (default: a new temp folder). */
  dir?: string;
  /** Objects to create before the server starts answering. */
  seed?: KubeObject[];
  /** Extra resource types to serve (besides the built-in ones and CRDs created at run time). */
  resources?: ResourceType[];
  bookmarkIntervalMs?: number;
  /** Reported by /version. */
  version?: string;
  /** A bearer token every request must carry (401 without it); also the kubeconfig user's token. Default: none. */
  token?: string;
  /** Serve HTTPS with this certificate (PEM; also the kubeconfig's certificate authority) and key. Default: HTTP. */
  tls?: { cert: string; key: string };
  /** How long an Event lives after its last write (the API server's `--event-ttl`; default one hour, event-ttl.ts). */
  eventTtlMs?: number;
}

export interface SimCluster {
  url: string;
  readonly clock: Clock;
  kubeconfigPath: string;
  context: string;
  readonly store: Store;
  readonly requests: RequestRecord[];
  /** Every write, from the client (source 'client') or the programmatic API (source 'test'). */
  readonly mutations: Mutation[];
  clientMutations(): Mutation[];
  seed(...objects: KubeObject[]): KubeObject[];
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  update(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    mutate: (obj: KubeObject) => void,
  ): KubeObject;
  remove(apiVersion: string, kind: string, name: string, namespace?: string): void;
  onChange(listener: (event: StoredEvent) => void): () => void;
  /** Runs `fn` soon, outside the current write (how a controller reacts to a change), before time moves on. */
  defer(fn: () => void): void;
  /** Runs `controller` (deferred, outside the request) after every change; returns a function that detaches it. */
  addController(controller: Controller): () => void;
  failOn(rule: FailureRule): void;
  close(): Promise<void>;
}

export async function startSimCluster(options: SimClusterOptions = {}): Promise<SimCluster> {
  const clock = options.clock ?? systemClock;
  const store = new Store(() => clock.now());
  store.resources.push(...(options.resources ?? []));
  const server = new SimApiServer(store, {
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
    version: options.version ?? 'v1.33.1',
    token: options.token,
    tls: options.tls,
    // Bookmarks and watch timeouts are the server's own business: no reason for virtual time to move.
    clock: clock instanceof VirtualClock ? clock.background() : clock,
  });
  const context = options.context ?? 'kind-gitops-lab';
  const stops: Array<() => void> = [];
  let closed = false;
  stops.push(
    expireEvents(store, clock instanceof VirtualClock ? clock.background() : clock, options.eventTtlMs),
  );
  if (clock instanceof VirtualClock) {
    stops.push(clock.addBusySource(() => server.inFlight > 0));
    // Every write is activity: time waits until what it sets off has run.
    stops.push(store.subscribe(() => clock.touch()));
  }
  // Controllers run after the change that triggered them, outside the request (as on a real cluster).
  const later = (fn: () => void) =>
    setImmediate(() => {
      if (!closed) fn();
      if (clock instanceof VirtualClock) clock.touch();
    });

  const fake: SimCluster = {
    url: '',
    clock,
    kubeconfigPath: '',
    context,
    store,
    requests: server.requests,
    mutations: store.mutations,
    clientMutations: () => store.mutations.filter((m) => m.source === 'client'),
    seed(...objects) {
      return objects.map((obj) => {
        const resource = store.resourceFor(obj.apiVersion ?? 'v1', obj.kind ?? '');
        const name = obj.metadata?.name ?? '';
        const ns = resource.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
        if (store.get(resource, ns, name))
          return store.replace(resource, ns, name, obj, { source: 'test', verb: 'update' });
        return store.create(resource, ns, obj, { source: 'test', verb: 'create' });
      });
    },
    get(apiVersion, kind, name, namespace) {
      const obj = store.get(store.resourceFor(apiVersion, kind), namespace, name);
      return obj ? structuredClone(obj) : undefined;
    },
    list(apiVersion, kind, namespace) {
      return store.list(store.resourceFor(apiVersion, kind), namespace).map((o) => structuredClone(o));
    },
    update(apiVersion, kind, name, namespace, mutate) {
      const resource = store.resourceFor(apiVersion, kind);
      const current = store.get(resource, namespace, name);
      if (!current) throw store.notFound(resource, name);
      const next = structuredClone(current);
      mutate(next);
      return store.replace(resource, namespace, name, next, { source: 'test', verb: 'update' });
    },
    remove(apiVersion, kind, name, namespace) {
      store.delete(store.resourceFor(apiVersion, kind), namespace, name, { source: 'test' });
    },
    onChange(listener) {
      return store.subscribe(listener);
    },
    defer: later,
    addController(controller) {
      const stop = store.subscribe((event) => later(() => controller(event, fake)));
      stops.push(stop);
      for (const resource of [...store.resources]) {
        for (const object of store.list(resource)) {
          const event: StoredEvent = {
            resourceVersion: store.resourceVersion,
            type: 'ADDED',
            resource,
            object,
          };
          later(() => controller(event, fake));
        }
      }
      return stop;
    },
    failOn(rule) {
      server.failures.push({ times: 1, ...rule });
    },
    async close() {
      closed = true;
      for (const stop of stops) stop();
      await server.close();
    },
  };

  if (options.seed?.length) fake.seed(...options.seed);
  fake.url = await server.listen();
  fake.kubeconfigPath = writeKubeconfig({
    server: fake.url,
    context,
    dir: options.dir,
    token: options.token,
    ca: options.tls?.cert,
  });
  return fake;
}
