import { LabError } from '../../errors.js';
import type { ObjectRef } from './types.js';
import { describeRef } from './types.js';

/** A Kubernetes API request failed. `status` is the HTTP status (0 when the server could not be reached). */
export class KubeApiError extends LabError {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, 1, options);
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get conflict(): boolean {
    return this.status === 409;
  }
}

/** A wait ran out of time. `last` is the last version of the object seen, for diagnostics. */
export class WaitTimeoutError extends LabError {
  constructor(
    readonly ref: ObjectRef | { apiVersion: string; kind: string; namespace?: string },
    readonly waitedFor: string,
    readonly timeoutMs: number,
    readonly last?: unknown,
  ) {
    super(
      `Timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${'name' in ref ? describeRef(ref) : `${ref.kind} objects${ref.namespace ? ` in ${ref.namespace}` : ''}`} to be ${waitedFor}.`,
      1,
      { hint: 'Look at the conditions and events printed above; `gitops-lab status` shows the whole lab.' },
    );
  }
}

/** The operation was cancelled through its AbortSignal (e.g. Ctrl-C). */
export class AbortedError extends LabError {
  constructor(what = 'operation') {
    super(`The ${what} was interrupted.`, 130, { hint: 'Run the same command again to resume.' });
  }
}
