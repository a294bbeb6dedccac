/**
 * The kubelet's probe rules without a pod (src/lab/sim/prober.ts). Cases follow upstream's own tests, inputs and
 * asserted outputs as facts: pkg/kubelet/prober/worker_test.go (TestInitialDelay's initial values,
 * TestFailureThreshold, TestSuccessThreshold, TestOnHoldOnLivenessCheckFailure), pkg/probe/http/http_test.go (the
 * status classes and the failure message), pkg/apis/core/v1/defaults.go (SetDefaults_Probe).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  httpOutcome,
  initialResult,
  type ProbeKind,
  ProbeState,
  probeUrl,
  resolvePort,
  tcpOutcome,
  withDefaults,
} from '../../../src/lab/sim/prober.js';

const state = (kind: ProbeKind, spec: { successThreshold?: number; failureThreshold?: number } = {}) => {
  const s = new ProbeState(kind, withDefaults(spec));
  s.newContainer();
  return s;
};

describe('probe settings (defaults.go SetDefaults_Probe)', () => {
  it('fills timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3; no initial delay', () => {
    expect(withDefaults({ httpGet: { path: '/readyz', port: 'probes' } })).toMatchObject({
      initialDelaySeconds: 0,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(withDefaults({ periodSeconds: 5, failureThreshold: 3 })).toMatchObject({
      periodSeconds: 5,
      failureThreshold: 3,
    });
  });
});

describe('a probe worker’s result (worker.go doProbe)', () => {
  it('starts at its kind’s initial value: readiness Failure, liveness Success, startup Unknown', () => {
    expect(initialResult).toEqual({ readiness: 'Failure', liveness: 'Success', startup: 'Unknown' });
    expect(state('readiness').result).toBe('Failure');
    expect(state('liveness').result).toBe('Success');
  });

  it('TestFailureThreshold: 3 successes, 2 failures still Success, the 3rd and later Failure (twice over)', () => {
    const s = state('readiness', { successThreshold: 1, failureThreshold: 3 });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++) {
        s.record('Success');
        expect(s.result).toBe('Success');
      }
      for (let i = 0; i < 2; i++) {
        s.record('Failure');
        expect(s.result).toBe('Success');
      }
      for (let i = 0; i < 3; i++) {
        s.record('Failure');
        expect(s.result).toBe('Failure');
      }
    }
  });

  it('TestSuccessThreshold: from Failure, 2 successes still Failure, the 3rd on Success; one failure is Failure', () => {
    const s = state('readiness', { successThreshold: 3, failureThreshold: 1 });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) {
        s.record('Success');
        expect(s.result).toBe('Failure');
      }
      for (let i = 0; i < 3; i++) {
        s.record('Success');
        expect(s.result).toBe('Success');
      }
      s.record('Failure');
      expect(s.result).toBe('Failure');
    }
  });

  it('TestOnHoldOnLivenessCheckFailure: a liveness Failure holds the worker until a new container', () => {
    const s = state('liveness', { successThreshold: 1, failureThreshold: 1 });
    expect(s.record('Failure')).toBe(true);
    expect(s.result).toBe('Failure');
    expect(s.onHold).toBe(true);
    // A new container lifts the hold and starts from the initial value again.
    s.newContainer();
    expect(s.onHold).toBe(false);
    expect(s.result).toBe('Success');
    s.record('Success');
    expect(s.result).toBe('Success');
  });

  it('reports a change only when the stored result changes (results_manager.go setInternal)', () => {
    const s = state('readiness');
    expect(s.record('Success')).toBe(true);
    expect(s.record('Success')).toBe(false);
    expect(s.record('Failure')).toBe(false);
    expect(s.record('Failure')).toBe(false);
    expect(s.record('Failure')).toBe(true);
    expect(s.record('Failure')).toBe(false);
  });

  it('property: the result is the value of the last run of identical outcomes that reached its threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (successThreshold, failureThreshold, outcomes) => {
          const s = state('readiness', { successThreshold, failureThreshold });
          for (const ok of outcomes) s.record(ok ? 'Success' : 'Failure');
          // The oracle: split into maximal runs, newest first; the first long enough decides, else the initial value.
          const runs: Array<{ ok: boolean; length: number }> = [];
          for (const ok of outcomes) {
            const last = runs.at(-1);
            if (last?.ok === ok) last.length++;
            else runs.push({ ok, length: 1 });
          }
          const decisive = [...runs]
            .reverse()
            .find((r) => r.length >= (r.ok ? successThreshold : failureThreshold));
          const expected = decisive ? (decisive.ok ? 'Success' : 'Failure') : 'Failure';
          expect(s.result).toBe(expected);
        },
      ),
    );
  });
});

describe('an HTTP probe’s outcome (pkg/probe/http/http.go DoHTTPProbe, Go’s client errors)', () => {
  const url = 'http://10.244.0.6:8081/readyz';
  it('2xx is success with the body as output', () => {
    expect(httpOutcome(url, { status: 200, body: '{"status":"ready"}' })).toEqual({
      result: 'Success',
      output: '{"status":"ready"}',
    });
    expect(httpOutcome(url, { status: 204 }).result).toBe('Success');
  });
  it('3xx (a redirect not followed) is a warning that counts as success', () => {
    expect(httpOutcome(url, { status: 302, body: 'moved' })).toEqual({
      result: 'Warning',
      output: 'Probe terminated redirects, Response body: moved',
    });
  });
  it('400 and up is failure with the status code only, never the body', () => {
    expect(httpOutcome(url, { status: 503, body: '{"error":"not ready"}' })).toEqual({
      result: 'Failure',
      output: 'HTTP probe failed with statuscode: 503',
    });
    expect(httpOutcome(url, { status: 404 }).output).toBe('HTTP probe failed with statuscode: 404');
    expect(httpOutcome(url, { status: 199 }).result).toBe('Failure');
  });
  it('no answer: the Go client’s error for a refused connection and for a timeout', () => {
    expect(httpOutcome(url, { error: 'refused' })).toEqual({
      result: 'Failure',
      output: 'Get "http://10.244.0.6:8081/readyz": dial tcp 10.244.0.6:8081: connect: connection refused',
    });
    expect(httpOutcome(url, { error: 'timeout' })).toEqual({
      result: 'Failure',
      output:
        'Get "http://10.244.0.6:8081/readyz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    });
  });
  it('a tcpSocket probe: the connection opens or Go’s dial error (pkg/probe/tcp/tcp.go)', () => {
    expect(tcpOutcome('10.244.0.5:8080', { status: 200 })).toEqual({ result: 'Success', output: '' });
    expect(tcpOutcome('10.244.0.5:8080', { error: 'refused' })).toEqual({
      result: 'Failure',
      output: 'dial tcp 10.244.0.5:8080: connect: connection refused',
    });
    expect(tcpOutcome('10.244.0.5:8080', { error: 'timeout' }).output).toBe(
      'dial tcp 10.244.0.5:8080: i/o timeout',
    );
  });
  it('an answer the container judged itself is taken as it is', () => {
    expect(httpOutcome(url, { ok: false, output: 'boom' })).toEqual({ result: 'Failure', output: 'boom' });
  });
  it('the URL: scheme lower-cased, the pod IP unless a host is given, a named port resolved', () => {
    const container = { ports: [{ name: 'probes', containerPort: 8081 }] };
    expect(resolvePort('probes', container)).toBe(8081);
    expect(resolvePort('8082', container)).toBe(8082);
    expect(resolvePort(8080, container)).toBe(8080);
    expect((resolvePort('metrics', container) as Error).message).toBe(
      'strconv.Atoi: parsing "metrics": invalid syntax',
    );
    expect((resolvePort(0, container) as Error).message).toBe('invalid port number: 0');
    expect(probeUrl({ path: '/readyz', port: 'probes' }, '10.244.0.6', 8081)).toBe(url);
    expect(probeUrl({ path: 'healthz', port: 1, scheme: 'HTTPS', host: 'fd00::1' }, '10.0.0.1', 443)).toBe(
      'https://[fd00::1]:443/healthz',
    );
  });
});
