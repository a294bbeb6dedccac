/**
 * The simulated Prometheus reads a doc-QA pod's DOCQA_FAULTS from the environment its process runs with, built as the
 * kubelet builds it (Kubernetes v1.33 pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: the ConfigMap of
 * `envFrom`, then `env`), and built when the container starts: a ConfigMap changed later does not reach it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { Kubelet } from '../../../src/lab/sim/kubelet.js';
import { SimPrometheus } from '../../../src/lab/sim/prometheus.js';
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
});
