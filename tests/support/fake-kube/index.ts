/**
 * The in-memory API server now lives in the product (src/lab/sim/api.ts); tests keep their short names for it.
 */
export {
  applicationsSynced,
  type Controller,
  crdsEstablished,
  type FailureRule,
  type KubeObject,
  type Mutation,
  type RequestRecord,
  type ResourceType,
  type SimCluster as FakeKube,
  type SimClusterOptions as FakeKubeOptions,
  type StoredEvent,
  startSimCluster as startFakeKube,
  workloadsAvailable,
} from '../../../src/lab/sim/api.js';
