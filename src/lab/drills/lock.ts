/**
 * One drill at a time: a ConfigMap `gitops-lab-drill-lock` in the lab's namespace, created atomically (the API
 * server answers 409 when it exists, so two drills cannot both take it). It records who holds it, which drill
 * and since when, so a refusal can say what is running and whether it looks stale.
 */
import { hostname, userInfo } from 'node:os';
import { PreconditionError } from '../../errors.js';
import { type KubeAccess, KubeConflictError } from './access.js';
import { formatDuration } from './duration.js';

export const lockName = 'gitops-lab-drill-lock';
export const defaultLockNamespace = 'argocd';

export interface LockInfo {
  holder: string;
  drill: string;
  started: string;
  /** After this the lock is presumed stale (the drill's timeout plus its rollback and verify). */
  expires: string;
  /** A process changing the outside world right now (a git push), so `--recover` of a killed run can wait for it. */
  inflight?: InFlight;
}

export interface InFlight {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface DrillLock {
  info: LockInfo;
  /** What the lock held when `--recover` took it over from a killed run. */
  previous?: LockInfo;
  /** Records (or, with undefined, clears) the process in flight. */
  record(inflight: InFlight | undefined): Promise<void>;
  release(): Promise<void>;
}

function parseInFlight(raw: string | undefined): InFlight | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<InFlight>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      command: String(value.command ?? 'git'),
      since: String(value.since ?? ''),
    };
  } catch {
    return undefined;
  }
}

function holderName(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

/** The pid of a lock holder that is a live process on this machine (not this one), else undefined. */
function runningHere(holder: string | undefined): number | undefined {
  const match = /@(.+) pid (\d+)$/.exec(holder ?? '');
  if (!match || match[1] !== hostname()) return undefined;
  const pid = Number(match[2]);
  if (pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

const ref = (namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: lockName, namespace });

async function readLock(kube: KubeAccess, namespace: string): Promise<LockInfo | undefined> {
  const existing = await kube.get(ref(namespace));
  const data = (existing?.data ?? {}) as Partial<Record<keyof LockInfo, string>>;
  if (!existing) return undefined;
  return {
    holder: data.holder ?? 'unknown',
    drill: data.drill ?? 'unknown',
    started: data.started ?? '',
    expires: data.expires ?? '',
    inflight: parseInFlight(data.inflight),
  };
}

export interface AcquireOptions {
  kube: KubeAccess;
  namespace?: string;
  drill: string;
  /** How long the run may take before the lock counts as stale, in ms. */
  ttlMs: number;
  /** Take the lock even if another run holds it (`--recover` of a killed drill). */
  takeOver?: boolean;
  now?: () => Date;
}

export async function acquireLock(options: AcquireOptions): Promise<DrillLock> {
  const { kube, drill } = options;
  const namespace = options.namespace ?? defaultLockNamespace;
  const now = (options.now ?? (() => new Date()))();
  const info: LockInfo = {
    holder: holderName(),
    drill,
    started: now.toISOString(),
    expires: new Date(now.getTime() + options.ttlMs).toISOString(),
  };
  const object = {
    ...ref(namespace),
    metadata: { name: lockName, namespace, labels: { 'app.kubernetes.io/managed-by': 'gitops-lab' } },
    data: { ...info },
  };
  const attempts = options.takeOver ? 2 : 1;
  let previous: LockInfo | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await kube.create(object);
      return {
        info,
        previous,
        record: async (inflight) => {
          await kube.patch(
            ref(namespace),
            { data: { inflight: inflight ? JSON.stringify(inflight) : null } },
            'merge',
          );
        },
        release: async () => {
          await kube.delete(ref(namespace));
        },
      };
    } catch (error) {
      if (!(error instanceof KubeConflictError)) {
        throw new PreconditionError(
          `cannot take the drill lock (ConfigMap ${namespace}/${lockName}): ${(error as Error).message}.`,
          {
            hint: 'Check that the lab is up (`gitops-lab status`) and that your kube context points at it.',
            cause: error,
          },
        );
      }
      const held = await readLock(kube, namespace);
      if (options.takeOver && attempt < attempts) {
        const pid = runningHere(held?.holder);
        if (pid !== undefined) {
          throw new PreconditionError(
            `drill ${held?.drill} is still running on this machine (pid ${pid}); --recover would race it.`,
            {
              hint: `Stop it with Ctrl-C (it rolls back by itself), or \`kill ${pid}\`, then run --recover if needed.`,
            },
          );
        }
        previous = held;
        await kube.delete(ref(namespace));
        continue;
      }
      const stale = held?.expires && Date.parse(held.expires) < now.getTime();
      const since = held?.started
        ? ` since ${held.started} (${formatDuration(now.getTime() - Date.parse(held.started))} ago)`
        : '';
      throw new PreconditionError(
        `another drill is running: ${held?.drill ?? 'unknown'}, held by ${held?.holder ?? 'unknown'}${since}.`,
        {
          hint: stale
            ? `The lock looks stale (it expired at ${held?.expires}); if that drill was killed, run \`gitops-lab drill ${held?.drill} --recover\` to roll it back and clear the lock.`
            : `Wait for it to finish; if it was killed, run \`gitops-lab drill ${held?.drill ?? '<name>'} --recover\`.`,
        },
      );
    }
  }
  throw new PreconditionError('cannot take the drill lock.');
}
