/**
 * The simulated Prometheus reads a doc-QA pod's DOCQA_FAULTS from the environment its process runs with, built as the
 * kubelet builds it (Kubernetes v1.33 pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: the ConfigMap of
 * `envFrom`, then `env`), and built when the container starts: a ConfigMap changed later does not reach it.
 */

import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { Kubelet } from '../../../src/lab/sim/kubelet.js';
import { evalReplayRequests, SimPrometheus } from '../../../src/lab/sim/prometheus.js';
import { qualityQueries } from '../../../src/lab/status/index.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';
import { docqaConfigMap, docqaPod } from '../../support/sim-docqa.js';

const grounded = (hash: string) =>
  `sum(rate(docqa_answers_grounded_total{grounded="true",rollouts_pod_template_hash="${hash}"}[2m])) / sum(rate(docqa_answers_grounded_total{rollouts_pod_template_hash="${hash}"}[2m]))`;

describe('the simulated Prometheus and DOCQA_FAULTS', () => {
  let fake: FakeKube;
  let clock: VirtualClock;
  let kubelet: Kubelet;
  afterEach(async () => {
    kubelet.stop();
    clock.stop();
    await fake.close();
  });

  async function lab() {
    clock = new VirtualClock({ start: 0 });
    fake = await startFakeKube({ clock });
    kubelet = new Kubelet(fake, { clock }).start();
    return new SimPrometheus(fake, clock);
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
    await sleep(clock, 10_000);
    expect(await measured(prometheus, 'c')).toBe(0.05);
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
});
