export {
  createKubeClient,
  KubeClient,
  type KubeClientOptions,
  type ListOptions,
  type ListResult,
  loadKubeConfig,
  type WatchOptions,
} from './client.js';
export { AbortedError, KubeApiError, WaitTimeoutError } from './errors.js';
export * from './status.js';
export * from './types.js';
export type { WaitOptions } from './wait.js';
