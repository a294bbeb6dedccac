import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { type Clock, systemClock } from '../clock.js';
import { type Binding, bindPod } from './binding.js';
import { type DeleteOptions, deleteOptions, dryRunRequested } from './delete-options.js';
import { systemNamespaces } from './kind-baseline.js';
import { checkNamespaceDeletable, requireNamespaceForCreate } from './namespace-lifecycle.js';
import { deleteObject, deleteStatusCode, returnsDeletedObject } from './object-deletion.js';
import { groupVersionDocument, openApiIndex, resourcesAt } from './openapi-v3.js';
import { type JsonPatchOp, jsonPatch, mergePatch, PatchError } from './patch.js';
import { patchSchemaFor, patchTypesFor } from './patch-schema.js';
import { podFieldSelectorMatcher } from './pod-fields.js';
import {
  printerFor,
  printTable,
  type TableRequest,
  TableRequestError,
  tableContentType,
  tableRequest,
} from './printers/index.js';
import { systemPriorityClasses } from './priority-classes.js';
import { requestBodyText } from './protobuf-body.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { scaleOf, withScaleReplicas } from './scale.js';
import { fieldSelectorMatcher, labelSelectorMatcher } from './selectors.js';
import { type KubeObject, type Mutation, type Store, type StoredEvent, StoreError } from './store.js';
import { strategicMergePatch } from './strategic-merge.js';
import { createToken, TokenIssuer } from './token-request.js';

/** One HTTP request the fake served, for assertions. */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

/** An injected failure: the next `times` matching requests get `status` (a Status error) instead of being served. */
export interface FailureRule {
  method?: string;
  plural?: string;
  name?: string;
  /** Match when the request path contains this text. */
  pathIncludes?: string;
  status: number;
  reason?: string;
  message?: string;
  times?: number;
}

export interface ServerOptions {
  bookmarkIntervalMs: number;
  version: string;
  /** Watch bookmarks and watch timeouts run on it (default: the wall clock). */
  clock?: Clock;
  /**
   * When set, every request must carry `Authorization: Bearer <token>` or gets 401 Unauthorized, as a real API
   * server answers an unauthenticated request (`up --simulate`: another user of the machine must not drive the lab).
   * Default: no check (the test fakes).
   */
  token?: string;
  /**
   * Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. kubectl sends a bearer token only over TLS
   * (client-go's clientcmd reads the user's credentials only for a TLS transport), so `token` needs it for kubectl.
   */
  tls?: { cert: string; key: string };
}

interface Route {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** /version (k8s.io/apimachinery pkg/version Info): major and minor read off the git version, v1.33.1 → 1, 33. */
function versionInfo(gitVersion: string) {
  const [, major = '', minor = ''] = /^v(\d+)\.(\d+)/.exec(gitVersion) ?? [];
  return { major, minor, gitVersion, platform: 'linux/amd64' };
}

/** The options a write's query carries, by method: what a 422 on its dryRun names. */
const optionsKind = (method: string) =>
  method === 'POST' ? 'CreateOptions' : method === 'PATCH' ? 'PatchOptions' : 'UpdateOptions';

const patchTypeNames: Record<string, NonNullable<Mutation['patchType']>> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
};

/** autoscaling/v1 Scale, the body of every scale subresource. */
const scaleType = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

const patchErrorReasons = { 400: 'BadRequest', 422: 'Invalid', 500: 'InternalError' } as const;

const isCorePod = (resource: ResourceType) => resource.kind === 'Pod' && resource.group === '';
const isCoreServiceAccount = (resource: ResourceType) =>
  resource.kind === 'ServiceAccount' && resource.group === '';
const isCoreNamespace = (resource: ResourceType) => resource.kind === 'Namespace' && resource.group === '';

function status(code: number, reason: string, message: string, details: StoreError['details'] = {}) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as JSON text; a protobuf body (kubectl create <kind>) decoded (protobuf-body.ts). */
async function readBody(req: IncomingMessage, contentType: string | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return requestBodyText(Buffer.concat(chunks), contentType);
}

export class SimApiServer {
  readonly requests: RequestRecord[] = [];
  readonly failures: FailureRule[] = [];
  /** Requests being served (watches excluded): a virtual clock stands still while this is above 0. */
  inFlight = 0;
  private server?: Server;
  private watches = new Set<ServerResponse>();
  /** Signs the service-account tokens of the TokenRequest subresource. */
  private readonly tokens = new TokenIssuer();

  constructor(
    readonly store: Store,
    readonly options: ServerOptions,
  ) {
    for (const ns of systemNamespaces) {
      store.create(
        store.resourceFor('v1', 'Namespace'),
        undefined,
        { metadata: { name: ns } },
        { source: 'test' },
      );
    }
    for (const pc of systemPriorityClasses())
      store.create(store.resourceFor('scheduling.k8s.io/v1', 'PriorityClass'), undefined, pc, {
        source: 'test',
      });
    store.mutations.length = 0;
  }

  async listen(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (!this.authorized(req)) {
        send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
      const watch = /[?&]watch=(true|1)(&|$)/.test(req.url ?? '');
      if (!watch) {
        this.inFlight++;
        res.on('close', () => this.inFlight--);
      }
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, status(500, 'InternalError', String(error)));
        else res.end();
      });
    };
    const tls = this.options.tls;
    this.server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as AddressInfo;
    return `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  }

  private authorized(req: IncomingMessage): boolean {
    const token = this.options.token;
    if (!token) return true;
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '');
    const wanted = Buffer.from(token);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  async close(): Promise<void> {
    for (const res of this.watches) res.end();
    this.watches.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    this.requests.push({ method, path: url.pathname, query, ...(contentType ? { contentType } : {}) });
    const body =
      method === 'GET' || method === 'HEAD'
        ? ''
        : await readBody(req, contentType).catch((error: unknown) => error);
    if (body instanceof StoreError)
      return send(res, body.code, status(body.code, body.reason, body.message, body.details));
    if (typeof body !== 'string') throw body;

    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/version') return send(res, 200, versionInfo(this.options.version));
    if (url.pathname === '/openapi/v3')
      return send(res, 200, openApiIndex(this.store.resources, this.options.version));
    if (url.pathname.startsWith('/openapi/v3/')) {
      const types = resourcesAt(this.store.resources, url.pathname.slice('/openapi/v3/'.length));
      if (types.length > 0) return send(res, 200, groupVersionDocument(types, this.options.version));
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (url.pathname === '/api')
      return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (url.pathname === '/apis') return send(res, 200, this.groupList());

    let prefixLength: number;
    let group: string;
    let version: string;
    if (segments[0] === 'api' && segments[1]) {
      group = '';
      version = segments[1];
      prefixLength = 2;
    } else if (segments[0] === 'apis' && segments[1] && segments[2]) {
      group = segments[1];
      version = segments[2];
      prefixLength = 3;
    } else if (segments[0] === 'apis' && segments[1]) {
      return this.groupInfo(res, segments[1]);
    } else return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    const rest = segments.slice(prefixLength);
    if (rest.length === 0) return this.resourceList(res, group, version);
    const route = this.route(group, version, rest);
    if (!route)
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    const failure = this.failures.find(
      (f) =>
        (f.times ?? 1) > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (!f.plural || f.plural === route.resource.plural) &&
        (!f.name || f.name === route.name) &&
        (!f.pathIncludes || url.pathname.includes(f.pathIncludes)),
    );
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      return send(
        res,
        failure.status,
        status(failure.status, failure.reason ?? 'InternalError', failure.message ?? 'injected failure', {
          name: route.name,
          kind: route.resource.plural,
        }),
      );
    }

    try {
      // ?dryRun=All on a write: answered as the write would be, nothing kept (Store.dryRun).
      // A DELETE's options (and its dryRun among them) are parsed once, from its body or its query.
      const deleting = method === 'DELETE' && route.name ? deleteOptions(query, body) : undefined;
      const dryRun = deleting
        ? deleting.dryRun === true
        : method !== 'GET' && dryRunRequested(query.dryRun, optionsKind(method));
      const write = <T>(fn: () => T): T => (dryRun ? this.store.dryRun(fn) : fn());
      // kubectl get asks for a Table (server-side printing); anything else gets the objects as JSON.
      const table =
        method === 'GET' && !route.subresource ? tableRequest(req.headers.accept, query) : undefined;
      if (method === 'GET' && !route.name) {
        if (query.watch === 'true' || query.watch === '1') return this.watch(req, res, route, query, table);
        const list = this.list(route, query);
        if (table)
          return this.sendTable(res, route.resource, list.items, table, list.metadata.resourceVersion);
        return send(res, 200, list);
      }
      if (method === 'GET' && route.name && route.subresource === 'log' && route.resource.kind === 'Pod')
        return this.podLog(res, route, query);
      if (method === 'GET' && route.name) {
        const obj = this.read(route) as KubeObject;
        if (table)
          return this.sendTable(res, route.resource, [obj], table, obj.metadata?.resourceVersion ?? '');
        return send(res, 200, obj);
      }
      if (method === 'POST' && !route.name)
        return send(
          res,
          201,
          write(() => this.create(route, body)),
        );
      if (
        method === 'POST' &&
        route.name &&
        route.subresource === 'token' &&
        isCoreServiceAccount(route.resource)
      )
        return send(res, 201, this.token(route, body));
      if (method === 'POST' && route.name && route.subresource === 'binding' && isCorePod(route.resource))
        return send(
          res,
          201,
          write(() => this.bind(route, body)),
        );
      if (
        method === 'PUT' &&
        route.name &&
        route.subresource === 'finalize' &&
        isCoreNamespace(route.resource)
      )
        return send(
          res,
          200,
          write(() => this.finalizeNamespace(route, body)),
        );
      if (method === 'PUT' && route.name)
        return send(
          res,
          200,
          write(() => this.update(route, body)),
        );
      if (method === 'PATCH' && route.name)
        return send(
          res,
          200,
          write(() => this.patch(route, body, contentType, query)),
        );
      if (deleting && route.name && !route.subresource)
        return this.delete(res, route, route.name, deleting, (fn) => write(fn));
      return send(res, 405, status(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`));
    } catch (error) {
      if (error instanceof TableRequestError) return send(res, 400, status(400, 'BadRequest', error.message));
      if (error instanceof StoreError)
        return send(res, error.code, status(error.code, error.reason, error.message, error.details));
      if (error instanceof PatchError)
        return send(res, error.code, status(error.code, patchErrorReasons[error.code], error.message));
      if (error instanceof SyntaxError)
        return send(res, 400, status(400, 'BadRequest', `invalid body: ${error.message}`));
      throw error;
    }
  }

  /**
   * DELETE of any kind (object-deletion.ts): the object as written or removed, or for a kind whose registry does not
   * return the deleted object, a Status naming what was removed (finalizeDelete: name, group, resource, uid). The
   * immortal namespaces are refused first (namespace-lifecycle.ts).
   */
  private delete(
    res: ServerResponse,
    route: Route,
    name: string,
    options: DeleteOptions,
    write: <T>(fn: () => T) => T,
  ): void {
    if (isCoreNamespace(route.resource)) checkNamespaceDeletable(name);
    const deletion = write(() =>
      deleteObject(this.store, route.resource, route.namespace, name, options, this.clock.now(), 'client'),
    );
    const code = deleteStatusCode(deletion, options);
    const { group, plural } = route.resource;
    send(
      res,
      code,
      !deletion.removed || returnsDeletedObject(route.resource)
        ? deletion.object
        : {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name, ...(group ? { group } : {}), kind: plural, uid: deletion.object.metadata?.uid },
          },
    );
  }

  /** The server's clock: Table cells (AGE...) are computed from it, not from the client's. */
  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  private sendTable(
    res: ServerResponse,
    resource: ResourceType,
    objects: KubeObject[],
    request: TableRequest,
    resourceVersion: string,
  ): void {
    const table = printTable(printerFor(resource), objects, request, {
      resourceVersion,
      now: this.clock.now(),
    });
    send(res, 200, table, tableContentType(request));
  }

  private route(group: string, version: string, rest: string[]): Route | undefined {
    // namespaces/{ns}/{plural}[/{name}[/{sub}]]
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const resource = this.store.findResource(group, version, rest[2] ?? '');
      if (resource?.namespaced) return { resource, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const resource = this.store.findResource(group, version, rest[0] ?? '');
    if (!resource) return undefined;
    return { resource, name: rest[1], subresource: rest[2] };
  }

  private groupList() {
    const groups = new Map<string, Set<string>>();
    for (const r of this.store.resources) {
      if (!r.group) continue;
      if (!groups.has(r.group)) groups.set(r.group, new Set());
      groups.get(r.group)?.add(r.version);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => this.groupDoc(name, [...versions])),
    };
  }

  private groupDoc(name: string, versions: string[]) {
    const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: list, preferredVersion: list[0] };
  }

  private groupInfo(res: ServerResponse, group: string): void {
    const versions = [
      ...new Set(this.store.resources.filter((r) => r.group === group).map((r) => r.version)),
    ];
    if (versions.length === 0) {
      send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDoc(group, versions) });
  }

  private resourceList(res: ServerResponse, group: string, version: string): void {
    const resources = this.store.resources.filter((r) => r.group === group && r.version === version);
    if (resources.length === 0) {
      send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
    send(res, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf({ group, version }),
      resources: resources.flatMap((r) => [
        {
          name: r.plural,
          singularName: r.singular ?? r.kind.toLowerCase(),
          namespaced: r.namespaced,
          kind: r.kind,
          verbs,
          ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories?.length ? { categories: r.categories } : {}),
        },
        ...(r.subresources ?? []).map((s) => ({
          name: `${r.plural}/${s}`,
          singularName: '',
          namespaced: r.namespaced,
          kind: s === 'scale' ? 'Scale' : r.kind,
          verbs: ['get', 'patch', 'update'],
        })),
      ]),
    });
  }

  private matching(route: Route, query: Record<string, string>): (obj: KubeObject) => boolean {
    const labels = labelSelectorMatcher(query.labelSelector);
    // Pods answer only the fields their registry makes selectable (pod-fields.ts); other kinds any dotted path.
    const fields = isCorePod(route.resource)
      ? podFieldSelectorMatcher(query.fieldSelector)
      : fieldSelectorMatcher(query.fieldSelector);
    return (obj) =>
      (!route.resource.namespaced || !route.namespace || obj.metadata?.namespace === route.namespace) &&
      labels(obj.metadata?.labels) &&
      fields(obj);
  }

  private list(route: Route, query: Record<string, string>) {
    const matches = this.matching(route, query);
    return {
      kind: `${route.resource.kind}List`,
      apiVersion: apiVersionOf(route.resource),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: this.store.list(route.resource, route.namespace).filter(matches),
    };
  }

  private read(route: Route): unknown {
    const obj = this.store.get(route.resource, route.namespace, route.name ?? '');
    if (!obj) throw this.store.notFound(route.resource, route.name ?? '');
    this.checkSubresource(route);
    if (route.subresource === 'scale') return this.scaleOf(obj, route.resource);
    return obj;
  }

  /** The container log the simulation recorded for a pod (src/lab/sim/kubelet.ts), as text like the real server. */
  private podLog(res: ServerResponse, route: Route, query: Record<string, string>): void {
    const pod = this.store.get(route.resource, route.namespace, route.name ?? '');
    if (!pod) throw this.store.notFound(route.resource, route.name ?? '');
    const containers =
      (pod.spec as { containers?: Array<{ name?: string }> } | undefined)?.containers?.map((c) => c.name) ??
      [];
    const container = query.container ?? containers[0] ?? '';
    let lines = this.store.logs.get(`${route.namespace}/${route.name}/${container}`) ?? [];
    if (query.tailLines) lines = lines.slice(-Number(query.tailLines));
    const text = lines.map((l) => `${l}\n`).join('');
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private checkSubresource(route: Route): void {
    if (route.subresource && !(route.resource.subresources ?? []).includes(route.subresource as 'status'))
      throw new StoreError(
        404,
        'NotFound',
        `the server could not find the requested resource (${route.resource.plural}/${route.subresource})`,
      );
  }

  private scaleOf(obj: KubeObject, resource: ResourceType) {
    const scale = scaleOf(obj, resource);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata?.name,
        namespace: obj.metadata?.namespace,
        resourceVersion: obj.metadata?.resourceVersion,
      },
      spec: { replicas: scale.replicas },
      status: { replicas: scale.statusReplicas, ...(scale.selector ? { selector: scale.selector } : {}) },
    };
  }

  private requireNamespace(route: Route, obj: KubeObject): string | undefined {
    if (!route.resource.namespaced) return undefined;
    const ns = route.namespace ?? obj.metadata?.namespace;
    if (!ns) throw new StoreError(400, 'BadRequest', 'a namespaced object needs a namespace');
    if (obj.metadata?.namespace && route.namespace && obj.metadata.namespace !== route.namespace)
      throw new StoreError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    requireNamespaceForCreate(this.store, route.resource, ns, obj.metadata?.name ?? '');
    return ns;
  }

  private create(route: Route, body: string): KubeObject {
    const obj = JSON.parse(body) as KubeObject;
    const ns = this.requireNamespace(route, obj);
    if ((route.resource.subresources ?? []).includes('status')) delete obj.status;
    return this.store.create(route.resource, ns, obj, { source: 'client', verb: 'create' });
  }

  /** POST serviceaccounts/<name>/token (token-request.ts): a TokenRequest with a signed token. */
  private token(route: Route, body: string): KubeObject {
    const namespace = route.namespace ?? 'default';
    return createToken(
      this.tokens,
      namespace,
      route.name ?? '',
      JSON.parse(body === '' ? '{}' : body) as unknown,
      (kind, name) => {
        const resource = this.store.resourceFor('v1', kind);
        return this.store.get(resource, resource.namespaced ? namespace : undefined, name);
      },
      this.clock.now(),
    );
  }

  /** POST pods/<name>/binding (binding.ts): the pod bound, answered with a Status Success as BindingREST does. */
  private bind(route: Route, body: string) {
    const binding = JSON.parse(body) as Binding;
    const namespace = binding.metadata?.namespace;
    if (namespace && namespace !== route.namespace)
      throw new StoreError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    bindPod(this.store, route.namespace ?? 'default', route.name ?? '', binding, this.clock.now(), 'client');
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  }

  private update(route: Route, body: string): unknown {
    const obj = JSON.parse(body) as KubeObject;
    this.checkSubresource(route);
    const current = this.read({ ...route, subresource: undefined }) as KubeObject;
    const next = this.withSubresource(route, current, obj);
    const saved = this.store.replace(
      route.resource,
      route.namespace,
      route.name ?? '',
      next,
      { source: 'client', verb: 'update', ...(route.subresource ? { subresource: route.subresource } : {}) },
      obj.metadata?.resourceVersion,
    );
    return route.subresource === 'scale' ? this.scaleOf(saved, route.resource) : saved;
  }

  /**
   * PUT namespaces/<name>/finalize (pkg/registry/core/namespace/storage/storage.go FinalizeREST): the namespace as
   * sent with its status kept (strategy.go namespaceFinalizeStrategy PrepareForUpdate); a Terminating namespace left
   * with no finalizer is deleted by it (finalizers.ts), whatever content remains.
   */
  private finalizeNamespace(route: Route, body: string): KubeObject {
    const obj = JSON.parse(body) as KubeObject;
    const current = this.read({ ...route, subresource: undefined }) as KubeObject;
    return this.store.replace(
      route.resource,
      undefined,
      route.name ?? '',
      { ...obj, status: current.status },
      { source: 'client', verb: 'update', subresource: 'finalize' },
      obj.metadata?.resourceVersion,
    );
  }

  /** Keeps the fields a write to the main resource or a subresource may not change. */
  private withSubresource(route: Route, current: KubeObject, next: KubeObject): KubeObject {
    if (route.subresource === 'status') return { ...current, status: next.status };
    if (route.subresource === 'scale') {
      const replicas = (next.spec as { replicas?: number } | undefined)?.replicas;
      return withScaleReplicas(current, route.resource, replicas);
    }
    if ((route.resource.subresources ?? []).includes('status')) {
      const out = { ...next };
      if (current.status === undefined) delete out.status;
      else out.status = current.status;
      return out;
    }
    return next;
  }

  private patch(
    route: Route,
    body: string,
    contentType: string | undefined,
    query: Record<string, string>,
  ): unknown {
    this.checkSubresource(route);
    const name = route.name ?? '';
    const current = this.store.get(route.resource, route.namespace, name);
    // installer.go / customresource_handler.go: a content type the resource does not take is 415, naming those it does.
    const accepted = patchTypesFor(route.resource);
    const patchType = patchTypeNames[contentType ?? ''];
    if (!patchType || !accepted.includes(contentType ?? ''))
      throw new StoreError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      );
    const meta = {
      source: 'client' as const,
      verb: patchType === 'apply' ? ('apply' as const) : ('patch' as const),
      patchType,
    };
    if (patchType === 'apply') {
      if (!query.fieldManager)
        throw new StoreError(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      const applied = parseYaml(body) as KubeObject;
      if (!applied || typeof applied !== 'object')
        throw new StoreError(400, 'BadRequest', 'the apply patch is not an object');
      if (applied.metadata?.name && applied.metadata.name !== name)
        throw new StoreError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
      if (!current && !route.subresource) {
        const ns = this.requireNamespace(route, applied);
        if ((route.resource.subresources ?? []).includes('status')) delete applied.status;
        return this.store.create(
          route.resource,
          ns,
          { ...applied, metadata: { ...applied.metadata, name } },
          meta,
        );
      }
    }
    if (!current) throw this.store.notFound(route.resource, name);
    const base: unknown = route.subresource === 'scale' ? this.scaleOf(current, route.resource) : current;
    const parsed = patchType === 'apply' ? parseYaml(body) : JSON.parse(body);
    const patched = (
      patchType === 'json'
        ? jsonPatch(base, parsed as JsonPatchOp[])
        : patchType === 'strategic'
          ? strategicMergePatch(
              base,
              parsed,
              patchSchemaFor(route.subresource === 'scale' ? scaleType : route.resource),
            )
          : mergePatch(base, parsed)
    ) as KubeObject;
    const next = this.withSubresource(route, current, patched);
    const saved = this.store.replace(route.resource, route.namespace, name, next, {
      ...meta,
      ...(route.subresource ? { subresource: route.subresource } : {}),
    });
    return route.subresource === 'scale' ? this.scaleOf(saved, route.resource) : saved;
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    query: Record<string, string>,
    table?: TableRequest,
  ): void {
    const matches = this.matching(route, query);
    const relevant = (e: StoredEvent) =>
      e.resource.group === route.resource.group &&
      e.resource.plural === route.resource.plural &&
      matches(e.object);
    res.writeHead(200, {
      'content-type': table ? tableContentType(table) : 'application/json',
      'transfer-encoding': 'chunked',
    });
    this.watches.add(res);
    const raw = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    // A Table watch: each object a Table of one row, the column definitions in the first only.
    const printer = table ? printerFor(route.resource) : undefined;
    let headers = true;
    const write = (type: string, object: KubeObject) => {
      if (!table || !printer) return raw(type, object);
      const rv = object.metadata?.resourceVersion ?? '';
      raw(
        type,
        printTable(printer, [object], table, {
          resourceVersion: rv,
          now: this.clock.now(),
          noHeaders: !headers,
        }),
      );
      headers = false;
    };
    const from =
      query.resourceVersion && query.resourceVersion !== '0' ? Number(query.resourceVersion) : undefined;
    if (from === undefined) {
      for (const obj of this.store.list(route.resource, route.namespace).filter(matches)) write('ADDED', obj);
    } else {
      for (const e of this.store.history)
        if (e.resourceVersion > from && relevant(e)) write(e.type, e.object);
    }
    const unsubscribe = this.store.subscribe((e) => {
      if (relevant(e)) write(e.type, e.object);
    });
    const bookmark = () =>
      raw('BOOKMARK', {
        kind: route.resource.kind,
        apiVersion: apiVersionOf(route.resource),
        metadata: { resourceVersion: String(this.store.resourceVersion) },
      });
    const clock = this.clock;
    const cancels: Array<() => void> = [];
    let closed = false;
    if (query.allowWatchBookmarks === 'true') {
      bookmark();
      const every = () => {
        if (closed) return;
        bookmark();
        cancels.push(clock.setTimer(this.options.bookmarkIntervalMs, every));
      };
      cancels.push(clock.setTimer(this.options.bookmarkIntervalMs, every));
    }
    if (query.timeoutSeconds)
      cancels.push(clock.setTimer(Number(query.timeoutSeconds) * 1000, () => res.end()));
    const stop = () => {
      closed = true;
      unsubscribe();
      for (const cancel of cancels) cancel();
      this.watches.delete(res);
    };
    res.on('close', stop);
    req.on('close', stop);
  }
}
