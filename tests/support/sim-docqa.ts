/** A doc-QA pod and the docqa-config ConfigMap for tests of the simulated lab's kubelet, processes and Prometheus. */
import type { KubeObject } from '../../src/lab/sim/store.js';

/** A docqa pod of pod-template hash `hash`: env from the docqa-config ConfigMap, then `env`. */
export function docqaPod(
  name: string,
  hash: string,
  env: Array<{ name: string; value: string }> = [],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'docqa',
      labels: { 'app.kubernetes.io/name': 'docqa', 'rollouts-pod-template-hash': hash },
    },
    spec: {
      containers: [
        {
          name: 'docqa',
          image: 'ghcr.io/gitops-lab/docqa:0.1.0',
          envFrom: [{ configMapRef: { name: 'docqa-config' } }],
          env,
        },
      ],
    },
  };
}

/** The docqa-config ConfigMap with DOCQA_FAULTS set to `faults`. */
export const docqaConfigMap = (faults: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'docqa-config', namespace: 'docqa' },
  data: {
    DOCQA_MODE: 'extractive',
    DOCQA_FAULTS: faults,
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.svc:4318',
  },
});
