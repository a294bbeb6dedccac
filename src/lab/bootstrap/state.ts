/**
 * What `up` has done, kept under the state folder (see config.defaultStateDir) as `<cluster-or-context>/state.json`,
 * written atomically. It lets a re-run skip finished steps cheaply and lets `down --context` remove only what
 * `up` installed.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../atomic-write.js';
import { type LabConfig, labContext } from '../config.js';
import type { ObjectRef } from '../kube/types.js';

export interface StepRecord {
  /** A digest of the step's inputs: a change means the step runs again. */
  digest: string;
  completedAt: string;
}

export interface LabState {
  version: 1;
  context: string;
  /** True when `up` created the kind cluster (then `down` deletes the cluster). */
  kindCluster?: string;
  steps: Record<string, StepRecord>;
  /** Objects `up` applied itself (not what Argo CD created), for `down --context`. */
  installed: ObjectRef[];
  images?: { docqa?: string; gitServer?: string };
  git?: { url: string; commit: string };
}

export function stateFile(config: LabConfig): string {
  const name = labContext(config).replace(/[^A-Za-z0-9._-]/g, '_');
  return join(config.stateDir, name, 'state.json');
}

export function emptyState(config: LabConfig): LabState {
  return { version: 1, context: labContext(config), steps: {}, installed: [] };
}

export async function loadState(config: LabConfig): Promise<LabState> {
  try {
    const raw = JSON.parse(await readFile(stateFile(config), 'utf8')) as LabState;
    if (raw.version !== 1) return emptyState(config);
    return { ...emptyState(config), ...raw };
  } catch {
    return emptyState(config);
  }
}

export async function saveState(config: LabConfig, state: LabState): Promise<void> {
  await writeFileAtomic(stateFile(config), `${JSON.stringify(state, null, 2)}\n`, { createFolder: true });
}

export async function removeState(config: LabConfig): Promise<void> {
  await rm(join(stateFile(config), '..'), { recursive: true, force: true });
}

export function recordInstalled(state: LabState, refs: ObjectRef[]): void {
  const key = (r: ObjectRef) => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
  const seen = new Set(state.installed.map(key));
  for (const r of refs) {
    if (!seen.has(key(r))) {
      state.installed.push({
        apiVersion: r.apiVersion,
        kind: r.kind,
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
      });
      seen.add(key(r));
    }
  }
}
