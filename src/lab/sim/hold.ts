/**
 * Holding a virtual clock still while real work runs: every promise-returning method of `target` (a KubeAccess, a
 * KubeClient, a LabRepo, a Runner) runs inside `clock.hold`, except the long-lived ones named in `except` (watches
 * and waits, which sleep on the clock themselves). On any other clock it returns `target` unchanged.
 */
import type { Clock } from '../clock.js';
import { VirtualClock } from './clock.js';

/** KubeAccess methods that wait on the clock themselves: a watch runs for the drill's window. */
export const kubeAccessWaits = ['watchObject'];

export function holding<T extends object>(target: T, clock: Clock, except: string[] = []): T {
  if (!(clock instanceof VirtualClock)) return target;
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || except.includes(String(property))) return value;
      return (...args: unknown[]) => {
        const result = value.apply(receiver, args);
        return result instanceof Promise ? clock.hold(result) : result;
      };
    },
  });
}
