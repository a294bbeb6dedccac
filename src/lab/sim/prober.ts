/**
 * The kubelet's probes, as a Kubernetes v1.33 kubelet runs them: the parts that do not need a pod (probe-workers.ts
 * runs the workers on the cluster's clock, kubelet.ts applies their results).
 *
 * - A probe's settings with the API server's defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe):
 *   timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3; initialDelaySeconds 0.
 * - One worker's result (pkg/kubelet/prober/worker.go doProbe, read at kubernetes commit 00421113): it starts at the
 *   initial value of its kind (readiness Failure, liveness Success, startup Unknown: newWorker), which a new container
 *   sets again; a probe's outcome is written only once it has come `failureThreshold` times in a row (Failure) or
 *   `successThreshold` times (Success), and the run of identical outcomes is kept across a new container (only
 *   `resultRun` is reset, by a liveness or startup failure). A liveness or startup Failure puts the worker on hold:
 *   no probe until the next container. The results manager reports a result only when it changes
 *   (pkg/kubelet/prober/results/results_manager.go Set/setInternal).
 * - An HTTP probe's outcome (pkg/probe/http/http.go DoHTTPProbe, the v1.2x+ line with probe.ProbeDialer and a
 *   10 KiB body limit): a status from 200 to 299 is Success with the body as output; 300 to 399 (a redirect the
 *   prober did not follow: to another host) is a Warning "Probe terminated redirects, Response body: <body>", which
 *   counts as Success; anything else is Failure "HTTP probe failed with statuscode: <code>" (never the body); no
 *   response is Failure with the Go client's error as output. The URL is `<scheme>://<host or pod IP>:<port><path>`
 *   (pkg/kubelet/prober/prober.go runProbe/formatURL; a named port is the container's port of that name).
 * - Go's client errors (net/http client.go Client.do wraps a transport error in a url.Error, whose text is
 *   `<Op> "<URL>": <error>`, Op "Get"; a request that outlives Client.Timeout has " (Client.Timeout exceeded while
 *   awaiting headers)" appended to "context deadline exceeded"; a refused dial is net.OpError "dial tcp
 *   <addr>: connect: connection refused"), as kubelet events show them, e.g.
 *   `Get "http://10.244.0.6:8081/readyz": dial tcp 10.244.0.6:8081: connect: connection refused`.
 * - A tcpSocket probe (pkg/probe/tcp/tcp.go): Success when the connection opens, else Failure with Go's dial error
 *   (`dial tcp <address>: connect: connection refused`, `... i/o timeout`); exec and gRPC probes take the answer the
 *   container gives.
 * - The events (pkg/kubelet/prober/prober.go probe; reasons from pkg/kubelet/events/event.go): a Failure records
 *   Warning `Unhealthy` "<Kind> probe failed: <output>", a Warning records Warning `ProbeWarning` "<Kind> probe
 *   warning: <output>", a probe that could not run (its port does not resolve) Warning `Unhealthy` "<Kind> probe
 *   errored and resulted in unknown state: <error>" (pkg/probe/probe.go: the Result strings are lower case) and its
 *   result is thrown away (worker.go: a prober error leaves the result as it was).
 */

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

/** A container's probe as the pod spec gives it. */
export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export type Probe = ProbeSpec &
  Required<
    Pick<
      ProbeSpec,
      'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'successThreshold' | 'failureThreshold'
    >
  >;

/** The probe with the API server's defaults (defaults.go SetDefaults_Probe). */
export function withDefaults(spec: ProbeSpec): Probe {
  return {
    ...spec,
    initialDelaySeconds: spec.initialDelaySeconds ?? 0,
    periodSeconds: spec.periodSeconds || 10,
    timeoutSeconds: spec.timeoutSeconds || 1,
    successThreshold: spec.successThreshold || 1,
    failureThreshold: spec.failureThreshold || 3,
  };
}

/** Each kind's result before the first probe of a container (worker.go newWorker). */
export const initialResult: Record<ProbeKind, ProbeResult> = {
  readiness: 'Failure',
  liveness: 'Success',
  startup: 'Unknown',
};

/** The kind as the kubelet prints it in events (prober_manager.go probeType.String). */
export const kindName: Record<ProbeKind, string> = {
  readiness: 'Readiness',
  liveness: 'Liveness',
  startup: 'Startup',
};

/** What one worker knows: the stored result, the run of identical outcomes, whether it waits for a new container. */
export class ProbeState {
  result: ProbeResult;
  onHold = false;
  private lastResult?: ProbeResult;
  private resultRun = 0;

  constructor(
    readonly kind: ProbeKind,
    readonly probe: Probe,
  ) {
    this.result = initialResult[kind];
  }

  /** A new container: the initial result again and the hold lifted; returns whether the result changed. */
  newContainer(): boolean {
    this.onHold = false;
    return this.set(initialResult[this.kind]);
  }

  /** The outcome of one probe that ran; returns whether the stored result changed. */
  record(outcome: 'Success' | 'Failure'): boolean {
    if (this.lastResult === outcome) this.resultRun++;
    else {
      this.lastResult = outcome;
      this.resultRun = 1;
    }
    const threshold = outcome === 'Failure' ? this.probe.failureThreshold : this.probe.successThreshold;
    if (this.resultRun < threshold) return false;
    const changed = this.set(outcome);
    if (outcome === 'Failure' && this.kind !== 'readiness') {
      this.onHold = true;
      this.resultRun = 0;
    }
    return changed;
  }

  private set(result: ProbeResult): boolean {
    const changed = this.result !== result;
    this.result = result;
    return changed;
  }
}

/**
 * What a container answers to one probe: already judged (`ok` and the output, as an exec probe's exit status and
 * output), an HTTP response to an httpGet probe, or no HTTP response (the connection refused, or no answer within
 * the probe's timeout).
 */
export type ProbeAnswer =
  | { ok: boolean; output: string }
  | { status: number; body?: string }
  | { error: 'refused' | 'timeout' };

/** One probe's outcome as prober.go passes it on: Warning counts as Success but records ProbeWarning. */
export interface ProbeOutcome {
  result: 'Success' | 'Failure' | 'Warning';
  output: string;
}

const MAX_BODY = 10 * 1024;

/** An httpGet probe's outcome for `url` (http.go DoHTTPProbe; Go's client error texts for no response). */
export function httpOutcome(url: string, answer: ProbeAnswer): ProbeOutcome {
  if ('ok' in answer) return { result: answer.ok ? 'Success' : 'Failure', output: answer.output };
  if ('error' in answer) {
    if (answer.error === 'timeout')
      return {
        result: 'Failure',
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      };
    const address = new URL(url).host;
    return { result: 'Failure', output: `Get "${url}": dial tcp ${address}: connect: connection refused` };
  }
  const body = (answer.body ?? '').slice(0, MAX_BODY);
  if (answer.status >= 200 && answer.status < 300) return { result: 'Success', output: body };
  if (answer.status >= 300 && answer.status < 400)
    return { result: 'Warning', output: `Probe terminated redirects, Response body: ${body}` };
  return { result: 'Failure', output: `HTTP probe failed with statuscode: ${answer.status}` };
}

/**
 * A tcpSocket probe's outcome for `address` (pkg/probe/tcp/tcp.go DoTCPProbe: a connection that opens is Success
 * with no output, else Failure with Go's dial error, `dial tcp <address>: connect: connection refused` or, past the
 * timeout, `dial tcp <address>: i/o timeout`). An HTTP answer means the port took the connection.
 */
export function tcpOutcome(address: string, answer: ProbeAnswer): ProbeOutcome {
  if ('ok' in answer) return { result: answer.ok ? 'Success' : 'Failure', output: answer.output };
  if ('status' in answer) return { result: 'Success', output: '' };
  const error = answer.error === 'timeout' ? 'i/o timeout' : 'connect: connection refused';
  return { result: 'Failure', output: `dial tcp ${address}: ${error}` };
}

/** An exec or gRPC probe's outcome: only an answer the container judged means anything; no answer is a failure. */
export function otherOutcome(answer: ProbeAnswer): ProbeOutcome {
  if ('ok' in answer) return { result: answer.ok ? 'Success' : 'Failure', output: answer.output };
  if ('status' in answer) return { result: 'Success', output: '' };
  return { result: 'Failure', output: '' };
}

/** host:port as Go's net.JoinHostPort writes it (an IPv6 host in brackets). */
export const joinHostPort = (host: string, port: number) =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;

interface ContainerPorts {
  ports?: Array<{ name?: string; containerPort: number }>;
}

/**
 * A probe's port as a number (pkg/probe/util.go ResolveContainerPort): a number as it is, a name as the container's
 * port of that name, else the name read as a number; an Error with Go's text when none fits.
 */
export function resolvePort(port: number | string, container: ContainerPorts): number | Error {
  let value: number;
  if (typeof port === 'number') value = port;
  else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) value = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) value = Number(port);
    else return new Error(`strconv.Atoi: parsing "${port}": invalid syntax`);
  }
  return value > 0 && value < 65536 ? value : new Error(`invalid port number: ${value}`);
}

/** The URL an httpGet probe asks (prober.go runProbe, formatURL: scheme lower-cased, host the pod IP by default). */
export function probeUrl(httpGet: NonNullable<ProbeSpec['httpGet']>, podIP: string, port: number): string {
  const scheme = (httpGet.scheme ?? 'HTTP').toLowerCase();
  const path = httpGet.path ?? '';
  const address = joinHostPort(httpGet.host || podIP, port);
  return `${scheme}://${address}${path.startsWith('/') || path === '' ? path : `/${path}`}`;
}
