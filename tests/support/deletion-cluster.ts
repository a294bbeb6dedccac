/**
 * A controller cluster (controller-cluster.ts) with what deletion needs on a real cluster: the kubelet's node, the
 * Deployment and ReplicaSet controllers, the garbage collector and the namespace controller (src/lab/sim/
 * garbage-collector.ts, namespace-controller.ts). For the tests of deletion (tests/lab/sim/garbage-collector.test.ts,
 * namespace-lifecycle.test.ts).
 */
import { GarbageCollector } from '../../src/lab/sim/garbage-collector.js';
import { defaultNode } from '../../src/lab/sim/kubelet.js';
import { NamespaceController } from '../../src/lab/sim/namespace-controller.js';
import { registerNode } from '../../src/lab/sim/node.js';
import { deploymentPods } from '../../src/lab/sim/workloads.js';
import { type ControllerCluster, controllerCluster } from './controller-cluster.js';

export function deletionCluster(): Promise<ControllerCluster> {
  return controllerCluster((f, models) => {
    const stops = [
      registerNode(f, models, { name: defaultNode.name, ip: defaultNode.ip, podCidr: defaultNode.podCidr }),
      deploymentPods(f, () => true, { clock: models }),
      new GarbageCollector(f, { clock: models }).start(),
      new NamespaceController(f, { clock: models }).start(),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  });
}
