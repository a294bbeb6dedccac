/**
 * The simulated Prometheus reads a doc-QA pod's DOCQA_FAULTS from the environment its process runs with, built as the
 * kubelet builds it (Kubernetes v1.33 pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: the ConfigMap of
 * `envFrom`, then `env`), and built when the container starts: a ConfigMap changed later does not reach it.
 * It evaluates PromQL over the series the lab's scrapes hold: the AnalysisTemplate's queries give the version's
 * behaviour while traffic is in their window (NaN without traffic, an empty vector for an unknown hash), and a user's
 * own query sees the same series, with the labels the PodMonitor's scrape adds.
 */

import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type ContainerBehaviour, Kubelet } from '../../../src/lab/sim/kubelet.js';
import {
  evalReplayRequests,
  evalReplayRequestsPerSecond,
  SimPrometheus,
} from '../../../src/lab/sim/prometheus.js';
import { durationBuckets } from '../../../src/lab/sim/promql/latency-shape.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { qualityQueries } from '../../../src/lab/status/index.js';
import { createMetrics } from '../../../src/service/metrics.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';
import { docqaConfigMap, docqaPod } from '../../support/sim-docqa.js';

const grounded = (hash: string) =>
  `sum(rate(docqa_answers_grounded_total{grounded="true",rollouts_pod_template_hash="${hash}"}[2m])) / sum(rate(docqa_answers_grounded_total{rollouts_pod_template_hash="${hash}"}[2m]))`;

const template = (expr: string, hash: string) =>
  `(sum(rate(${expr}{status="STATUS",rollouts_pod_template_hash="${hash}"}[2m])) or vector(0)) / sum(rate(${expr}{rollouts_pod_template_hash="${hash}"}[2m]))`;
const ratio = (status: string, hash: string) =>
  template('docqa_requests_total', hash).replace('STATUS', status);
const analysisGrounded = (hash: string) =>
  `(sum(rate(docqa_answers_grounded_total{grounded="true",rollouts_pod_template_hash="${hash}"}[2m])) or vector(0)) / sum(rate(docqa_answers_grounded_total{rollouts_pod_template_hash="${hash}"}[2m]))`;
const p95 = (hash: string) =>
  `histogram_quantile(0.95, sum by (le) (rate(docqa_request_duration_seconds_bucket{rollouts_pod_template_hash="${hash}"}[2m])))`;

describe('the simulated Prometheus and DOCQA_FAULTS', () => {
  let fake: FakeKube;
  let clock: VirtualClock;
  let kubelet: Kubelet;
  afterEach(async () => {
    kubelet.stop();
    clock.stop();
    await fake.close();
  });

  async function lab(behaviour?: (pod: KubeObject) => ContainerBehaviour) {
    clock = new VirtualClock({ start: 0 });
    fake = await startFakeKube({ clock });
    kubelet = new Kubelet(fake, { clock, ...(behaviour ? { behaviour } : {}) }).start();
    return new SimPrometheus(fake, clock);
  }

  /** A lab with two doc-QA pods of hash `a` running `faults`, after three scrapes. */
  async function labWith(faults: string) {
    const prometheus = await lab();
    fake.seed(docqaConfigMap(faults), docqaPod('docqa-a-1', 'a'), docqaPod('docqa-a-2', 'a'));
    await sleep(clock, 30_000);
    return prometheus;
  }

  /** The grounded ratio of `hash` after two minutes of eval traffic to it. */
  async function measured(prometheus: SimPrometheus, hash: string) {
    prometheus.traffic.push({ hash, from: clock.now() });
    await sleep(clock, 30_000);
    return prometheus.query('http://prometheus.sim', grounded(hash));
  }

  it('a fault set through the ConfigMap (envFrom) takes effect', async () => {
    const prometheus = await lab();
    fake.seed(docqaConfigMap('wrong-retrieval'), docqaPod('docqa-a-1', 'a'));
    await sleep(clock, 10_000);
    expect(await measured(prometheus, 'a')).toBe(0.05);
  });

  it("the container's env overrides the ConfigMap's value, as in the real lab", async () => {
    const prometheus = await lab();
    fake.seed(
      docqaConfigMap('wrong-retrieval'),
      docqaPod('docqa-b-1', 'b', [
        { name: 'DOCQA_PROBE_PORT', value: '8081' },
        { name: 'DOCQA_FAULTS', value: '' },
      ]),
    );
    await sleep(clock, 10_000);
    expect(await measured(prometheus, 'b')).toBe(0.98);
  });

  it('a ConfigMap changed after the container started does not reach it; a pod started after does get it', async () => {
    const prometheus = await lab();
    fake.seed(docqaConfigMap(''), docqaPod('docqa-c-1', 'c'));
    await sleep(clock, 10_000);
    fake.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      (o.data as Record<string, string>).DOCQA_FAULTS = 'wrong-retrieval';
    });
    expect(await measured(prometheus, 'c')).toBe(0.98);
    fake.remove('v1', 'Pod', 'docqa-c-1', 'docqa');
    fake.seed(docqaPod('docqa-c-2', 'c'));
    // The deleted pod's samples stay (as in Prometheus) until they leave the query's [2m] window.
    await sleep(clock, 10_000);
    expect(await measured(prometheus, 'c')).not.toBe(0.05);
    await sleep(clock, 120_000);
    expect(await measured(prometheus, 'c')).toBeCloseTo(0.05, 12);
  });

  it("answers every query of `status` (the requests' rate too), over the query's own window", async () => {
    const prometheus = await lab();
    fake.seed(docqaConfigMap(''), docqaPod('docqa-d-1', 'd'));
    const ask = (q: string) => prometheus.query('http://prometheus.sim', q);
    // One scrape 10 s after the start: a rate needs two samples in its window (functions.go extrapolatedRate).
    await sleep(clock, 10_000);
    expect(await ask(qualityQueries.requestsPerSecond)).toBeUndefined();
    await sleep(clock, 10_000);
    // No traffic yet: no requests, and no ratio (0/0).
    expect(await ask(qualityQueries.requestsPerSecond)).toBe(0);
    expect(await ask(qualityQueries.groundedRatio)).toBeNaN();
    // An eval replay that ran one minute: its requests over the five-minute window.
    const from = clock.now();
    prometheus.traffic.push({ hash: 'd', from, to: from + 60_000 });
    await sleep(clock, 60_000);
    expect(await ask(qualityQueries.requestsPerSecond)).toBeCloseTo(evalReplayRequests / 300, 6);
    expect(await ask(qualityQueries.groundedRatio)).toBeCloseTo(0.98, 12);
    // Three minutes after the replay ended: out of a [2m] window, still inside [5m].
    await sleep(clock, 180_000);
    expect(await ask(grounded('d'))).toBeNaN();
    expect(await ask(qualityQueries.groundedRatio)).toBeCloseTo(0.98, 12);
    expect(await ask(qualityQueries.requestsPerSecond)).toBeCloseTo(evalReplayRequests / 300, 6);
    // Six minutes after: nothing left in any window.
    await sleep(clock, 180_000);
    expect(await ask(qualityQueries.requestsPerSecond)).toBe(0);
    expect(await ask(qualityQueries.groundedRatio)).toBeNaN();
  });

  it('one eval replay sends one request per case of the bundled suite', async () => {
    let cases = 0;
    for (const file of await readdir('evals/cases'))
      cases += (parse(await readFile(`evals/cases/${file}`, 'utf8')) as unknown[]).length;
    expect(evalReplayRequests).toBe(cases);
  });

  it("models the doc-QA latency histogram with the service's own buckets (src/service/metrics.ts)", () => {
    const { duration } = createMetrics();
    expect((duration as unknown as { upperBounds: number[] }).upperBounds).toEqual(durationBuckets);
  });

  it("answers the AnalysisTemplate's queries with the version's behaviour while traffic is in the window", async () => {
    const prometheus = await labWith('latency=200ms');
    const ask = (q: string) => prometheus.query('', q);
    expect(await ask(analysisGrounded('a'))).toBeNaN();
    expect(await ask(p95('a'))).toBeNaN();
    expect(await ask(analysisGrounded('nope'))).toBeUndefined();
    prometheus.traffic.push({ hash: 'a', from: clock.now() });
    await sleep(clock, 60_000);
    expect(await ask(analysisGrounded('a'))).toBeCloseTo(0.98, 12);
    expect(await ask(ratio('insufficient_context', 'a'))).toBeCloseTo(0.3, 12);
    expect(await ask(ratio('error', 'a'))).toBe(0);
    expect(await ask(p95('a'))).toBeCloseTo(0.25, 12);
    // The mean from _sum and _count: 95 % of the requests in (0.1, 0.25], 5 % in (0.25, 0.5], each at its middle.
    expect(
      await ask(
        'sum(rate(docqa_request_duration_seconds_sum{rollouts_pod_template_hash="a"}[2m])) / sum(rate(docqa_request_duration_seconds_count{rollouts_pod_template_hash="a"}[2m]))',
      ),
    ).toBeCloseTo(0.95 * 0.175 + 0.05 * 0.375, 12);
    expect(await ask(analysisGrounded('nope'))).toBeUndefined();
  });

  it('answers a rate of errors as a rate, not as the ratio', async () => {
    const prometheus = await labWith('');
    prometheus.traffic.push({ hash: 'a', from: clock.now() });
    await sleep(clock, 120_000);
    const ask = (q: string) => prometheus.query('', q);
    expect(await ask('sum(rate(docqa_requests_total{status="error"}[1m]))')).toBe(0);
    // Two pods share the replay's requests: each one's rate is half of it; the abstentions are 30 % of those.
    expect(await ask('sum(rate(docqa_requests_total{status="insufficient_context"}[1m]))')).toBeCloseTo(
      0.3 * evalReplayRequestsPerSecond,
      9,
    );
    expect(await ask('max(rate(docqa_requests_total{pod="docqa-a-1"}[1m]) * 0 + 1)')).toBe(1);
    expect(
      await ask('count(sum by (pod) (docqa_requests_total{namespace="docqa",job="observability/docqa"}))'),
    ).toBe(2);
    expect(await ask('count(docqa_requests_total{pod=~"docqa-a-.*", status!~"answered|error"})')).toBe(2);
    expect(await ask('probe_success{job="blackbox-docqa"}')).toBe(1);
  });

  it("writes `up` for every target: 1 while the pod's process answers, 0 while its container is stopped", async () => {
    // docqa-x-1's process exits 25 s after each start: restarted at once the first time, then CrashLoopBackOff.
    const prometheus = await lab((pod) =>
      pod.metadata?.name === 'docqa-x-1' ? { exits: { afterMs: 25_000, exitCode: 1, log: [] } } : {},
    );
    fake.seed(docqaConfigMap(''), docqaPod('docqa-x-1', 'x'), docqaPod('docqa-y-1', 'y'));
    await sleep(clock, 20_000);
    const value = await prometheus.evaluateAt('up', clock.now());
    const ip = (name: string) =>
      (fake.get('v1', 'Pod', name, 'docqa')?.status as { podIP?: string } | undefined)?.podIP ?? '';
    expect(value.kind === 'vector' && value.samples).toEqual([
      {
        labels: {
          __name__: 'up',
          namespace: 'docqa',
          pod: 'docqa-x-1',
          rollouts_pod_template_hash: 'x',
          job: 'observability/docqa',
          instance: `${ip('docqa-x-1')}:8080`,
          container: 'docqa',
          endpoint: 'http',
        },
        value: 1,
      },
      expect.objectContaining({ labels: expect.objectContaining({ pod: 'docqa-y-1' }), value: 1 }),
      {
        labels: {
          __name__: 'up',
          job: 'blackbox-docqa',
          instance: 'http://docqa-stable.docqa.svc:8080/readyz',
          service: 'docqa',
        },
        value: 1,
      },
    ]);
    const ask = (q: string) => prometheus.query('', q);
    // Its second exit (51 s) is restarted only after a 10 s back-off (62 s): the scrape at 60 s found no process.
    await sleep(clock, 41_000);
    expect(await ask('up{pod="docqa-x-1"}')).toBe(0);
    expect(await ask('up{pod="docqa-y-1"}')).toBe(1);
    expect(await ask('sum(up{job="observability/docqa"})')).toBe(1);
    // A failed scrape appends none of the pod's samples: six scrapes in the minute, five with samples.
    expect(await ask('count_over_time(up{pod="docqa-x-1"}[1m])')).toBe(6);
    expect(await ask('count_over_time(docqa_requests_total{pod="docqa-x-1",status="error"}[1m])')).toBe(5);
    // Restarted: up again at the next scrape, and the scrape at 60 s stays a failed one.
    await sleep(clock, 10_000);
    expect(await ask('up{pod="docqa-x-1"}')).toBe(1);
    expect(await ask('min_over_time(up{pod="docqa-x-1"}[1m])')).toBe(0);
  });

  it("counts a restarted process's requests from 0 again; increase adds the reset back", async () => {
    // docqa-x-1's process exits 25 s after its start, is restarted at once (26 s), and exits again at 51 s.
    const prometheus = await lab((pod) =>
      pod.metadata?.name === 'docqa-x-1' ? { exits: { afterMs: 25_000, exitCode: 1, log: [] } } : {},
    );
    fake.seed(docqaConfigMap(''), docqaPod('docqa-x-1', 'x'));
    prometheus.traffic.push({ hash: 'x', from: clock.now() });
    const ask = (q: string) => prometheus.query('', q);
    const counted = 'sum(docqa_requests_total{pod="docqa-x-1"})';
    await sleep(clock, 20_000);
    expect(await ask(counted)).toBeCloseTo(20 * evalReplayRequestsPerSecond, 9);
    // At 30 s the process has run 4 s since its restart.
    await sleep(clock, 10_000);
    expect(await ask(counted)).toBeCloseTo(4 * evalReplayRequestsPerSecond, 9);
    // increase over the scrapes at 10, 20, 30 and 40 s (10, 20, then 4 after the reset, then 14 seconds' worth):
    // 10 + 4 + 10, extrapolated from the 30 s sampled to the 35 s window (functions.go extrapolatedRate).
    await sleep(clock, 10_000);
    expect(await ask('sum(increase(docqa_requests_total{pod="docqa-x-1"}[35s]))')).toBeCloseTo(
      (24 * evalReplayRequestsPerSecond * 35) / 30,
      9,
    );
  });

  it('keeps an hour of traffic and still counts what older traffic sent to the pods it reached', async () => {
    const prometheus = await labWith('');
    const ask = (q: string) => prometheus.query('', q);
    const from = clock.now();
    prometheus.traffic.push({ hash: 'a', from, to: from + 60_000 });
    await sleep(clock, 30 * 60_000);
    const total = 'sum(docqa_requests_total{rollouts_pod_template_hash="a"})';
    expect(await ask(total)).toBeCloseTo(evalReplayRequests, 9);
    // An hour and a bit after the replay ended: the window is dropped at the next query, the counters keep it.
    await sleep(clock, 32 * 60_000);
    expect(await ask(total)).toBeCloseTo(evalReplayRequests, 9);
    expect(prometheus.traffic).toEqual([]);
    expect(await ask('sum(increase(docqa_requests_total{rollouts_pod_template_hash="a"}[1h]))')).toBe(0);
    // A pod started after the replay never saw its requests.
    fake.seed(docqaPod('docqa-a-3', 'a'));
    await sleep(clock, 20_000);
    expect(await ask('sum(docqa_requests_total{pod="docqa-a-3"})')).toBe(0);
    expect(await ask(total)).toBeCloseTo(evalReplayRequests, 9);
  });

  it('answers the past from what the scrapes saw then: deleted pods, their share of the traffic, the probe', async () => {
    const prometheus = await labWith('');
    prometheus.traffic.push({ hash: 'a', from: clock.now() });
    await sleep(clock, 60_000);
    const then = clock.now();
    const ask = (q: string) => prometheus.query('', q);
    const askThen = async (q: string) => {
      const value = await prometheus.evaluateAt(q, then);
      return value.kind === 'vector' ? value.samples[0]?.value : undefined;
    };
    const counted = 'sum(docqa_requests_total{pod="docqa-a-1"})';
    // Two pods share the replay's requests.
    expect(await ask(counted)).toBeCloseTo((60 * evalReplayRequestsPerSecond) / 2, 9);
    await sleep(clock, 1_000);
    fake.remove('v1', 'Pod', 'docqa-a-2', 'docqa');
    // Its scrape loop writes the staleness markers two intervals after its last scrape: until then it is still there.
    await sleep(clock, 5_000);
    expect(await ask('up{pod="docqa-a-2"}')).toBe(1);
    await sleep(clock, 25_000);
    expect(await ask('up{pod="docqa-a-2"}')).toBeUndefined();
    expect(await ask('sum(docqa_requests_total{pod="docqa-a-2"})')).toBeUndefined();
    // Its samples stay for range queries and for queries of the past; the other pod's count of then is unchanged.
    expect(await ask('count_over_time(up{pod="docqa-a-2"}[5m])')).toBeGreaterThan(0);
    expect(await askThen('up{pod="docqa-a-2"}')).toBe(1);
    expect(await askThen(counted)).toBeCloseTo((60 * evalReplayRequestsPerSecond) / 2, 9);
    // Since the other one left, the remaining pod gets every request.
    const before = (await ask(counted)) ?? Number.NaN;
    await sleep(clock, 10_000);
    expect((await ask(counted)) ?? Number.NaN).toBeCloseTo(before + 10 * evalReplayRequestsPerSecond, 9);
    // No stable pod left: the probe fails from then, and succeeded before.
    fake.remove('v1', 'Pod', 'docqa-a-1', 'docqa');
    await sleep(clock, 30_000);
    expect(await ask('probe_success{job="blackbox-docqa"}')).toBe(0);
    expect(await askThen('probe_success{job="blackbox-docqa"}')).toBe(1);
    expect(await ask('max_over_time(probe_success{job="blackbox-docqa"}[2m])')).toBe(1);
  });

  it("marks a stopped process's series stale: no instant value while it is down", async () => {
    const prometheus = await lab((pod) =>
      pod.metadata?.name === 'docqa-x-1' ? { exits: { afterMs: 25_000, exitCode: 1, log: [] } } : {},
    );
    fake.seed(docqaConfigMap(''), docqaPod('docqa-x-1', 'x'));
    const ask = (q: string) => prometheus.query('', q);
    await sleep(clock, 50_000);
    expect(await ask('docqa_requests_total{pod="docqa-x-1",status="error"}')).toBe(0);
    // Down from 51 s to 62 s: the scrape at 60 s failed and marked the series stale.
    await sleep(clock, 11_000);
    expect(await ask('up{pod="docqa-x-1"}')).toBe(0);
    expect(await ask('docqa_requests_total{pod="docqa-x-1",status="error"}')).toBeUndefined();
    await sleep(clock, 10_000);
    expect(await ask('docqa_requests_total{pod="docqa-x-1",status="error"}')).toBe(0);
  });

  it('names what it does not evaluate', async () => {
    const prometheus = await labWith('');
    await expect(prometheus.query('', 'predict_linear(docqa_requests_total[5m], 60)')).rejects.toThrow(
      "the simulated Prometheus does not support the function predict_linear(); install Debian's prometheus package to use the real one",
    );
  });
});
