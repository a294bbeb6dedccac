/**
 * `canary check` reads the arguments it is missing from the lab's Rollout (src/lab/canary/lab-args.ts): here the
 * lab's own Rollout (manifests/workloads/docqa/rollout.yaml) and AnalysisTemplate, in the in-memory API server.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PreconditionError, UsageError } from '../../../src/errors.js';
import { argsFromLab, canaryPairFromLab, missingArgs } from '../../../src/lab/canary/lab-args.js';
import { loadTemplate } from '../../../src/lab/canary/template.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { packagePath } from '../../../src/paths.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

const templateFile = packagePath('manifests', 'workloads', 'docqa', 'analysis-template.yaml');
const labRollout = () =>
  parse(readFileSync(packagePath('manifests', 'workloads', 'docqa', 'rollout.yaml'), 'utf8')) as KubeObject;

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function lab(
  ...rollouts: Array<{ namespace?: string; name?: string; status?: Record<string, unknown> }>
) {
  fake = await startFakeKube();
  for (const r of rollouts) {
    const object = labRollout();
    object.metadata = { ...object.metadata, name: r.name ?? 'docqa', namespace: r.namespace ?? 'docqa' };
    const [seeded] = fake.seed(object) as [KubeObject];
    if (r.status)
      fake.update(
        'argoproj.io/v1alpha1',
        'Rollout',
        seeded.metadata?.name ?? '',
        seeded.metadata?.namespace,
        (o) => {
          o.status = r.status;
        },
      );
  }
  return createKubeClient({ kubeconfig: fake.kubeconfigPath });
}

describe('arguments read from the Rollout that runs the template', () => {
  it('the running canary: canary-hash is the newest ReplicaSet hash, from the analysis step the Rollout is at', async () => {
    const template = await loadTemplate(templateFile);
    expect(missingArgs(template, {})).toEqual(['canary-hash']);
    const kube = await lab({
      status: { currentPodHash: '7c9f8d6b5', stableRS: '5d8c7b9f4', currentStepIndex: 2 },
    });
    const found = await argsFromLab(template, {}, { kube });
    expect(found).toMatchObject({
      values: { 'canary-hash': '7c9f8d6b5' },
      rollout: 'docqa/docqa',
      where: 'steps[2].analysis',
      sources: { 'canary-hash': 'podTemplateHashValue: Latest' },
    });
    expect(found?.noCanary).toBeUndefined();
  });

  it('says so when there is no canary: the newest ReplicaSet is the stable one', async () => {
    const template = await loadTemplate(templateFile);
    const kube = await lab({ status: { currentPodHash: '5d8c7b9f4', stableRS: '5d8c7b9f4' } });
    expect(await argsFromLab(template, {}, { kube })).toMatchObject({
      values: { 'canary-hash': '5d8c7b9f4' },
      noCanary: true,
    });
  });

  it('reads nothing when --arg gives every missing argument', async () => {
    const template = await loadTemplate(templateFile);
    expect(
      await argsFromLab(template, { 'canary-hash': 'abc' }, { context: 'no-such-context' }),
    ).toBeUndefined();
  });

  it('several Rollouts running the template need --rollout; a wrong one is named', async () => {
    const template = await loadTemplate(templateFile);
    const kube = await lab(
      { status: { currentPodHash: 'aaa', stableRS: 'bbb' } },
      { namespace: 'staging', status: { currentPodHash: 'ccc', stableRS: 'ddd' } },
    );
    await expect(argsFromLab(template, {}, { kube })).rejects.toThrow(
      /2 Rollouts run the AnalysisTemplate docqa-quality \(docqa\/docqa, staging\/docqa\)/,
    );
    expect((await argsFromLab(template, {}, { kube, rollout: 'staging/docqa' }))?.values).toEqual({
      'canary-hash': 'ccc',
    });
    await expect(argsFromLab(template, {}, { kube, rollout: 'docqa/nope' })).rejects.toThrow(
      'there is no Rollout docqa/nope',
    );
  });

  it('a Rollout with no pod-template hash yet, or no Rollout at all, is a usage error that says to pass --arg', async () => {
    const template = await loadTemplate(templateFile);
    const fresh = await lab({});
    const error = await argsFromLab(template, {}, { kube: fresh }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/docqa\/docqa, steps\[2\]\.analysis: argument canary-hash/);
    expect((error as UsageError).hint).toBe('Pass --arg canary-hash=VALUE.');
    await fake?.close();
    const empty = await lab();
    await expect(argsFromLab(template, {}, { kube: empty })).rejects.toThrow(
      /no Rollout runs the AnalysisTemplate docqa-quality, so its argument canary-hash cannot be read/,
    );
  });
});

describe('the canary and stable hashes for canary compare', () => {
  it('a canary in progress: its newest ReplicaSet against the stable one', async () => {
    const kube = await lab({
      status: { currentPodHash: '7c9f8d6b5', stableRS: '5d8c7b9f4', currentStepIndex: 1 },
    });
    expect(await canaryPairFromLab('docqa-quality', { kube })).toEqual({
      rollout: 'docqa/docqa',
      canary: '7c9f8d6b5',
      baseline: '5d8c7b9f4',
    });
  });

  it('no canary in progress is a precondition error (exit 3) that says how to start one', async () => {
    const kube = await lab({ status: { status: { currentPodHash: '5d8c7b9f4', stableRS: '5d8c7b9f4' } } });
    const error = await canaryPairFromLab('docqa-quality', { kube }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionError);
    expect((error as PreconditionError).exitCode).toBe(3);
    expect((error as PreconditionError).message).toContain('has no canary in progress');
    expect((error as PreconditionError).hint).toContain('--canary HASH and --baseline HASH');
  });
});
